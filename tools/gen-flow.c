/* gen-flow.c: the truth table of itms-gen (one JSON line per flow) and its TCP machinery:
 * handshake, sequence and acknowledgement numbers, delayed ACKs, FIN teardown.
 * The truth records what a scenario planted; it is never derived from any analyser. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

size_t gen_flow_new(struct gen *g, uint8_t proto, const struct gen_host *c, uint16_t cport,
                    const struct gen_host *s, uint16_t sport, const char *rule,
                    const char *alt, uint32_t flags)
{
    struct gen_flow *f;
    const struct gen_host *tagged = c->nvlan ? c : s;

    if (!g->record || g->failed)
        return GEN_NOFLOW;
    if (g->nflows == g->capflows) {
        size_t cap = g->capflows ? g->capflows * 2 : 256;
        struct gen_flow *nf = realloc(g->flows, cap * sizeof(*nf));
        if (!nf) {
            gen_fail(g, "out of memory for the truth table");
            return GEN_NOFLOW;
        }
        g->flows = nf;
        g->capflows = cap;
    }
    f = &g->flows[g->nflows];
    memset(f, 0, sizeof(*f));
    f->proto = proto;
    f->c = c->ip;
    f->s = s->ip;
    f->cport = cport;
    f->sport = sport;
    f->croles = c->roles;
    f->sroles = s->roles;
    f->nvlan = tagged->nvlan;
    memcpy(f->vlan, tagged->vlan, sizeof(f->vlan));
    f->rule = rule;
    f->alt = alt;
    f->flags = flags;
    return g->nflows++;
}

void gen_flow_note(struct gen *g, size_t fid, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (fid == GEN_NOFLOW || fid >= g->nflows)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(g->flows[fid].note);
    g->flows[fid].note = strdup(buf);
    if (!g->flows[fid].note)
        gen_fail(g, "out of memory for a note");
}

void gen_flows_free(struct gen *g)
{
    for (size_t i = 0; i < g->nflows; i++)
        free(g->flows[i].note);
    free(g->flows);
    g->flows = NULL;
    g->nflows = g->capflows = 0;
}

static const char *proto_name(uint8_t proto, uint8_t fam)
{
    switch (proto) {
    case IPPROTO_TCP:
        return "tcp";
    case IPPROTO_UDP:
        return "udp";
    case IPPROTO_IGMP:
        return "igmp";
    case IPPROTO_ICMPV6:
        return "icmpv6";
    default:
        return fam == 6 ? "icmpv6" : "icmp";
    }
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch > 0x7e)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void json_roles(FILE *out, uint32_t roles)
{
    int first = 1;
    fputc('[', out);
    for (unsigned r = 0; r < GR_COUNT; r++) {
        if (!(roles & GR_BIT(r)))
            continue;
        fprintf(out, "%s\"%s\"", first ? "" : ",", gen_role_name(r));
        first = 0;
    }
    fputc(']', out);
}

static void json_list(FILE *out, const char *csv)
{
    const char *p = csv;
    fputc('[', out);
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        fprintf(out, "%s\"%.*s\"", p == csv ? "" : ",", (int)n, p);
        p = e ? e + 1 : NULL;
    }
    fputc(']', out);
}

static void truth_line(FILE *out, const struct gen_flow *f)
{
    char c[64], s[64];
    int first = 1;

    gen_addr_format(&f->c, c, sizeof(c));
    gen_addr_format(&f->s, s, sizeof(s));
    fprintf(out, "{\"proto\":\"%s\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
                 "\"dest_port\":%u,",
            proto_name(f->proto, f->c.fam), c, f->cport, s, f->sport);
    if (f->nvlan == 1)
        fprintf(out, "\"vlan\":[%u],", f->vlan[0]);
    else if (f->nvlan == 2)
        fprintf(out, "\"vlan\":[%u,%u],", f->vlan[0], f->vlan[1]);
    fputs("\"rule\":", out);
    if (f->rule)
        json_str(out, f->rule);
    else
        fputs("null", out);
    if (f->alt) {
        fputs(",\"alt_rules\":", out);
        json_list(out, f->alt);
    }
    fputs(",\"client_roles\":", out);
    json_roles(out, f->croles);
    fputs(",\"server_roles\":", out);
    json_roles(out, f->sroles);
    fputs(",\"flags\":[", out);
    for (unsigned b = 0; b < GF_COUNT_BITS; b++) {
        if (!(f->flags & (1u << b)))
            continue;
        fprintf(out, "%s\"%s\"", first ? "" : ",", gen_flag_name(b));
        first = 0;
    }
    fprintf(out, "],\"pkts\":%llu,\"note\":", (unsigned long long)f->pkts);
    json_str(out, f->note ? f->note : "");
    fputs("}\n", out);
}

/* Lines come in the order of each flow's first packet, which is creation order here:
 * every scenario emits a flow's first packet before it creates the next flow. */
int gen_truth_write(const struct gen *g, const char *path)
{
    FILE *out = fopen(path, "w");
    int rc = 0;

    if (!out)
        return -1;
    for (size_t i = 0; i < g->nflows; i++)
        if (g->flows[i].pkts)
            truth_line(out, &g->flows[i]);
    if (ferror(out))
        rc = -1;
    if (fclose(out) != 0)
        rc = -1;
    return rc;
}

