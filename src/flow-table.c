/* flow-table.c: the bidirectional flow table: uthash keyed by a canonical 5-tuple with a
 * seeded hash, flows from slabs with a free list, one LRU list per expiry class so that
 * expiry and eviction are O(1). It owns flows and their lifetime; it never classifies,
 * never writes output, and never reads packet bytes (only the decoded summary). It runs for
 * every packet, so it allocates nothing per packet and touches as few cache lines as it can
 * (docs/performance.md has the figures). */
#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "fasthash.h"
#include "flow-int.h"

/* uthash starts a table at 32 buckets and doubles it when a chain reaches 10 entries, so a
 * table of a few thousand flows walks three or four entries per lookup. Starting at 4,096
 * buckets (64 KiB, once per table) keeps those chains at one; large tables grow as before. */
#undef HASH_INITIAL_NUM_BUCKETS
#undef HASH_INITIAL_NUM_BUCKETS_LOG2
#define HASH_INITIAL_NUM_BUCKETS 4096U
#define HASH_INITIAL_NUM_BUCKETS_LOG2 12U

/* A slab: one huge-page block of flows (itm_alloc_huge), handed out in address order, then
 * again through the free list once they end. Nothing touches a flow before it is handed out,
 * so a small capture maps little of its slab. */
struct itm_flow_slab {
    size_t used; /* flows handed out in order so far */
    uint32_t no; /* its place in the table's slab_v, from 1 */
    _Alignas(64) struct itm_flow flows[];
};

#define SLAB_BYTES ITM_HUGE_BLOCK
#define SLAB_FLOWS ((SLAB_BYTES - offsetof(struct itm_flow_slab, flows)) / sizeof(struct itm_flow))

/* A flow reference: its slab's number above its place in the slab, never 0 (slabs count
 * from 1). Half a pointer, which the expiry links of a million flows feel; a slab is found
 * from a flow's address, since slabs are blocks aligned on their size. */
#define REF_POS_BITS 14u
#define REF_POS_MASK ((1u << REF_POS_BITS) - 1u)
#define REF_MAX_SLABS (UINT32_MAX >> REF_POS_BITS)
_Static_assert(SLAB_FLOWS <= (1u << REF_POS_BITS), "a slab's flows must fit REF_POS_BITS");
_Static_assert(sizeof(void *) != 8 || sizeof(struct itm_flow) == 192,
               "struct itm_flow grew: see flow-int.h and docs/performance.md");
_Static_assert(sizeof(void *) != 8 || (offsetof(struct itm_flow, key) == 64 &&
                                       offsetof(struct itm_flow, bits) == 128),
               "struct itm_flow: the key must start the second line, the bits the third");

struct itm_lru_list {
    struct itm_flow *head, *tail;
    uint32_t tail_ref;  /* ref_of(tail), 0 when empty: a touch needs both */
};

struct itm_flow_table {
    struct itm_flow_cfg cfg;
    struct itm_flow *hash;          /* uthash head */
    struct itm_lru_list lru[ITM_LRU_COUNT];
    /* A lower bound of the earliest expiry over the list heads, so that a packet that
     * cannot expire anything costs one comparison instead of a look at every list. */
    uint64_t next_expiry;
    struct itm_flow_slab **slab_v;  /* by number, from 1; the last is being handed out */
    uint32_t nslabs, slab_cap;
    uint32_t free_ref;              /* free flows, linked through lru_next; 0: none */
    uint64_t next_id;
    itm_flow_end_fn end_fn;
    itm_flow_ahead_fn ahead_fn;
    void *ctx;
    struct itm_flow_counters cnt;
};

/* Flow keys hash with the keyed multiply-fold hash of fasthash.h (why not SipHash: there). */
uint64_t itm_flow_hash(const uint64_t seed[2], const void *data, size_t len)
{
    return itm_fasthash(seed, data, len);
}

static inline struct itm_flow *flow_at(const struct itm_flow_table *t, uint32_t ref)
{
    return ref ? &t->slab_v[ref >> REF_POS_BITS]->flows[ref & REF_POS_MASK] : NULL;
}

static inline uint32_t ref_of(const struct itm_flow *f)
{
    const struct itm_flow_slab *s =
        (const struct itm_flow_slab *)((uintptr_t)f & ~(uintptr_t)(SLAB_BYTES - 1u));

    return s->no << REF_POS_BITS | (uint32_t)(f - s->flows);
}

/* Puts a flow that no table or list holds any more on the free list. */
static void free_push(struct itm_flow_table *t, struct itm_flow *f)
{
    f->lru_next = t->free_ref;
    t->free_ref = ref_of(f);
}

