/* decode-l4.c: transport headers (TCP, UDP, ICMP, ICMPv6, IGMP) and the payload bounds.
 * Transport fields are written only once a header is complete, so a failed header leaves
 * them zero. It must never read past the cursor it is given. */
#include <stddef.h>
#include <stdint.h>

#include "decode-int.h"

static void set_payload(struct itm_pkt *pkt, uint32_t l4_off, size_t hlen, size_t have,
                        uint32_t wire)
{
    pkt->has_l4 = 1;
    pkt->l4_off = l4_off;
    pkt->payload_off = l4_off + (uint32_t)hlen;
    pkt->payload_len = (uint32_t)(have - hlen);
    pkt->payload_wire_len = wire - (uint32_t)hlen;
}

/* RFC 9293 section 3.1, "Header Format". The data offset alone bounds the header; options
 * are not needed by anything downstream. */
static int dec_tcp(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire)
{
    uint32_t l4_off = itm_decode_off(pkt, c);
    size_t have = itm_cur_left(c);
    uint16_t sport, dport;
    uint32_t seq, ack;
    size_t hlen;
    uint8_t flags;

    if (!itm_decode_need(pkt, have, wire, 20, ITM_R_TCP))
        return pkt->status;
    sport = itm_cur_be16(c);
    dport = itm_cur_be16(c);
    seq = itm_cur_be32(c);
    ack = itm_cur_be32(c);
    hlen = (size_t)(itm_cur_u8(c) >> 4) * 4;
    flags = itm_cur_u8(c);
    if (hlen < 20)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_TCP);
    if (!itm_decode_need(pkt, have, wire, hlen, ITM_R_TCP))
        return pkt->status;
    pkt->sport = sport;
    pkt->dport = dport;
    pkt->tcp_seq = seq;
    pkt->tcp_ack = ack;
    pkt->tcp_flags = flags;
    set_payload(pkt, l4_off, hlen, have, wire);
    return ITM_DEC_OK;
}

/* RFC 768: ports, a length that counts the 8-byte header, checksum. The length bounds the
 * payload, except in a first fragment, where it covers the whole reassembled datagram. */
static int dec_udp(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire)
{
    uint32_t l4_off = itm_decode_off(pkt, c);
    size_t have = itm_cur_left(c);
    uint16_t sport, dport, ulen;

    if (!itm_decode_need(pkt, have, wire, 8, ITM_R_UDP))
        return pkt->status;
    sport = itm_cur_be16(c);
    dport = itm_cur_be16(c);
    ulen = itm_cur_be16(c);
    if (ulen < 8 || (!pkt->is_frag && ulen > wire))
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_UDP);
    if (!pkt->is_frag) {
        wire = ulen;
        if (have > ulen)
            have = ulen;
    }
    pkt->sport = sport;
    pkt->dport = dport;
    set_payload(pkt, l4_off, 8, have, wire);
    return ITM_DEC_OK;
}

/* RFC 792: every message is type, code, checksum and four more bytes. RFC 4443 section 2.1
 * has the same first four, and every message it defines has at least four more. Echo
 * messages (RFC 792 "Echo or Echo Reply", RFC 4443 sections 4.1 and 4.2) carry an
 * identifier that pairs request and reply, so it stands in for both ports. */
static int dec_icmp(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire, uint8_t echo_req,
                    uint8_t echo_rep)
{
    uint32_t l4_off = itm_decode_off(pkt, c);
    size_t have = itm_cur_left(c);
    uint8_t type, code;
    uint16_t id;

    if (!itm_decode_need(pkt, have, wire, 8, ITM_R_ICMP))
        return pkt->status;
    type = itm_cur_u8(c);
    code = itm_cur_u8(c);
    itm_cur_skip(c, 2);
    id = itm_cur_be16(c);
    pkt->icmp_type = type;
    pkt->icmp_code = code;
    if (type == echo_req || type == echo_rep) {
        pkt->sport = id;
        pkt->dport = id;
    }
    set_payload(pkt, l4_off, 8, have, wire);
    return ITM_DEC_OK;
}

/* RFC 2236 section 2 (v1/v2 and the v3 query of RFC 3376 section 4.1 share it): type, max
 * response time, checksum, group address. RFC 3376 section 4.2, v3 report (0x22): reserved,
 * number of group records, then records of type, aux length, source count and multicast
 * address. A group of 0.0.0.0 (a general query) is no group. */
static int dec_igmp(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire)
{
    uint32_t l4_off = itm_decode_off(pkt, c);
    size_t have = itm_cur_left(c);
    struct itm_cur peek;
    uint8_t type, group[4];

    if (!itm_decode_need(pkt, have, wire, 8, ITM_R_IGMP))
        return pkt->status;
    type = itm_cur_u8(c);
    itm_cur_skip(c, 3);
    peek = *c;
    itm_cur_copy(c, group, 4);
    if (type == 0x22) {
        itm_cur_skip(&peek, 2);
        if (itm_cur_be16(&peek) == 0) {
            group[0] = group[1] = group[2] = group[3] = 0;
        } else {
            if (!itm_decode_need(pkt, have, wire, 16, ITM_R_IGMP))
                return pkt->status;
            itm_cur_skip(&peek, 4);
            itm_cur_copy(&peek, group, 4);
        }
    }
    pkt->igmp_type = type;
    if (group[0] | group[1] | group[2] | group[3]) {
        pkt->igmp_group.family = 4;
        for (int i = 0; i < 4; i++)
            pkt->igmp_group.a[i] = group[i];
    }
    set_payload(pkt, l4_off, 8, have, wire);
    return ITM_DEC_OK;
}

int itm_decode_l4_opaque(struct itm_pkt *pkt, const struct itm_cur *c, uint32_t wire)
{
    pkt->payload_off = itm_decode_off(pkt, c);
    pkt->payload_len = (uint32_t)itm_cur_left(c);
    pkt->payload_wire_len = wire;
    return itm_decode_stop(pkt, ITM_DEC_OK, ITM_R_NONE);
}

int itm_decode_l4(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire)
{
    switch (pkt->proto) {
    case 6:
        return dec_tcp(pkt, c, wire);
    case 17:
        return dec_udp(pkt, c, wire);
    case 1:
        return dec_icmp(pkt, c, wire, 8, 0);
    case 58:
        return dec_icmp(pkt, c, wire, 128, 129);
    case 2:
        return dec_igmp(pkt, c, wire);
    case 4:  /* IPv4 in IP, RFC 2003 */
    case 41: /* IPv6 in IP, RFC 4213 */
    case 47: /* GRE, RFC 2784 */
        pkt->anomalies |= ITM_A_TUNNEL;
        return itm_decode_l4_opaque(pkt, c, wire);
    default:
        return itm_decode_l4_opaque(pkt, c, wire);
    }
}
