/* decode-ipv6.c: the IPv6 fixed header and its extension-header chain, up to the hand-off to
 * the L4 decoder. It must never read past the captured or the declared payload length, and
 * never walk a chain without a bound. */
#include <stddef.h>
#include <stdint.h>

#include "decode-int.h"

#define ITM_NH_HOPOPTS 0
#define ITM_NH_ROUTING 43
#define ITM_NH_FRAGMENT 44
#define ITM_NH_AH 51
#define ITM_NH_DSTOPTS 60

/* RFC 8200 section 4 names hop-by-hop, routing, fragment, destination options and AH; RFC
 * 7045 adds Mobility (135), HIP (139) and Shim6 (140), which use the generic layout. ESP (50)
 * is not walkable: what follows it is encrypted. */
static int is_ext(uint8_t nh)
{
    switch (nh) {
    case ITM_NH_HOPOPTS:
    case ITM_NH_ROUTING:
    case ITM_NH_FRAGMENT:
    case ITM_NH_AH:
    case ITM_NH_DSTOPTS:
    case 135:
    case 139:
    case 140:
        return 1;
    default:
        return 0;
    }
}

/* RFC 8200 sections 4.3, 4.4 and 4.6 (and RFC 6275 / 7401 / 5533 for the RFC 7045 ones):
 * next header, then the length in 8-byte units not counting the first 8. RFC 4302 section
 * 2.2: AH counts 4-byte units minus 2. *wire is what the payload length leaves. */
static int dec_ext(struct itm_pkt *pkt, struct itm_cur *c, uint32_t *wire)
{
    struct itm_cur peek = *c;
    uint8_t nh, len;
    size_t hlen;

    if (!itm_decode_need(pkt, itm_cur_left(c), *wire, 2, ITM_R_IPV6_EXT))
        return -1;
    nh = itm_cur_u8(&peek);
    len = itm_cur_u8(&peek);
    hlen = pkt->proto == ITM_NH_AH ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
    if (!itm_decode_need(pkt, itm_cur_left(c), *wire, hlen, ITM_R_IPV6_EXT))
        return -1;
    itm_cur_skip(c, hlen);
    *wire -= (uint32_t)hlen;
    pkt->proto = nh;
    return 0;
}

/* RFC 8200 section 4.5: next header, reserved, 13-bit offset in 8-byte units with the M
 * flag in the low bit, identification. A fragment that would reassemble past 65535 bytes is
 * malformed. An atomic fragment (offset 0, no M) is a whole datagram (RFC 6946). */
static int dec_frag(struct itm_pkt *pkt, struct itm_cur *c, uint32_t *wire)
{
    uint8_t nh;
    uint16_t offm;
    uint32_t id;

    if (!itm_decode_need(pkt, itm_cur_left(c), *wire, 8, ITM_R_IPV6_EXT))
        return -1;
    nh = itm_cur_u8(c);
    itm_cur_skip(c, 1);
    offm = itm_cur_be16(c);
    id = itm_cur_be32(c);
    *wire -= 8;
    pkt->proto = nh;
    pkt->frag_id = id;
    pkt->frag_off = offm & 0xfff8u;
    pkt->frag_more = offm & 1u;
    pkt->is_frag = pkt->frag_off != 0 || pkt->frag_more;
    if ((uint32_t)pkt->frag_off + *wire > 65535u) {
        itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_FRAG);
        return -1;
    }
    return 0;
}

/* RFC 8200 section 4: follow the chain to the upper-layer header. Section 4.1 allows the
 * hop-by-hop header only right after the fixed header. Only a first fragment (offset 0)
 * holds the upper-layer header. */
static int walk_chain(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire)
{
    unsigned n = 0;

    while (is_ext(pkt->proto)) {
        int rc;

        if (n == ITM_DEC_MAX_V6_EXT || (pkt->proto == ITM_NH_HOPOPTS && n > 0))
            return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IPV6_EXT);
        n++;
        pkt->anomalies |= ITM_A_IPV6_EXT;
        if (pkt->proto == ITM_NH_FRAGMENT)
            rc = dec_frag(pkt, c, &wire);
        else
            rc = dec_ext(pkt, c, &wire);
        if (rc < 0)
            return pkt->status;
        if (pkt->frag_off != 0)
            return itm_decode_l4_opaque(pkt, c, wire);
    }
    return itm_decode_l4(pkt, c, wire);
}

/* RFC 8200 section 3: the fixed 40-byte header. A zero payload length with a hop-by-hop
 * header announces a jumbogram (RFC 2675), which this decoder does not support. */
int itm_decode_ipv6(struct itm_pkt *pkt, struct itm_cur *c)
{
    size_t cap = itm_cur_left(c);
    struct itm_cur peek = *c;
    uint8_t ver = (uint8_t)(itm_cur_u8(&peek) >> 4);
    uint16_t plen;
    size_t have;
    struct itm_cur pl;
    int clamped;

    pkt->l3_off = itm_decode_off(pkt, c);
    if (peek.err)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_IPV6);
    if (ver != 6)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IP_VERSION);
    if (!itm_cur_has(c, 40))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_IPV6);

    itm_cur_skip(c, 4);
    plen = itm_cur_be16(c);
    pkt->proto = itm_cur_u8(c);
    pkt->ttl = itm_cur_u8(c);
    pkt->src.family = 6;
    itm_cur_copy(c, pkt->src.a, 16);
    pkt->dst.family = 6;
    itm_cur_copy(c, pkt->dst.a, 16);
    pkt->ip_ver = 6;
    pkt->ip_len = 40u + plen;
    if (plen == 0 && pkt->proto == ITM_NH_HOPOPTS)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IPV6);

    have = itm_decode_trim(pkt, cap - 40, plen);
    pl = itm_cur_sub(c, have, &clamped);
    return walk_chain(pkt, &pl, plen);
}