uint16_t gen_eport_win(struct gen *g)
{
    return (uint16_t)gen_range(g, 49152, 65535);
}

uint16_t gen_eport_linux(struct gen *g)
{
    return (uint16_t)gen_range(g, 32768, 60999);
}

uint16_t gen_eport(struct gen *g, const struct gen_host *h)
{
    return h->unixlike ? gen_eport_linux(g) : gen_eport_win(g);
}

void gen_tcp_init(struct gen_tcp *t, struct gen *g, size_t fid, const struct gen_host *c,
                  uint16_t cport, const struct gen_host *s, uint16_t sport)
{
    memset(t, 0, sizeof(*t));
    t->g = g;
    t->fid = fid;
    t->h[0] = c;
    t->h[1] = s;
    t->port[0] = cport;
    t->port[1] = sport;
    t->nxt[0] = (uint32_t)gen_rand(g);
    t->nxt[1] = (uint32_t)gen_rand(g);
    t->win[0] = c->unixlike ? 64240 : 65535;
    t->win[1] = s->unixlike ? 65160 : 8192;
    t->mss = c->ip.fam == 4 ? 1460 : 1440;
    t->rtt_ns = c->remote || s->remote ? gen_range(g, 18000, 65000) * GEN_US
                                             : gen_range(g, 150, 1400) * GEN_US;
}

void gen_tcp_seg(struct gen_tcp *t, int dir, uint8_t flags, const uint8_t *data, size_t len,
                 uint32_t snap)
{
    struct gen_pkt p;

    memset(&p, 0, sizeof(p));
    p.src = t->h[dir];
    p.dst = t->h[!dir];
    p.proto = IPPROTO_TCP;
    p.tcp_flags = flags;
    p.sport = t->port[dir];
    p.dport = t->port[!dir];
    p.seq = t->nxt[dir];
    p.ack = (flags & TH_ACK) ? t->nxt[!dir] : 0;
    /* both SYNs offer window scale 8 (syn_options), so later windows are scaled down */
    p.win = (flags & TH_SYN) ? t->win[dir] : (uint16_t)(t->win[dir] >> 8);
    p.syn_opts = (flags & TH_SYN) != 0;
    p.data = data;
    p.len = len;
    p.snap = snap ? snap : t->snap;
    p.ext = t->ext;
    gen_emit(t->g, t->fid, &p);
    t->nxt[dir] += (uint32_t)len + ((flags & TH_SYN) ? 1u : 0u) + ((flags & TH_FIN) ? 1u : 0u);
    if (flags & TH_ACK)
        t->owe[dir] = 0;
    if (len)
        t->owe[!dir] = 1;
}

void gen_tcp_open(struct gen_tcp *t)
{
    gen_tcp_seg(t, GEN_C2S, TH_SYN, NULL, 0, 0);
    gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 30 * GEN_US);
    gen_tcp_seg(t, GEN_S2C, TH_SYN | TH_ACK, NULL, 0, 0);
    gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 30 * GEN_US);
    gen_tcp_seg(t, GEN_C2S, TH_ACK, NULL, 0, 0);
    gen_wait(t->g, 20 * GEN_US, 900 * GEN_US);
}

/* The receiver ACKs every second full segment (RFC 1122 4.2.3.2); a lone last segment
 * stays owed and rides on the receiver's next segment or a delayed ACK. */
void gen_tcp_send(struct gen_tcp *t, int dir, const uint8_t *data, size_t len)
{
    size_t off = 0;
    unsigned segs = 0;

    if (t->owe[!dir]) {
        gen_wait(t->g, 2 * GEN_MS, 40 * GEN_MS);
        gen_tcp_seg(t, !dir, TH_ACK, NULL, 0, 0);
        gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 20 * GEN_US);
    }
    while (off < len && !t->g->failed) {
        size_t n = len - off < t->mss ? len - off : t->mss;
        uint8_t fl = TH_ACK | (off + n == len ? TH_PUSH : 0);
        gen_tcp_seg(t, dir, fl, data + off, n, 0);
        off += n;
        if (++segs % 2 == 0 && off < len) {
            gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 20 * GEN_US);
            gen_tcp_seg(t, !dir, TH_ACK, NULL, 0, 0);
        }
        gen_wait(t->g, 8 * GEN_US, 60 * GEN_US);
    }
    gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 3 * GEN_MS);
}

void gen_tcp_close(struct gen_tcp *t, int dir)
{
    gen_tcp_seg(t, dir, TH_FIN | TH_ACK, NULL, 0, 0);
    gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 50 * GEN_US);
    if (gen_rand(t->g) & 1) {
        gen_tcp_seg(t, !dir, TH_ACK, NULL, 0, 0);
        gen_wait(t->g, 30 * GEN_US, 2 * GEN_MS);
    }
    gen_tcp_seg(t, !dir, TH_FIN | TH_ACK, NULL, 0, 0);
    gen_wait(t->g, t->rtt_ns / 2, t->rtt_ns / 2 + 50 * GEN_US);
    gen_tcp_seg(t, dir, TH_ACK, NULL, 0, 0);
}
