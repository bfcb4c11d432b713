/* gen-bench.c: itms-gen's "bench" scenario: millions of small packets, many concurrent flows,
 * ITMS-heavy ports, ~10% IPv6. libnet builds two header templates per flow; packets patch
 * lengths, sequence numbers and checksums. It never reuses a 5-tuple. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

enum side { S_AGENT, S_ULM, S_NS, S_TS, S_PS, S_SQL, S_DNS, S_GW, S_GROUP };
enum body { B_TLS, B_HTTP, B_SMB, B_TDS, B_DNS, B_MSG, B_PING };

struct kind {
    const char *rule;
    uint8_t proto;
    uint16_t port;
    uint8_t client, server; /* enum side */
    uint8_t weight;         /* percent */
    uint8_t v6;             /* may run over IPv6 */
    uint8_t oneway;
    uint8_t body;           /* enum body */
};

static const struct kind kinds[] = {
    {"agent-policy", IPPROTO_TCP, 443, S_AGENT, S_NS, 22, 1, 0, B_TLS},
    {"agent-policy", IPPROTO_TCP, 80, S_AGENT, S_NS, 8, 1, 0, B_HTTP},
    {"ps-http", IPPROTO_TCP, 80, S_AGENT, S_PS, 8, 1, 0, B_HTTP},
    {"ps-http", IPPROTO_TCP, 443, S_AGENT, S_PS, 5, 0, 0, B_TLS},
    {"cta-tasks", IPPROTO_TCP, 443, S_AGENT, S_TS, 7, 0, 0, B_TLS},
    {"win-tickle-udp", IPPROTO_UDP, 52028, S_NS, S_AGENT, 8, 1, 1, B_MSG},
    {"cta-tickle", IPPROTO_TCP, 50124, S_TS, S_AGENT, 4, 0, 0, B_MSG},
    {"ts-tickle", IPPROTO_TCP, 50123, S_NS, S_TS, 1, 0, 0, B_MSG},
    {"ps-unc", IPPROTO_TCP, 445, S_AGENT, S_PS, 4, 0, 0, B_SMB},
    {"win-p2p", IPPROTO_TCP, 56118, S_AGENT, S_AGENT, 4, 0, 0, B_HTTP},
    {"ns-sql", IPPROTO_TCP, 1433, S_NS, S_SQL, 3, 0, 0, B_TDS},
    {NULL, IPPROTO_UDP, 53, S_AGENT, S_DNS, 5, 0, 0, B_DNS},
    {"win-mtickle-udp", IPPROTO_UDP, 52029, S_NS, S_GROUP, 1, 0, 1, B_MSG},
    {"gw-out", IPPROTO_TCP, 4726, S_GW, S_NS, 3, 0, 0, B_TLS},
    {"agent-ping", IPPROTO_ICMP, 0, S_AGENT, S_PS, 2, 0, 0, B_PING},
    {"ulm-agent-ns", IPPROTO_TCP, 443, S_ULM, S_NS, 6, 0, 0, B_TLS},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
/* indexes into kinds[] used as fallbacks */
#define K_AGENT_TLS 0  /* any budget of 7 packets or more */
#define K_TICKLE_UDP 5 /* any budget */
#define K_DNS 11       /* any budget, agent clients */
#define NAGENTS 65536u /* a power of two: (i * odd) mod NAGENTS is a bijection */
#define NULM 8192u
#define HDR_MAX 96

struct bflow {
    size_t fid;
    uint32_t budget, sent;
    uint32_t seq[2];
    uint16_t hlen[2], l3off, l4off;
    uint16_t ipid[2];
    uint8_t kind, v6, oneway, proto;
    uint8_t tmpl[2][HDR_MAX];
};

struct bench {
    struct gen *g;
    struct gen_host infra[S_GROUP + 1][4], infra6[S_GROUP + 1];
    uint64_t count[NKINDS];
    uint8_t first[NKINDS][2][600];
    uint16_t first_len[NKINDS][2];
    uint8_t filler[4096];   /* binary payload after the first exchange */
    uint8_t text[4096];     /* printable payload for HTTP flows */
    uint8_t scratch[256];
    struct bflow *active;
    size_t nactive;
    uint64_t assigned, started;
};

static void agent_host(struct gen_host *h, uint32_t idx, int ulm, int v6)
{
    uint32_t net = idx / 250, host = 1 + idx % 250;
    uint8_t a4[4] = {10, (uint8_t)((ulm ? 32 : 16) + (net >> 8)), (uint8_t)net, (uint8_t)host};

    memset(h, 0, sizeof(*h));
    h->roles = GR_BIT(ulm ? GR_ULM : GR_AGENT);
    h->unixlike = (uint8_t)ulm;
    h->ttl = ulm ? 64 : 128;
    h->mac[0] = GEN_MAC_LOCAL;
    h->mac[1] = 0x1e;
    memcpy(h->mac + 2, a4, 4);
    if (!ulm && net % 8 == 7)
        gen_host_vlan(h, 120, 0);
    if (!v6) {
        h->ip.fam = 4;
        memcpy(h->ip.a, a4, 4);
        return;
    }
    h->ip.fam = 6;
    memcpy(h->ip.a, "\x20\x01\x0d\xb8\x00\x16", 6);
    h->ip.a[12] = (uint8_t)(idx >> 24);
    h->ip.a[13] = (uint8_t)(idx >> 16);
    h->ip.a[14] = (uint8_t)(idx >> 8);
    h->ip.a[15] = (uint8_t)(idx + 1);
}

static int bench_hosts(struct bench *b)
{
    static const char *const v4[S_GROUP + 1][4] = {
        [S_NS] = {"10.1.0.10"},
        [S_TS] = {"10.1.0.21", "10.1.0.22", "10.1.0.23", "10.1.0.24"},
        [S_PS] = {"10.1.0.31", "10.1.0.32", "10.1.0.33", "10.1.0.34"},
        [S_SQL] = {"10.1.0.50"},
        [S_DNS] = {"10.1.0.53"},
        [S_GW] = {"192.0.2.10"},
        [S_GROUP] = {"224.0.255.135"},
    };
    static const uint8_t role[S_GROUP + 1] = {
        [S_NS] = GR_NS, [S_TS] = GR_TS, [S_PS] = GR_PS, [S_SQL] = GR_SQL,
        [S_DNS] = GR_DNS, [S_GW] = GR_GW, [S_GROUP] = GR_COUNT,
    };
    for (int s = S_NS; s <= S_GROUP; s++) {
        uint32_t roles = role[s] < GR_COUNT ? GR_BIT(role[s]) : 0;
        for (int i = 0; i < 4; i++)
            if (gen_host_init(&b->infra[s][i], v4[s][i] ? v4[s][i] : v4[s][0], roles) < 0)
                return -1;
    }
    if (gen_host_init(&b->infra6[S_NS], "2001:db8:1::10", GR_BIT(GR_NS)) < 0 ||
        gen_host_init(&b->infra6[S_PS], "2001:db8:1::31", GR_BIT(GR_PS)) < 0)
        return -1;
    memcpy(b->infra6[S_NS].mac, b->infra[S_NS][0].mac, 6);
    memcpy(b->infra6[S_PS].mac, b->infra[S_PS][0].mac, 6);
    return 0;
}

static void bench_payloads(struct bench *b)
{
    static const uint8_t ns_ip[4] = {10, 1, 0, 10};
    static const char pattern[] = "<event class=\"AeX Client Task\" state=\"complete\"/>\r\n";
    struct gen *g = b->g;
    struct gbuf f = {b->filler, 0, sizeof(b->filler)};

    gb_fill(&f, g, sizeof(b->filler));
    for (size_t i = 0; i < sizeof(b->text); i++)
        b->text[i] = (uint8_t)pattern[i % (sizeof(pattern) - 1)];
    for (size_t k = 0; k < NKINDS; k++) {
        uint8_t *q = b->first[k][0], *a = b->first[k][1];
        size_t cap = sizeof(b->first[k][0]), nq = 0, na = 0;
        switch (kinds[k].body) {
        case B_TLS:
            nq = pl_tls_client_hello(g, q, cap, "ns01.itms.example");
            na = pl_tls_server_hello(g, a, cap);
            break;
        case B_HTTP:
            nq = pl_http_req((char *)q, cap, "GET", "/Altiris/NS/Agent/GetClientPolicies.aspx",
                             "ns01.itms.example", "Altiris-Agent/8.7", 0);
            na = pl_http_resp((char *)a, cap, "text/xml", 120);
            break;
        case B_SMB:
            nq = pl_smb2_negotiate(g, q, cap, 0);
            na = pl_smb2_negotiate(g, a, cap, 1);
            break;
        case B_TDS:
            nq = pl_tds_prelogin(q, cap, 0);
            na = pl_tds_prelogin(a, cap, 1);
            break;
        case B_DNS:
            nq = pl_dns(g, q, cap, 0x4242, "ns01.itms.example", NULL, 0);
            na = pl_dns(g, a, cap, 0x4242, "ns01.itms.example", ns_ip, 0);
            break;
        case B_MSG:
            nq = pl_itms_msg(g, q, cap, "TICKLE", 40);
            na = pl_itms_msg(g, a, cap, "ACK", 8);
            break;
        default:
            nq = na = 32;
            memcpy(q, "abcdefghijklmnopqrstuvwabcdefghi", 32);
            memcpy(a, q, 32);
        }
        b->first_len[k][0] = (uint16_t)nq;
        b->first_len[k][1] = (uint16_t)na;
    }
}

static uint32_t pick_kind(struct bench *b, uint32_t budget)
{
    uint32_t r = gen_range(b->g, 0, 99), acc = 0;
    size_t k;

    for (k = 0; k < NKINDS; k++) {
        acc += kinds[k].weight;
        if (r < acc)
            break;
    }
    if (k >= NKINDS)
        k = 0;
    /* a TCP flow needs 7 packets (handshake, teardown); shorter budgets go to UDP */
    if (kinds[k].proto == IPPROTO_TCP && budget < 7)
        k = K_TICKLE_UDP;
    /* infrastructure pairs have one client and one server: 16384 source ports each */
    if ((kinds[k].client >= S_NS && kinds[k].server >= S_NS) && b->count[k] >= 16384)
        k = budget < 7 ? K_DNS : K_AGENT_TLS;
    return (uint32_t)k;
}

/* Endpoints of the n-th flow of a kind. Clients cycle through their pool before a source
 * port is used twice, so no two flows share a 5-tuple. */
static void endpoints(struct bench *b, const struct kind *k, uint64_t n, int v6,
                      struct gen_host *c, struct gen_host *s, uint16_t *cport)
{
    uint32_t pool = k->client == S_ULM ? NULM : NAGENTS;
    uint32_t idx = (uint32_t)((n % pool) * 40503u % pool);
    uint64_t round = n / pool;
    const struct gen_host *fixed;

    if (k->client == S_AGENT || k->client == S_ULM) {
        agent_host(c, idx, k->client == S_ULM, v6);
        *cport = (uint16_t)(k->client == S_ULM ? 32768 + round % 28000 : 49152 + round % 16384);
    } else {
        fixed = v6 ? &b->infra6[k->client] : &b->infra[k->client][idx % 4];
        *c = *fixed;
        *cport = (uint16_t)(49152 + (k->server >= S_NS ? n : round) % 16384);
    }
    if (k->server == S_AGENT) {
        uint32_t peer = k->client == S_AGENT ? (idx + 1 + (uint32_t)(n % 97)) % NAGENTS : idx;
        agent_host(s, peer, 0, v6);
    } else if (v6) {
        *s = b->infra6[k->server];
    } else {
        *s = b->infra[k->server][(idx / 7) % 4];
    }
}

static int build_templates(struct bench *b, struct bflow *f, const struct kind *k,
                           const struct gen_host *c, const struct gen_host *s, uint16_t cport)
{
    struct gen_pkt p;
    uint8_t frame[256];
    size_t len = 0;

    for (int dir = 0; dir < 2; dir++) {
        memset(&p, 0, sizeof(p));
        p.src = dir ? s : c;
        p.dst = dir ? c : s;
        p.proto = f->proto;
        p.sport = dir ? k->port : cport;
        p.dport = dir ? cport : k->port;
        p.tcp_flags = TH_ACK;
        p.win = dir ? 8192 : 65535;
        if (f->proto == IPPROTO_ICMP) {
            p.icmp_type = dir ? 0 : 8;
            p.sport = cport; /* the echo id */
            p.dport = 0;
        }
        if (gen_frame_build(b->g, &p, frame, sizeof(frame), &len) < 0 || len > HDR_MAX)
            return -1;
        memcpy(f->tmpl[dir], frame, len);
        f->hlen[dir] = (uint16_t)len;
    }
    f->l3off = (uint16_t)(c->nvlan || s->nvlan ? 18 : 14);
    f->l4off = (uint16_t)(f->l3off + (f->v6 ? 40 : 20));
    return 0;
}

static uint32_t csum_add(uint32_t acc, const uint8_t *p, size_t n)
{
    for (; n > 1; n -= 2, p += 2)
        acc += (uint32_t)p[0] << 8 | p[1];
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t csum_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* Finishes a frame copied from a template: lengths, ids, sequence numbers, checksums. */
static void patch(struct bflow *f, int dir, uint8_t *fr, size_t l4len, uint8_t tcpfl,
                  uint16_t echo_seq)
{
    uint8_t *ip = fr + f->l3off, *l4 = fr + f->l4off;
    uint32_t acc;

    if (!f->v6) {
        put16(ip + 2, 20 + (uint32_t)l4len);
        put16(ip + 4, f->ipid[dir]++);
        put16(ip + 10, 0);
        put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
        acc = csum_add(0, ip + 12, 8) + f->proto + (uint32_t)l4len;
    } else {
        put16(ip + 4, (uint32_t)l4len);
        acc = csum_add(0, ip + 8, 32) + f->proto + (uint32_t)l4len;
    }
    if (f->proto == IPPROTO_TCP) {
        put32(l4 + 4, f->seq[dir]);
        put32(l4 + 8, (tcpfl & TH_ACK) ? f->seq[!dir] : 0);
        l4[13] = tcpfl;
        put16(l4 + 16, 0);
        put16(l4 + 16, csum_fold(csum_add(acc, l4, l4len)));
    } else if (f->proto == IPPROTO_UDP) {
        uint16_t sum;
        put16(l4 + 4, (uint32_t)l4len);
        put16(l4 + 6, 0);
        sum = csum_fold(csum_add(acc, l4, l4len));
        put16(l4 + 6, sum ? sum : 0xffff);
    } else {
        put16(l4 + 6, echo_seq);
        put16(l4 + 2, 0);
        acc = f->proto == IPPROTO_ICMP ? 0 : acc;
        put16(l4 + 2, csum_fold(csum_add(acc, l4, l4len)));
    }
}

static uint32_t next_budget(struct bench *b)
{
    struct gen *g = b->g;
    uint64_t rem_p = g->want_packets - b->assigned, rem_f = g->want_flows - b->started;
    uint64_t avg, bud;

    if (rem_f <= 1)
        return (uint32_t)rem_p;
    avg = rem_p / rem_f;
    bud = avg / 2 + gen_rand(g) % (avg + 1);
    if (bud < 1)
        bud = 1;
    if (bud > rem_p - (rem_f - 1)) /* every flow still to come needs a packet */
        bud = rem_p - (rem_f - 1);
    return (uint32_t)bud;
}

static size_t next_payload(struct bench *b, struct bflow *f, int dir, uint32_t nth,
                           const uint8_t **data)
{
    size_t n;

    if (nth == 0 || f->proto == IPPROTO_ICMP || kinds[f->kind].body == B_DNS) {
        *data = b->first[f->kind][dir];
        return b->first_len[f->kind][dir];
    }
    n = gen_range(b->g, 16, 160);
    if (kinds[f->kind].body == B_TLS) {
        /* a whole TLS application-data record, so the stream stays parseable */
        memcpy(b->scratch, "\x17\x03\x03", 3);
        put16(b->scratch + 3, (uint32_t)n - 5);
        memcpy(b->scratch + 5, b->filler + gen_range(b->g, 0, 1024), n - 5);
        *data = b->scratch;
        return n;
    }
    *data = (kinds[f->kind].body == B_HTTP ? b->text : b->filler) + gen_range(b->g, 0, 1024);
    return n;
}

/* Which packet of a TCP flow of `budget` packets comes next: 3-way handshake, data
 * alternating from the client, then FIN, ACK, FIN, ACK. */
static void tcp_step(struct bench *b, struct bflow *f, int *dir, uint8_t *fl,
                     const uint8_t **data, size_t *len)
{
    uint32_t k = f->sent, nd = f->budget - 7;

    *data = NULL;
    *len = 0;
    if (k < 3) {
        static const uint8_t hs_dir[3] = {0, 1, 0};
        static const uint8_t hs_fl[3] = {TH_SYN, TH_SYN | TH_ACK, TH_ACK};
        *dir = hs_dir[k];
        *fl = hs_fl[k];
    } else if (k < 3 + nd) {
        *dir = (int)((k - 3) % 2);
        *fl = TH_PUSH | TH_ACK;
        *len = next_payload(b, f, *dir, (k - 3) / 2, data);
    } else {
        static const uint8_t fin_dir[4] = {0, 1, 1, 0};
        static const uint8_t fin_fl[4] = {TH_FIN | TH_ACK, TH_ACK, TH_FIN | TH_ACK, TH_ACK};
        *dir = fin_dir[k - 3 - nd];
        *fl = fin_fl[k - 3 - nd];
    }
}

static void step(struct bench *b, struct bflow *f)
{
    uint8_t frame[HDR_MAX + 700];
    const uint8_t *data = NULL;
    size_t len = 0;
    uint8_t fl = 0;
    int dir;
    uint16_t echo_seq = 0;

    if (f->proto == IPPROTO_TCP) {
        tcp_step(b, f, &dir, &fl, &data, &len);
    } else {
        dir = f->oneway ? 0 : (int)(f->sent % 2);
        echo_seq = (uint16_t)(f->sent / 2 + 1);
        len = next_payload(b, f, dir, f->sent / 2, &data);
    }
    memcpy(frame, f->tmpl[dir], f->hlen[dir]);
    if (len)
        memcpy(frame + f->hlen[dir], data, len);
    patch(f, dir, frame, f->hlen[dir] - f->l4off + len, fl, echo_seq);
    f->seq[dir] += (uint32_t)len + ((fl & (TH_SYN | TH_FIN)) ? 1u : 0u);
    gen_write(b->g, frame, (uint32_t)(f->hlen[dir] + len), (uint32_t)(f->hlen[dir] + len));
    if (f->fid != GEN_NOFLOW)
        b->g->flows[f->fid].pkts++;
    f->sent++;
    gen_wait(b->g, 0, 4 * GEN_US);
}

static int start_flow(struct bench *b)
{
    struct gen *g = b->g;
    struct bflow *f = &b->active[b->nactive];
    uint32_t budget = next_budget(b);
    uint32_t k = pick_kind(b, budget);
    const struct kind *kd = &kinds[k];
    uint64_t n = b->count[k]++;
    int v6 = kd->v6 && gen_range(g, 0, 99) < 22; /* about 10% of all flows */
    struct gen_host c, s;
    uint16_t cport;

    f->kind = (uint8_t)k;
    f->v6 = (uint8_t)v6;
    f->oneway = kd->oneway;
    f->proto = kd->proto;
    f->budget = budget;
    f->sent = 0;
    f->seq[0] = (uint32_t)gen_rand(g);
    f->seq[1] = (uint32_t)gen_rand(g);
    f->ipid[0] = (uint16_t)gen_rand(g);
    f->ipid[1] = (uint16_t)gen_rand(g);
    endpoints(b, kd, n, v6, &c, &s, &cport);
    if (build_templates(b, f, kd, &c, &s, cport) < 0)
        return -1;
    f->fid = gen_flow_new(g, f->proto, &c, cport, &s, f->proto == IPPROTO_ICMP ? cport : kd->port,
                          kd->rule, NULL, 0);
    b->assigned += budget;
    b->started++;
    step(b, f);
    if (f->sent < f->budget)
        b->nactive++;
    return 0;
}

static void bench_site(FILE *out)
{
    fputs("# itms-gen bench: a large ITMS site for throughput tests\n"
          "# Written by itms-gen --site-out: the hosts and roles of the capture.\n\n"
          "[roles]\n"
          "10.1.0.10           notification-server\n"
          "2001:db8:1::10      notification-server\n"
          "10.1.0.21           task-server\n10.1.0.22           task-server\n"
          "10.1.0.23           task-server\n10.1.0.24           task-server\n"
          "10.1.0.31           package-server\n2001:db8:1::31      package-server\n"
          "10.1.0.32           package-server\n10.1.0.33           package-server\n"
          "10.1.0.34           package-server\n"
          "10.1.0.50           sql-server\n10.1.0.53           dns-server\n"
          "192.0.2.10          internet-gateway\n"
          "10.16.0.0/12        agent                 # every 8th /24 on VLAN 120\n"
          "2001:db8:16::/48    agent\n"
          "10.32.0.0/16        ulm-agent\n\n"
          "[local]\n10.0.0.0/8\n192.0.2.0/24\n2001:db8::/32\n224.0.0.0/4\nff00::/8\n\n"
          "[policy]\nscan_ports   = 16\nscan_window  = 60\ntickle_group = 224.0.255.135\n",
          out);
}

int gen_scenario_bench(struct gen *g, FILE *site_out)
{
    struct bench *b = calloc(1, sizeof(*b));
    int rc = -1;

    if (!b)
        goto out;
    b->g = g;
    b->active = calloc(g->want_concurrent, sizeof(*b->active));
    if (!b->active || bench_hosts(b) < 0) {
        gen_fail(g, "bench setup failed (out of memory)");
        goto out;
    }
    if (site_out)
        bench_site(site_out);
    bench_payloads(b);
    while ((b->nactive || b->started < g->want_flows) && !g->failed) {
        if (b->started < g->want_flows && b->nactive < g->want_concurrent &&
            (b->nactive == 0 || gen_rand(g) % 4 == 0)) {
            if (start_flow(b) < 0)
                break;
            continue;
        }
        size_t i = gen_rand(g) % b->nactive;
        step(b, &b->active[i]);
        if (b->active[i].sent >= b->active[i].budget)
            b->active[i] = b->active[--b->nactive];
    }
    rc = g->failed ? -1 : 0;
out:
    if (b)
        free(b->active);
    free(b);
    return rc;
}
