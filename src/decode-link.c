/* decode-link.c: the decoder's entry point, its fast path for the common Ethernet frames,
 * and its link layers (Ethernet, VLAN, LLC/SNAP, Linux cooked, BSD loopback, raw IP, PPP,
 * Cisco HDLC, PPPoE) up to the network header. Pure: it must never allocate, keep state,
 * touch flows, or read a byte past caplen. */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "decode-int.h"

/* Every field is defined whatever the outcome, because sinks may print any frame: all but
 * the frame's own facts are cleared at once (padding included), so that the decoders only
 * write what they find and absent values read as zero. The fast path clears again what it
 * wrote before it gave up. Cleared in pieces of at most 64 bytes: a single memset of this
 * size compiles to a string instruction that costs more than the stores. */
_Static_assert(offsetof(struct itm_pkt, status) < 64 && sizeof(struct itm_pkt) > 128 &&
                   sizeof(struct itm_pkt) <= 192,
               "pkt_clear clears struct itm_pkt in three pieces of at most 64 bytes");

static void pkt_clear(struct itm_pkt *pkt)
{
    size_t from = offsetof(struct itm_pkt, status);

    memset((unsigned char *)pkt + from, 0, 64 - from);
    memset((unsigned char *)pkt + 64, 0, 64);
    memset((unsigned char *)pkt + 128, 0, sizeof(*pkt) - 128);
}
_Static_assert(ITM_DEC_OK == 0 && ITM_R_NONE == 0, "pkt_clear leaves status OK, reason none");

static void pkt_init(struct itm_pkt *pkt, int linktype, const uint8_t *frame, uint32_t caplen,
                     uint32_t wirelen, uint64_t ts_ns)
{
    pkt->ts_ns = ts_ns;
    pkt->frame = frame;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->linktype = linktype;
    pkt_clear(pkt);
}

static int dec_pppoe(struct itm_pkt *pkt, struct itm_cur *c);
static int dec_raw(struct itm_pkt *pkt, struct itm_cur *c);

/* MPLS label stack (RFC 3032 2.1): 4-byte entries until the bottom-of-stack bit; the payload
 * carries no type, so the IP version nibble decides (RFC 4928 keeps it unambiguous for IP). */
static int dec_mpls(struct itm_pkt *pkt, struct itm_cur *c)
{
    for (int depth = 0; depth < 16; depth++) {
        uint32_t entry = itm_cur_be32(c);
        if (c->err)
            return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
        if (entry & 0x100u)
            return dec_raw(pkt, c);
    }
    return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_LINK);
}

static int dec_ethertype(struct itm_pkt *pkt, struct itm_cur *c, uint16_t type)
{
    pkt->ethertype = type;
    switch (type) {
    case ITM_ETH_IPV4:
        return itm_decode_ipv4(pkt, c);
    case ITM_ETH_IPV6:
        return itm_decode_ipv6(pkt, c);
    case ITM_ETH_ARP:
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_ARP);
    case ITM_ETH_PPPOE_SESS:
        return dec_pppoe(pkt, c);
    case 0x8847u: /* MPLS unicast */
    case 0x8848u: /* MPLS multicast */
        return dec_mpls(pkt, c);
    default:
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
    }
}

/* 0x8100 is the IEEE 802.1Q customer tag, 0x88a8 the 802.1ad service tag, and 0x9100 the
 * pre-standard QinQ tag that older switches still send. */
static int is_tpid(uint16_t type)
{
    return type == 0x8100u || type == 0x88a8u || type == 0x9100u;
}

/* IEEE 802.1Q clause 9.6: each tag is a TPID (already read as *type), a TCI whose low 12 bits
 * are the VLAN id, then the next type. Returns 0 to go on, -1 when the decoder stopped. */
static int dec_vlans(struct itm_pkt *pkt, struct itm_cur *c, uint16_t *type)
{
    while (is_tpid(*type)) {
        uint16_t tci;

        if (pkt->nvlan == ITM_DEC_MAX_VLAN_TAGS) {
            itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_VLAN_DEPTH);
            return -1;
        }
        tci = itm_cur_be16(c);
        *type = itm_cur_be16(c);
        if (c->err) {
            itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_VLAN);
            return -1;
        }
        if (pkt->nvlan < ITM_MAX_VLAN)
            pkt->vlan[pkt->nvlan] = tci & 0x0fffu;
        pkt->nvlan++;
        pkt->ethertype = *type;
    }
    return 0;
}

