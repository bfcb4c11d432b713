/* test_flow.c: the flow table and the fragment table: orientation, TCP states, port reuse,
 * idle timeouts, eviction at the cap, end order, allocation failure, fragment attribution,
 * counters past 32 bits, the buckets doubling, the look-ahead at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow-int.h"
#include "frag.h"

#define SEC 1000000000ull

struct ended {
    uint64_t id[64];
    int reason[64];
    struct itm_flow_rec rec[64];
    int n;
    /* itm_flow_end_all's look-ahead: the flows told of, their ends, and how many had been
     * told of when each flow ended */
    uint64_t told[64];
    struct itm_ip told_client[64], told_server[64];
    int ntold;
    int told_at_end[64];
};

static void on_end(void *ctx, struct itm_flow *f, enum itm_end_reason reason)
{
    struct ended *e = ctx;
    if (e->n < 64) {
        e->id[e->n] = f->id;
        e->reason[e->n] = reason;
        itm_flow_snapshot(f, &e->rec[e->n]);
        e->told_at_end[e->n] = e->ntold;
    }
    e->n++;
}

static void on_ahead(void *ctx, const struct itm_flow *f)
{
    struct ended *e = ctx;
    if (e->ntold < 64) {
        e->told[e->ntold] = f->id;
        itm_flow_ends(f, &e->told_client[e->ntold], &e->told_server[e->ntold]);
    }
    e->ntold++;
}

static struct itm_pkt mk(uint8_t proto, uint8_t s, uint16_t sport, uint8_t d, uint16_t dport,
                         uint8_t flags, uint64_t ts)
{
    struct itm_pkt p;
    memset(&p, 0, sizeof(p));
    p.status = ITM_DEC_OK;
    p.ip_ver = 4;
    p.src.family = p.dst.family = 4;
    p.src.a[0] = 10;
    p.src.a[3] = s;
    p.dst.a[0] = 10;
    p.dst.a[3] = d;
    p.proto = proto;
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    p.has_l4 = 1;
    p.ts_ns = ts;
    p.wirelen = 60;
    return p;
}

static struct itm_flow_table *table(struct ended *e, uint32_t max)
{
    struct itm_flow_cfg cfg;
    int err = 0;
    struct itm_flow_table *t;

    memset(&cfg, 0, sizeof(cfg));
    memset(e, 0, sizeof(*e));
    cfg.max_flows = max;
    cfg.seed[0] = 1;
    cfg.seed[1] = 2;
    t = itm_flow_table_new(&cfg, on_end, e, &err);
    assert_non_null(t);
    assert_int_equal(err, 0);
    return t;
}

static struct itm_flow *feed(struct itm_flow_table *t, struct itm_pkt p, int *dir, int *created)
{
    struct itm_flow *f = itm_flow_packet(t, &p, dir, created);
    assert_non_null(f);
    return f;
}

static void test_tcp_handshake_and_close(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_flow *f;
    int dir, created;
    (void)state;

    /* the server (10.0.0.2:80) has the lower address; the SYN sender is still the client */
    f = feed(t, mk(6, 9, 40000, 2, 80, ITM_TCP_SYN, 1 * SEC), &dir, &created);
    assert_true(created);
    assert_int_equal(dir, ITM_DIR_TOSERVER);
    assert_int_equal(f->tcp_state, ITM_TCPS_SYN);
    f = feed(t, mk(6, 2, 80, 9, 40000, ITM_TCP_SYN | ITM_TCP_ACK, 1 * SEC + 1), &dir, &created);
    assert_false(created);
    assert_int_equal(dir, ITM_DIR_TOCLIENT);
    assert_int_equal(f->tcp_state, ITM_TCPS_SYNACK);
    feed(t, mk(6, 9, 40000, 2, 80, ITM_TCP_ACK, 1 * SEC + 2), &dir, &created);
    assert_int_equal(f->tcp_state, ITM_TCPS_ESTABLISHED);
    feed(t, mk(6, 9, 40000, 2, 80, ITM_TCP_FIN | ITM_TCP_ACK, 2 * SEC), &dir, &created);
    assert_int_equal(f->tcp_state, ITM_TCPS_FIN);
    feed(t, mk(6, 2, 80, 9, 40000, ITM_TCP_FIN | ITM_TCP_ACK, 2 * SEC + 1), &dir, &created);
    assert_int_equal(f->tcp_state, ITM_TCPS_CLOSED);
    /* the last ACK still counts with the flow */
    feed(t, mk(6, 9, 40000, 2, 80, ITM_TCP_ACK, 2 * SEC + 2), &dir, &created);
    assert_false(created);
    assert_int_equal(e.n, 0);
    /* a closed flow lingers ITM_TIMEOUT_TCP_CLOSED seconds, then ends with reason fin */
    itm_flow_expire(t, (2 + ITM_TIMEOUT_TCP_CLOSED + 1) * SEC);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.reason[0], ITM_END_FIN);
    assert_int_equal(e.rec[0].pkts[0], 4);
    assert_int_equal(e.rec[0].pkts[1], 2);
    assert_int_equal(e.rec[0].bytes[0], 240);
    assert_int_equal(e.rec[0].client.a[3], 9);
    assert_int_equal(e.rec[0].server_port, 80);
    assert_int_equal(e.rec[0].orient, 0);
    itm_flow_table_free(t);
}

