/* test_decode_ip.c: the packet decoder's IP and transport layers behind Ethernet II: IPv4
 * options, IPv6 extension headers, ICMP, IGMP, fragments, padding, tunnels, and malformed
 * IP and transport headers. Every frame is also decoded at every truncation length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/decode.h"

#include "decode-fixtures.h"

static void pad_to(struct frame *f, size_t n)
{
    while (f->n < n)
        put8(f, 0);
}

/* ---- IPv6 extension headers ---- */

/* Generic extension header of len bytes (a multiple of 8), zero-filled (Pad1 options). */
static void ip6_ext(struct frame *f, unsigned next, size_t len)
{
    put8(f, next);
    put8(f, (unsigned)(len / 8 - 1));
    fill(f, 0, len - 2);
    mark(f, ITM_R_IPV6_EXT);
}

static void ip6_ah(struct frame *f, unsigned next, size_t len)
{
    put8(f, next);
    put8(f, (unsigned)(len / 4 - 2));
    fill(f, 0x5a, len - 2);
    mark(f, ITM_R_IPV6_EXT);
}

static void ip6_frag(struct frame *f, unsigned next, unsigned off, int more, uint32_t id)
{
    put8(f, next);
    put8(f, 0);
    put16(f, off | (more ? 1u : 0u));
    put32(f, id);
    mark(f, ITM_R_IPV6_EXT);
    if (off != 0)
        f->opaque = 1;
}

/* ---- ICMP and IGMP ---- */

static void icmp(struct frame *f, unsigned type, unsigned code, unsigned id)
{
    put8(f, type);
    put8(f, code);
    put16(f, 0);
    put16(f, id);
    put16(f, 7);
    mark(f, ITM_R_ICMP);
}

static void igmp(struct frame *f, unsigned type, const uint8_t group[4])
{
    put8(f, type);
    put8(f, 100);
    put16(f, 0);
    putn(f, group, 4);
    mark(f, ITM_R_IGMP);
}

static void igmp3_report(struct frame *f, unsigned nrec, const uint8_t (*groups)[4])
{
    put8(f, 0x22);
    put8(f, 0);
    put32(f, 0);
    put16(f, nrec);
    mark(f, ITM_R_IGMP);
    for (unsigned i = 0; i < nrec; i++) {
        put8(f, 4); /* CHANGE_TO_EXCLUDE_MODE */
        put8(f, 0);
        put16(f, 0);
        putn(f, groups[i], 4);
        if (i == 0)
            mark(f, ITM_R_IGMP);
    }
}

/* ---- network and transport headers (Ethernet II in front) ---- */

static void test_ipv4_options(void **state)
{
    /* NOP, record route with one slot, end of list, padding */
    static const uint8_t opt[12] = {1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 1);
    eth(&f, 0x0800);
    ip4(&f, 17, opt, sizeof(opt), 0);
    udp(&f, 137, 137);
    text(&f, "nb");
    finish(&f);
    sweep(&f, &p);
    assert_int_equal(p.anomalies, ITM_A_IPV4_OPTIONS);
    assert_int_equal(p.l4_off, 14 + 32);
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.payload_wire_len, 2);
}

