/* gen.h: shared declarations of itms-gen: hosts, the libnet frame emitter, TCP/UDP
 * conversation helpers, payload builders, the truth table and the scenarios.
 * The generator must never link libitmscope: it produces the traffic that checks it. */
#ifndef ITMS_GEN_H
#define ITMS_GEN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libnet.h>
#include <pcap/pcap.h>

/* Role names as site files and the truth table spell them. */
enum gen_role {
    GR_NS, GR_TS, GR_PS, GR_GW, GR_DEPLOY, GR_EC, GR_SQL, GR_DC, GR_MAIL, GR_MON, GR_WF,
    GR_NETDEV, GR_AGENT, GR_ULM, GR_CONSOLE, GR_SIM, GR_DNS, GR_FILE, GR_WINS, GR_VENDOR,
    GR_DATA, GR_MANAGED, GR_MDM, GR_PXE, GR_COUNT
};
/* The scan_ports threshold written into the site files: the probe that reaches it is the
 * one a correct classifier flags. */
#define GEN_SCAN_PORTS 16

#define GR_BIT(r) (UINT32_C(1) << (r))
const char *gen_role_name(unsigned role);

/* Findings a scenario plants, one bit each, in the order of gen_flag_name(). */
enum gen_flag {
    GF_UNEXPECTED_PORT = 1u << 0,
    GF_ROLE_MISMATCH = 1u << 1,
    GF_LATERAL = 1u << 2,
    GF_SCAN = 1u << 3,
    GF_WRONG_GROUP = 1u << 4,
    GF_EXTERNAL = 1u << 5,
    GF_NONSTANDARD = 1u << 6,
    GF_CLEARTEXT = 1u << 7,
    GF_PAYLOAD_MISMATCH = 1u << 8,
    GF_ROLE_CONTRADICTION = 1u << 9,
    GF_COUNT_BITS = 10
};
const char *gen_flag_name(unsigned bit_index);

struct gen_addr {
    uint8_t fam; /* 4 or 6 */
    uint8_t a[16];
};

/* One address on the wire. A dual-stacked machine is two hosts sharing a MAC. */
struct gen_host {
    struct gen_addr ip;
    uint8_t mac[6];
    uint8_t ttl;
    uint8_t remote;     /* outside the site's networks: frames pass the router */
    uint8_t unixlike;   /* Linux/Unix stack: its port range and window */
    uint8_t nvlan;      /* tags on the capture link; two means QinQ (outer 0x88a8) */
    uint16_t vlan[2];   /* outer first */
    uint32_t roles;
};

/* First octet of generated MACs: locally administered, unicast, and (unlike 02:xx) not
 * read by dissectors as a Microsoft NLB address. */
#define GEN_MAC_LOCAL 0x0a

/* Initialises a host from an address literal. Frames to or from addresses outside the
 * documentation/private ranges use the router's MAC, as they would on a real segment. */
int gen_host_init(struct gen_host *h, const char *addr, uint32_t roles);
void gen_host_vlan(struct gen_host *h, uint16_t outer, uint16_t inner);
int gen_addr_parse(const char *s, struct gen_addr *out);
void gen_addr_format(const struct gen_addr *a, char *buf, size_t len);

/* One line of the truth table. */
struct gen_flow {
    uint8_t proto; /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6, _IGMP */
    uint8_t nvlan;
    uint16_t vlan[2];
    uint16_t cport, sport;
    struct gen_addr c, s;
    uint32_t croles, sroles;
    uint32_t flags;
    const char *rule; /* static string or NULL */
    const char *alt;  /* other rule ids the same traffic fits, "a,b"; static or NULL */
    char *note;       /* heap or NULL */
    uint64_t pkts;
};
#define GEN_NOFLOW SIZE_MAX

/* Generator state. Time is simulated: it starts at a fixed epoch and only moves forward
 * by the gaps the scenarios draw from the seeded PRNG. */
struct gen {
    libnet_t *ln;            /* builder only (LIBNET_NONE): never touches a device */
    libnet_t *inj;           /* injector on -i IFACE, else NULL */
    pcap_t *dead;
    pcap_dumper_t *dump;
    uint64_t rng;
    uint64_t now_ns;
    int record;              /* keep a truth table */
    struct gen_flow *flows;
    size_t nflows, capflows;
    uint64_t frames, bytes;
    uint64_t rate_pps;
    uint64_t pace_t0_ns;
    uint8_t router_mac[6];
    int failed;
    char err[256];
    /* bench sizing */
    uint64_t want_packets, want_flows, want_concurrent;
};

#define GEN_EPOCH_S UINT64_C(1767603600) /* 2026-01-05T09:00:00Z */
#define GEN_MS UINT64_C(1000000)
#define GEN_US UINT64_C(1000)