static void test_midstream_orientation(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_flow *f;
    int dir, created;
    (void)state;

    /* first packet comes from the server's well-known port */
    f = feed(t, mk(6, 2, 443, 9, 50000, ITM_TCP_ACK, SEC), &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOCLIENT);
    assert_int_equal(f->tcp_state, ITM_TCPS_MIDSTREAM);
    assert_int_equal(f->orient, 1);
    /* a SYN-ACK seen first: its sender is the server */
    f = feed(t, mk(6, 3, 7000, 9, 50001, ITM_TCP_SYN | ITM_TCP_ACK, SEC), &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOCLIENT);
    /* two ephemeral ports: the first sender is the client */
    f = feed(t, mk(17, 9, 40001, 3, 40002, 0, SEC), &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOSERVER);
    assert_int_equal(f->orient, 2);
    itm_flow_end_all(t, ITM_END_EOF);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.rec[0].server_port, 443);
    assert_int_equal(e.rec[0].client_port, 50000);
    assert_int_equal(e.rec[0].pkts[1], 1);
    assert_int_equal(e.rec[1].server_port, 7000);
    itm_flow_table_free(t);
}

static void test_port_reuse(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_flow *f;
    int dir, created;
    (void)state;

    feed(t, mk(6, 9, 40000, 2, 445, ITM_TCP_SYN, SEC), &dir, &created);
    feed(t, mk(6, 2, 445, 9, 40000, ITM_TCP_RST | ITM_TCP_ACK, SEC + 1), &dir, &created);
    f = feed(t, mk(6, 9, 40000, 2, 445, ITM_TCP_SYN, SEC + 2), &dir, &created);
    assert_true(created);
    assert_int_equal(f->id, 2);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.reason[0], ITM_END_RST);
    assert_int_equal(e.rec[0].tcp_state, ITM_TCPS_RESET);
    itm_flow_table_free(t);
}

static void test_timeouts_and_eviction(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 2);
    struct itm_flow_counters c;
    int dir, created;
    (void)state;

    feed(t, mk(17, 1, 1000, 2, 53, 0, 1 * SEC), &dir, &created);
    feed(t, mk(17, 1, 1001, 2, 53, 0, 2 * SEC), &dir, &created);
    feed(t, mk(17, 1, 1000, 2, 53, 0, 3 * SEC), &dir, &created); /* refreshes the first */
    feed(t, mk(17, 1, 1002, 2, 53, 0, 4 * SEC), &dir, &created); /* evicts the second */
    assert_int_equal(e.n, 1);
    assert_int_equal(e.reason[0], ITM_END_EVICTED);
    assert_int_equal(e.rec[0].client_port, 1001);
    itm_flow_expire(t, 3 * SEC + ITM_TIMEOUT_UDP * SEC + 1);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.reason[1], ITM_END_TIMEOUT);
    assert_int_equal(e.rec[1].client_port, 1000);
    itm_flow_counters(t, &c);
    assert_int_equal(c.created, 3);
    assert_int_equal(c.evicted, 1);
    assert_int_equal(c.expired, 1);
    assert_int_equal(c.active, 1);
    assert_int_equal(c.active_max, 2);
    itm_flow_table_free(t);
}