/* IEEE 802.2 clause 3 LLC header (DSAP, SSAP, control) and RFC 1042 SNAP (OUI, ethertype).
 * Only SNAP with OUI 0 carries an ethertype; other LLC users (STP, NetBIOS, IPX, CDP under
 * Cisco's OUI) are layer-2 traffic. The SSAP's low bit is the command/response flag. */
static int dec_llc(struct itm_pkt *pkt, struct itm_cur *c)
{
    uint8_t dsap, ssap, ctrl;
    uint32_t oui;
    uint16_t type;

    if (!itm_cur_has(c, 3))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LLC);
    dsap = itm_cur_u8(c);
    ssap = itm_cur_u8(c);
    ctrl = itm_cur_u8(c);
    if (dsap != 0xaa || (ssap & 0xfeu) != 0xaa || ctrl != 0x03)
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
    if (!itm_cur_has(c, 5))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LLC);
    oui = (uint32_t)itm_cur_u8(c) << 16;
    oui |= itm_cur_be16(c);
    type = itm_cur_be16(c);
    if (oui != 0)
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
    return dec_ethertype(pkt, c, type);
}

/* IEEE 802.3 clause 3.2 and RFC 894: destination, source, then a type (>= 0x0600) or an
 * 802.3 length followed by LLC. */
static int dec_ether(struct itm_pkt *pkt, struct itm_cur *c)
{
    uint16_t type;

    if (!itm_cur_has(c, 14))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    itm_cur_copy(c, pkt->mac_dst, 6);
    itm_cur_copy(c, pkt->mac_src, 6);
    type = itm_cur_be16(c);
    pkt->has_mac = 1;
    pkt->ethertype = type;
    if (dec_vlans(pkt, c, &type) < 0)
        return pkt->status;
    if (type < 0x0600u)
        return dec_llc(pkt, c);
    return dec_ethertype(pkt, c, type);
}

/* Protocol field of the Linux cooked headers: an ethertype, or one of the kernel's small
 * ETH_P_* values for frames without one (4 = 802.2 LLC frame, 1 = Novell 802.3, ...). */
static int dec_cooked_proto(struct itm_pkt *pkt, struct itm_cur *c, uint16_t proto)
{
    if (proto == 0x0004u)
        return dec_llc(pkt, c);
    if (proto < 0x0600u)
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
    pkt->ethertype = proto;
    if (dec_vlans(pkt, c, &proto) < 0)
        return pkt->status;
    return dec_ethertype(pkt, c, proto);
}

/* libpcap LINKTYPE_LINUX_SLL: packet type, ARPHRD type, address length, 8 address bytes,
 * protocol (16 bytes). */
static int dec_sll(struct itm_pkt *pkt, struct itm_cur *c)
{
    if (!itm_cur_has(c, 16))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    itm_cur_skip(c, 14);
    return dec_cooked_proto(pkt, c, itm_cur_be16(c));
}

/* libpcap LINKTYPE_LINUX_SLL2: protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, 8 address bytes (20 bytes). */
static int dec_sll2(struct itm_pkt *pkt, struct itm_cur *c)
{
    uint16_t proto;

    if (!itm_cur_has(c, 20))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    proto = itm_cur_be16(c);
    itm_cur_skip(c, 18);
    return dec_cooked_proto(pkt, c, proto);
}

/* Raw IP (DLT_RAW: 12, or 14 in captures from OpenBSD; LINKTYPE_RAW 101 in files): no link
 * header, the version nibble says which IP. */
static int dec_raw(struct itm_pkt *pkt, struct itm_cur *c)
{
    struct itm_cur peek = *c;
    uint8_t ver = (uint8_t)(itm_cur_u8(&peek) >> 4);

    if (peek.err)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    if (ver == 4)
        return itm_decode_ipv4(pkt, c);
    if (ver == 6)
        return itm_decode_ipv6(pkt, c);
    return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_IP_VERSION);
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte order for DLT_NULL
 * (a file may come from either kind of host) and in network order for DLT_LOOP. AF_INET is 2
 * everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (Darwin). */