static void test_ipv6_ext(void **state)
{
    static const unsigned types[] = {0, 43, 60, 51, 135, 44};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < 6; i++) {
        init(&f, 1);
        eth(&f, 0x86dd);
        ip6(&f, types[i]);
        if (types[i] == 51)
            ip6_ah(&f, 6, 24);
        else if (types[i] == 44)
            ip6_frag(&f, 6, 0, 0, 77); /* atomic: a whole datagram */
        else
            ip6_ext(&f, 6, 16);
        tcp(&f, 1025, 80, ITM_TCP_PSH | ITM_TCP_ACK, 0);
        text(&f, "GET /");
        finish(&f);
        sweep(&f, &p);
        assert_int_equal(p.proto, 6);
        assert_int_equal(p.anomalies, ITM_A_IPV6_EXT);
        assert_int_equal(p.l4_off, 14 + 40 + (types[i] == 44 ? 8 : types[i] == 51 ? 24 : 16));
        assert_int_equal(p.is_frag, 0);
        assert_int_equal(p.ip_len, f.n - 14);
        assert_memory_equal(p.src.a, src6, 16);
    }
    /* a long but legal chain */
    init(&f, 1);
    eth(&f, 0x86dd);
    ip6(&f, 0);
    ip6_ext(&f, 60, 8);
    ip6_ext(&f, 43, 24);
    ip6_frag(&f, 51, 0, 0, 1);
    ip6_ah(&f, 60, 16);
    ip6_ext(&f, 17, 8);
    udp(&f, 500, 500);
    text(&f, "ike");
    finish(&f);
    sweep(&f, &p);
    assert_int_equal(p.sport, 500);
    assert_int_equal(p.payload_len, 3);

    /* ESP and "no next header" end the walk with no L4 */
    init(&f, 1);
    eth(&f, 0x86dd);
    ip6(&f, 60);
    ip6_ext(&f, 50, 8);
    put32(&f, 0x1001);
    text(&f, "ciphertext");
    finish(&f);
    sweep(&f, &p);
    assert_int_equal(p.proto, 50);
    assert_int_equal(p.has_l4, 0);
    assert_int_equal(p.payload_off, 14 + 48);
    assert_int_equal(p.payload_len, 14);
    init(&f, 1);
    eth(&f, 0x86dd);
    ip6(&f, 59);
    finish(&f);
    sweep(&f, &p);
    assert_int_equal(p.proto, 59);
    assert_int_equal(p.ip_len, 40);
}

static void test_icmp(void **state)
{
    static const struct {
        int ver;
        unsigned type, code, port;
    } cases[] = {
        {4, 8, 0, 0x4242}, {4, 0, 0, 0x4242}, {4, 3, 1, 0},
        {6, 128, 0, 0x4242}, {6, 129, 0, 0x4242}, {6, 135, 0, 0},
    };
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        init(&f, 1);
        eth(&f, et(cases[i].ver));
        if (cases[i].ver == 4)
            ip4(&f, 1, NULL, 0, 0);
        else
            ip6(&f, 58);
        icmp(&f, cases[i].type, cases[i].code, 0x4242);
        fill(&f, 0x61, 32);
        finish(&f);
        sweep(&f, &p);
        assert_int_equal(p.icmp_type, cases[i].type);
        assert_int_equal(p.icmp_code, cases[i].code);
        assert_int_equal(p.sport, cases[i].port);
        assert_int_equal(p.dport, cases[i].port);
        assert_int_equal(p.payload_len, 32);
    }
}

static void test_igmp(void **state)
{
    static const uint8_t ra[4] = {0x94, 0x04, 0, 0}; /* router alert */
    static const uint8_t g1[4] = {239, 1, 2, 3}, zero[4] = {0};
    static const uint8_t recs[2][4] = {{239, 255, 255, 250}, {224, 0, 0, 251}};
    static const struct {
        unsigned type, nrec;
        const uint8_t *group;
    } cases[] = {
        {0x16, 0, g1}, {0x17, 0, g1}, {0x12, 0, g1}, {0x11, 0, zero},
        {0x22, 2, recs[0]}, {0x22, 0, zero},
    };
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        init(&f, 1);
        eth(&f, 0x0800);
        ip4(&f, 2, ra, 4, 0);
        if (cases[i].type == 0x22)
            igmp3_report(&f, cases[i].nrec, recs);
        else
            igmp(&f, cases[i].type, cases[i].group);
        finish(&f);
        pad_to(&f, 60);
        sweep(&f, &p);
        assert_int_equal(p.igmp_type, cases[i].type);
        assert_int_equal(p.igmp_group.family, cases[i].group == zero ? 0 : 4);
        assert_memory_equal(p.igmp_group.a, cases[i].group, 4);
        assert_int_equal(p.anomalies,
                         ITM_A_IPV4_OPTIONS | (f.ip_end < 60 ? ITM_A_ETH_PADDING : 0u));
    }
}

