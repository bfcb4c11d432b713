/* gen-emit.c: itms-gen's hosts, seeded PRNG and simulated clock, libnet frame building
 * (Ethernet, 802.1Q/QinQ, IPv4, IPv6 extension headers, TCP, UDP, ICMP, IGMP, fragments)
 * and the pcap/interface writer. Never a wall-clock timestamp, never a device of its own. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "gen.h"

static const char *const role_names[GR_COUNT] = {
    "notification-server", "task-server",   "package-server", "internet-gateway",
    "deployment-server",   "event-console", "sql-server",     "domain-controller",
    "mail-server",         "monitor-server", "workflow-server", "network-device",
    "agent",               "ulm-agent",     "console",        "sim-host",
    "dns-server",          "file-server",   "wins-server",    "vendor-site",
    "data-source",         "managed-device", "mdm-server",    "pxe-client",
};

static const char *const flag_names[GF_COUNT_BITS] = {
    "unexpected_port", "role_mismatch", "lateral_movement", "scan",
    "wrong_multicast_group", "external", "nonstandard_port", "cleartext",
    "payload_mismatch", "role_contradiction",
};

const char *gen_role_name(unsigned role)
{
    return role < GR_COUNT ? role_names[role] : NULL;
}

const char *gen_flag_name(unsigned bit_index)
{
    return bit_index < GF_COUNT_BITS ? flag_names[bit_index] : NULL;
}

uint64_t gen_rand(struct gen *g)
{
    uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint32_t gen_range(struct gen *g, uint32_t lo, uint32_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (uint32_t)(gen_rand(g) % ((uint64_t)hi - lo + 1));
}

void gen_wait(struct gen *g, uint64_t lo_ns, uint64_t hi_ns)
{
    uint64_t d = lo_ns;
    if (hi_ns > lo_ns)
        d += gen_rand(g) % (hi_ns - lo_ns + 1);
    g->now_ns += d;
}

void gen_fail(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    if (g->failed)
        return;
    g->failed = 1;
    va_start(ap, fmt);
    vsnprintf(g->err, sizeof(g->err), fmt, ap);
    va_end(ap);
}

int gen_addr_parse(const char *s, struct gen_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->fam = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->a) == 1) {
        out->fam = 6;
        return 0;
    }
    return -1;
}

void gen_addr_format(const struct gen_addr *a, char *buf, size_t len)
{
    if (!inet_ntop(a->fam == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

/* The networks the generated sites call their own; everything else is "the Internet"
 * and is reached through the router. */
static int addr_is_local(const struct gen_addr *a)
{
    if (a->fam == 4)
        return a->a[0] == 10 || (a->a[0] == 192 && a->a[1] == 0 && a->a[2] == 2) ||
               (a->a[0] == 0 && a->a[1] == 0 && a->a[2] == 0 && a->a[3] == 0);
    return a->a[0] == 0x20 && a->a[1] == 0x01 && a->a[2] == 0x0d && a->a[3] == 0xb8;
}

static void host_mac(struct gen_host *h, const uint8_t *router)
{
    const uint8_t *a = h->ip.a;
    if (h->ip.fam == 4 && (a[0] & 0xf0) == 0xe0) {
        const uint8_t m[6] = {0x01, 0x00, 0x5e, (uint8_t)(a[1] & 0x7f), a[2], a[3]};
        memcpy(h->mac, m, 6);
    } else if (h->ip.fam == 4 && a[3] == 255) {
        memset(h->mac, 0xff, 6);
    } else if (h->ip.fam == 6 && a[0] == 0xff) {
        const uint8_t m[6] = {0x33, 0x33, a[12], a[13], a[14], a[15]};
        memcpy(h->mac, m, 6);
    } else if (!addr_is_local(&h->ip)) {
        memcpy(h->mac, router, 6);
    } else {
        const uint8_t *t = h->ip.fam == 6 ? a + 12 : a;
        const uint8_t kind = h->ip.fam == 4 ? 0x1e : 0x6e;
        const uint8_t m[6] = {GEN_MAC_LOCAL, kind, t[0], t[1], t[2], t[3]};
        memcpy(h->mac, m, 6);
    }
}

