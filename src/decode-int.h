/* decode-int.h: helpers shared by the decode-*.c files (link, IPv4, IPv6, L4). Private to
 * the decoder: nothing here allocates, keeps state, or reads a packet byte except through
 * a bounds-checked cursor. */
#ifndef ITMSCOPE_DECODE_INT_H
#define ITMSCOPE_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "itmscope/decode.h"

/* Link types by number: DLT_RAW differs between platforms, so the values a capture may
 * carry are named here rather than taken from <pcap/dlt.h>. */
#define ITM_DLT_NULL 0
#define ITM_DLT_EN10MB 1
#define ITM_DLT_PPP 9
#define ITM_DLT_RAW 12
#define ITM_DLT_RAW_OPENBSD 14
#define ITM_DLT_PPP_SERIAL 50
#define ITM_DLT_PPP_ETHER 51
#define ITM_LINKTYPE_RAW 101
#define ITM_DLT_C_HDLC 104
#define ITM_DLT_LOOP 108
#define ITM_DLT_LINUX_SLL 113
#define ITM_DLT_IPV4 228
#define ITM_DLT_IPV6 229
#define ITM_DLT_LINUX_SLL2 276

#define ITM_ETH_IPV4 0x0800u
#define ITM_ETH_ARP 0x0806u
#define ITM_ETH_IPV6 0x86ddu
#define ITM_ETH_PPPOE_SESS 0x8864u

/* Stacked tags beyond any real provider network (QinQ uses two); a deeper stack is a crafted
 * frame, and stopping bounds the work per packet. */
#define ITM_DEC_MAX_VLAN_TAGS 8
/* RFC 8200 allows each extension header once (destination options twice); 16 leaves room
 * for odd but legal chains while bounding the walk. */
#define ITM_DEC_MAX_V6_EXT 16

static inline int itm_decode_stop(struct itm_pkt *pkt, enum itm_decode_status s,
                                  enum itm_decode_reason r)
{
    pkt->status = (uint8_t)s;
    pkt->reason = (uint8_t)r;
    return (int)s;
}

/* A header needs n bytes. declared is what the enclosing header says it holds and have what
 * was captured of it (have <= declared): a header that cannot fit in its container is
 * INVALID, one that fits but was cut by the snaplen is TRUNCATED. Returns 1 when the bytes
 * are there, else 0 with status and reason set. */
static inline int itm_decode_need(struct itm_pkt *pkt, size_t have, size_t declared, size_t n,
                                  enum itm_decode_reason r)
{
    if (have >= n)
        return 1;
    itm_decode_stop(pkt, declared < n ? ITM_DEC_INVALID : ITM_DEC_TRUNCATED, r);
    return 0;
}

/* The captured bytes of an IP payload (or datagram) of which cap were captured and declared
 * declared: bytes past the declared length are link padding (Ethernet pads frames to 60
 * bytes) and must not reach the next decoder; fewer than declared means the snaplen cut it.
 * Both are noted in the anomalies. */
static inline size_t itm_decode_trim(struct itm_pkt *pkt, size_t cap, size_t declared)
{
    if (declared < cap) {
        pkt->anomalies |= ITM_A_ETH_PADDING;
        return declared;
    }
    if (declared > cap)
        pkt->anomalies |= ITM_A_PAYLOAD_CUT;
    return cap;
}

static inline uint32_t itm_decode_off(const struct itm_pkt *pkt, const struct itm_cur *c)
{
    return (uint32_t)(c->p - pkt->frame);
}

/* The name of the first field in which two summaries differ, or NULL: compared field by
 * field (the struct has padding). How the tests and the decode fuzzer hold the fast path to
 * the general decoders; one list, so that a field added to struct itm_pkt is added to both. */
#define ITM_PKT_DIFF(field)                                                                \
    do {                                                                                   \
        if (memcmp(&a->field, &b->field, sizeof(a->field)) != 0)                           \
            return #field;                                                                 \
    } while (0)
static inline const char *itm_pkt_diff(const struct itm_pkt *a, const struct itm_pkt *b)
{
    ITM_PKT_DIFF(ts_ns); ITM_PKT_DIFF(frame); ITM_PKT_DIFF(caplen); ITM_PKT_DIFF(wirelen);
    ITM_PKT_DIFF(linktype); ITM_PKT_DIFF(status); ITM_PKT_DIFF(reason); ITM_PKT_DIFF(nvlan);
    ITM_PKT_DIFF(has_mac); ITM_PKT_DIFF(vlan); ITM_PKT_DIFF(ethertype); ITM_PKT_DIFF(mac_src);
    ITM_PKT_DIFF(mac_dst); ITM_PKT_DIFF(anomalies); ITM_PKT_DIFF(ip_ver); ITM_PKT_DIFF(proto);
    ITM_PKT_DIFF(ttl); ITM_PKT_DIFF(is_frag); ITM_PKT_DIFF(frag_more); ITM_PKT_DIFF(frag_off);
    ITM_PKT_DIFF(frag_id); ITM_PKT_DIFF(src.family); ITM_PKT_DIFF(src.a);
    ITM_PKT_DIFF(dst.family); ITM_PKT_DIFF(dst.a); ITM_PKT_DIFF(l3_off); ITM_PKT_DIFF(ip_len);
    ITM_PKT_DIFF(has_l4); ITM_PKT_DIFF(tcp_flags); ITM_PKT_DIFF(icmp_type);
    ITM_PKT_DIFF(icmp_code); ITM_PKT_DIFF(sport); ITM_PKT_DIFF(dport); ITM_PKT_DIFF(tcp_seq);
    ITM_PKT_DIFF(tcp_ack); ITM_PKT_DIFF(igmp_type); ITM_PKT_DIFF(igmp_group.family);
    ITM_PKT_DIFF(igmp_group.a); ITM_PKT_DIFF(l4_off); ITM_PKT_DIFF(payload_off);
    ITM_PKT_DIFF(payload_len); ITM_PKT_DIFF(payload_wire_len);
    return NULL;
}
#undef ITM_PKT_DIFF

/* Network-layer decoders. c covers the captured bytes from the IP header to the end of the
 * frame. Return the final status (also stored in pkt). */
int itm_decode_ipv4(struct itm_pkt *pkt, struct itm_cur *c);
int itm_decode_ipv6(struct itm_pkt *pkt, struct itm_cur *c);

/* Decodes the upper-layer header pkt->proto. c covers the captured part of the IP payload
 * (never beyond what the IP header declares); wire is the declared IP payload length.
 * Non-first fragments must not come here. */
int itm_decode_l4(struct itm_pkt *pkt, struct itm_cur *c, uint32_t wire);

/* For IP payloads with no L4 header to read (non-first fragments, ESP, tunnels, unknown
 * protocols): the payload is the whole rest of the datagram. Always returns ITM_DEC_OK. */
int itm_decode_l4_opaque(struct itm_pkt *pkt, const struct itm_cur *c, uint32_t wire);

/* The two halves of itm_decode(), apart for the tests that prove them equal. The fast path
 * handles the common frames (Ethernet, IPv4 without options or IPv6 without extension
 * headers, whole datagrams, TCP, UDP or ICMP) and returns -1, leaving out undefined, for
 * any other; the slow path decodes every frame with the general decoders. Both return and
 * fill exactly what itm_decode() would. */
int itm_decode_fast(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                    uint64_t ts_ns, struct itm_pkt *out);
int itm_decode_slow(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                    uint64_t ts_ns, struct itm_pkt *out);

#endif