static void test_end_all_in_creation_order(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    int dir, created;
    (void)state;

    for (uint16_t i = 0; i < 20; i++)
        feed(t, mk(17, (uint8_t)(20 - i), (uint16_t)(2000 + i), 1, 161, 0, SEC + i), &dir,
             &created);
    itm_flow_end_all(t, ITM_END_EOF);
    assert_int_equal(e.n, 20);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(e.id[i], (uint64_t)i + 1);
        assert_int_equal(e.reason[i], ITM_END_EOF);
    }
    itm_flow_table_free(t);
}

/* Each flow is told of once, in creation order, ITM_FLOW_END_AHEAD flows before it ends,
 * with the ends its snapshot has. */
static void test_end_all_ahead(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    int dir, created;
    (void)state;

    itm_flow_table_set_ahead(t, on_ahead);
    for (uint16_t i = 0; i < 20; i++)
        feed(t, mk(17, (uint8_t)(20 - i), (uint16_t)(2000 + i), 1, 161, 0, SEC + i), &dir,
             &created);
    itm_flow_end_all(t, ITM_END_EOF);
    assert_int_equal(e.n, 20);
    assert_int_equal(e.ntold, 20);
    for (int i = 0; i < 20; i++) {
        int want = i + 1 + (int)ITM_FLOW_END_AHEAD;
        assert_int_equal(e.told[i], (uint64_t)i + 1);
        assert_int_equal(e.told_at_end[i], want < 20 ? want : 20);
        assert_memory_equal(&e.told_client[i], &e.rec[i].client, sizeof(struct itm_ip));
        assert_memory_equal(&e.told_server[i], &e.rec[i].server, sizeof(struct itm_ip));
        assert_int_equal(e.told_client[i].a[3], 20 - i);
        assert_int_equal(e.told_server[i].a[3], 1);
    }
    /* without a hook nothing is told, and a table ends the same */
    itm_flow_table_set_ahead(t, NULL);
    e.n = e.ntold = 0;
    feed(t, mk(6, 1, 1000, 2, 443, ITM_TCP_SYN, 2 * SEC), &dir, &created);
    itm_flow_end_all(t, ITM_END_EOF);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ntold, 0);
    itm_flow_table_free(t);
}

static void first_flow(void *ctx, const struct itm_flow *f)
{
    const struct itm_flow **first = ctx;
    if (!*first)
        *first = f;
}

/* Enough flows for the buckets to double three times (from 4,096, at two flows a bucket),
 * and evictions taking flows out of chains made by the doublings: every flow still open
 * is found again, and no evicted one is. */
static void test_buckets_double(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 30000);
    struct itm_flow *f;
    const struct itm_flow *first = NULL;
    const UT_hash_table *tbl;
    unsigned total = 0;
    int dir, created;
    (void)state;

    for (uint32_t i = 0; i < 40000; i++) {
        f = feed(t, mk(17, 1, (uint16_t)(1024 + i), 2, 53, 0, SEC + i), &dir, &created);
        assert_true(created);
        assert_int_equal(f->id, (uint64_t)i + 1);
    }
    itm_flow_foreach(t, first_flow, &first);
    assert_non_null(first);
    tbl = first->hh.tbl;
    assert_int_equal(e.n, 10000);
    assert_int_equal(tbl->num_buckets, 16384);
    assert_int_equal(tbl->num_items, 30000);
    for (uint32_t i = 10000; i < 40000; i++) {
        f = feed(t, mk(17, 2, 53, 1, (uint16_t)(1024 + i), 0, 2 * SEC + i), &dir, &created);
        assert_false(created);
        assert_int_equal(f->id, (uint64_t)i + 1);
        assert_int_equal(dir, ITM_DIR_TOCLIENT);
    }
    /* each bucket's count is its chain's length, and every flow sits in its hash's bucket */
    for (unsigned b = 0; b < tbl->num_buckets; b++) {
        unsigned len = 0;
        const UT_hash_handle *prev = NULL;
        for (const UT_hash_handle *hh = tbl->buckets[b].hh_head; hh; hh = hh->hh_next) {
            assert_int_equal(hh->hashv & (tbl->num_buckets - 1u), b);
            assert_ptr_equal(hh->hh_prev, prev);
            prev = hh;
            len++;
        }
        assert_int_equal(len, tbl->buckets[b].count);
        total += len;
    }
    assert_int_equal(total, 30000);
    f = feed(t, mk(17, 1, 1024, 2, 53, 0, 3 * SEC), &dir, &created);
    assert_true(created);
    assert_int_equal(f->id, 40001);
    itm_flow_table_free(t);
}