/* The expiry class of a flow: TCP flows move to the closed class when a RST or the second
 * FIN closes them, and their state stays closed from then on. */
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

static int tcp_closed(const struct itm_flow *f)
{
    return f->tcp_state == ITM_TCPS_CLOSED || f->tcp_state == ITM_TCPS_RESET;
}

static inline enum itm_lru lru_of(const struct itm_flow *f)
{
    if (f->key.proto == 6)
        return tcp_closed(f) ? ITM_LRU_TCP_CLOSED : ITM_LRU_TCP;
    return lru_class(f->key.proto);
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
    t->next_expiry = UINT64_MAX;
    *err = ITM_OK;
    return t;
}

static void free_flow_parts(struct itm_flow *f)
{
    if (f->cold) {
        itm_free(f->cold);
        f->cold = NULL;
    }
}

/* Frees the parts of every flow in the table and drops its buckets at once (taken out one by
 * one, each flow would touch its bucket and chain); the flows stay where they are. */
static void release_all(struct itm_flow_table *t)
{
    for (struct itm_flow *f = t->hash; f; f = f->hh.next)
        free_flow_parts(f);
    HASH_CLEAR(hh, t->hash);
}

void itm_flow_table_free(struct itm_flow_table *t)
{
    if (!t)
        return;
    release_all(t);
    for (uint32_t i = 1; i <= t->nslabs; i++)
        itm_free_huge(t->slab_v[i], SLAB_BYTES);
    itm_free(t->slab_v);
    itm_free(t);
}

/* After release_all or the like: no expiry list left, every flow handed out so far back on
 * the free list. */
static void recycle_all(struct itm_flow_table *t)
{
    memset(t->lru, 0, sizeof(t->lru));
    t->next_expiry = UINT64_MAX;
    t->free_ref = 0;
    for (uint32_t n = 1; n <= t->nslabs; n++)
        for (size_t i = 0; i < t->slab_v[n]->used; i++)
            free_push(t, &t->slab_v[n]->flows[i]);
}

void itm_flow_table_reset(struct itm_flow_table *t)
{
    release_all(t);
    recycle_all(t);
    t->next_id = 1;
    memset(&t->cnt, 0, sizeof(t->cnt));
}

/* Keeps next_expiry a lower bound when f becomes the head of its list. */
static void lru_new_head(struct itm_flow_table *t, const struct itm_flow *f, enum itm_lru cls)
{
    uint64_t at = f->last_ns + t->cfg.timeout_ns[cls];

    if (at < t->next_expiry)
        t->next_expiry = at;
}

/* Takes f out of its list, that of class cls. */
static void lru_unlink(struct itm_flow_table *t, struct itm_flow *f, enum itm_lru cls)
{
    struct itm_lru_list *l = &t->lru[cls];
    struct itm_flow *prev = flow_at(t, f->lru_prev), *next = flow_at(t, f->lru_next);

    if (prev) {
        prev->lru_next = f->lru_next;
    } else {
        l->head = next;
        if (next)
            lru_new_head(t, next, cls);
    }
    if (next) {
        next->lru_prev = f->lru_prev;
    } else {
        l->tail = prev;
        l->tail_ref = f->lru_prev;
    }
    f->lru_prev = f->lru_next = 0;
}

static void lru_append(struct itm_flow_table *t, struct itm_flow *f, enum itm_lru cls)
{
    struct itm_lru_list *l = &t->lru[cls];

    uint32_t me = ref_of(f);

    f->lru_next = 0;
    f->lru_prev = l->tail_ref;
    if (l->tail) {
        l->tail->lru_next = me;
    } else {
        l->head = f;
        lru_new_head(t, f, cls);
    }
    l->tail = f;
    l->tail_ref = me;
}

/* Most recently seen: to the tail of its list (unless it is there already). */
static void lru_touch(struct itm_flow_table *t, struct itm_flow *f)
{
    uint32_t next_ref = f->lru_next, me;
    enum itm_lru cls;
    struct itm_lru_list *l;
    struct itm_flow *next;

    if (!next_ref)
        return;
    cls = lru_of(f);
    l = &t->lru[cls];
    next = flow_at(t, next_ref);
    me = l->tail->lru_next = ref_of(f);
    if (f->lru_prev) {
        flow_at(t, f->lru_prev)->lru_next = next_ref;
    } else {
        l->head = next;
        lru_new_head(t, next, cls);
    }
    next->lru_prev = f->lru_prev;
    f->lru_prev = l->tail_ref;
    f->lru_next = 0;
    l->tail = f;
    l->tail_ref = me;
}

