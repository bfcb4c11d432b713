/* test_decode.c: the packet decoder's link layers: every link type with IPv4/TCP and IPv6/UDP
 * behind it, Ethernet and VLAN fields, non-IP and unsupported frames, malformed link headers and
 * the name tables. Every frame is also decoded at every truncation length (decode-fixtures.h). */
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

/* ---- link layers (Ethernet and PPPoE are in decode-fixtures.h) ---- */

static void vlan(struct frame *f, unsigned tci, unsigned next)
{
    put16(f, tci);
    put16(f, next);
    mark(f, ITM_R_VLAN);
}

static void llc_snap(struct frame *f, uint32_t oui, unsigned type)
{
    put8(f, 0xaa);
    put8(f, 0xaa);
    put8(f, 0x03);
    mark(f, ITM_R_LLC);
    put8(f, oui >> 16);
    put16(f, oui & 0xffff);
    put16(f, type);
    mark(f, ITM_R_LLC);
}

static void sll(struct frame *f, unsigned proto)
{
    put16(f, 0);      /* to us */
    put16(f, 1);      /* ARPHRD_ETHER */
    put16(f, 6);
    fill(f, 0x11, 8);
    put16(f, proto);
    mark(f, ITM_R_LINK);
}

static void sll2(struct frame *f, unsigned proto)
{
    put16(f, proto);
    put16(f, 0);
    put32(f, 3);      /* ifindex */
    put16(f, 1);
    put8(f, 0);
    put8(f, 6);
    fill(f, 0x22, 8);
    mark(f, ITM_R_LINK);
}

/* ---- every link type, with IPv4/TCP and IPv6/UDP behind it ---- */

typedef void (*link_fn)(struct frame *f, int ver, unsigned arg);

static void l_eth(struct frame *f, int ver, unsigned arg)
{
    (void)arg;
    eth(f, et(ver));
}

static void l_vlan(struct frame *f, int ver, unsigned tpid)
{
    eth(f, tpid);
    vlan(f, 0xe000 | 100, et(ver)); /* priority bits must not leak into the id */
}

static void l_qinq(struct frame *f, int ver, unsigned tpid)
{
    eth(f, tpid);
    vlan(f, 100, 0x8100);
    vlan(f, 200, et(ver));
}

static void l_snap(struct frame *f, int ver, unsigned arg)
{
    (void)arg;
    eth(f, 0);
    fix_len(f, 12, 14); /* 802.3 length */
    llc_snap(f, 0, et(ver));
}

static void l_eth_pppoe(struct frame *f, int ver, unsigned arg)
{
    (void)arg;
    eth(f, 0x8864);
    pppoe(f, ver == 4 ? 0x21 : 0x57);
}

static void l_pppoe(struct frame *f, int ver, unsigned arg)
{
    (void)arg;
    pppoe(f, ver == 4 ? 0x21 : 0x57);
}

static void l_sll(struct frame *f, int ver, unsigned arg)
{
    if (arg == 4) {
        sll(f, 4);
        llc_snap(f, 0, et(ver));
    } else if (arg) {
        sll(f, arg);
        vlan(f, 7, et(ver));
    } else {
        sll(f, et(ver));
    }
}

static void l_sll2(struct frame *f, int ver, unsigned arg)
{
    (void)arg;
    sll2(f, et(ver));
}

static void l_raw(struct frame *f, int ver, unsigned arg)
{
    (void)ver;
    (void)arg;
    mark_end(f, 1, ITM_R_LINK); /* the version nibble picks the decoder */
}

static void l_none(struct frame *f, int ver, unsigned arg)
{
    (void)f;
    (void)ver;
    (void)arg;
}

/* arg: the address family, plus 0x100 to store it little-endian */
static void l_af(struct frame *f, int ver, unsigned arg)
{
    uint32_t af = arg & 0xff;

    (void)ver;
    if (arg & 0x100) {
        put16(f, (af & 0xff) << 8);
        put16(f, 0);
    } else {
        put32(f, af);
    }
    mark(f, ITM_R_LINK);
}

/* arg 0: ff 03 and a 2-byte protocol; 1: no address/control; 2: also a 1-byte protocol */
static void l_ppp(struct frame *f, int ver, unsigned arg)
{
    if (arg == 0) {
        put8(f, 0xff);
        put8(f, 0x03);
    }
    if (arg == 2)
        put8(f, ver == 4 ? 0x21 : 0x57);
    else
        put16(f, ver == 4 ? 0x21 : 0x57);
    mark(f, ITM_R_LINK);
}