static int dec_null(struct itm_pkt *pkt, struct itm_cur *c, int network_order)
{
    struct itm_cur peek = *c;
    uint32_t af = itm_cur_be32(c);
    uint32_t af_le = itm_cur_le32(&peek);

    if (c->err)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    /* Family values are small, so the byte order that yields a small number is the right
     * one. */
    if (!network_order && af > 0xffffu)
        af = af_le;
    switch (af) {
    case 2:
        return itm_decode_ipv4(pkt, c);
    case 24:
    case 28:
    case 30:
        return itm_decode_ipv6(pkt, c);
    default:
        return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
    }
}

/* RFC 1661 section 2 protocol field, which section 6.5 (protocol field compression) lets
 * shrink to one byte: a 2-byte value always starts with an even byte, a 1-byte one is odd.
 * declared is how many bytes the enclosing header says follow (SIZE_MAX when unknown). */
static int dec_ppp_proto(struct itm_pkt *pkt, struct itm_cur *c, size_t declared)
{
    struct itm_cur peek = *c;
    size_t n = (itm_cur_u8(&peek) & 1u) ? 1 : 2;
    uint16_t proto;

    if (!itm_decode_need(pkt, itm_cur_left(c), declared, n, ITM_R_LINK))
        return pkt->status;
    proto = n == 1 ? itm_cur_u8(c) : itm_cur_be16(c);
    if (proto == 0x0021u)
        return itm_decode_ipv4(pkt, c);
    if (proto == 0x0057u)
        return itm_decode_ipv6(pkt, c);
    return itm_decode_stop(pkt, ITM_DEC_NON_IP, ITM_R_OTHER_L2);
}

/* Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control 0, then an ethertype. */
static int dec_chdlc(struct itm_pkt *pkt, struct itm_cur *c)
{
    if (!itm_cur_has(c, 4))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    itm_cur_skip(c, 2);
    return dec_ethertype(pkt, c, itm_cur_be16(c));
}

/* PPP with the optional RFC 1662 section 3.1 address and control bytes (ff 03), which a
 * sender may omit (address-and-control-field compression). Serial links captured as PPP
 * often carry Cisco HDLC instead: its address byte (0x0f or 0x8f) cannot start a PPP frame,
 * as protocols below 0x20 are reserved and a compressed protocol is below 0x100. */
static int dec_ppp(struct itm_pkt *pkt, struct itm_cur *c)
{
    struct itm_cur peek = *c;
    uint8_t addr = itm_cur_u8(&peek);

    if (peek.err)
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    if (addr == 0x0f || addr == 0x8f)
        return dec_chdlc(pkt, c);
    if (addr == 0xff) {
        uint8_t ctrl = itm_cur_u8(&peek);

        if (peek.err)
            return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
        /* 0xff cannot start a protocol field (it would be a reserved 1-byte value), so
         * anything but ff 03 here is malformed. */
        if (ctrl != 0x03)
            return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_LINK);
        itm_cur_skip(c, 2);
    }
    return dec_ppp_proto(pkt, c, SIZE_MAX);
}

/* RFC 2516 section 4 (session stage): version/type 0x11, code 0, session id, then the
 * length of the PPP frame that follows (protocol field included). The length bounds the
 * frame, which keeps Ethernet padding out of it. */
static int dec_pppoe(struct itm_pkt *pkt, struct itm_cur *c)
{
    uint8_t vt, code;
    uint16_t len;
    struct itm_cur ppp;
    int clamped;

    if (!itm_cur_has(c, 6))
        return itm_decode_stop(pkt, ITM_DEC_TRUNCATED, ITM_R_LINK);
    vt = itm_cur_u8(c);
    code = itm_cur_u8(c);
    itm_cur_skip(c, 2);
    len = itm_cur_be16(c);
    if (vt != 0x11 || code != 0)
        return itm_decode_stop(pkt, ITM_DEC_INVALID, ITM_R_LINK);
    if (len < itm_cur_left(c))
        pkt->anomalies |= ITM_A_ETH_PADDING;
    ppp = itm_cur_sub(c, len, &clamped);
    return dec_ppp_proto(pkt, &ppp, len);
}