/* PRNG (splitmix64) and clock. */
uint64_t gen_rand(struct gen *g);
uint32_t gen_range(struct gen *g, uint32_t lo, uint32_t hi); /* inclusive */
void gen_wait(struct gen *g, uint64_t lo_ns, uint64_t hi_ns);
void gen_fail(struct gen *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Truth table. */
size_t gen_flow_new(struct gen *g, uint8_t proto, const struct gen_host *c, uint16_t cport,
                    const struct gen_host *s, uint16_t sport, const char *rule,
                    const char *alt, uint32_t flags);
void gen_flow_note(struct gen *g, size_t fid, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int gen_truth_write(const struct gen *g, const char *path);
void gen_flows_free(struct gen *g);

/* IPv6 extension headers an emitted frame carries. */
enum gen_ext { GEN_X_HBH = 1u << 0, GEN_X_DST = 1u << 1, GEN_X_FRAG = 1u << 2 };

/* One frame to emit. ICMP echo: sport is the id, dport the sequence number. */
struct gen_pkt {
    const struct gen_host *src, *dst;
    uint8_t proto;
    uint8_t tcp_flags;
    uint8_t icmp_type;   /* ICMP/ICMPv6 type, IGMP message type */
    uint8_t syn_opts;    /* TCP MSS/WS/SACK options (SYN and SYN-ACK) */
    uint8_t ext;         /* enum gen_ext, IPv6 only */
    uint16_t sport, dport;
    uint16_t win;
    uint32_t seq, ack;
    const uint8_t *data;
    size_t len;
    uint32_t snap;       /* captured bytes of the frame, 0 for all of it */
};

#define GEN_FRAME_MAX 9000

/* Coalesces the pblocks built so far in g->ln into out, then clears the context. */
int gen_libnet_bytes(struct gen *g, uint8_t *out, size_t cap, size_t *len);
int gen_frame_build(struct gen *g, const struct gen_pkt *p, uint8_t *out, size_t cap,
                    size_t *len);
void gen_emit(struct gen *g, size_t fid, const struct gen_pkt *p);
/* Sends the datagram as IP fragments of at most fragsz payload bytes (multiple of 8),
 * in the given order of fragment indexes (NULL: in order). */
void gen_emit_frags(struct gen *g, size_t fid, const struct gen_pkt *p, size_t fragsz,
                    const unsigned *order, unsigned norder);
/* Writes a finished frame (pcap and/or interface) at the current time. */
void gen_write(struct gen *g, const uint8_t *frame, uint32_t caplen, uint32_t wirelen);

/* A TCP conversation with correct sequence numbers and acknowledgements. */
struct gen_tcp {
    struct gen *g;
    size_t fid;
    const struct gen_host *h[2]; /* client, server */
    uint16_t port[2];
    uint32_t nxt[2];             /* next sequence number each side sends */
    uint16_t win[2];
    uint8_t owe[2];              /* this side has unacknowledged data to ACK */
    uint64_t rtt_ns;
    uint16_t mss;
    uint8_t ext;                 /* IPv6 extension headers on every segment */
    uint32_t snap;               /* captured bytes per frame, 0 for all */
};
enum { GEN_C2S = 0, GEN_S2C = 1 };

void gen_tcp_init(struct gen_tcp *t, struct gen *g, size_t fid, const struct gen_host *c,
                  uint16_t cport, const struct gen_host *s, uint16_t sport);
void gen_tcp_open(struct gen_tcp *t);                /* SYN, SYN-ACK, ACK */
void gen_tcp_send(struct gen_tcp *t, int dir, const uint8_t *data, size_t len);
void gen_tcp_close(struct gen_tcp *t, int dir);      /* FIN exchange started by dir */
void gen_tcp_seg(struct gen_tcp *t, int dir, uint8_t flags, const uint8_t *data, size_t len,
                 uint32_t snap);

/* Ephemeral source ports as Windows and Linux pick them. */
uint16_t gen_eport_win(struct gen *g);
uint16_t gen_eport_linux(struct gen *g);
uint16_t gen_eport(struct gen *g, const struct gen_host *h);

/* A conversation's endpoints and what the truth table says about it. */
struct gen_conv {
    const struct gen_host *c, *s;
    uint16_t cport;   /* 0: an ephemeral port of the client's OS */
    uint16_t port;    /* the server's port */
    const char *rule; /* rule id the flow must be labelled with, or NULL */
    const char *alt;  /* other ids the same traffic fits, "a,b", or NULL */
    uint32_t flags;   /* enum gen_flag planted */
    const char *note;
};
struct gen_conv gen_cv(const struct gen_host *c, const struct gen_host *s, uint16_t port,
                       const char *rule, const char *alt);

/* Whole conversations after an idle gap. Each returns the flow id. */
size_t gen_tcp_conv(struct gen *g, const struct gen_conv *cv, const void *req, size_t reqlen,
                    const void *resp, size_t resplen);
size_t gen_udp_conv(struct gen *g, const struct gen_conv *cv, const void *req, size_t reqlen,
                    const void *resp, size_t resplen);
size_t gen_ping(struct gen *g, const struct gen_host *c, const struct gen_host *s,
                const char *rule, unsigned count);
/* HTTP request (with an XML body of reqbody bytes when reqbody > 0) and a 200 reply. */
size_t gen_http(struct gen *g, const struct gen_conv *cv, const char *method, const char *path,
                const char *host, const char *ua, size_t reqbody, size_t respbody);
/* TLS 1.2 handshake with SNI, then up/down bytes of application data. */
size_t gen_tls(struct gen *g, const struct gen_conv *cv, const char *sni, size_t up,
               size_t down);
/* An opaque proprietary ITMS message and an optional reply (see pl_itms_msg). */
size_t gen_msg(struct gen *g, const struct gen_conv *cv, const char *kind, size_t up,
               size_t down);
size_t gen_udp_msg(struct gen *g, const struct gen_conv *cv, const char *kind, size_t up,
                   size_t down);
/* SMB2 NEGOTIATE over direct TCP, request and response. */
size_t gen_smb(struct gen *g, const struct gen_conv *cv);

/* Payload builders write into buf (cap bytes) and return the length used. */
struct gbuf {
    uint8_t *p;
    size_t len, cap;
};
void gb_u8(struct gbuf *b, uint8_t v);
void gb_be16(struct gbuf *b, uint16_t v);
void gb_be32(struct gbuf *b, uint32_t v);
void gb_le16(struct gbuf *b, uint16_t v);
void gb_le32(struct gbuf *b, uint32_t v);
void gb_put(struct gbuf *b, const void *v, size_t n);
void gb_str(struct gbuf *b, const char *s);
void gb_fill(struct gbuf *b, struct gen *g, size_t n); /* pseudo-random bytes */

size_t pl_http_req(char *buf, size_t cap, const char *method, const char *path,
                   const char *host, const char *agent, size_t body);
size_t pl_http_resp(char *buf, size_t cap, const char *ctype, size_t body);
size_t pl_tls_client_hello(struct gen *g, uint8_t *buf, size_t cap, const char *sni);
size_t pl_tls_server_hello(struct gen *g, uint8_t *buf, size_t cap);
size_t pl_tls_finish(struct gen *g, uint8_t *buf, size_t cap, int client);
size_t pl_tls_appdata(struct gen *g, uint8_t *buf, size_t cap, size_t n);
size_t pl_smb2_negotiate(struct gen *g, uint8_t *buf, size_t cap, int response);
size_t pl_nbss_request(uint8_t *buf, size_t cap, const char *called, const char *calling);
size_t pl_nbss_positive(uint8_t *buf, size_t cap);
size_t pl_nbns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, int nbstat);
size_t pl_nbns_answer(uint8_t *buf, size_t cap, uint16_t id, const char *name, int nbstat,
                      const uint8_t *ip, const uint8_t *mac);
size_t pl_nbdgm_netlogon(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *src_ip,
                         const char *src, const char *dst);
size_t pl_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id, int ack);
size_t pl_tds_prelogin(uint8_t *buf, size_t cap, int response);
size_t pl_ssrp(uint8_t *buf, size_t cap, int response, const char *server);
size_t pl_ldap_bind(uint8_t *buf, size_t cap, int msgid, const char *dn, int response);
size_t pl_ldap_search(uint8_t *buf, size_t cap, int msgid, int done);
size_t pl_dns(struct gen *g, uint8_t *buf, size_t cap, uint16_t id, const char *name,
              const uint8_t *answer_v4, int tcp);
