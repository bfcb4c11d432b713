/* decode-fixtures.h: helpers of the decoder tests: a frame builder that records where each
 * header ends and how the whole frame should decode, the headers both test files put in front,
 * and sweep(), which decodes every truncation of a frame from an exact-size heap buffer (and
 * checks there that the decoder's fast path fills what its general decoders fill). */
#ifndef ITMSCOPE_DECODE_FIXTURES_H
#define ITMSCOPE_DECODE_FIXTURES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode-int.h" /* itm_decode_fast, itm_decode_slow */
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

/* ---- link layers ---- */

static void eth(struct frame *f, unsigned type)
{
    static const uint8_t dmac[6] = {2, 0, 0, 0, 0, 2}, smac[6] = {2, 0, 0, 0, 0, 1};
    putn(f, dmac, 6);
    putn(f, smac, 6);
    put16(f, type);
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

static void text(struct frame *f, const char *s)
{
    putn(f, s, strlen(s));
}

/* ---- checks ---- */

/* Decodes a heap copy of exactly len bytes, twice over differently poisoned structs: any
 * field the decoder leaves undefined shows up as a difference. The general decoders alone
 * (itm_decode_slow) and the fast path, when it takes the frame, must fill the same. */
static void decode_copy(const struct frame *f, size_t len, struct itm_pkt *out)
{
    uint8_t *buf = malloc(len);
    struct itm_pkt other, slow;
    const char *d;
    int rc;

    if (len > 0) {
        assert_non_null(buf);
        memcpy(buf, f->b, len);
    }
    memset(out, 0xa5, sizeof(*out));
    memset(&other, 0x5a, sizeof(other));
    memset(&slow, 0x3c, sizeof(slow));
    rc = itm_decode(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, out);
    assert_int_equal(itm_decode_slow(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, &slow), rc);
    d = itm_pkt_diff(out, &slow);
    if (d)
        fail_msg("len %zu: field %s differs between itm_decode and the slow path", len, d);
    if (itm_decode_fast(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, &other) >= 0) {
        d = itm_pkt_diff(&other, &slow);
        if (d)
            fail_msg("len %zu: field %s differs between the fast and the slow path", len, d);
    }
    memset(&other, 0x5a, sizeof(other));
    itm_decode(f->dlt, buf, (uint32_t)len, (uint32_t)f->n, 42, &other);
    free(buf);
    d = itm_pkt_diff(out, &other);
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
    d = itm_pkt_diff(p, &want);
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

#endif