static void test_icmp_echo(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_pkt p;
    int dir, created;
    (void)state;

    p = mk(1, 9, 77, 2, 77, 0, SEC);
    p.icmp_type = 0; /* a reply seen first: its sender is the server */
    feed(t, p, &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOCLIENT);
    p = mk(1, 2, 77, 9, 77, 0, SEC + 1);
    p.icmp_type = 8;
    feed(t, p, &dir, &created);
    assert_false(created);
    assert_int_equal(dir, ITM_DIR_TOSERVER);
    itm_flow_table_free(t);
}

static void test_hash_is_keyed(void **state)
{
    uint64_t k1[2] = {1, 2}, k2[2] = {3, 4};
    uint8_t data[40];
    (void)state;

    memset(data, 0xab, sizeof(data));
    assert_true(itm_flow_hash(k1, data, sizeof(data)) == itm_flow_hash(k1, data, sizeof(data)));
    assert_true(itm_flow_hash(k1, data, sizeof(data)) != itm_flow_hash(k2, data, sizeof(data)));
    data[39] ^= 1;
    assert_true(itm_flow_hash(k1, data, 40) != itm_flow_hash(k1, data, 39));
}

static void test_alloc_failure(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_flow_counters c;
    struct itm_pkt p = mk(17, 1, 1, 2, 2, 0, SEC);
    int dir, created;
    (void)state;

    for (long n = 0; n < 4; n++) {
        itm_alloc_fail_after(n);
        (void)itm_flow_packet(t, &p, &dir, &created);
        itm_alloc_fail_after(-1);
    }
    itm_flow_counters(t, &c);
    assert_true(c.nomem >= 1);
    assert_non_null(itm_flow_packet(t, &p, &dir, &created));
    itm_flow_table_free(t);
}

static void test_fragments_first_last(void **state)
{
    uint64_t seed[2] = {5, 6};
    struct itm_frag_counters c;
    struct itm_frag_table *ft;
    struct itm_pkt p = mk(17, 1, 0, 2, 0, 0, SEC);
    uint16_t sp = 0, dp = 0;
    uint32_t pk;
    uint64_t by, first;
    int err;
    (void)state;

    ft = itm_frag_new(4, seed, &err);
    assert_non_null(ft);
    p.is_frag = 1;
    p.frag_id = 99;
    p.frag_off = 1480;
    p.has_l4 = 0;
    assert_int_equal(itm_frag_other(ft, &p, &sp, &dp), 0); /* waits for the first */
    p.frag_off = 2960;
    p.ts_ns = SEC + 1;
    assert_int_equal(itm_frag_other(ft, &p, &sp, &dp), 0);
    p.frag_off = 0;
    p.sport = 69;
    p.dport = 2000;
    itm_frag_first(ft, &p, &pk, &by, &first);
    assert_int_equal(pk, 2);
    assert_int_equal(by, 120);
    assert_int_equal(first, SEC);
    p.frag_off = 4440;
    assert_int_equal(itm_frag_other(ft, &p, &sp, &dp), 1);
    assert_int_equal(sp, 69);
    assert_int_equal(dp, 2000);
    /* a datagram whose first fragment never comes: its fragments are orphans at expiry */
    p.frag_id = 100;
    p.frag_off = 8;
    assert_int_equal(itm_frag_other(ft, &p, &sp, &dp), 0);
    itm_frag_expire(ft, 1000 * SEC);
    itm_frag_counters(ft, &c);
    assert_int_equal(c.datagrams, 2);
    assert_int_equal(c.orphans, 1);
    assert_int_equal(c.active, 0);
    itm_frag_free(ft);
}

/* A flow keeps the low words of its counters and carries into its cold part: counts past 4
 * GiB (or 4 G packets) come out whole in snapshots, survive labels with and without a cold
 * part of their own, and saturate (counted) when the carry cannot be stored. */