/* The general decoders, for every link type, over a summary that pkt_init or pkt_clear
 * has just prepared. */
static int decode_general(struct itm_pkt *out)
{
    struct itm_cur c = itm_cur_make(out->frame, out->caplen);

    switch (out->linktype) {
    case ITM_DLT_EN10MB:
        return dec_ether(out, &c);
    case ITM_DLT_LINUX_SLL:
        return dec_sll(out, &c);
    case ITM_DLT_LINUX_SLL2:
        return dec_sll2(out, &c);
    case ITM_DLT_RAW:
    case ITM_DLT_RAW_OPENBSD:
    case ITM_LINKTYPE_RAW:
        return dec_raw(out, &c);
    case ITM_DLT_IPV4:
        return itm_decode_ipv4(out, &c);
    case ITM_DLT_IPV6:
        return itm_decode_ipv6(out, &c);
    case ITM_DLT_NULL:
        return dec_null(out, &c, 0);
    case ITM_DLT_LOOP:
        return dec_null(out, &c, 1);
    case ITM_DLT_PPP:
    case ITM_DLT_PPP_SERIAL:
        return dec_ppp(out, &c);
    case ITM_DLT_C_HDLC:
        return dec_chdlc(out, &c);
    case ITM_DLT_PPP_ETHER:
        return dec_pppoe(out, &c);
    default:
        return itm_decode_stop(out, ITM_DEC_UNSUPPORTED, ITM_R_NONE);
    }
}

/* ---- the fast path ----
 * Nearly every frame of a LAN capture is Ethernet, untagged or with a VLAN tag or two,
 * carrying a whole IPv4 datagram without options or IPv6 without extension headers, and
 * TCP, UDP or ICMP. The fast path decodes those with one length check per header and plain
 * loads, where the decoders above check every field through a cursor. It gives up (-1) at
 * the first thing it does not handle, odd or malformed alike; itm_decode then decodes the
 * frame again from the start with the general decoders, so every error, reason and rare
 * layout keeps a single implementation. What it fills must be exactly what they would fill:
 * tests/unit/test_decode_fast.c compares the two field by field. */

/* The fast path is inlined whole into both its entry points (itm_decode, itm_decode_fast):
 * a call per frame, and the registers kept across it, cost about 10 instructions. */
#if defined(__GNUC__)
#define FAST_INLINE __attribute__((always_inline)) inline
#else
#define FAST_INLINE inline
#endif

/* Where the transport header of a datagram of the fast path lies: its offset in the frame,
 * the bytes of the datagram captured from there on (padding excluded), and the bytes the
 * IP header declares from there on. */
struct fast_l4_span {
    uint32_t off;
    uint32_t wire;
    size_t have;
};

/* RFC 791 section 3.1: version 4 with IHL 5 (no options), a total length that holds the
 * header, and (section 3.2) MF clear with offset 0: a whole datagram. As in
 * itm_decode_ipv4, bytes past the total length are link padding, fewer mean the snaplen
 * cut the datagram. off is the header's offset in the frame (at most caplen). */
static FAST_INLINE int fast_ipv4(struct itm_pkt *pkt, uint32_t off, struct fast_l4_span *l4)
{
    const uint8_t *h = pkt->frame + off;
    size_t cap = pkt->caplen - off, have;
    uint16_t tot;

    if (cap < 20 || h[0] != 0x45)
        return -1;
    tot = itm_load_be16(h + 2);
    if (tot < 20 || (itm_load_be16(h + 6) & 0x3fffu) != 0)
        return -1;
    pkt->l3_off = off;
    pkt->frag_id = itm_load_be16(h + 4);
    pkt->ttl = h[8];
    pkt->proto = h[9];
    pkt->src.family = 4;
    memcpy(pkt->src.a, h + 12, 4);
    pkt->dst.family = 4;
    memcpy(pkt->dst.a, h + 16, 4);
    pkt->ip_ver = 4;
    pkt->ip_len = tot;
    have = itm_decode_trim(pkt, cap, tot);
    l4->off = off + 20;
    l4->have = have - 20;
    l4->wire = (uint32_t)tot - 20;
    return 0;
}