int gen_host_init(struct gen_host *h, const char *addr, uint32_t roles)
{
    static const uint8_t router[6] = {GEN_MAC_LOCAL, 0x1e, 0x0a, 0x01, 0x00, 0x01};
    const uint32_t unixish = GR_BIT(GR_ULM) | GR_BIT(GR_NETDEV) | GR_BIT(GR_MANAGED) |
                             GR_BIT(GR_GW) | GR_BIT(GR_VENDOR) | GR_BIT(GR_MDM);
    memset(h, 0, sizeof(*h));
    if (gen_addr_parse(addr, &h->ip) != 0)
        return -1;
    h->roles = roles;
    host_mac(h, router);
    h->unixlike = (roles & unixish) != 0;
    h->remote = !addr_is_local(&h->ip);
    h->ttl = h->unixlike ? 64 : 128;
    if (h->remote)
        h->ttl = (uint8_t)(h->ttl - 11);
    return 0;
}

void gen_host_vlan(struct gen_host *h, uint16_t outer, uint16_t inner)
{
    h->vlan[0] = outer;
    h->vlan[1] = inner;
    h->nvlan = inner ? 2 : 1;
}

static const uint8_t syn_options[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 4, 2, 1, 1};

static libnet_ptag_t build_l4(struct gen *g, const struct gen_pkt *p)
{
    libnet_t *l = g->ln;
    uint32_t n = (uint32_t)p->len;
    uint8_t *data = (uint8_t *)(uintptr_t)p->data; /* libnet's ICMPv6 API is not const */
    uint32_t group;
    size_t optlen = p->syn_opts ? sizeof(syn_options) : 0;

    switch (p->proto) {
    case IPPROTO_TCP:
        if (optlen && libnet_build_tcp_options(syn_options, (uint32_t)optlen, l, 0) < 0)
            return -1;
        return libnet_build_tcp(p->sport, p->dport, p->seq, p->ack, p->tcp_flags, p->win, 0, 0,
                                (uint16_t)(LIBNET_TCP_H + optlen + n), p->data, n, l, 0);
    case IPPROTO_UDP:
        return libnet_build_udp(p->sport, p->dport, (uint16_t)(LIBNET_UDP_H + n), 0, p->data, n,
                                l, 0);
    case IPPROTO_ICMP:
        return libnet_build_icmpv4_echo(p->icmp_type, 0, 0, p->sport, p->dport, p->data, n, l, 0);
    case IPPROTO_ICMPV6:
        return libnet_build_icmpv6_echo(p->icmp_type, 0, 0, p->sport, p->dport, data, n, l, 0);
    case IPPROTO_IGMP:
        memcpy(&group, p->dst->ip.a, 4);
        return libnet_build_igmp(p->icmp_type, 0, 0, group, NULL, 0, l, 0);
    default:
        return -1;
    }
}

static size_t l4_size(const struct gen_pkt *p)
{
    switch (p->proto) {
    case IPPROTO_TCP:
        return LIBNET_TCP_H + (p->syn_opts ? sizeof(syn_options) : 0) + p->len;
    case IPPROTO_UDP:
        return LIBNET_UDP_H + p->len;
    case IPPROTO_IGMP:
        return LIBNET_IGMP_H;
    default:
        return 8 + p->len;
    }
}

static struct libnet_in6_addr in6(const struct gen_host *h)
{
    struct libnet_in6_addr a;
    memcpy(&a, h->ip.a, 16);
    return a;
}

static uint32_t in4(const struct gen_host *h)
{
    uint32_t a;
    memcpy(&a, h->ip.a, 4);
    return a;
}