/* first, middle and last fragment of one datagram: only the first has an L4 header */
static void test_fragments(void **state)
{
    static const unsigned offs[] = {0, 1480, 2960};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (int ver = 4; ver <= 6; ver += 2) {
        for (unsigned i = 0; i < 3; i++) {
            size_t l4;

            init(&f, 1);
            eth(&f, et(ver));
            if (ver == 4) {
                ip4(&f, 17, NULL, 0, (i < 2 ? 0x2000u : 0) | offs[i] / 8);
            } else {
                ip6(&f, 44);
                ip6_frag(&f, 17, offs[i], i < 2, 0xdeadbeef);
            }
            l4 = f.n;
            if (i == 0)
                udp(&f, 2049, 2049);
            fill(&f, 0x33, 64);
            finish(&f);
            if (i == 0)
                set16(&f, l4 + 4, 3000); /* the UDP length covers the whole datagram */
            sweep(&f, &p);
            assert_int_equal(p.is_frag, 1);
            assert_int_equal(p.frag_more, i < 2);
            assert_int_equal(p.frag_off, offs[i]);
            assert_int_equal(p.frag_id, ver == 4 ? 0x1234 : 0xdeadbeef);
            assert_int_equal(p.proto, 17);
            assert_int_equal(p.has_l4, i == 0);
            assert_int_equal(p.sport, i == 0 ? 2049 : 0);
            assert_int_equal(p.payload_off, l4 + (i == 0 ? 8 : 0));
            assert_int_equal(p.payload_len, 64);
            assert_int_equal(p.payload_wire_len, 64);
        }
    }
}

static void test_padding(void **state)
{
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 1);
    eth(&f, 0x0800);
    ip4(&f, 17, NULL, 0, 0);
    udp(&f, 1, 2);
    text(&f, "x");
    finish(&f);
    pad_to(&f, 60);
    f.b[59] = 0xee; /* padding must never be read as payload */
    sweep(&f, &p);
    assert_int_equal(p.anomalies, ITM_A_ETH_PADDING);
    assert_int_equal(p.ip_len, 29);
    assert_int_equal(p.payload_len, 1);
    assert_int_equal(p.payload_wire_len, 1);

    init(&f, 1); /* PPPoE: its own length field trims the padding */
    eth(&f, 0x8864);
    pppoe(&f, 0x21);
    ip4(&f, 17, NULL, 0, 0);
    udp(&f, 1, 2);
    finish(&f);
    pad_to(&f, 60);
    sweep(&f, &p);
    assert_int_equal(p.anomalies, ITM_A_ETH_PADDING);
    assert_int_equal(p.payload_len, 0);

    init(&f, 1); /* a trailer after an IPv6 datagram */
    eth(&f, 0x86dd);
    udp6_body(&f);
    put32(&f, 0xcafebabe);
    sweep(&f, &p);
    assert_int_equal(p.anomalies, ITM_A_ETH_PADDING);
    assert_int_equal(p.payload_len, 5);
}

static void test_tunnels_and_others(void **state)
{
    static const unsigned protos[] = {4, 41, 47, 132};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < 4; i++) {
        init(&f, 1);
        eth(&f, 0x0800);
        ip4(&f, protos[i], NULL, 0, 0);
        f.opaque = 1;
        if (protos[i] == 4)
            tcp4_body(&f);
        else if (protos[i] == 41)
            udp6_body(&f);
        else
            put32(&f, 0x0800);
        finish(&f);
        sweep(&f, &p);
        assert_int_equal(p.proto, protos[i]);
        assert_int_equal(p.has_l4, 0);
        assert_int_equal(p.anomalies, protos[i] == 132 ? 0 : ITM_A_TUNNEL);
        assert_int_equal(p.payload_off, 34);
        assert_int_equal(p.payload_len, f.n - 34);
        assert_memory_equal(p.src.a, src4, 4);
    }
    init(&f, 1);
    eth(&f, 0x86dd);
    ip6(&f, 47);
    put32(&f, 0x86dd);
    finish(&f);
    sweep(&f, &p);
    assert_int_equal(p.anomalies, ITM_A_TUNNEL);
}

/* ---- malformed IP and transport headers: one or more per INVALID reason ---- */

static void bad_ip4(struct frame *f, unsigned proto)
{
    init(f, 1);
    eth(f, 0x0800);
    ip4(f, proto, NULL, 0, 0);
}