struct gen_dhcp {
    uint8_t msgtype; /* 1 DISCOVER, 2 OFFER, 3 REQUEST, 5 ACK */
    uint8_t proxy;   /* the proxyDHCP exchange on port 4011 */
    uint32_t xid;
    const uint8_t *mac;
    uint8_t ciaddr[4], yiaddr[4], siaddr[4];
    const char *bootfile;
};
size_t pl_dhcp(struct gen *g, uint8_t *buf, size_t cap, const struct gen_dhcp *d);
size_t pl_tftp_rrq(uint8_t *buf, size_t cap, const char *file);
size_t pl_tftp_data(struct gen *g, uint8_t *buf, size_t cap, uint16_t block, size_t n);
size_t pl_tftp_ack(uint8_t *buf, size_t cap, uint16_t block);
size_t pl_snmp(uint8_t *buf, size_t cap, uint8_t pdu, uint32_t reqid, const char *community,
               const char *value);
size_t pl_wol(uint8_t *buf, size_t cap, const uint8_t *mac);
size_t pl_ssh_banner(char *buf, size_t cap, const char *soft);
size_t pl_ssh_kexinit(struct gen *g, uint8_t *buf, size_t cap);
size_t pl_ssh_kex(struct gen *g, uint8_t *buf, size_t cap, int server);
size_t pl_ssh_newkeys(struct gen *g, uint8_t *buf, size_t cap);
size_t pl_itms_msg(struct gen *g, uint8_t *buf, size_t cap, const char *kind, size_t extra);
size_t pl_rmcp_ping(uint8_t *buf, size_t cap, int pong);
size_t pl_pgsql_startup(uint8_t *buf, size_t cap, int response);

/* Scenarios. Each writes its site file when site_out is not NULL. Return 0 or -1. */
int gen_scenario_site(struct gen *g, FILE *site_out);
int gen_scenario_attacks(struct gen *g, FILE *site_out);
int gen_scenario_edge(struct gen *g, FILE *site_out);
int gen_scenario_bench(struct gen *g, FILE *site_out);

#endif