/* The plain IP header (no options, no extension headers) over l4len bytes. */
static libnet_ptag_t build_l3_plain(struct gen *g, const struct gen_pkt *p, size_t l4len,
                                    uint16_t frag, uint16_t ipid)
{
    if (p->src->ip.fam == 4)
        return libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4len), 0, ipid, frag, p->src->ttl,
                                 p->proto, 0, in4(p->src), in4(p->dst), NULL, 0, g->ln, 0);
    return libnet_build_ipv6(0, 0, (uint16_t)l4len, p->proto, p->src->ttl, in6(p->src),
                             in6(p->dst), NULL, 0, g->ln, 0);
}

static libnet_ptag_t build_l2(struct gen *g, const struct gen_pkt *p)
{
    uint16_t type = p->src->ip.fam == 4 ? ETHERTYPE_IP : ETHERTYPE_IPV6;
    const struct gen_host *tagged = p->src->nvlan ? p->src : p->dst;
    uint8_t inner[4];

    if (tagged->nvlan == 0)
        return libnet_build_ethernet(p->dst->mac, p->src->mac, type, NULL, 0, g->ln, 0);
    if (tagged->nvlan == 1)
        return libnet_build_802_1q(p->dst->mac, p->src->mac, ETHERTYPE_VLAN, 0, 0,
                                   tagged->vlan[0], type, NULL, 0, g->ln, 0);
    /* QinQ: libnet has one tag per header, so the inner tag rides as the outer's payload. */
    inner[0] = (uint8_t)(tagged->vlan[1] >> 8);
    inner[1] = (uint8_t)tagged->vlan[1];
    inner[2] = (uint8_t)(type >> 8);
    inner[3] = (uint8_t)type;
    return libnet_build_802_1q(p->dst->mac, p->src->mac, 0x88a8, 0, 0, tagged->vlan[0],
                               ETHERTYPE_VLAN, inner, sizeof(inner), g->ln, 0);
}

int gen_libnet_bytes(struct gen *g, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t *pkt = NULL;
    uint32_t n = 0;
    int rc = 0;

    if (libnet_pblock_coalesce(g->ln, &pkt, &n) < 0) {
        gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
        rc = -1;
    } else if (n > cap) {
        gen_fail(g, "frame of %u bytes exceeds %zu", n, cap);
        rc = -1;
    } else {
        memcpy(out, pkt, n);
        *len = n;
    }
    if (pkt)
        libnet_adv_free_packet(g->ln, pkt);
    libnet_clear_packet(g->ln);
    return rc;
}

/* The L4 segment with its checksum, built by libnet over a plain IP header. Used where
 * the segment must then travel in pieces (fragments) or behind IPv6 extension headers,
 * whose presence libnet 1.1 does not account for when it computes L4 checksums. */
static int l4_bytes(struct gen *g, const struct gen_pkt *p, uint8_t *out, size_t cap,
                    size_t *len)
{
    uint8_t tmp[GEN_FRAME_MAX + 64];
    size_t n = 0, hl = p->src->ip.fam == 4 ? LIBNET_IPV4_H : LIBNET_IPV6_H;

    if (build_l4(g, p) < 0 || build_l3_plain(g, p, l4_size(p), 0, 0) < 0) {
        gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
        libnet_clear_packet(g->ln);
        return -1;
    }
    if (gen_libnet_bytes(g, tmp, sizeof(tmp), &n) < 0)
        return -1;
    if (n < hl || n - hl > cap) {
        gen_fail(g, "segment does not fit");
        return -1;
    }
    memcpy(out, tmp + hl, n - hl);
    *len = n - hl;
    return 0;
}

static const uint8_t padn6[6] = {1, 4, 0, 0, 0, 0};
static const uint8_t router_alert6[6] = {5, 2, 0, 0, 1, 0}; /* RA + PadN(0) */