/* Ends a flow: the callback sees it whole, then it goes back to the free list. */
static void end_flow(struct itm_flow_table *t, struct itm_flow *f, enum itm_end_reason reason)
{
    lru_unlink(t, f, lru_of(f));
    HASH_DELETE(hh, t->hash, f);
    if (t->end_fn)
        t->end_fn(t->ctx, f, reason);
    free_flow_parts(f);
    free_push(t, f);
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
    struct itm_flow_slab *s;
    struct itm_flow *f;

    if (t->cnt.active >= t->cfg.max_flows) {
        struct itm_flow *victim = lru_oldest(t);
        if (victim) {
            t->cnt.evicted++;
            end_flow(t, victim, ITM_END_EVICTED);
        }
    }
    if (t->free_ref) {
        f = flow_at(t, t->free_ref);
        t->free_ref = f->lru_next;
        return f;
    }
    if (!t->nslabs || t->slab_v[t->nslabs]->used == SLAB_FLOWS) {
        if (t->nslabs + 1u >= t->slab_cap) {
            uint32_t cap = t->slab_cap ? t->slab_cap * 2u : 16u;
            struct itm_flow_slab **v;
            if (cap > REF_MAX_SLABS + 1u)
                return NULL;
            v = itm_realloc(t->slab_v, cap * sizeof(*v));
            if (!v)
                return NULL;
            t->slab_v = v;
            t->slab_cap = cap;
        }
        s = itm_alloc_huge(SLAB_BYTES);
        if (!s)
            return NULL;
        s->no = ++t->nslabs;
        t->slab_v[s->no] = s;
    }
    s = t->slab_v[t->nslabs];
    return &s->flows[s->used++];
}

/* memcmp order of the two addresses (big-endian words compare like bytes), inline. */
static int ip_cmp(const struct itm_pkt *p)
{
    uint64_t s0 = itm_load_be64(p->src.a), d0 = itm_load_be64(p->dst.a);
    uint64_t s1, d1;

    if (s0 != d0)
        return s0 < d0 ? -1 : 1;
    s1 = itm_load_be64(p->src.a + 8);
    d1 = itm_load_be64(p->dst.a + 8);
    return s1 < d1 ? -1 : s1 > d1;
}

/* The key is hashed and compared as 40 bytes: with no padding, writing every field defines
 * them all, and make_key need not clear it first. */
_Static_assert(sizeof(struct itm_flow_key) == 2 * 16 + 3 * sizeof(uint16_t) + 2,
               "struct itm_flow_key has padding: make_key must clear it");

/* Builds the canonical key; returns 1 when the packet's source is endpoint a. */
static inline int make_key(const struct itm_flow_table *t, const struct itm_pkt *p,
                           struct itm_flow_key *k)
{
    int c = ip_cmp(p);
    int src_is_a = c < 0 || (c == 0 && p->sport <= p->dport);
    const struct itm_ip *a = src_is_a ? &p->src : &p->dst;
    const struct itm_ip *b = src_is_a ? &p->dst : &p->src;

    memcpy(k->a, a->a, 16);
    memcpy(k->b, b->a, 16);
    k->port_a = src_is_a ? p->sport : p->dport;
    k->port_b = src_is_a ? p->dport : p->sport;
    k->vlan = t->cfg.vlan_in_key && p->nvlan ? p->vlan[0] : 0;
    k->proto = p->proto;
    k->family = p->ip_ver;
    return src_is_a;
}

