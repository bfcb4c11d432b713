/* test_engine_batch.c: feeding the engine frames in batches (itm_engine_packets) gives byte
 * for byte the events and evidence of feeding them one at a time (itm_engine_packet), for
 * every batch size from 1 to past ITM_ENGINE_BATCH, on the bundled captures (fragments,
 * PXE, scans, lateral movement, malformed frames); and so does the capture, which switches
 * to batches once the flows outgrow the caches, whether it reads the file on the caller's
 * thread or on a reader thread of its own. Also with JSON alone (no output that takes
 * packets) and with eight flows tracked (evictions within batches). */
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
#include "itmscope/capture.h"
#include "itmscope/engine.h"
#include "itmscope/output.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

struct frames {
    struct itm_frame *v;
    uint8_t **bytes;
    size_t n;
    int linktype;
};

static void load_frames(const char *path, struct frames *fs)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    struct pcap_pkthdr *h;
    const u_char *b;
    size_t cap = 0;

    assert_non_null(p);
    memset(fs, 0, sizeof(*fs));
    fs->linktype = pcap_datalink(p);
    while (pcap_next_ex(p, &h, &b) == 1) {
        if (fs->n == cap) {
            cap = cap ? cap * 2 : 1024;
            fs->v = realloc(fs->v, cap * sizeof(*fs->v));
            fs->bytes = realloc(fs->bytes, cap * sizeof(*fs->bytes));
            assert_non_null(fs->v);
            assert_non_null(fs->bytes);
        }
        fs->bytes[fs->n] = malloc(h->caplen ? h->caplen : 1);
        assert_non_null(fs->bytes[fs->n]);
        memcpy(fs->bytes[fs->n], b, h->caplen);
        fs->v[fs->n] = (struct itm_frame){fs->bytes[fs->n],
                                          (uint64_t)h->ts.tv_sec * 1000000000u +
                                              (uint64_t)h->ts.tv_usec,
                                          h->caplen, h->len};
        fs->n++;
    }
    pcap_close(p);
    assert_true(fs->n > 10);
}

static void free_frames(struct frames *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->bytes[i]);
    free(fs->bytes);
    free(fs->v);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* An engine with JSON events and the evidence pcap (pcap NULL: JSON alone, so that no
 * output takes packets), tracking at most max_flows flows (0: the default); octx is the
 * outputs' context, which they borrow for the engine's life. */
static struct itm_engine *engine_with_outputs(const struct itm_sigdb *db,
                                              const struct itm_site *site, int linktype,
                                              const char *json, const char *pcap,
                                              uint32_t max_flows, struct itm_output_ctx *octx)
{
    struct itm_engine_cfg cfg;
    static const char *const inputs[] = {"test", NULL};
    struct itm_engine *e;
    int err = 0;

    memset(&cfg, 0, sizeof(cfg));
    cfg.seed[0] = 1;
    cfg.seed[1] = 2;
    cfg.max_flows = max_flows;
    e = itm_engine_new(&cfg, db, site, &err);
    assert_non_null(e);
    memset(octx, 0, sizeof(*octx));
    octx->db = db;
    octx->cls = itm_engine_classifier(e);
    octx->inputs = inputs;
    octx->linktype = linktype;
    octx->snaplen = 262144;
    assert_int_equal(itm_engine_add_output(e, &itm_out_json, json, octx), 0);
    if (pcap)
        assert_int_equal(itm_engine_add_output(e, &itm_out_pcap, pcap, octx), 0);
    return e;
}

/* Runs one engine over the frames, batch sizes cycling from 1 to max (0: one at a time),
 * with JSON events and the evidence pcap (pcap NULL: none) written to those files. */
