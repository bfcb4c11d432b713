/* test_decode.c: the packet decoder, fed hand-built frames for every link type and header.
 * Each frame is also decoded at every truncation length (from a heap buffer of exactly that
 * size) and must stop with TRUNCATED for the header that was cut, OK once all are there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/decode.h"

#define MAXF 2048
#define MAXH 40

/* A frame under construction, with what the decoder should report when it is cut short. */
struct frame {
    uint8_t b[MAXF];
    size_t n;
    int dlt;
    size_t hdr_end[MAXH];    /* a capture shorter than hdr_end[i] cuts header i */
    uint8_t hdr_reason[MAXH];
    unsigned nhdr;
    int opaque;              /* bytes from here on are not parsed: no more header ends */
    uint8_t status, reason;  /* outcome of the whole frame */
    size_t ip_end;           /* end of the outer IP datagram (0: no IP) */
    size_t fix_at[8], fix_from[8]; /* length fields patched by finish() */
    unsigned nfix;
};

static const uint8_t src4[4] = {10, 0, 0, 1}, dst4[4] = {10, 0, 0, 2};
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void init(struct frame *f, int dlt)
{
    memset(f, 0, sizeof(*f));
    f->dlt = dlt;
}

static void put8(struct frame *f, unsigned v)
{
    assert_true(f->n < MAXF);
    f->b[f->n++] = (uint8_t)v;
}

static void put16(struct frame *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v & 0xff);
}

