/* decode-ipv4.c: the IPv4 header: length checks, option sanity, fragments, and the hand-off
 * to the L4 decoder. It must never read past the captured or the declared length, and never
 * treat link-layer padding as payload. */
#include <stddef.h>
#include <stdint.h>

#include "decode-int.h"

/* RFC 791 section 3.1, "Options": type 0 ends the list (what follows is padding), type 1 is a
 * one-byte no-op, and every other option has a length byte that counts the type and length
 * bytes themselves. Returns 0 for a well-formed list, -1 otherwise. */
static int walk_options(struct itm_cur *opt)
{
    while (itm_cur_left(opt) > 0) {
        uint8_t type = itm_cur_u8(opt);
        uint8_t len;

        if (type == 0)
            return 0;
        if (type == 1)
            continue;
        if (itm_cur_left(opt) < 1)
            return -1;
        len = itm_cur_u8(opt);
        if (len < 2 || (size_t)(len - 2) > itm_cur_left(opt))
            return -1;
        itm_cur_skip(opt, (size_t)(len - 2));
    }
    return 0;
}

/* RFC 791 section 3.1, "Internet Header Format". Checksums are not verified: checksum
 * offload leaves them wrong in captures taken on the sending host. */
int itm_decode_ipv4(struct itm_pkt *pkt, struct itm_cur *c)
{
    size_t cap = itm_cur_left(c);
    struct itm_cur peek = *c;
    uint8_t vihl = itm_cur_u8(&peek);
    size_t hl = (size_t)(vihl & 0x0fu) * 4;
    uint16_t tot, fragw;
    uint32_t wire, frag_off;
    size_t have;
    struct itm_cur l4;
    int clamped;

    pkt->l3_off = itm_decode_off(pkt, c);
    if (peek.err)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_IPV4);
    if ((vihl >> 4) != 4)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IP_VERSION);
    if (hl < 20)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IPV4);
    if (!itm_cur_has(c, 20))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_IPV4);

    itm_cur_skip(c, 2);
    tot = itm_cur_be16(c);
    pkt->frag_id = itm_cur_be16(c);
    fragw = itm_cur_be16(c);
    pkt->ttl = itm_cur_u8(c);
    pkt->proto = itm_cur_u8(c);
    itm_cur_skip(c, 2);
    pkt->src.family = 4;
    itm_cur_copy(c, pkt->src.a, 4);
    pkt->dst.family = 4;
    itm_cur_copy(c, pkt->dst.a, 4);
    pkt->ip_ver = 4;
    pkt->ip_len = tot;

    if (tot < hl)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IPV4);
    if (cap < hl)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_IPV4);
    if (hl > 20) {
        struct itm_cur opt = itm_cur_sub(c, hl - 20, &clamped);

        pkt->anomalies |= ITM_A_IPV4_OPTIONS;
        if (walk_options(&opt) < 0)
            return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IPV4_OPT);
    }

    have = itm_decode_trim(pkt, cap, tot) - hl;
    wire = (uint32_t)(tot - hl);

    /* RFC 791 section 3.2, fragmentation: the offset counts 8-byte units, and a fragment
     * reaching past 65535 bytes could only reassemble into an impossible datagram. */
    frag_off = (uint32_t)(fragw & 0x1fffu) * 8;
    pkt->frag_more = (fragw & 0x2000u) != 0;
    pkt->frag_off = (uint16_t)frag_off;
    pkt->is_frag = pkt->frag_more || frag_off != 0;
    if (frag_off + wire > 65535u)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_FRAG);

    l4 = itm_cur_sub(c, have, &clamped);
    if (frag_off != 0)
        return itm_decode_l4_opaque(pkt, &l4, wire);
    return itm_decode_l4(pkt, &l4, wire);
}
