/* flow-table.c: the bidirectional flow table: uthash keyed by a canonical 5-tuple with a
 * seeded SipHash, flows from slabs with a free list, one LRU list per expiry class so that
 * expiry and eviction are O(1). It owns flows and their lifetime; it never classifies,
 * never writes output, and never reads packet bytes (only the decoded summary). */
#include <string.h>

#include "flow-int.h"

struct itm_flow_slab {
    struct itm_flow_slab *next;
    struct itm_flow flows[ITM_FLOW_SLAB];
};

struct itm_lru_list {
    struct itm_flow *head, *tail;
};

struct itm_flow_table {
    struct itm_flow_cfg cfg;
    struct itm_flow *hash;          /* uthash head */
    struct itm_lru_list lru[ITM_LRU_COUNT];
    struct itm_flow_slab *slabs;
    struct itm_flow *free_list;     /* linked through lru_next */
    uint64_t next_id;
    itm_flow_end_fn end_fn;
    void *ctx;
    struct itm_flow_counters cnt;
};

/* SipHash-1-3 (Aumasson and Bernstein): keyed, so flow keys an attacker chooses still land
 * in buckets they cannot predict. */
#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = ROTL64(v1, 13);                                                                       \
        v1 ^= v0;                                                                                  \
        v0 = ROTL64(v0, 32);                                                                       \
        v2 += v3;                                                                                  \
        v3 = ROTL64(v3, 16);                                                                       \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = ROTL64(v3, 21);                                                                       \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = ROTL64(v1, 17);                                                                       \
        v1 ^= v2;                                                                                  \
        v2 = ROTL64(v2, 32);                                                                       \
    } while (0)

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint64_t itm_flow_hash(const uint64_t seed[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v0 = seed[0] ^ UINT64_C(0x736f6d6570736575);
    uint64_t v1 = seed[1] ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = seed[0] ^ UINT64_C(0x6c7967656e657261);
    uint64_t v3 = seed[1] ^ UINT64_C(0x7465646279746573);
    uint64_t b = (uint64_t)len << 56, m;
    size_t i, left = len & 7;

    for (i = 0; i + 8 <= len; i += 8) {
        m = load_le64(p + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; j < left; j++)
        b |= (uint64_t)p[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

struct itm_flow_table *itm_flow_table_new(const struct itm_flow_cfg *cfg, itm_flow_end_fn end_fn,
                                          void *ctx, int *err)
{
    struct itm_flow_table *t = itm_calloc(1, sizeof(*t));
    static const uint32_t def_timeout[ITM_LRU_COUNT] = {
        ITM_TIMEOUT_TCP, ITM_TIMEOUT_TCP_CLOSED, ITM_TIMEOUT_UDP, ITM_TIMEOUT_ICMP,
        ITM_TIMEOUT_OTHER};

    if (!t) {
        *err = ITM_ERR_NOMEM;
        return NULL;
    }
    t->cfg = *cfg;
    if (t->cfg.max_flows == 0)
        t->cfg.max_flows = ITM_DEFAULT_MAX_FLOWS;
    for (int i = 0; i < ITM_LRU_COUNT; i++)
        if (t->cfg.timeout_ns[i] == 0)
            t->cfg.timeout_ns[i] = (uint64_t)def_timeout[i] * 1000000000u;
    t->end_fn = end_fn;
    t->ctx = ctx;
    t->next_id = 1;
    *err = ITM_OK;
    return t;
}

static void free_flow_parts(struct itm_flow *f)
{
    itm_free(f->cold);
    f->cold = NULL;
}

static void release_all(struct itm_flow_table *t)
{
    struct itm_flow *f, *tmp;

    HASH_ITER(hh, t->hash, f, tmp) {
        HASH_DELETE(hh, t->hash, f);
        free_flow_parts(f);
    }
    HASH_CLEAR(hh, t->hash);
}

void itm_flow_table_free(struct itm_flow_table *t)
{
    struct itm_flow_slab *s, *next;

    if (!t)
        return;
    release_all(t);
    for (s = t->slabs; s; s = next) {
        next = s->next;
        itm_free(s);
    }
    itm_free(t);
}

void itm_flow_table_reset(struct itm_flow_table *t)
{
    struct itm_flow_slab *s;

    release_all(t);
    memset(t->lru, 0, sizeof(t->lru));
    t->free_list = NULL;
    for (s = t->slabs; s; s = s->next)
        for (unsigned i = 0; i < ITM_FLOW_SLAB; i++) {
            s->flows[i].lru_next = t->free_list;
            t->free_list = &s->flows[i];
        }
    t->next_id = 1;
    memset(&t->cnt, 0, sizeof(t->cnt));
}

static void lru_unlink(struct itm_flow_table *t, struct itm_flow *f)
{
    struct itm_lru_list *l = &t->lru[f->lru];

    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct itm_flow_table *t, struct itm_flow *f, enum itm_lru cls)
{
    struct itm_lru_list *l = &t->lru[cls];

    f->lru = (uint8_t)cls;
    f->lru_next = NULL;
    f->lru_prev = l->tail;
    if (l->tail)
        l->tail->lru_next = f;
    else
        l->head = f;
    l->tail = f;
}

/* Ends a flow: the callback sees it whole, then it goes back to the free list. */
static void end_flow(struct itm_flow_table *t, struct itm_flow *f, enum itm_end_reason reason)
{
    lru_unlink(t, f);
    HASH_DELETE(hh, t->hash, f);
    if (t->end_fn)
        t->end_fn(t->ctx, f, reason);
    free_flow_parts(f);
    f->lru_next = t->free_list;
    t->free_list = f;
    t->cnt.ended++;
    t->cnt.active--;
}

/* The least recently seen flow over all classes: the oldest of the list heads. */
static struct itm_flow *lru_oldest(struct itm_flow_table *t)
{
    struct itm_flow *best = NULL;

    for (int i = 0; i < ITM_LRU_COUNT; i++) {
        struct itm_flow *h = t->lru[i].head;
        if (h && (!best || h->last_ns < best->last_ns))
            best = h;
    }
    return best;
}

static struct itm_flow *flow_alloc(struct itm_flow_table *t)
{
    struct itm_flow *f;

    if (t->cnt.active >= t->cfg.max_flows) {
        struct itm_flow *victim = lru_oldest(t);
        if (victim) {
            t->cnt.evicted++;
            end_flow(t, victim, ITM_END_EVICTED);
        }
    }
    if (!t->free_list) {
        struct itm_flow_slab *s = itm_malloc(sizeof(*s));
        if (!s)
            return NULL;
        s->next = t->slabs;
        t->slabs = s;
        for (unsigned i = ITM_FLOW_SLAB; i-- > 0;) {
            s->flows[i].lru_next = t->free_list;
            t->free_list = &s->flows[i];
        }
    }
    f = t->free_list;
    t->free_list = f->lru_next;
    return f;
}

static int ip_cmp(const struct itm_pkt *p)
{
    return memcmp(p->src.a, p->dst.a, 16);
}

/* Builds the canonical key; returns 1 when the packet's source is endpoint a. */
static int make_key(const struct itm_flow_table *t, const struct itm_pkt *p,
                    struct itm_flow_key *k)
{
    int c = ip_cmp(p);
    int src_is_a = c < 0 || (c == 0 && p->sport <= p->dport);

    memset(k, 0, sizeof(*k));
    if (src_is_a) {
        memcpy(k->a, p->src.a, 16);
        memcpy(k->b, p->dst.a, 16);
        k->port_a = p->sport;
        k->port_b = p->dport;
    } else {
        memcpy(k->a, p->dst.a, 16);
        memcpy(k->b, p->src.a, 16);
        k->port_a = p->dport;
        k->port_b = p->sport;
    }
    k->proto = p->proto;
    k->family = p->ip_ver;
    if (t->cfg.vlan_in_key && p->nvlan)
        k->vlan = p->vlan[0];
    return src_is_a;
}

static int is_group_addr(const struct itm_ip *ip)
{
    static const uint8_t bcast[4] = {255, 255, 255, 255};

    if (ip->family == 4)
        return (ip->a[0] & 0xf0) == 0xe0 || memcmp(ip->a, bcast, 4) == 0;
    return ip->a[0] == 0xff;
}

/* A port that a client would connect to: documented by a signature, or well known. */
static int server_port(const struct itm_flow_table *t, uint8_t proto, uint16_t port)
{
    if (t->cfg.db && itm_sigdb_is_server_port(t->cfg.db, proto, port))
        return 1;
    return port != 0 && port < 1024;
}

/* Decides who the client is for a new flow: the SYN sender; the sender to a group address;
 * the side away from the only documented or well-known port; else the first sender. */
static int src_is_client(const struct itm_flow_table *t, const struct itm_pkt *p, uint8_t *orient)
{
    int s_srv, d_srv;

    if (p->proto == 6 && (p->tcp_flags & ITM_TCP_SYN)) {
        *orient = 0;
        return !(p->tcp_flags & ITM_TCP_ACK);
    }
    if (is_group_addr(&p->dst)) {
        *orient = 1;
        return 1;
    }
    if (p->proto == 1 || p->proto == 58) {
        *orient = 1;
        /* echo reply (0 / 129) comes from the server */
        return !(p->icmp_type == 0 || p->icmp_type == 129);
    }
    s_srv = server_port(t, p->proto, p->sport);
    d_srv = server_port(t, p->proto, p->dport);
    if (s_srv != d_srv) {
        *orient = 1;
        return d_srv;
    }
    *orient = 2;
    return 1;
}

static enum itm_lru lru_class(uint8_t proto)
{
    switch (proto) {
    case 6:
        return ITM_LRU_TCP;
    case 17:
        return ITM_LRU_UDP;
    case 1:
    case 58:
        return ITM_LRU_ICMP;
    default:
        return ITM_LRU_OTHER;
    }
}

static struct itm_flow *flow_create(struct itm_flow_table *t, const struct itm_pkt *p,
                                    const struct itm_flow_key *k, uint64_t hashv, int src_is_a)
{
    struct itm_flow *f = flow_alloc(t);
    int cli;

    if (!f) {
        t->cnt.nomem++;
        return NULL;
    }
    memset(f, 0, sizeof(*f));
    f->key = *k;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->hash, &f->key, sizeof(f->key), (unsigned)hashv, f);
    if (!f->hh.tbl) {
        f->lru_next = t->free_list;
        t->free_list = f;
        t->cnt.nomem++;
        return NULL;
    }
    cli = src_is_client(t, p, &f->orient);
    if ((cli && src_is_a) || (!cli && !src_is_a))
        f->bits |= ITM_FB_CLIENT_IS_A;
    f->id = t->next_id++;
    f->first_ns = f->last_ns = p->ts_ns;
    f->rule = ITM_NO_RULE;
    f->icmp_type = p->icmp_type;
    f->icmp_code = p->icmp_code;
    f->nvlan = p->nvlan > ITM_MAX_VLAN ? ITM_MAX_VLAN : p->nvlan;
    memcpy(f->vlan, p->vlan, sizeof(f->vlan));
    if (p->proto == 6)
        f->tcp_state = (p->tcp_flags & ITM_TCP_SYN) ? ITM_TCPS_SYN : ITM_TCPS_MIDSTREAM;
    lru_append(t, f, lru_class(p->proto));
    t->cnt.created++;
    t->cnt.active++;
    if (t->cnt.active > t->cnt.active_max)
        t->cnt.active_max = t->cnt.active;
    return f;
}

/* TCP state from the flags of one packet (RFC 9293 3.3.2, simplified to what a passive
 * observer can know). Returns 1 when the flow just closed. */
static int tcp_update(struct itm_flow *f, const struct itm_pkt *p, int dir)
{
    uint8_t fl = p->tcp_flags;

    if (fl & ITM_TCP_RST) {
        f->tcp_state = ITM_TCPS_RESET;
        return 1;
    }
    if ((fl & (ITM_TCP_SYN | ITM_TCP_ACK)) == (ITM_TCP_SYN | ITM_TCP_ACK)) {
        if (f->tcp_state == ITM_TCPS_SYN)
            f->tcp_state = ITM_TCPS_SYNACK;
    } else if ((fl & ITM_TCP_ACK) && f->tcp_state == ITM_TCPS_SYNACK && dir == ITM_DIR_TOSERVER) {
        f->tcp_state = ITM_TCPS_ESTABLISHED;
    }
    if (fl & ITM_TCP_FIN) {
        f->bits |= dir == ITM_DIR_TOSERVER ? ITM_FB_FIN0 : ITM_FB_FIN1;
        if ((f->bits & (ITM_FB_FIN0 | ITM_FB_FIN1)) == (ITM_FB_FIN0 | ITM_FB_FIN1)) {
            f->tcp_state = ITM_TCPS_CLOSED;
            return 1;
        }
        f->tcp_state = ITM_TCPS_FIN;
    }
    return 0;
}

static void account(struct itm_flow_table *t, struct itm_flow *f, const struct itm_pkt *p, int dir)
{
    f->pkts[dir]++;
    f->bytes[dir] += p->wirelen;
    f->payload_bytes[dir] += p->payload_wire_len;
    if (p->ts_ns > f->last_ns)
        f->last_ns = p->ts_ns;
    if (dir == ITM_DIR_TOCLIENT)
        f->bits |= ITM_FB_REPLY;
    if (p->proto == 6 && p->has_l4 && f->lru != ITM_LRU_TCP_CLOSED && tcp_update(f, p, dir)) {
        lru_unlink(t, f);
        lru_append(t, f, ITM_LRU_TCP_CLOSED);
        return;
    }
    if (f->lru_next) { /* move to the tail: most recently seen */
        enum itm_lru cls = (enum itm_lru)f->lru;
        lru_unlink(t, f);
        lru_append(t, f, cls);
    }
}

struct itm_flow *itm_flow_packet(struct itm_flow_table *t, const struct itm_pkt *p, int *dir,
                                 int *created)
{
    struct itm_flow_key k;
    struct itm_flow *f = NULL;
    int src_is_a = make_key(t, p, &k);
    uint64_t hv = itm_flow_hash(t->cfg.seed, &k, sizeof(k));

    *created = 0;
    HASH_FIND_BYHASHVALUE(hh, t->hash, &k, sizeof(k), (unsigned)hv, f);
    /* A new SYN on a closed or reset connection is port reuse: a new flow. */
    if (f && p->proto == 6 && p->has_l4 && (p->tcp_flags & (ITM_TCP_SYN | ITM_TCP_ACK)) ==
                                               ITM_TCP_SYN &&
        (f->tcp_state == ITM_TCPS_CLOSED || f->tcp_state == ITM_TCPS_RESET ||
         f->tcp_state == ITM_TCPS_FIN)) {
        end_flow(t, f, f->tcp_state == ITM_TCPS_RESET ? ITM_END_RST : ITM_END_FIN);
        f = NULL;
    }
    if (!f) {
        f = flow_create(t, p, &k, hv, src_is_a);
        if (!f)
            return NULL;
        *created = 1;
    }
    *dir = (src_is_a == !!(f->bits & ITM_FB_CLIENT_IS_A)) ? ITM_DIR_TOSERVER : ITM_DIR_TOCLIENT;
    account(t, f, p, *dir);
    return f;
}

void itm_flow_credit(struct itm_flow_table *t, struct itm_flow *f, int dir, uint32_t pkts,
                     uint64_t bytes, uint64_t first_ns)
{
    (void)t;
    f->pkts[dir] += pkts;
    f->bytes[dir] += bytes;
    if (first_ns && first_ns < f->first_ns)
        f->first_ns = first_ns;
}

void itm_flow_expire(struct itm_flow_table *t, uint64_t now_ns)
{
    for (int i = 0; i < ITM_LRU_COUNT; i++) {
        uint64_t to = t->cfg.timeout_ns[i];
        struct itm_flow *f;
        while ((f = t->lru[i].head) && f->last_ns + to < now_ns) {
            enum itm_end_reason r = ITM_END_TIMEOUT;
            if (i == ITM_LRU_TCP_CLOSED)
                r = f->tcp_state == ITM_TCPS_RESET ? ITM_END_RST : ITM_END_FIN;
            else
                t->cnt.expired++;
            end_flow(t, f, r);
        }
    }
}

void itm_flow_end_all(struct itm_flow_table *t, enum itm_end_reason reason)
{
    /* uthash keeps insertion order in hh.next: creation order, deterministic */
    while (t->hash) {
        struct itm_flow *f = t->hash;
        enum itm_end_reason r = reason;
        if (f->lru == ITM_LRU_TCP_CLOSED)
            r = f->tcp_state == ITM_TCPS_RESET ? ITM_END_RST : ITM_END_FIN;
        end_flow(t, f, r);
    }
}

void itm_flow_counters(const struct itm_flow_table *t, struct itm_flow_counters *out)
{
    *out = t->cnt;
}

static void key_ip(const struct itm_flow_key *k, int a, struct itm_ip *ip)
{
    ip->family = k->family;
    memcpy(ip->a, a ? k->a : k->b, 16);
}

void itm_flow_snapshot(const struct itm_flow *f, struct itm_flow_rec *rec)
{
    int ca = !!(f->bits & ITM_FB_CLIENT_IS_A);
    struct itm_label *l = &rec->label;

    memset(rec, 0, sizeof(*rec));
    rec->id = f->id;
    key_ip(&f->key, ca, &rec->client);
    key_ip(&f->key, !ca, &rec->server);
    rec->client_port = ca ? f->key.port_a : f->key.port_b;
    rec->server_port = ca ? f->key.port_b : f->key.port_a;
    rec->ipproto = f->key.proto;
    rec->icmp_type = f->icmp_type;
    rec->icmp_code = f->icmp_code;
    rec->nvlan = f->nvlan;
    memcpy(rec->vlan, f->vlan, sizeof(rec->vlan));
    rec->tcp_state = f->tcp_state;
    rec->orient = f->orient;
    for (int d = 0; d < 2; d++) {
        rec->pkts[d] = f->pkts[d];
        rec->bytes[d] = f->bytes[d];
        rec->payload_bytes[d] = f->payload_bytes[d];
    }
    rec->first_ns = f->first_ns;
    rec->last_ns = f->last_ns;
    l->rule = f->rule;
    l->confidence = f->confidence;
    l->nalt = f->nalt;
    memcpy(l->alt, f->alt, sizeof(l->alt));
    l->flags = f->flags;
    l->alerted = f->alerted;
    l->client_roles = f->client_roles;
    l->server_roles = f->server_roles;
    l->related_id = f->related_id;
    if (f->cold) {
        l->insp = f->cold->insp;
        memcpy(l->reason, f->cold->reason, sizeof(l->reason));
    }
}

int itm_flow_set_label(struct itm_flow *f, const struct itm_label *l)
{
    f->rule = l->rule;
    f->confidence = l->confidence;
    f->nalt = l->nalt > ITM_MAX_ALT ? ITM_MAX_ALT : l->nalt;
    memcpy(f->alt, l->alt, sizeof(f->alt));
    f->flags = l->flags;
    f->alerted = l->alerted;
    f->client_roles = l->client_roles;
    f->server_roles = l->server_roles;
    f->related_id = l->related_id;
    if (l->insp.id == 0 && l->reason[0] == '\0' && !f->cold)
        return ITM_OK;
    if (!f->cold) {
        f->cold = itm_calloc(1, sizeof(*f->cold));
        if (!f->cold)
            return ITM_ERR_NOMEM;
    }
    f->cold->insp = l->insp;
    memcpy(f->cold->reason, l->reason, sizeof(f->cold->reason));
    return ITM_OK;
}