static void l_chdlc(struct frame *f, int ver, unsigned addr)
{
    put8(f, addr);
    put8(f, 0);
    put16(f, et(ver));
    mark(f, ITM_R_LINK);
}

static const struct link_case {
    int dlt;
    link_fn fn;
    int ver;
    unsigned arg;
} link_cases[] = {
    {1, l_eth, 4, 0},           {1, l_eth, 6, 0},           {1, l_vlan, 4, 0x8100},
    {1, l_vlan, 6, 0x88a8},     {1, l_vlan, 4, 0x9100},     {1, l_qinq, 6, 0x88a8},
    {1, l_qinq, 4, 0x9100},     {1, l_qinq, 6, 0x8100},     {1, l_snap, 4, 0},
    {1, l_snap, 6, 0},          {1, l_eth_pppoe, 4, 0},     {1, l_eth_pppoe, 6, 0},
    {113, l_sll, 4, 0},         {113, l_sll, 6, 0x8100},    {113, l_sll, 4, 4},
    {276, l_sll2, 6, 0},        {276, l_sll2, 4, 0},        {12, l_raw, 4, 0},
    {12, l_raw, 6, 0},          {14, l_raw, 4, 0},          {101, l_raw, 6, 0},
    {228, l_none, 4, 0},        {229, l_none, 6, 0},        {0, l_af, 4, 0x102},
    {0, l_af, 4, 2},            {0, l_af, 6, 0x118},        {0, l_af, 6, 28},
    {0, l_af, 6, 0x11e},        {108, l_af, 4, 2},          {108, l_af, 6, 24},
    {9, l_ppp, 4, 0},           {9, l_ppp, 6, 1},           {9, l_ppp, 4, 2},
    {50, l_ppp, 6, 0},          {50, l_ppp, 4, 1},          {50, l_chdlc, 4, 0x8f},
    {104, l_chdlc, 6, 0x0f},    {104, l_chdlc, 4, 0x8f},    {51, l_pppoe, 4, 0},
    {51, l_pppoe, 6, 0},        {9, l_chdlc, 4, 0x0f},
};

static void test_link_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
        const struct link_case *lc = &link_cases[i];
        struct frame f;
        struct itm_pkt p;

        init(&f, lc->dlt);
        lc->fn(&f, lc->ver, lc->arg);
        if (lc->ver == 4)
            tcp4_body(&f);
        else
            udp6_body(&f);
        sweep(&f, &p);
        assert_true(itm_decode_linktype_supported(lc->dlt));
        assert_int_equal(p.ip_ver, lc->ver);
        assert_int_equal(p.has_l4, 1);
        assert_int_equal(p.sport, lc->ver == 4 ? 50123 : 5353);
        assert_int_equal(p.dport, lc->ver == 4 ? 443 : 53);
        assert_int_equal(p.payload_len, 5);
        assert_memory_equal(f.b + p.payload_off, lc->ver == 4 ? "hello" : "query", 5);
        assert_int_equal(p.has_mac, lc->dlt == 1);
        if (lc->fn == l_vlan || lc->fn == l_qinq || (lc->fn == l_sll && lc->arg == 0x8100))
            assert_int_equal(p.vlan[0], lc->fn == l_sll ? 7 : 100);
    }
}

