/* test_out_pcap.c: the evidence pcap plug-in: a flagged flow's packets from the first one,
 * in order, unflagged flows left out, flows flagged only when they end, the bound on held
 * flows, and a file that libpcap reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "itm-limits.h"
#include "itmscope/output.h"

#define T0 (UINT64_C(1767603600) * 1000000000u)

struct run {
    struct itm_output *o;
    struct itm_output_ctx ctx;
    char path[256];
    uint8_t frame[64];
};

static void start(struct run *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->path, sizeof(r->path), "%s/itm-test-%d-%s", P_tmpdir, (int)getpid(), name);
    r->ctx.linktype = DLT_EN10MB;
    r->ctx.snaplen = 262144;
    assert_int_equal(itm_out_pcap.open(&r->o, r->path, &r->ctx), 0);
}

/* One packet of flow `id`, its n-th (1-based); the frame's first bytes say which. */
static void packet(struct run *r, uint64_t id, uint64_t n, uint32_t flags)
{
    struct itm_pkt p;
    struct itm_flow_rec rec;
    struct itm_out_pkt op;

    memset(&p, 0, sizeof(p));
    memset(&rec, 0, sizeof(rec));
    memset(r->frame, 0, sizeof(r->frame));
    memcpy(r->frame, &id, sizeof(id));
    memcpy(r->frame + 8, &n, sizeof(n));
    p.frame = r->frame;
    p.caplen = p.wirelen = sizeof(r->frame);
    p.linktype = DLT_EN10MB;
    p.ts_ns = T0 + id * 1000000u + n;
    rec.id = id;
    rec.pkts[0] = n;
    rec.label.flags = flags;
    op.pkt = &p;
    op.flow = &rec;
    op.dir = 0;
    itm_out_pcap.packet(r->o, &op);
}

static void flow_end(struct run *r, uint64_t id, uint64_t npkts, uint32_t flags)
{
    struct itm_flow_rec rec;

    memset(&rec, 0, sizeof(rec));
    rec.id = id;
    rec.pkts[0] = npkts;
    rec.label.flags = flags;
    itm_out_pcap.flow(r->o, &rec);
}

/* Closes the plug-in and reads the file back: (flow id, packet number) per record. */
static size_t finish(struct run *r, uint64_t (*got)[2], size_t max)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *p;
    size_t n = 0;

    assert_int_equal(itm_out_pcap.close(r->o), 0);
    p = pcap_open_offline_with_tstamp_precision(r->path, PCAP_TSTAMP_PRECISION_NANO, err);
    assert_non_null(p);
    assert_int_equal(pcap_datalink(p), DLT_EN10MB);
    while (pcap_next_ex(p, &h, &data) == 1) {
        assert_true(n < max);
        assert_int_equal(h->caplen, sizeof(r->frame));
        memcpy(&got[n][0], data, 8);
        memcpy(&got[n][1], data + 8, 8);
        /* nanosecond timestamps survive the round trip */
        assert_int_equal((uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec,
                         T0 + got[n][0] * 1000000u + got[n][1]);
        n++;
    }
    pcap_close(p);
    unlink(r->path);
    return n;
}

static void test_flag_midway(void **state)
{
    struct run r;
    uint64_t got[16][2];
    size_t n;
    (void)state;

    start(&r, "midway.pcap");
    packet(&r, 1, 1, 0);
    packet(&r, 2, 1, 0); /* never flagged */
    packet(&r, 1, 2, 0);
    packet(&r, 2, 2, 0);
    packet(&r, 1, 3, ITM_F_SCAN); /* the flag fires here: 1 and 2 go out first */
    packet(&r, 1, 4, ITM_F_SCAN);
    flow_end(&r, 2, 2, 0);
    flow_end(&r, 1, 4, ITM_F_SCAN);
    n = finish(&r, got, 16);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i][0], 1);
        assert_int_equal(got[i][1], i + 1);
    }
}

static void test_flag_at_end(void **state)
{
    struct run r;
    uint64_t got[32][2];
    size_t n;
    (void)state;

    start(&r, "end.pcap");
    for (uint64_t i = 1; i <= 5; i++)
        packet(&r, 7, i, 0);
    flow_end(&r, 7, 5, ITM_F_EXTERNAL);
    /* a longer flow flagged at its end keeps only its first ITM_EVIDENCE_PKTS */
    for (uint64_t i = 1; i <= ITM_EVIDENCE_PKTS + 4; i++)
        packet(&r, 8, i, 0);
    flow_end(&r, 8, ITM_EVIDENCE_PKTS + 4, ITM_F_EXTERNAL);
    n = finish(&r, got, 32);
    assert_int_equal(n, 5 + ITM_EVIDENCE_PKTS);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(got[i][0], 7);
    for (size_t i = 5; i < n; i++) {
        assert_int_equal(got[i][0], 8);
        assert_int_equal(got[i][1], i - 4);
    }
}

static void test_no_packets(void **state)
{
    struct run r;
    uint64_t got[1][2];
    (void)state;

    start(&r, "empty.pcap");
    packet(&r, 1, 1, 0);
    flow_end(&r, 1, 1, 0);
    assert_int_equal(finish(&r, got, 1), 0);
}

/* More open flows than the table holds: the idlest are let go, none is lost mid-write,
 * and a flow that kept being touched is still whole when it is flagged. */
static void test_bound(void **state)
{
    const uint64_t many = ITM_EVIDENCE_MAX_FLOWS + 100;
    struct run r;
    uint64_t got[16][2];
    size_t n;
    (void)state;

    start(&r, "bound.pcap");
    packet(&r, 1, 1, 0);
    for (uint64_t id = 2; id <= many; id++) {
        packet(&r, id, 1, 0);
        if (id % 1000 == 0)
            packet(&r, 1, 2 + id / (many / 4 + 1), 0); /* flow 1 stays recent */
    }
    packet(&r, 1, 6, ITM_F_LATERAL);
    for (uint64_t id = 1; id <= many; id++)
        flow_end(&r, id, id == 1 ? 6 : 1, id == 1 ? ITM_F_LATERAL : 0);
    n = finish(&r, got, 16);
    assert_int_equal(n, ITM_EVIDENCE_PKTS + 1);
    assert_int_equal(got[0][1], 1);
    assert_int_equal(got[n - 1][1], 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_midway),
        cmocka_unit_test(test_flag_at_end),
        cmocka_unit_test(test_no_packets),
        cmocka_unit_test(test_bound),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