static void test_bad_ipv4(void **state)
{
    static const uint8_t bad_opts[3][4] = {
        {7, 1, 0, 0},  /* length below 2 */
        {1, 1, 1, 7},  /* no room for the length byte */
        {7, 9, 4, 0},  /* longer than the header */
    };
    struct frame f;
    struct itm_pkt p;

    (void)state;
    bad_ip4(&f, 6);
    tcp(&f, 1, 2, 0, 0);
    finish(&f);
    f.b[14] = 0x44;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV4, &p);
    set16(&f, 16, 19);
    f.b[14] = 0x45;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV4, &p);
    assert_int_equal(p.ip_ver, 4);
    for (unsigned i = 0; i < 3; i++) {
        init(&f, 1);
        eth(&f, 0x0800);
        ip4(&f, 17, bad_opts[i], 4, 0);
        udp(&f, 1, 2);
        finish(&f);
        expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV4_OPT, &p);
        assert_int_equal(p.anomalies & ITM_A_IPV4_OPTIONS, ITM_A_IPV4_OPTIONS);
    }
    /* fragment data reaching past 65535 */
    bad_ip4(&f, 17);
    fill(&f, 0, 100);
    finish(&f);
    set16(&f, 20, 8189);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_FRAG, &p);
}

static void test_bad_ipv6(void **state)
{
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 229); /* a jumbogram's zero payload length */
    ip6(&f, 0);
    ip6_ext(&f, 59, 8);
    finish(&f);
    set16(&f, 4, 0);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV6, &p);

    init(&f, 229); /* too long a chain */
    ip6(&f, 60);
    for (unsigned i = 0; i < 16; i++)
        ip6_ext(&f, 60, 8);
    ip6_ext(&f, 59, 8);
    finish(&f);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV6_EXT, &p);
    assert_int_equal(p.ip_ver, 6);

    init(&f, 229); /* hop-by-hop after another header */
    ip6(&f, 60);
    ip6_ext(&f, 0, 8);
    ip6_ext(&f, 59, 8);
    finish(&f);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV6_EXT, &p);

    init(&f, 229); /* a header longer than the payload length */
    ip6(&f, 43);
    ip6_ext(&f, 59, 8);
    finish(&f);
    f.b[41] = 1;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IPV6_EXT, &p);

    init(&f, 229); /* fragment data reaching past 65535 */
    ip6(&f, 44);
    ip6_frag(&f, 17, 65528, 0, 1);
    fill(&f, 0, 16);
    finish(&f);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_FRAG, &p);
    assert_int_equal(p.frag_off, 65528);
}

static void test_bad_l4(void **state)
{
    struct frame f;
    struct itm_pkt p;

    (void)state;
    bad_ip4(&f, 6); /* data offset below 5 */
    tcp(&f, 1, 2, 0, 0);
    finish(&f);
    f.b[34 + 12] = 0x40;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_TCP, &p);
    assert_int_equal(p.ip_ver, 4);
    assert_memory_equal(p.dst.a, dst4, 4);
    f.b[34 + 12] = 0xf0; /* options beyond the datagram */
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_TCP, &p);
    f.b[34 + 12] = 0x50;
    set16(&f, 16, 30); /* the IP datagram ends inside the TCP header */
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_TCP, &p);

    bad_ip4(&f, 17);
    udp(&f, 1, 2);
    fill(&f, 0, 4);
    finish(&f);
    set16(&f, 38, 7);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_UDP, &p);
    set16(&f, 38, 13);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_UDP, &p);
    assert_int_equal(p.has_l4, 0);
    set16(&f, 38, 10); /* shorter than the IP payload: fine, and bounds the payload */
    expect_bad(&f, ITM_DEC_OK, ITM_R_NONE, &p);
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.payload_wire_len, 2);

    bad_ip4(&f, 1);
    icmp(&f, 8, 0, 1);
    finish(&f);
    set16(&f, 16, 24);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_ICMP, &p);

    bad_ip4(&f, 2);
    igmp3_report(&f, 0, NULL);
    finish(&f);
    set16(&f, 34 + 6, 1); /* one record announced, none present */
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IGMP, &p);
    set16(&f, 16, 26);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IGMP, &p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_ipv6_ext),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_igmp),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_tunnels_and_others),
        cmocka_unit_test(test_bad_ipv4),
        cmocka_unit_test(test_bad_ipv6),
        cmocka_unit_test(test_bad_l4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