static int build_v6_ext(struct gen *g, const struct gen_pkt *p)
{
    uint8_t seg[GEN_FRAME_MAX];
    size_t n = 0, total;
    uint8_t nh = p->proto;

    if (l4_bytes(g, p, seg, sizeof(seg), &n) < 0)
        return -1;
    total = n;
    if (libnet_build_data(seg, (uint32_t)n, g->ln, 0) < 0)
        return -1;
    if (p->ext & GEN_X_DST) {
        if (libnet_build_ipv6_destopts(nh, 0, padn6, sizeof(padn6), g->ln, 0) < 0)
            return -1;
        nh = IPPROTO_DSTOPTS;
        total += 8;
    }
    if (p->ext & GEN_X_FRAG) {
        /* An atomic fragment (offset 0, M clear): legal, and a classic decoder trap. */
        if (libnet_build_ipv6_frag(nh, 0, 0, (uint32_t)gen_rand(g), NULL, 0, g->ln, 0) < 0)
            return -1;
        nh = IPPROTO_FRAGMENT;
        total += 8;
    }
    if (p->ext & GEN_X_HBH) {
        if (libnet_build_ipv6_hbhopts(nh, 0, router_alert6, sizeof(router_alert6), g->ln, 0) < 0)
            return -1;
        nh = IPPROTO_HOPOPTS;
        total += 8;
    }
    return libnet_build_ipv6(0, 0, (uint16_t)total, nh, p->src->ttl, in6(p->src), in6(p->dst),
                             NULL, 0, g->ln, 0) < 0 ? -1 : 0;
}

static int build_l3(struct gen *g, const struct gen_pkt *p)
{
    const struct gen_host *src = p->src;
    /* random ids, as stacks that randomise them per datagram do */
    uint16_t id = (uint16_t)gen_rand(g);
    uint16_t frag = p->proto == IPPROTO_TCP ? 0x4000 : 0; /* DF on TCP, as stacks do */
    static const uint8_t router_alert[4] = {0x94, 0x04, 0x00, 0x00};

    if (src->ip.fam == 6) {
        if (p->ext)
            return build_v6_ext(g, p);
        return build_l4(g, p) < 0 || build_l3_plain(g, p, l4_size(p), 0, 0) < 0 ? -1 : 0;
    }
    if (build_l4(g, p) < 0)
        return -1;
    if (p->proto == IPPROTO_IGMP) {
        /* RFC 2236 section 2: IGMPv2 messages carry the Router Alert option, TTL 1. */
        if (libnet_build_ipv4_options(router_alert, sizeof(router_alert), g->ln, 0) < 0)
            return -1;
        return libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + 4 + l4_size(p)), 0xc0, id, 0, 1,
                                 IPPROTO_IGMP, 0, in4(p->src), in4(p->dst), NULL, 0, g->ln, 0) < 0
                   ? -1
                   : 0;
    }
    return libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4_size(p)), 0, id, frag, src->ttl,
                             p->proto, 0, in4(p->src), in4(p->dst), NULL, 0, g->ln, 0) < 0
               ? -1
               : 0;
}