static int is_group_addr(const struct itm_ip *ip)
{
    static const uint8_t bcast[4] = {255, 255, 255, 255};

    return itm_ip_is_multicast(ip) || (ip->family == 4 && memcmp(ip->a, bcast, 4) == 0);
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

/* Flows a bucket holds on average before the buckets double. uthash doubles them when one
 * chain reaches ten, which with a random key happens at a million flows in some runs and
 * not in others: 8 or 16 MiB of buckets, peak memory that depended on the key. By the load
 * instead, the same flows take the same buckets, and a keyed hash keeps chains short. */
#define BUCKET_LOAD 2u

/* Buckets ahead of the one being moved whose first flows are fetched while the doubling
 * goes on (their second ones at half the distance). */
#define EXPAND_AHEAD 16u

/* Doubles the buckets, as uthash's HASH_EXPAND_BUCKETS does and with the same chains, but
 * with the flows of the buckets ahead fetched meanwhile: each flow sits somewhere in
 * hundreds of megabytes, and the doubling at half a million flows took 80 ms of misses one
 * after another. Only the buckets' chains and counts are kept: uthash's own growth rule,
 * which its other fields serve, is off (grow_buckets). Out of memory: left as it is. */
static void expand_buckets(UT_hash_table *tbl)
{
    unsigned n = tbl->num_buckets, n2 = n * 2u;
    UT_hash_bucket *old = tbl->buckets, *nb = uthash_malloc(n2 * sizeof(*nb));

    if (!nb)
        return;
    memset(nb, 0, n2 * sizeof(*nb));
    for (unsigned i = 0; i < n; i++) {
        UT_hash_handle *hh, *next;
        if (i + EXPAND_AHEAD < n && old[i + EXPAND_AHEAD].hh_head)
            __builtin_prefetch(old[i + EXPAND_AHEAD].hh_head);
        if (i + EXPAND_AHEAD / 2u < n && (hh = old[i + EXPAND_AHEAD / 2u].hh_head) != NULL &&
            hh->hh_next)
            __builtin_prefetch(hh->hh_next);
        for (hh = old[i].hh_head; hh; hh = next) {
            UT_hash_bucket *b = &nb[hh->hashv & (n2 - 1u)];
            next = hh->hh_next;
            b->count++;
            hh->hh_prev = NULL;
            hh->hh_next = b->hh_head;
            if (b->hh_head)
                b->hh_head->hh_prev = hh;
            b->hh_head = hh;
        }
    }
    uthash_free(old, n * sizeof(*old));
    tbl->buckets = nb;
    tbl->num_buckets = n2;
    tbl->log2_num_buckets++;
}

static void grow_buckets(UT_hash_table *tbl)
{
    tbl->noexpand = 1; /* uthash's own rule off: this one instead */
    if (tbl->num_items > BUCKET_LOAD * tbl->num_buckets)
        expand_buckets(tbl);
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
        free_push(t, f);
        t->cnt.nomem++;
        return NULL;
    }
    grow_buckets(f->hh.tbl);
    cli = src_is_client(t, p, &f->orient);
    if ((cli && src_is_a) || (!cli && !src_is_a))
        f->bits |= ITM_FB_CLIENT_IS_A;
    f->id = t->next_id++;
    f->first_ns = f->last_ns = p->ts_ns;
    f->rule = ITM_NO_RULE;
    for (int i = 0; i < ITM_MAX_ALT; i++)
        f->alt[i] = ITM_NO_RULE;
    f->icmp_type = p->icmp_type;
    f->icmp_code = p->icmp_code;
    f->bits |= (uint8_t)((p->nvlan > ITM_MAX_VLAN ? ITM_MAX_VLAN : p->nvlan)
                         << ITM_FB_NVLAN_SHIFT);
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

    /* most segments of a connection: nothing below applies */
    if (!(fl & (ITM_TCP_RST | ITM_TCP_SYN | ITM_TCP_FIN)) && f->tcp_state != ITM_TCPS_SYNACK)
        return 0;
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

/* How a closed TCP flow ended. */
static enum itm_end_reason closed_reason(const struct itm_flow *f)
{
    return f->tcp_state == ITM_TCPS_RESET ? ITM_END_RST : ITM_END_FIN;
}

static size_t cold_size(size_t text_len, size_t text2_len, size_t reason_len)
{
    return offsetof(struct itm_flow_cold, str) + text_len + text2_len + reason_len + 3;
}

/* Gives the flow's counters their high words (zero), in the cold part; -1 out of memory. */
static int widen(struct itm_flow *f)
{
    struct itm_flow_cold *c = f->cold;

    if (f->bits & ITM_FB_WIDE)
        return 0;
    if (!c) {
        c = itm_calloc(1, cold_size(0, 0, 0)); /* no label part: empty strings */
        if (!c)
            return -1;
        f->cold = c;
    }
    memset(c->ctr_hi, 0, sizeof(c->ctr_hi));
    f->bits |= ITM_FB_WIDE;
    return 0;
}

/* The rare half of counting: counter c of direction dir carried once (its low word stored,
 * wrapped). Out of memory for the high word, the low one stays at its largest value (a
 * count of at least that) and the table counts it; returns 0 then, else 1. Four arguments:
 * with a fifth, its three calls in account() made GCC stop inlining the lookup. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int ctr_carry(struct itm_flow_table *t, struct itm_flow *f, int dir, int c)
{
    if (widen(f) != 0) {
        f->ctr[dir][c] = UINT32_MAX;
        t->cnt.nomem++;
        return 0;
    }
    f->cold->ctr_hi[dir][c]++;
    return 1;
}

/* Adds v, which may pass 32 bits, to counter c of direction dir. */
static void ctr_add(struct itm_flow_table *t, struct itm_flow *f, int dir, int c, uint64_t v)
{
    uint32_t *lo = &f->ctr[dir][c];
    uint64_t sum = (uint64_t)*lo + (uint32_t)v, carry = (v >> 32) + (sum >> 32);

    *lo = (uint32_t)sum;
    if (carry && ctr_carry(t, f, dir, c))
        f->cold->ctr_hi[dir][c] += (uint32_t)(carry - 1);
}

static void account(struct itm_flow_table *t, struct itm_flow *f, const struct itm_pkt *p, int dir)
{
    uint32_t *c = f->ctr[dir];
    uint32_t w = p->wirelen, pw = p->payload_wire_len;

    if (__builtin_expect(__builtin_add_overflow(c[ITM_CTR_PKTS], 1u, &c[ITM_CTR_PKTS]), 0))
        ctr_carry(t, f, dir, ITM_CTR_PKTS);
    if (__builtin_expect(__builtin_add_overflow(c[ITM_CTR_BYTES], w, &c[ITM_CTR_BYTES]), 0))
        ctr_carry(t, f, dir, ITM_CTR_BYTES);
    if (__builtin_expect(__builtin_add_overflow(c[ITM_CTR_PAYLOAD], pw, &c[ITM_CTR_PAYLOAD]), 0))
        ctr_carry(t, f, dir, ITM_CTR_PAYLOAD);
    if (p->ts_ns > f->last_ns)
        f->last_ns = p->ts_ns;
    if (p->proto == 6 && p->has_l4 && !tcp_closed(f) && tcp_update(f, p, dir)) {
        lru_unlink(t, f, ITM_LRU_TCP);
        lru_append(t, f, ITM_LRU_TCP_CLOSED);
        return;
    }
    lru_touch(t, f);
}

/* The bucket of a hash value (uthash's HASH_TO_BKT: bucket counts are powers of two). */
static inline const UT_hash_bucket *bucket_of(const UT_hash_table *tbl, unsigned hv)
{
    return &tbl->buckets[hv & (tbl->num_buckets - 1u)];
}

/* The canonical key of p and its hash. */
static void prep_key(const struct itm_flow_table *t, const struct itm_pkt *p,
                     struct itm_flow_prep *pr)
{
    pr->src_is_a = make_key(t, p, &pr->k);
    pr->hv = itm_fasthash(t->cfg.seed, &pr->k, sizeof(pr->k));
}

void itm_flow_prepare(const struct itm_flow_table *t, const struct itm_pkt *p,
                      struct itm_flow_prep *pr)
{
    prep_key(t, p, pr);
    if (t->hash) {
        const UT_hash_table *tbl = t->hash->hh.tbl;
        __builtin_prefetch(bucket_of(tbl, (unsigned)pr->hv));
    }
}

void itm_flow_prefetch(const struct itm_flow_table *t, const struct itm_flow_prep *pr,
                       unsigned depth)
{
    const UT_hash_table *tbl;
    const UT_hash_handle *hh;

    if (!t->hash)
        return;
    tbl = t->hash->hh.tbl;
    hh = bucket_of(tbl, (unsigned)pr->hv)->hh_head;
    for (; hh && depth > 0; depth--) {
        if (hh->hashv == (unsigned)pr->hv) {
            /* probably this one: its first two lines fetched already, the third (state
             * bits, expiry links) now; a pass later, from those links, the third lines of
             * its neighbours in the expiry list, which the packet's touch rewrites */
            if (depth == 1) {
                __builtin_prefetch((const char *)hh + 128);
            } else if (depth == 2) {
                const struct itm_flow *f =
                    (const struct itm_flow *)((const char *)hh - offsetof(struct itm_flow, hh));
                if (f->lru_prev)
                    __builtin_prefetch((const char *)flow_at(t, f->lru_prev) + 128);
                if (f->lru_next)
                    __builtin_prefetch((const char *)flow_at(t, f->lru_next) + 128);
            }
            return;
        }
        hh = hh->hh_next;
    }
    /* the handle (chain link and hash) and the key after it: the flow's first two lines */
    if (hh) {
        __builtin_prefetch(hh);
        __builtin_prefetch((const char *)hh + 64);
    }
}

/* The flow of a key: HASH_FIND_BYHASHVALUE's walk of the bucket, comparing the flow's own
 * key rather than through the handle's key pointer and length (every key has the same). */
static struct itm_flow *flow_find(const struct itm_flow_table *t, const struct itm_flow_key *k,
                                  unsigned hv)
{
    const UT_hash_table *tbl;
    UT_hash_handle *hh;

    if (!t->hash)
        return NULL;
    tbl = t->hash->hh.tbl;
    for (hh = bucket_of(tbl, hv)->hh_head; hh; hh = hh->hh_next) {
        struct itm_flow *f = (struct itm_flow *)((char *)hh - offsetof(struct itm_flow, hh));

        if (hh->hashv == hv && memcmp(&f->key, k, sizeof(*k)) == 0)
            return f;
    }
    return NULL;
}

/* A new SYN on a closed or reset connection is port reuse: a new flow. */
static int is_reuse(const struct itm_flow *f, const struct itm_pkt *p)
{
    return p->proto == 6 && p->has_l4 &&
           (p->tcp_flags & (ITM_TCP_SYN | ITM_TCP_ACK)) == ITM_TCP_SYN &&
           (tcp_closed(f) || f->tcp_state == ITM_TCPS_FIN);
}

/* The rare half of a lookup, out of line so that the common one (a known flow) stays small:
 * inlined, creation made every packet save and restore the registers it needs. Ends the
 * flow whose port is reused (old, may be NULL) and creates the packet's. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static struct itm_flow *flow_renew(struct itm_flow_table *t, struct itm_flow *old,
                                   const struct itm_pkt *p, const struct itm_flow_prep *pr)
{
    if (old)
        end_flow(t, old, closed_reason(old));
    return flow_create(t, p, &pr->k, pr->hv, pr->src_is_a);
}

/* Finds or creates the flow of a prepared packet and accounts the packet: the body of both
 * itm_flow_packet and itm_flow_packet_prepared. */
static inline struct itm_flow *flow_packet(struct itm_flow_table *t, const struct itm_pkt *p,
                                           const struct itm_flow_prep *pr, int *dir,
                                           int *created)
{
    struct itm_flow *f = flow_find(t, &pr->k, (unsigned)pr->hv);

    *created = 0;
    if (!f || is_reuse(f, p)) {
        f = flow_renew(t, f, p, pr);
        if (!f)
            return NULL;
        *created = 1;
    }
    *dir = (pr->src_is_a == !!(f->bits & ITM_FB_CLIENT_IS_A)) ? ITM_DIR_TOSERVER
                                                              : ITM_DIR_TOCLIENT;
    account(t, f, p, *dir);
    return f;
}

struct itm_flow *itm_flow_packet(struct itm_flow_table *t, const struct itm_pkt *p, int *dir,
                                 int *created)
{
    struct itm_flow_prep pr;

    prep_key(t, p, &pr);
    return flow_packet(t, p, &pr, dir, created);
}

struct itm_flow *itm_flow_packet_prepared(struct itm_flow_table *t, const struct itm_pkt *p,
                                          const struct itm_flow_prep *pr, int *dir,
                                          int *created)
{
    return flow_packet(t, p, pr, dir, created);
}

void itm_flow_credit(struct itm_flow_table *t, struct itm_flow *f, int dir, uint32_t pkts,
                     uint64_t bytes, uint64_t first_ns)
{
    ctr_add(t, f, dir, ITM_CTR_PKTS, pkts);
    ctr_add(t, f, dir, ITM_CTR_BYTES, bytes);
    if (first_ns && first_ns < f->first_ns)
        f->first_ns = first_ns;
}

void itm_flow_expire(struct itm_flow_table *t, uint64_t now_ns)
{
    uint64_t next = UINT64_MAX;

    if (now_ns <= t->next_expiry)
        return;
    for (int i = 0; i < ITM_LRU_COUNT; i++) {
        uint64_t to = t->cfg.timeout_ns[i];
        struct itm_flow *f;
        while ((f = t->lru[i].head) && f->last_ns + to < now_ns) {
            enum itm_end_reason r = ITM_END_TIMEOUT;
            if (i == ITM_LRU_TCP_CLOSED)
                r = closed_reason(f);
            else
                t->cnt.expired++;
            end_flow(t, f, r);
        }
    }
    /* every head is now due at or after now_ns; end_fn may have moved heads, so look again */
    for (int i = 0; i < ITM_LRU_COUNT; i++)
        if (t->lru[i].head && t->lru[i].head->last_ns + t->cfg.timeout_ns[i] < next)
            next = t->lru[i].head->last_ns + t->cfg.timeout_ns[i];
    t->next_expiry = next;
}

/* Tells ahead_fn of *ahead and moves it on to the next flow (nothing once past the last). */
static void tell_ahead(struct itm_flow_table *t, struct itm_flow **ahead)
{
    if (*ahead) {
        t->ahead_fn(t->ctx, *ahead);
        *ahead = (*ahead)->hh.next;
    }
}

void itm_flow_end_all(struct itm_flow_table *t, enum itm_end_reason reason)
{
    uint64_t n = 0;

    /* uthash keeps insertion order in hh.next: creation order, deterministic. Each flow is
     * ended where it stands, as release_all frees them, and the table emptied after the
     * last: taken out one by one, every flow would touch its bucket, its chain and its
     * expiry neighbours, memory all over the table (a million flows end at once at the end
     * of a large capture). */
    /* the next flow to tell ahead_fn of, ITM_FLOW_END_AHEAD ahead of f */
    struct itm_flow *ahead = t->ahead_fn ? t->hash : NULL;

    for (unsigned i = 0; ahead && i < ITM_FLOW_END_AHEAD; i++)
        tell_ahead(t, &ahead);
    for (struct itm_flow *f = t->hash; f; f = f->hh.next) {
        enum itm_end_reason r = reason;
        tell_ahead(t, &ahead);
        if (lru_of(f) == ITM_LRU_TCP_CLOSED)
            r = closed_reason(f);
        if (t->end_fn)
            t->end_fn(t->ctx, f, r);
        free_flow_parts(f);
        n++;
    }
    HASH_CLEAR(hh, t->hash);
    recycle_all(t);
    t->cnt.ended += n;
    t->cnt.active -= n;
}

void itm_flow_table_set_ahead(struct itm_flow_table *t, itm_flow_ahead_fn fn)
{
    t->ahead_fn = fn;
}

uint64_t itm_flow_active(const struct itm_flow_table *t)
{
    return t->cnt.active;
}

void itm_flow_counters(const struct itm_flow_table *t, struct itm_flow_counters *out)
{
    *out = t->cnt;
}

void itm_flow_table_set_db(struct itm_flow_table *t, const struct itm_sigdb *db)
{
    t->cfg.db = db;
}

void itm_flow_foreach(const struct itm_flow_table *t,
                      void (*fn)(void *ctx, const struct itm_flow *f), void *ctx)
{
    for (const struct itm_flow *f = t->hash; f; f = f->hh.next)
        fn(ctx, f);
}

static void key_ip(const struct itm_flow_key *k, int a, struct itm_ip *ip)
{
    ip->family = k->family;
    memcpy(ip->a, a ? k->a : k->b, 16);
}

void itm_flow_ends(const struct itm_flow *f, struct itm_ip *client, struct itm_ip *server)
{
    int ca = !!(f->bits & ITM_FB_CLIENT_IS_A);

    key_ip(&f->key, ca, client);
    key_ip(&f->key, !ca, server);
}

void itm_flow_snapshot(const struct itm_flow *f, struct itm_flow_rec *rec)
{
    int ca = !!(f->bits & ITM_FB_CLIENT_IS_A);
    struct itm_label *l = &rec->label;

    /* all but the label's strings (itm_label_clear): a flow takes three or four snapshots,
     * and callgrind counted the whole record's clear as 52 instructions */
    memset(rec, 0, offsetof(struct itm_flow_rec, label));
    itm_label_clear(l);
    rec->id = f->id;
    itm_flow_ends(f, &rec->client, &rec->server);
    rec->client_port = ca ? f->key.port_a : f->key.port_b;
    rec->server_port = ca ? f->key.port_b : f->key.port_a;
    rec->ipproto = f->key.proto;
    rec->icmp_type = f->icmp_type;
    rec->icmp_code = f->icmp_code;
    rec->nvlan = (uint8_t)(f->bits >> ITM_FB_NVLAN_SHIFT);
    memcpy(rec->vlan, f->vlan, sizeof(rec->vlan));
    rec->tcp_state = f->tcp_state;
    rec->orient = f->orient;
    for (int d = 0; d < 2; d++) {
        rec->pkts[d] = f->ctr[d][ITM_CTR_PKTS];
        rec->bytes[d] = f->ctr[d][ITM_CTR_BYTES];
        rec->payload_bytes[d] = f->ctr[d][ITM_CTR_PAYLOAD];
    }
    if (f->bits & ITM_FB_WIDE) {
        const struct itm_flow_cold *c = f->cold;
        for (int d = 0; d < 2; d++) {
            rec->pkts[d] |= (uint64_t)c->ctr_hi[d][ITM_CTR_PKTS] << 32;
            rec->bytes[d] |= (uint64_t)c->ctr_hi[d][ITM_CTR_BYTES] << 32;
            rec->payload_bytes[d] |= (uint64_t)c->ctr_hi[d][ITM_CTR_PAYLOAD] << 32;
        }
    }
    rec->first_ns = f->first_ns;
    rec->last_ns = f->last_ns;
    l->rule = f->rule;
    l->confidence = f->confidence;
    memcpy(l->alt, f->alt, sizeof(l->alt));
    while (l->nalt < ITM_MAX_ALT && f->alt[l->nalt] != ITM_NO_RULE)
        l->nalt++;
    l->flags = f->flags;
    l->client_roles = f->client_roles;
    l->server_roles = f->server_roles;
    if (f->cold) {
        const struct itm_flow_cold *c = f->cold;
        const char *s = c->str;

        l->related_id = c->related_id;
        l->insp.id = c->insp_id;
        l->insp.verdict = c->insp_verdict;
        l->insp.subtype = c->insp_subtype;
        l->insp.flags = c->insp_flags;
        memcpy(l->insp.mac, c->insp_mac, sizeof(l->insp.mac));
        memcpy(l->insp.text, s, c->text_len + 1u); /* with its NUL */
        s += c->text_len + 1;
        memcpy(l->insp.text2, s, c->text2_len + 1u);
        s += c->text2_len + 1;
        memcpy(l->reason, s, c->reason_len + 1u);
    }
}

static int insp_empty(const struct itm_inspect_result *r)
{
    static const uint8_t zero_mac[sizeof(r->mac)];

    return r->id == 0 && r->verdict == 0 && r->subtype == 0 && r->flags == 0 &&
           r->text[0] == '\0' && r->text2[0] == '\0' &&
           memcmp(r->mac, zero_mac, sizeof(r->mac)) == 0;
}

/* Empties the label's part of a cold part (at least cold_size(0, 0, 0) long). */
static void cold_clear_label(struct itm_flow_cold *c)
{
    c->related_id = 0;
    c->insp_id = c->insp_verdict = c->insp_subtype = c->insp_flags = 0;
    memset(c->insp_mac, 0, sizeof(c->insp_mac));
    c->text_len = c->text2_len = c->reason_len = 0;
    memset(c->str, 0, 3);
}

int itm_flow_set_label(struct itm_flow *f, const struct itm_label *l)
{
    struct itm_flow_cold *c = f->cold;
    int wide = !!(f->bits & ITM_FB_WIDE);
    size_t t1 = 0, t2 = 0, rl = 0, need;
    char *s;

    f->rule = l->rule;
    f->confidence = l->confidence;
    for (unsigned i = 0; i < ITM_MAX_ALT; i++)
        f->alt[i] = i < l->nalt ? l->alt[i] : ITM_NO_RULE;
    f->flags = l->flags;
    f->client_roles = l->client_roles;
    f->server_roles = l->server_roles;
    if (l->related_id == 0 && l->reason[0] == '\0' && insp_empty(&l->insp)) {
        if (!wide) {
            free_flow_parts(f);
            return ITM_OK;
        }
        /* the counters' high words stay, with an empty label part */
    } else {
        /* the strings are NUL-terminated by contract; the bounds only keep a broken one in */
        t1 = strnlen(l->insp.text, sizeof(l->insp.text) - 1);
        t2 = strnlen(l->insp.text2, sizeof(l->insp.text2) - 1);
        rl = strnlen(l->reason, sizeof(l->reason) - 1);
    }
    need = cold_size(t1, t2, rl);
    if (!c || cold_size(c->text_len, c->text2_len, c->reason_len) != need) {
        struct itm_flow_cold *n = itm_malloc(need);

        if (!n) {
            if (!wide) {
                free_flow_parts(f);
            } else {
                cold_clear_label(c); /* the label's part lost, the counters kept */
            }
            return ITM_ERR_NOMEM;
        }
        if (wide) {
            memcpy(n->ctr_hi, c->ctr_hi, sizeof(n->ctr_hi));
        }
        free_flow_parts(f);
        f->cold = c = n;
    }
    c->related_id = l->related_id;
    c->insp_id = l->insp.id;
    c->insp_verdict = l->insp.verdict;
    c->insp_subtype = l->insp.subtype;
    c->insp_flags = l->insp.flags;
    memcpy(c->insp_mac, l->insp.mac, sizeof(c->insp_mac));
    c->text_len = (uint8_t)t1;
    c->text2_len = (uint8_t)t2;
    c->reason_len = (uint8_t)rl;
    s = c->str;
    memcpy(s, l->insp.text, t1);
    s[t1] = '\0';
    s += t1 + 1;
    memcpy(s, l->insp.text2, t2);
    s[t2] = '\0';
    s += t2 + 1;
    memcpy(s, l->reason, rl);
    s[rl] = '\0';
    return ITM_OK;
}