static void run(const struct frames *fs, const struct itm_sigdb *db, const struct itm_site *site,
                size_t max, const char *json, const char *pcap, uint32_t max_flows)
{
    struct itm_output_ctx octx;
    struct itm_engine *e =
        engine_with_outputs(db, site, fs->linktype, json, pcap, max_flows, &octx);
    size_t i = 0, size = 1;

    while (i < fs->n) {
        if (max == 0) {
            const struct itm_frame *f = &fs->v[i++];
            itm_engine_packet(e, fs->linktype, f->ts_ns, f->data, f->caplen, f->wirelen);
            continue;
        }
        size_t m = fs->n - i < size ? fs->n - i : size;
        itm_engine_packets(e, fs->linktype, fs->v + i, m);
        i += m;
        size = size % max + 1;
    }
    assert_int_equal(itm_engine_finish(e, ITM_END_EOF), 0);
    itm_engine_free(e);
}

static void same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);

    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

static void check_capture(const char *name)
{
    char path[512], tmpl[] = "/tmp/itm-batch-XXXXXX", ja[600], jb[600], pa[600], pb[600];
    struct itm_sigdb *db;
    struct itm_site *site;
    struct frames fs;
    int err = 0;
    const size_t maxes[] = {1, 7, ITM_ENGINE_BATCH, ITM_ENGINE_BATCH + 9};

    assert_non_null(mkdtemp(tmpl));
    db = itm_sigdb_load_file(ITM_SRCDIR "/signatures/itms.sig", NULL, &err);
    assert_non_null(db);
    snprintf(path, sizeof(path), ITM_SRCDIR "/pcaps/%s.site", name);
    site = itm_site_load_file(path, NULL, &err);
    assert_non_null(site);
    assert_int_equal(itm_site_apply_moves(site, db, NULL), 0);
    snprintf(path, sizeof(path), ITM_SRCDIR "/pcaps/%s.pcap", name);
    load_frames(path, &fs);
    snprintf(ja, sizeof(ja), "%s/one.json", tmpl);
    snprintf(pa, sizeof(pa), "%s/one.pcap", tmpl);
    snprintf(jb, sizeof(jb), "%s/batch.json", tmpl);
    snprintf(pb, sizeof(pb), "%s/batch.pcap", tmpl);
    run(&fs, db, site, 0, ja, pa, 0);
    for (size_t k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
        run(&fs, db, site, maxes[k], jb, pb, 0);
        same_file(ja, jb);
        same_file(pa, pb);
        unlink(jb);
        unlink(pb);
    }
    /* JSON alone, with no output that takes packets; and with eight flows tracked, flows
     * evicted in the middle of batches */
    for (uint32_t max_flows = 0; max_flows <= 8; max_flows += 8) {
        run(&fs, db, site, 0, ja, NULL, max_flows);
        for (size_t k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
            run(&fs, db, site, maxes[k], jb, NULL, max_flows);
            same_file(ja, jb);
            unlink(jb);
        }
    }
    unlink(ja);
    unlink(pa);
    rmdir(tmpl);
    free_frames(&fs);
    itm_site_free(site);
    itm_sigdb_free(db);
}

/* Ethernet, IPv4, UDP with 8 bytes of payload, from a to b. */
static void udp_frame(uint8_t *f, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
    static const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
    uint8_t *ip = f + 14, *udp = ip + 20;

    memset(f, 0, 50);
    memcpy(f, eth, sizeof(eth));
    ip[0] = 0x45;
    ip[3] = 36; /* total length */
    ip[8] = 64;
    ip[9] = 17;
    for (int k = 0; k < 4; k++) {
        ip[12 + k] = (uint8_t)(a >> (24 - 8 * k));
        ip[16 + k] = (uint8_t)(b >> (24 - 8 * k));
    }
    udp[0] = (uint8_t)(ap >> 8);
    udp[1] = (uint8_t)ap;
    udp[2] = (uint8_t)(bp >> 8);
    udp[3] = (uint8_t)bp;
    udp[5] = 16; /* length */
    memcpy(udp + 8, "tickle!!", 8);
}

/* Frames larger than the capture's batch arena (ITM_CAPTURE_ARENA). */
#define JUMBO 100000u

/* More flows than ITM_BATCH_MIN_FLOWS, each asked and answered later, through a capture
 * file: the capture feeds the first frames one by one and the rest in batches; a reader
 * thread hands over batches throughout, fetched ahead only past that many flows. */