int gen_frame_build(struct gen *g, const struct gen_pkt *p, uint8_t *out, size_t cap,
                    size_t *len)
{
    if (p->len > GEN_FRAME_MAX - 128) {
        gen_fail(g, "payload of %zu bytes is too large for one frame", p->len);
        return -1;
    }
    if (build_l3(g, p) < 0 || build_l2(g, p) < 0) {
        gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
        libnet_clear_packet(g->ln);
        return -1;
    }
    return gen_libnet_bytes(g, out, cap, len);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* Injection is paced on the monotonic clock; capture timestamps never see it. */
static void pace(struct gen *g)
{
    uint64_t due, now;
    struct timespec ts;

    if (!g->rate_pps)
        return;
    now = mono_ns();
    if (!g->pace_t0_ns)
        g->pace_t0_ns = now;
    due = g->pace_t0_ns + g->frames * UINT64_C(1000000000) / g->rate_pps;
    if (due <= now)
        return;
    ts.tv_sec = (time_t)(due / UINT64_C(1000000000));
    ts.tv_nsec = (long)(due % UINT64_C(1000000000));
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

void gen_write(struct gen *g, const uint8_t *frame, uint32_t caplen, uint32_t wirelen)
{
    struct pcap_pkthdr h;

    if (g->failed)
        return;
    if (g->dump) {
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = (time_t)(GEN_EPOCH_S + g->now_ns / UINT64_C(1000000000));
        h.ts.tv_usec = (suseconds_t)(g->now_ns % UINT64_C(1000000000) / 1000);
        h.caplen = caplen;
        h.len = wirelen;
        pcap_dump((u_char *)g->dump, &h, frame);
    }
    if (g->inj) {
        pace(g);
        if (libnet_adv_write_link(g->inj, frame, caplen) < 0)
            gen_fail(g, "inject: %s", libnet_geterror(g->inj));
    }
    g->frames++;
    g->bytes += wirelen;
}

static void count(struct gen *g, size_t fid)
{
    if (fid != GEN_NOFLOW && fid < g->nflows)
        g->flows[fid].pkts++;
}

void gen_emit(struct gen *g, size_t fid, const struct gen_pkt *p)
{
    uint8_t frame[GEN_FRAME_MAX + 64];
    size_t n = 0;

    if (g->failed || gen_frame_build(g, p, frame, sizeof(frame), &n) < 0)
        return;
    gen_write(g, frame, p->snap && p->snap < n ? p->snap : (uint32_t)n, (uint32_t)n);
    count(g, fid);
}

static int build_fragment(struct gen *g, const struct gen_pkt *p, const uint8_t *seg,
                          size_t off, size_t len, int more, uint32_t id)
{
    if (p->src->ip.fam == 4) {
        uint16_t frag = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
        if (libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + len), 0, (uint16_t)id, frag,
                              p->src->ttl, p->proto, 0, in4(p->src), in4(p->dst), seg + off,
                              (uint32_t)len, g->ln, 0) < 0)
            return -1;
    } else {
        /* libnet 1.1 copies this field as given: pass it in network byte order */
        uint16_t frag = htons((uint16_t)(off | (more ? 1 : 0)));
        if (libnet_build_ipv6_frag(p->proto, 0, frag, id, seg + off, (uint32_t)len, g->ln, 0) < 0 ||
            libnet_build_ipv6(0, 0, (uint16_t)(8 + len), IPPROTO_FRAGMENT, p->src->ttl,
                              in6(p->src), in6(p->dst), NULL, 0, g->ln, 0) < 0)
            return -1;
    }
    return build_l2(g, p) < 0 ? -1 : 0;
}

void gen_emit_frags(struct gen *g, size_t fid, const struct gen_pkt *p, size_t fragsz,
                    const unsigned *order, unsigned norder)
{
    uint8_t seg[GEN_FRAME_MAX], frame[GEN_FRAME_MAX + 64];
    size_t n = 0, len = 0, nfrag;
    uint32_t id;

    if (g->failed || fragsz < 8 || fragsz % 8 || l4_bytes(g, p, seg, sizeof(seg), &n) < 0)
        return;
    nfrag = (n + fragsz - 1) / fragsz;
    id = p->src->ip.fam == 4 ? (uint16_t)gen_rand(g) : (uint32_t)gen_rand(g);
    for (unsigned i = 0; i < (order ? norder : nfrag) && !g->failed; i++) {
        size_t k = order ? order[i] : i, off = k * fragsz;
        if (k >= nfrag)
            continue;
        if (build_fragment(g, p, seg, off, n - off < fragsz ? n - off : fragsz,
                           off + fragsz < n, id) < 0) {
            gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
            libnet_clear_packet(g->ln);
            return;
        }
        if (gen_libnet_bytes(g, frame, sizeof(frame), &len) < 0)
            return;
        gen_write(g, frame, (uint32_t)len, (uint32_t)len);
        count(g, fid);
        gen_wait(g, 5 * GEN_US, 40 * GEN_US);
    }
}