static void test_wide_counters(void **state)
{
    struct ended e;
    struct itm_flow_table *t = table(&e, 0);
    struct itm_flow_counters c;
    struct itm_flow_rec r;
    struct itm_label l;
    struct itm_pkt p = mk(17, 1, 4000, 2, 4011, 0, SEC);
    struct itm_flow *f;
    int dir, created;
    (void)state;

    p.wirelen = 0xC0000000u;         /* 3 GiB frames: what a counter's carry needs */
    p.payload_wire_len = 0xB0000000u;
    f = feed(t, p, &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOSERVER);
    assert_int_equal(f->bits & ITM_FB_WIDE, 0);
    assert_null(f->cold);
    p.ts_ns++;
    f = feed(t, p, &dir, &created);
    assert_true(f->bits & ITM_FB_WIDE);
    itm_flow_snapshot(f, &r);
    assert_int_equal(r.pkts[0], 2);
    assert_true(r.bytes[0] == 2ull * 0xC0000000u);
    assert_true(r.payload_bytes[0] == 2ull * 0xB0000000u);
    assert_int_equal(r.bytes[1], 0);

    /* a label with a reason: the cold part grows, the high words move with it */
    memset(&l, 0, sizeof(l));
    l.rule = ITM_NO_RULE;
    l.related_id = 7;
    strcpy(l.reason, "a reason long enough to need a bigger cold part");
    assert_int_equal(itm_flow_set_label(f, &l), ITM_OK);
    itm_flow_snapshot(f, &r);
    assert_true(r.bytes[0] == 2ull * 0xC0000000u);
    assert_string_equal(r.label.reason, l.reason);
    assert_int_equal(r.label.related_id, 7);
    /* a plain label: the label part goes, the counters stay */
    memset(&l, 0, sizeof(l));
    l.rule = ITM_NO_RULE;
    assert_int_equal(itm_flow_set_label(f, &l), ITM_OK);
    assert_non_null(f->cold);
    itm_flow_snapshot(f, &r);
    assert_true(r.payload_bytes[0] == 2ull * 0xB0000000u);
    assert_int_equal(r.label.related_id, 0);
    assert_string_equal(r.label.reason, "");
    /* out of memory for a bigger label part: the label's part is lost, the counters kept */
    l.related_id = 9;
    strcpy(l.reason, "x");
    itm_alloc_fail_after(0);
    assert_int_equal(itm_flow_set_label(f, &l), ITM_ERR_NOMEM);
    itm_alloc_fail_after(-1);
    itm_flow_snapshot(f, &r);
    assert_true(r.bytes[0] == 2ull * 0xC0000000u);
    assert_int_equal(r.label.related_id, 0);

    /* the packet counter's carry; the reply is no first reply when its low word is 1 again */
    f->ctr[ITM_DIR_TOCLIENT][ITM_CTR_PKTS] = UINT32_MAX;
    p = mk(17, 2, 4011, 1, 4000, 0, SEC + 5);
    f = feed(t, p, &dir, &created);
    assert_int_equal(dir, ITM_DIR_TOCLIENT);
    itm_flow_snapshot(f, &r);
    assert_true(r.pkts[1] == 1ull << 32);
    assert_true(r.bytes[1] == 60);

    /* fragments credited in one go, past 4 GiB at once */
    itm_flow_credit(t, f, ITM_DIR_TOCLIENT, 3, 5ull << 32, 0);
    itm_flow_snapshot(f, &r);
    assert_true(r.pkts[1] == (1ull << 32) + 3);
    assert_true(r.bytes[1] == (5ull << 32) + 60);

    /* another flow whose carry finds no memory: its counter stays at its largest */
    p = mk(17, 3, 5000, 2, 4011, 0, SEC + 6);
    p.wirelen = 0xC0000000u;
    f = feed(t, p, &dir, &created);
    itm_alloc_fail_after(0);
    f = feed(t, p, &dir, &created);
    itm_alloc_fail_after(-1);
    assert_int_equal(f->bits & ITM_FB_WIDE, 0);
    itm_flow_snapshot(f, &r);
    assert_true(r.bytes[0] == UINT32_MAX);
    itm_flow_counters(t, &c);
    assert_int_equal(c.nomem, 1);

    itm_flow_end_all(t, ITM_END_EOF);
    assert_int_equal(e.n, 2);
    assert_true(e.rec[0].bytes[1] == (5ull << 32) + 60);
    itm_flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_handshake_and_close),
        cmocka_unit_test(test_midstream_orientation),
        cmocka_unit_test(test_port_reuse),
        cmocka_unit_test(test_timeouts_and_eviction),
        cmocka_unit_test(test_end_all_in_creation_order),
        cmocka_unit_test(test_end_all_ahead),
        cmocka_unit_test(test_buckets_double),
        cmocka_unit_test(test_icmp_echo),
        cmocka_unit_test(test_hash_is_keyed),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_fragments_first_last),
        cmocka_unit_test(test_wide_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
