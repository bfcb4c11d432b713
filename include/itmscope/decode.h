/* decode.h: the packet decoder. itm_decode() is a pure function: it reads the frame through
 * bounds-checked cursors and fills a flat summary. It never allocates, never keeps state,
 * never touches flows, and never reads past caplen. */
#ifndef ITMSCOPE_DECODE_H
#define ITMSCOPE_DECODE_H

#include <stdint.h>

#include "itmscope/common.h"

/* How far a frame decoded. Each non-OK outcome is counted by reason, never printed. */
enum itm_decode_status {
    ITM_DEC_OK = 0,        /* IP header and (unless a non-first fragment) L4 header decoded */
    ITM_DEC_NON_IP,        /* a valid frame that carries no IP (ARP, LLDP, STP, ...) */
    ITM_DEC_TRUNCATED,     /* a header declares more bytes than were captured (snaplen) */
    ITM_DEC_INVALID,       /* a header contradicts itself (ihl < 5, tcp doff < 5, ...) */
    ITM_DEC_UNSUPPORTED,   /* link type not supported */
    ITM_DEC_STATUS_COUNT
};

/* Which header stopped the decoder (for TRUNCATED and INVALID), or what NON_IP carried. */
enum itm_decode_reason {
    ITM_R_NONE = 0,
    ITM_R_LINK,        /* link-layer header (Ethernet, SLL, SLL2, NULL, PPP, HDLC) */
    ITM_R_VLAN,        /* 802.1Q / QinQ tag */
    ITM_R_LLC,         /* 802.2 LLC / SNAP */
    ITM_R_VLAN_DEPTH,  /* more VLAN tags than supported */
    ITM_R_IPV4,        /* IPv4 header (short, ihl < 5, total length < ihl*4) */
    ITM_R_IPV4_OPT,    /* IPv4 option list malformed */
    ITM_R_IPV6,        /* IPv6 fixed header */
    ITM_R_IPV6_EXT,    /* IPv6 extension header */
    ITM_R_IP_VERSION,  /* version nibble does not match the link's claim */
    ITM_R_FRAG,        /* fragment offset + length beyond 65535 */
    ITM_R_TCP,         /* TCP header (short, doff < 5) */
    ITM_R_UDP,         /* UDP header (short, length < 8 or beyond the IP payload) */
    ITM_R_ICMP,        /* ICMP / ICMPv6 header */
    ITM_R_IGMP,        /* IGMP message */
    ITM_R_ARP,         /* NON_IP: ARP */
    ITM_R_OTHER_L2,    /* NON_IP: any other ethertype / LLC payload */
    ITM_R_COUNT
};

/* Anomaly bits: facts about a frame that decoded, worth counting. */
enum itm_anomaly {
    ITM_A_ETH_PADDING = 1u << 0,   /* bytes after the IP datagram (trimmed, never parsed) */
    ITM_A_IPV4_OPTIONS = 1u << 1,
    ITM_A_IPV6_EXT = 1u << 2,
    ITM_A_TUNNEL = 1u << 3,        /* IP-in-IP, GRE, ...: only the outer header is tracked */
    ITM_A_PAYLOAD_CUT = 1u << 4,   /* L4 payload shorter than declared (snaplen) */
};

#define ITM_MAX_VLAN 2

/* A flat summary of one frame. Pointers refer into the caller's frame buffer. */
struct itm_pkt {
    uint64_t ts_ns;          /* packet timestamp, nanoseconds since the epoch */
    const uint8_t *frame;
    uint32_t caplen, wirelen;
    int linktype;            /* DLT_* value as libpcap reports it */
    uint8_t status;          /* enum itm_decode_status */
    uint8_t reason;          /* enum itm_decode_reason */
    uint8_t nvlan;           /* VLAN tags seen (outer first), up to ITM_MAX_VLAN kept */
    uint8_t has_mac;
    uint16_t vlan[ITM_MAX_VLAN];
    uint16_t ethertype;      /* the last ethertype (0x0800, 0x86dd, ...), 0 when none */
    uint8_t mac_src[6], mac_dst[6];
    uint32_t anomalies;      /* enum itm_anomaly bits */

    /* network layer, valid when ip_ver != 0 */
    uint8_t ip_ver;          /* 0 (none), 4 or 6 */
    uint8_t proto;           /* upper protocol after IPv6 extension headers */
    uint8_t ttl;             /* TTL / hop limit */
    uint8_t is_frag;         /* part of a fragmented datagram */
    uint8_t frag_more;       /* MF set */
    uint16_t frag_off;       /* fragment offset in bytes */
    uint32_t frag_id;        /* IPv4 id or IPv6 fragment identification */
    struct itm_ip src, dst;
    uint32_t l3_off;         /* offset of the IP header in the frame */
    uint32_t ip_len;         /* datagram length the IP header declares (v6: 40 + payload len) */

    /* transport layer, valid when has_l4 */
    uint8_t has_l4;
    uint8_t tcp_flags;       /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ... */
    uint8_t icmp_type, icmp_code;
    uint16_t sport, dport;   /* TCP/UDP ports; ICMP echo: the echo id in both; else 0 */
    uint32_t tcp_seq, tcp_ack;
    uint8_t igmp_type;       /* IGMP message type (0x16 v2 report, 0x17 leave, 0x22 v3) */
    struct itm_ip igmp_group;/* group joined/left (v3: first group record), family 0 if none */
    uint32_t l4_off;         /* offset of the L4 header in the frame */
    uint32_t payload_off;    /* offset of the L4 payload in the frame */
    uint32_t payload_len;    /* payload bytes captured (<= caplen - payload_off) */
    uint32_t payload_wire_len; /* payload bytes the headers declare */
};

#define ITM_TCP_FIN 0x01u
#define ITM_TCP_SYN 0x02u
#define ITM_TCP_RST 0x04u
#define ITM_TCP_PSH 0x08u
#define ITM_TCP_ACK 0x10u
#define ITM_TCP_URG 0x20u

/* Decodes one frame of the given link type. Always fills out->status and out->reason and
 * returns out->status. Whatever decoded before a failure stays filled in (a TRUNCATED TCP
 * header still has its IP addresses). */
int itm_decode(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
               uint64_t ts_ns, struct itm_pkt *out);

/* 1 when itm_decode() handles this DLT, else 0. */
int itm_decode_linktype_supported(int linktype);
/* "EN10MB", "LINUX_SLL", ... (libpcap's name when known) or "DLT_<n>" into buf. */
const char *itm_linktype_name(int linktype, char *buf, unsigned len);

const char *itm_decode_status_name(enum itm_decode_status s); /* "ok", "non_ip", ... */
const char *itm_decode_reason_name(enum itm_decode_reason r); /* "link", "vlan", ... */

#endif