static void test_ethernet_fields(void **state)
{
    static const uint8_t smac[6] = {2, 0, 0, 0, 0, 1}, dmac[6] = {2, 0, 0, 0, 0, 2};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 1);
    eth(&f, 0x0800);
    tcp4_body(&f);
    sweep(&f, &p);
    assert_int_equal(p.status, ITM_DEC_OK);
    assert_memory_equal(p.mac_src, smac, 6);
    assert_memory_equal(p.mac_dst, dmac, 6);
    assert_int_equal(p.ethertype, 0x0800);
    assert_int_equal(p.nvlan, 0);
    assert_int_equal(p.ts_ns, 42);
    assert_int_equal(p.l3_off, 14);
    assert_int_equal(p.ip_len, 20 + 28 + 5);
    assert_int_equal(p.ttl, 64);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.frag_id, 0x1234);
    assert_int_equal(p.is_frag, 0);
    assert_int_equal(p.src.family, 4);
    assert_memory_equal(p.src.a, src4, 4);
    assert_memory_equal(p.dst.a, dst4, 4);
    assert_int_equal(p.l4_off, 34);
    assert_int_equal(p.tcp_flags, ITM_TCP_SYN | ITM_TCP_ACK);
    assert_int_equal(p.tcp_seq, 0x01020304);
    assert_int_equal(p.tcp_ack, 0xa0b0c0d0);
    assert_int_equal(p.payload_off, 34 + 28);
    assert_int_equal(p.payload_wire_len, 5);
    assert_int_equal(p.anomalies, 0);

    /* snaplen cut inside the payload */
    decode_copy(&f, f.n - 2, &p);
    assert_int_equal(p.status, ITM_DEC_OK);
    assert_int_equal(p.payload_len, 3);
    assert_int_equal(p.payload_wire_len, 5);
    assert_int_equal(p.anomalies, ITM_A_PAYLOAD_CUT);

    /* no frame at all */
    assert_int_equal(itm_decode(1, NULL, 0, 0, 0, &p), ITM_DEC_TRUNCATED);
    assert_int_equal(p.reason, ITM_R_LINK);
}

static void test_vlan(void **state)
{
    static const unsigned tpids[] = {0x8100, 0x88a8, 0x9100};
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        for (unsigned j = 0; j < 3; j++) {
            init(&f, 1);
            eth(&f, tpids[i]);
            vlan(&f, 0x1000 | 100, tpids[j]);
            vlan(&f, 200, 0x0800);
            tcp4_body(&f);
            sweep(&f, &p);
            assert_int_equal(p.nvlan, 2);
            assert_int_equal(p.vlan[0], 100);
            assert_int_equal(p.vlan[1], 200);
            assert_int_equal(p.ethertype, 0x0800);
        }
    }
    /* eight tags are counted, the outer two kept; a ninth is refused */
    init(&f, 1);
    eth(&f, 0x88a8);
    for (unsigned i = 1; i < 8; i++)
        vlan(&f, i, 0x8100);
    vlan(&f, 8, 0x86dd);
    udp6_body(&f);
    sweep(&f, &p);
    assert_int_equal(p.nvlan, 8);
    assert_int_equal(p.vlan[0], 1);
    assert_int_equal(p.vlan[1], 2);
    set16(&f, 14 + 7 * 4 + 2, 0x8100);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_VLAN_DEPTH, &p);
    assert_int_equal(p.nvlan, 8);
}

static void test_non_ip(void **state)
{
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 1);
    eth(&f, 0x0806);
    fill(&f, 1, 28);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_ARP;
    sweep(&f, &p);
    assert_int_equal(p.ethertype, 0x0806);

    init(&f, 1); /* a tagged ARP */
    eth(&f, 0x8100);
    vlan(&f, 5, 0x0806);
    fill(&f, 1, 28);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_ARP;
    sweep(&f, &p);
    assert_int_equal(p.vlan[0], 5);

    init(&f, 1); /* LLDP */
    eth(&f, 0x88cc);
    fill(&f, 2, 40);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);

    init(&f, 1); /* spanning tree: LLC without SNAP */
    eth(&f, 38);
    putn(&f, "\x42\x42\x03", 3);
    mark(&f, ITM_R_LLC);
    fill(&f, 0, 35);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);

    init(&f, 1); /* SNAP under Cisco's OUI (CDP) */
    eth(&f, 60);
    llc_snap(&f, 0x00000c, 0x2000);
    fill(&f, 3, 52);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);

    init(&f, 113); /* Novell raw 802.3 in a cooked capture */
    sll(&f, 1);
    fill(&f, 0xff, 30);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);

    init(&f, 0); /* an unknown address family */
    l_af(&f, 4, 23);
    fill(&f, 0, 20);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);

    init(&f, 9); /* LCP */
    put16(&f, 0xff03);
    put16(&f, 0xc021);
    mark(&f, ITM_R_LINK);
    fill(&f, 0, 10);
    f.status = ITM_DEC_NON_IP;
    f.reason = ITM_R_OTHER_L2;
    sweep(&f, &p);
}