/* RFC 8200 section 3: the fixed header; fast_l4 turns down a next header that is not an
 * upper-layer protocol it reads, extension headers (section 4) included. Padding and cuts
 * as in itm_decode_ipv6. */
static FAST_INLINE int fast_ipv6(struct itm_pkt *pkt, uint32_t off, struct fast_l4_span *l4)
{
    const uint8_t *h = pkt->frame + off;
    size_t cap = pkt->caplen - off, have;
    uint16_t plen;

    if (cap < 40 || (h[0] >> 4) != 6)
        return -1;
    plen = itm_load_be16(h + 4);
    pkt->l3_off = off;
    pkt->proto = h[6];
    pkt->ttl = h[7];
    pkt->src.family = 6;
    memcpy(pkt->src.a, h + 8, 16);
    pkt->dst.family = 6;
    memcpy(pkt->dst.a, h + 24, 16);
    pkt->ip_ver = 6;
    pkt->ip_len = 40u + plen;
    have = itm_decode_trim(pkt, cap - 40, plen);
    l4->off = off + 40;
    l4->have = have;
    l4->wire = plen;
    return 0;
}

/* The transport header, as dec_tcp, dec_udp and dec_icmp read it: RFC 9293 section 3.1
 * (the data offset bounds the header), RFC 768 (the length counts the 8-byte header and
 * bounds the payload; a datagram of the fast path is never a fragment), RFC 792 and RFC
 * 4443 section 2.1 (8 bytes; the echo identifier stands in for both ports). */
static FAST_INLINE int fast_l4(struct itm_pkt *pkt, const struct fast_l4_span *l4)
{
    const uint8_t *h = pkt->frame + l4->off;
    size_t have = l4->have, hlen = 8;
    uint32_t wire = l4->wire;

    pkt->l4_off = l4->off;
    switch (pkt->proto) {
    case 6:
        if (have < 20)
            return -1;
        hlen = (size_t)(h[12] >> 4) * 4;
        if (hlen < 20 || have < hlen)
            return -1;
        pkt->sport = itm_load_be16(h);
        pkt->dport = itm_load_be16(h + 2);
        pkt->tcp_seq = itm_load_be32(h + 4);
        pkt->tcp_ack = itm_load_be32(h + 8);
        pkt->tcp_flags = h[13];
        break;
    case 17: {
        uint16_t ulen;

        if (have < 8)
            return -1;
        ulen = itm_load_be16(h + 4);
        if (ulen < 8 || ulen > wire)
            return -1;
        wire = ulen;
        if (have > ulen)
            have = ulen;
        pkt->sport = itm_load_be16(h);
        pkt->dport = itm_load_be16(h + 2);
        break;
    }
    case 1:
    case 58: {
        uint8_t echo_req = pkt->proto == 1 ? 8 : 128, echo_rep = pkt->proto == 1 ? 0 : 129;

        if (have < 8)
            return -1;
        pkt->icmp_type = h[0];
        pkt->icmp_code = h[1];
        if (h[0] == echo_req || h[0] == echo_rep) {
            pkt->sport = itm_load_be16(h + 4);
            pkt->dport = pkt->sport;
        }
        break;
    }
    default:
        return -1;
    }
    pkt->has_l4 = 1;
    pkt->payload_off = l4->off + (uint32_t)hlen;
    pkt->payload_len = (uint32_t)(have - hlen);
    pkt->payload_wire_len = wire - (uint32_t)hlen;
    return ITM_DEC_OK;
}

/* Ethernet as dec_ether and dec_vlans read it (IEEE 802.3 clause 3.2, 802.1Q clause 9.6),
 * with at most the ITM_MAX_VLAN tags that the summary keeps, then IPv4 or IPv6 and the
 * transport header. */