static void put32(struct frame *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static void putn(struct frame *f, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(f, ((const uint8_t *)p)[i]);
}

static void fill(struct frame *f, unsigned byte, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(f, byte);
}

static void set16(struct frame *f, size_t at, unsigned v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static void mark_end(struct frame *f, size_t end, enum itm_decode_reason r)
{
    if (f->opaque)
        return;
    assert_true(f->nhdr < MAXH);
    f->hdr_end[f->nhdr] = end;
    f->hdr_reason[f->nhdr++] = (uint8_t)r;
}

static void mark(struct frame *f, enum itm_decode_reason r)
{
    mark_end(f, f->n, r);
}

static void fix_len(struct frame *f, size_t at, size_t from)
{
    f->fix_at[f->nfix] = at;
    f->fix_from[f->nfix++] = from;
}

/* Patches every length field to the current end: call before any padding. */
static void finish(struct frame *f)
{
    if (f->ip_end == 1)
        f->ip_end = f->n;
    for (unsigned i = 0; i < f->nfix; i++)
        set16(f, f->fix_at[i], (unsigned)(f->n - f->fix_from[i]));
}

static void pad_to(struct frame *f, size_t n)
{
    while (f->n < n)
        put8(f, 0);
}

/* ---- link layers ---- */

static void eth(struct frame *f, unsigned type)
{
    static const uint8_t dmac[6] = {2, 0, 0, 0, 0, 2}, smac[6] = {2, 0, 0, 0, 0, 1};
    putn(f, dmac, 6);
    putn(f, smac, 6);
    put16(f, type);
    mark(f, ITM_R_LINK);
}

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

static void pppoe(struct frame *f, unsigned proto)
{
    put8(f, 0x11);
    put8(f, 0);
    put16(f, 0x0042);
    fix_len(f, f->n, f->n + 2);
    put16(f, 0);
    mark(f, ITM_R_LINK);
    put16(f, proto);
    mark(f, ITM_R_LINK);
}

/* ---- network layers ---- */

static void ip4(struct frame *f, unsigned proto, const uint8_t *opt, size_t optlen,
                unsigned fragw)
{
    size_t l3 = f->n;

    if (!f->ip_end)
        f->ip_end = 1;
    put8(f, 0x45 + (unsigned)optlen / 4);
    put8(f, 0);
    fix_len(f, f->n, l3);
    put16(f, 0);
    put16(f, 0x1234);
    put16(f, fragw);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    putn(f, src4, 4);
    putn(f, dst4, 4);
    putn(f, opt, optlen);
    mark(f, ITM_R_IPV4);
    if ((fragw & 0x1fff) != 0)
        f->opaque = 1;
}

static void ip6(struct frame *f, unsigned nh)
{
    size_t l3 = f->n;

    if (!f->ip_end)
        f->ip_end = 1;
    put32(f, 0x60000000);
    fix_len(f, f->n, l3 + 40);
    put16(f, 0);
    put8(f, nh);
    put8(f, 64);
    putn(f, src6, 16);
    putn(f, dst6, 16);
    mark(f, ITM_R_IPV6);
}

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

/* ---- transport layers ---- */

static void tcp(struct frame *f, unsigned sport, unsigned dport, unsigned flags, size_t optlen)
{
    put16(f, sport);
    put16(f, dport);
    put32(f, 0x01020304);
    put32(f, 0xa0b0c0d0);
    put8(f, (unsigned)(5 + optlen / 4) << 4);
    put8(f, flags);
    put16(f, 8192);
    put32(f, 0);
    for (size_t i = 0; i + 4 <= optlen; i += 4)
        put32(f, 0x01010101); /* NOPs */
    mark(f, ITM_R_TCP);
}

static size_t udp(struct frame *f, unsigned sport, unsigned dport)
{
    size_t at = f->n;

    put16(f, sport);
    put16(f, dport);
    fix_len(f, f->n, at);
    put16(f, 0);
    put16(f, 0);
    mark(f, ITM_R_UDP);
    return at;
}

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

static void text(struct frame *f, const char *s)
{
    putn(f, s, strlen(s));
}

/* ---- checks ---- */

#define DIFF(field)                                                                        \
    do {                                                                                   \
        if (memcmp(&a->field, &b->field, sizeof(a->field)) != 0)                           \
            return #field;                                                                 \
    } while (0)

/* Field by field (the struct has padding): the name of the first difference, or NULL. */
static const char *pkt_diff(const struct itm_pkt *a, const struct itm_pkt *b)
{
    DIFF(ts_ns); DIFF(frame); DIFF(caplen); DIFF(wirelen); DIFF(linktype);
    DIFF(status); DIFF(reason); DIFF(nvlan); DIFF(has_mac); DIFF(vlan); DIFF(ethertype);
    DIFF(mac_src); DIFF(mac_dst); DIFF(anomalies); DIFF(ip_ver); DIFF(proto); DIFF(ttl);
    DIFF(is_frag); DIFF(frag_more); DIFF(frag_off); DIFF(frag_id); DIFF(src.family);
    DIFF(src.a); DIFF(dst.family); DIFF(dst.a); DIFF(l3_off); DIFF(ip_len); DIFF(has_l4);
    DIFF(tcp_flags); DIFF(icmp_type); DIFF(icmp_code); DIFF(sport); DIFF(dport);
    DIFF(tcp_seq); DIFF(tcp_ack); DIFF(igmp_type); DIFF(igmp_group.family);
    DIFF(igmp_group.a); DIFF(l4_off); DIFF(payload_off); DIFF(payload_len);
    DIFF(payload_wire_len);
    return NULL;
}

/* Decodes a heap copy of exactly len bytes, twice over differently poisoned structs: any
 * field the decoder leaves undefined shows up as a difference. */
static void decode_copy(const struct frame *f, size_t len, struct itm_pkt *out)
{
    uint8_t *buf = malloc(len);
    struct itm_pkt other;
    const char *d;

    if (len > 0) {
        assert_non_null(buf);
        memcpy(buf, f->b, len);
    }
    memset(out, 0xa5, sizeof(*out));
    memset(&other, 0x5a, sizeof(other));
    itm_decode(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, out);
    itm_decode(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, &other);
    free(buf);
    d = pkt_diff(out, &other);
    if (d)
        fail_msg("len %zu: field %s left undefined", len, d);
    if (out->payload_off + (uint64_t)out->payload_len > len)
        fail_msg("len %zu: payload %u+%u past the capture", len, out->payload_off,
                 out->payload_len);
    if (!out->has_l4 && (out->sport || out->dport || out->tcp_flags || out->l4_off ||
                         out->icmp_type || out->igmp_type || out->igmp_group.family))
        fail_msg("len %zu: transport fields set without an L4 header", len);
    if (!out->ip_ver && (out->src.family || out->has_l4 || out->payload_len))
        fail_msg("len %zu: network fields set without an IP header", len);
}

static void expect_at(const struct frame *f, size_t len, unsigned *st, unsigned *rs)
{
    *st = f->status;
    *rs = f->reason;
    for (unsigned i = 0; i < f->nhdr; i++) {
        if (len < f->hdr_end[i]) {
            *st = ITM_DEC_TRUNCATED;
            *rs = f->hdr_reason[i];
            return;
        }
    }
}

/* A cut frame that decodes must match the full decode except for what the cut explains. */
static void check_cut_ok(const struct frame *f, size_t len, const struct itm_pkt *p,
                         const struct itm_pkt *ref)
{
    struct itm_pkt want = *ref;
    const char *d;

    want.frame = p->frame;
    want.caplen = (uint32_t)len;
    if (ref->ip_ver) {
        uint32_t room = (uint32_t)len - ref->payload_off;

        want.payload_len = ref->payload_len < room ? ref->payload_len : room;
        want.anomalies &= ~(uint32_t)(ITM_A_PAYLOAD_CUT | ITM_A_ETH_PADDING);
        if (len < f->ip_end)
            want.anomalies |= ITM_A_PAYLOAD_CUT;
        if (len > f->ip_end)
            want.anomalies |= ITM_A_ETH_PADDING;
    }
    d = pkt_diff(p, &want);
    if (d)
        fail_msg("len %zu of %zu: field %s differs from the full decode", len, f->n, d);
}

static void check_cut_truncated(const struct frame *f, size_t len, const struct itm_pkt *p,
                                const struct itm_pkt *ref)
{
    switch (p->reason) {
    case ITM_R_TCP:
    case ITM_R_UDP:
    case ITM_R_ICMP:
    case ITM_R_IGMP:
        /* a cut L4 header keeps the IP fields: callers count the packet by address */
        if (p->ip_ver != ref->ip_ver || p->proto != ref->proto ||
            memcmp(&p->src, &ref->src, sizeof(p->src)) != 0 || p->has_l4)
            fail_msg("len %zu of %zu: IP fields lost with a cut L4 header", len, f->n);
        break;
    case ITM_R_LINK:
    case ITM_R_VLAN:
    case ITM_R_LLC:
        if (p->ip_ver)
            fail_msg("len %zu: IP version set with a cut link header", len);
        break;
    default:
        break;
    }
}

/* Decodes the full frame into ref and every truncation of it. */
static void sweep(const struct frame *f, struct itm_pkt *ref)
{
    decode_copy(f, f->n, ref);
    if (ref->status != f->status || ref->reason != f->reason)
        fail_msg("full frame: %s/%s, want %s/%s", itm_decode_status_name(ref->status),
                 itm_decode_reason_name(ref->reason), itm_decode_status_name(f->status),
                 itm_decode_reason_name(f->reason));
    for (size_t len = 0; len <= f->n; len++) {
        struct itm_pkt p;
        unsigned st, rs;

        decode_copy(f, len, &p);
        expect_at(f, len, &st, &rs);
        if (p.status != st || p.reason != rs)
            fail_msg("len %zu of %zu: %s/%s, want %s/%s", len, f->n,
                     itm_decode_status_name(p.status), itm_decode_reason_name(p.reason),
                     itm_decode_status_name(st), itm_decode_reason_name(rs));
        if (st == ITM_DEC_TRUNCATED)
            check_cut_truncated(f, len, &p, ref);
        else
            check_cut_ok(f, len, &p, ref);
    }
}

/* For malformed frames: the outcome of the full frame, and safety at every length. */
static void expect_bad(struct frame *f, enum itm_decode_status st, enum itm_decode_reason r,
                       struct itm_pkt *p)
{
    struct itm_pkt tmp;

    for (size_t len = 0; len < f->n; len++)
        decode_copy(f, len, &tmp);
    decode_copy(f, f->n, p);
    if (p->status != st || p->reason != r)
        fail_msg("%s/%s, want %s/%s", itm_decode_status_name(p->status),
                 itm_decode_reason_name(p->reason), itm_decode_status_name(st),
                 itm_decode_reason_name(r));
}

static void tcp4_body(struct frame *f)
{
    ip4(f, 6, NULL, 0, 0);
    tcp(f, 50123, 443, ITM_TCP_SYN | ITM_TCP_ACK, 8);
    text(f, "hello");
    finish(f);
}

static void udp6_body(struct frame *f)
{
    ip6(f, 17);
    udp(f, 5353, 53);
    text(f, "query");
    finish(f);
}


static unsigned et(int ver)
{
    return ver == 4 ? 0x0800 : 0x86dd;
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

/* ---- malformed frames: one or more per INVALID reason ---- */

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
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_ipv6_ext),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_igmp),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_tunnels_and_others),
        cmocka_unit_test(test_bad_ipv4),
        cmocka_unit_test(test_bad_ip_version),
        cmocka_unit_test(test_bad_ipv6),
        cmocka_unit_test(test_bad_l4),
        cmocka_unit_test(test_bad_link),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