static void test_capture_switches_to_batches(void **state)
{
    char tmpl[] = "/tmp/itm-batch-XXXXXX", path[600], ja[600], jb[600], pa[600], pb[600];
    char msg[512];
    const uint32_t nflows = ITM_BATCH_MIN_FLOWS + 4000;
    struct itm_capture_cfg ccfg;
    struct itm_output_ctx octx;
    struct itm_sigdb *db;
    struct itm_capture *c;
    struct itm_engine *e;
    struct frames fs;
    pcap_t *dead;
    pcap_dumper_t *d;
    int err = 0;
    (void)state;

    assert_non_null(mkdtemp(tmpl));
    snprintf(path, sizeof(path), "%s/flows.pcap", tmpl);
    dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    assert_non_null(dead);
    d = pcap_dump_open(dead, path);
    assert_non_null(d);
    for (uint32_t round = 0; round < 2; round++)
        for (uint32_t i = 0; i < nflows; i++) {
            static uint8_t f[JUMBO]; /* zeros past the datagram: link padding */
            struct pcap_pkthdr h;
            uint32_t agent = (10u << 24) | (20u << 16) | i, ns = (10u << 24) | (1u << 16) | 10u;
            uint16_t sport = (uint16_t)(1024 + i % 60000);
            if (round == 0)
                udp_frame(f, ns, sport, agent, 52028);
            else
                udp_frame(f, agent, 52028, ns, sport);
            h.ts.tv_sec = 1700000000 + (time_t)round;
            h.ts.tv_usec = (suseconds_t)(i * 10); /* nanoseconds: precision is nano */
            /* once batching, frames larger than the capture's batch arena, alone and in a row */
            h.caplen = h.len = round == 1 && (i == 1000 || i == 1001 || i == nflows - 1)
                                   ? JUMBO
                                   : 50;
            pcap_dump((u_char *)d, &h, f);
        }
    pcap_dump_close(d);
    pcap_close(dead);

    db = itm_sigdb_load_file(ITM_SRCDIR "/signatures/itms.sig", NULL, &err);
    assert_non_null(db);
    load_frames(path, &fs);
    assert_int_equal(fs.n, 2 * (size_t)nflows);
    snprintf(ja, sizeof(ja), "%s/one.json", tmpl);
    snprintf(pa, sizeof(pa), "%s/one.pcap", tmpl);
    run(&fs, db, NULL, 0, ja, pa, 0);

    snprintf(jb, sizeof(jb), "%s/capture.json", tmpl);
    snprintf(pb, sizeof(pb), "%s/capture.pcap", tmpl);
    /* read on this thread, then (with a second CPU) by the reader thread */
    for (int no_thread = 1; no_thread >= 0; no_thread--) {
        memset(&ccfg, 0, sizeof(ccfg));
        ccfg.no_read_thread = no_thread;
        c = itm_capture_open_file(path, &ccfg, msg, sizeof(msg));
        assert_non_null(c);
        e = engine_with_outputs(db, NULL, itm_capture_linktype(c), jb, pb, 0, &octx);
        assert_int_equal(itm_capture_run(c, e, NULL, NULL, NULL, msg, sizeof(msg)), ITM_CAP_EOF);
        assert_true(itm_engine_wants_batches(e));
        assert_int_equal(itm_engine_finish(e, ITM_END_EOF), 0);
        itm_engine_free(e);
        itm_capture_close(c);
        same_file(ja, jb);
        same_file(pa, pb);
    }

    unlink(ja);
    unlink(pa);
    unlink(jb);
    unlink(pb);
    unlink(path);
    rmdir(tmpl);
    free_frames(&fs);
    itm_sigdb_free(db);
}

static void test_site(void **state)
{
    (void)state;
    check_capture("site");
}

static void test_attacks(void **state)
{
    (void)state;
    check_capture("attacks");
}

static void test_edge(void **state)
{
    (void)state;
    check_capture("edge");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_site),
        cmocka_unit_test(test_attacks),
        cmocka_unit_test(test_edge),
        cmocka_unit_test(test_capture_switches_to_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