static FAST_INLINE int fast_ether(struct itm_pkt *pkt)
{
    const uint8_t *f = pkt->frame;
    struct fast_l4_span l4;
    uint32_t off = 14;
    uint16_t type;
    int rc;

    if (pkt->caplen < 14)
        return -1;
    memcpy(pkt->mac_dst, f, 6);
    memcpy(pkt->mac_src, f + 6, 6);
    pkt->has_mac = 1;
    type = itm_load_be16(f + 12);
    while (type != ITM_ETH_IPV4 && is_tpid(type)) {
        if (pkt->nvlan == ITM_MAX_VLAN || pkt->caplen - off < 4)
            return -1;
        pkt->vlan[pkt->nvlan++] = itm_load_be16(f + off) & 0x0fffu;
        type = itm_load_be16(f + off + 2);
        off += 4;
    }
    pkt->ethertype = type;
    if (type == ITM_ETH_IPV4)
        rc = fast_ipv4(pkt, off, &l4);
    else if (type == ITM_ETH_IPV6)
        rc = fast_ipv6(pkt, off, &l4);
    else
        return -1;
    if (rc < 0)
        return -1;
    return fast_l4(pkt, &l4);
}

int itm_decode_fast(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                    uint64_t ts_ns, struct itm_pkt *out)
{
    if (linktype != ITM_DLT_EN10MB)
        return -1;
    pkt_init(out, linktype, frame, caplen, wirelen, ts_ns);
    return fast_ether(out);
}

int itm_decode_slow(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                    uint64_t ts_ns, struct itm_pkt *out)
{
    pkt_init(out, linktype, frame, caplen, wirelen, ts_ns);
    return decode_general(out);
}

int itm_decode(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
               uint64_t ts_ns, struct itm_pkt *out)
{
    pkt_init(out, linktype, frame, caplen, wirelen, ts_ns);
    if (linktype == ITM_DLT_EN10MB) {
        if (fast_ether(out) == ITM_DEC_OK)
            return ITM_DEC_OK;
        pkt_clear(out); /* what the fast path wrote before it gave up */
    }
    return decode_general(out);
}

int itm_decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case ITM_DLT_EN10MB:
    case ITM_DLT_LINUX_SLL:
    case ITM_DLT_LINUX_SLL2:
    case ITM_DLT_RAW:
    case ITM_DLT_RAW_OPENBSD:
    case ITM_LINKTYPE_RAW:
    case ITM_DLT_IPV4:
    case ITM_DLT_IPV6:
    case ITM_DLT_NULL:
    case ITM_DLT_LOOP:
    case ITM_DLT_PPP:
    case ITM_DLT_PPP_SERIAL:
    case ITM_DLT_C_HDLC:
    case ITM_DLT_PPP_ETHER:
        return 1;
    default:
        return 0;
    }
}

const char *itm_linktype_name(int linktype, char *buf, unsigned len)
{
    const char *name = pcap_datalink_val_to_name(linktype);

    if (name)
        return name;
    if (!buf || len == 0)
        return "unknown";
    snprintf(buf, len, "DLT_%d", linktype);
    return buf;
}

static const char *const status_names[ITM_DEC_STATUS_COUNT] = {
    [ITM_DEC_OK] = "ok",
    [ITM_DEC_NON_IP] = "non_ip",
    [ITM_DEC_TRUNCATED] = "truncated",
    [ITM_DEC_INVALID] = "invalid",
    [ITM_DEC_UNSUPPORTED] = "unsupported",
};

static const char *const reason_names[ITM_R_COUNT] = {
    [ITM_R_NONE] = "none",
    [ITM_R_LINK] = "link",
    [ITM_R_VLAN] = "vlan",
    [ITM_R_LLC] = "llc",
    [ITM_R_VLAN_DEPTH] = "vlan_depth",
    [ITM_R_IPV4] = "ipv4",
    [ITM_R_IPV4_OPT] = "ipv4_options",
    [ITM_R_IPV6] = "ipv6",
    [ITM_R_IPV6_EXT] = "ipv6_ext",
    [ITM_R_IP_VERSION] = "ip_version",
    [ITM_R_FRAG] = "fragment",
    [ITM_R_TCP] = "tcp",
    [ITM_R_UDP] = "udp",
    [ITM_R_ICMP] = "icmp",
    [ITM_R_IGMP] = "igmp",
    [ITM_R_ARP] = "arp",
    [ITM_R_OTHER_L2] = "other_l2",
};

const char *itm_decode_status_name(enum itm_decode_status s)
{
    return (unsigned)s < ITM_DEC_STATUS_COUNT ? status_names[s] : "unknown";
}

const char *itm_decode_reason_name(enum itm_decode_reason r)
{
    return (unsigned)r < ITM_R_COUNT ? reason_names[r] : "unknown";
}