static void test_unsupported(void **state)
{
    uint8_t b[64] = {0x45};
    struct itm_pkt p;

    (void)state;
    assert_int_equal(itm_decode(105, b, sizeof(b), sizeof(b), 0, &p), ITM_DEC_UNSUPPORTED);
    assert_int_equal(p.reason, ITM_R_NONE);
    assert_int_equal(p.ip_ver, 0);
    assert_int_equal(itm_decode(-1, b, sizeof(b), sizeof(b), 0, &p), ITM_DEC_UNSUPPORTED);
    assert_false(itm_decode_linktype_supported(105));
    assert_false(itm_decode_linktype_supported(127));
    assert_false(itm_decode_linktype_supported(-1));
}

/* ---- malformed frames: the link header, and an IP version its type contradicts ---- */

static void test_bad_ip_version(void **state)
{
    static const struct {
        int dlt;
        link_fn fn;
        int claim, ver;
        unsigned arg;
    } cases[] = {
        {1, l_eth, 4, 6, 0},   {1, l_eth, 6, 4, 0},   {228, l_none, 4, 6, 0},
        {229, l_none, 6, 4, 0}, {0, l_af, 4, 6, 2},   {9, l_ppp, 6, 4, 0},
        {113, l_sll, 6, 4, 0},
    };
    struct frame f;
    struct itm_pkt p;

    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        init(&f, cases[i].dlt);
        cases[i].fn(&f, cases[i].claim, cases[i].arg);
        if (cases[i].ver == 4)
            tcp4_body(&f);
        else
            udp6_body(&f);
        expect_bad(&f, ITM_DEC_INVALID, ITM_R_IP_VERSION, &p);
        assert_int_equal(p.ip_ver, 0);
    }
    init(&f, 12);
    tcp4_body(&f);
    f.b[0] = 0x55;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_IP_VERSION, &p);
}

static void test_bad_link(void **state)
{
    struct frame f;
    struct itm_pkt p;

    (void)state;
    init(&f, 9);
    put16(&f, 0xff05);
    put16(&f, 0x0021);
    tcp4_body(&f);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_LINK, &p);

    init(&f, 51);
    pppoe(&f, 0x21);
    tcp4_body(&f);
    f.b[0] = 0x12;
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_LINK, &p);
    f.b[0] = 0x11;
    f.b[1] = 0x07; /* a discovery code in a session frame */
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_LINK, &p);
    f.b[1] = 0;
    set16(&f, 4, 1); /* too short for the PPP protocol */
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_LINK, &p);
}

/* ---- names ---- */

static void test_names(void **state)
{
    static const char *const reasons[] = {
        "none", "link", "vlan", "llc", "vlan_depth", "ipv4", "ipv4_options", "ipv6",
        "ipv6_ext", "ip_version", "fragment", "tcp", "udp", "icmp", "igmp", "arp", "other_l2",
    };
    static const char *const statuses[] = {"ok", "non_ip", "truncated", "invalid",
                                           "unsupported"};
    char buf[16];

    (void)state;
    assert_int_equal(sizeof(reasons) / sizeof(reasons[0]), ITM_R_COUNT);
    for (int i = 0; i < ITM_R_COUNT; i++)
        assert_string_equal(itm_decode_reason_name((enum itm_decode_reason)i), reasons[i]);
    for (int i = 0; i < ITM_DEC_STATUS_COUNT; i++)
        assert_string_equal(itm_decode_status_name((enum itm_decode_status)i), statuses[i]);
    assert_string_equal(itm_decode_reason_name(ITM_R_COUNT), "unknown");
    assert_string_equal(itm_decode_status_name(ITM_DEC_STATUS_COUNT), "unknown");
    assert_string_equal(itm_linktype_name(1, buf, sizeof(buf)), "EN10MB");
    assert_string_equal(itm_linktype_name(113, buf, sizeof(buf)), "LINUX_SLL");
    assert_string_equal(itm_linktype_name(276, buf, sizeof(buf)), "LINUX_SLL2");
    assert_string_equal(itm_linktype_name(4242, buf, sizeof(buf)), "DLT_4242");
    assert_string_equal(itm_linktype_name(-7, buf, 5), "DLT_");
    assert_string_equal(itm_linktype_name(4242, NULL, 0), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_ethernet_fields),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_non_ip),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_bad_ip_version),
        cmocka_unit_test(test_bad_link),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
