/* report-model.c: the aggregates behind the report, the firewall matrix and the allow
 * rules: per component, per matrix cell and per finding group, built from finished flow
 * snapshots. Every table is bounded (itm-limits.h) and counts what it had to leave out; it
 * never prints, and its order never depends on hashing. */
#include <stdlib.h>
#include <string.h>

#include "fasthash.h"
#include "itm-limits.h"
#include "report-int.h"

enum member_kind { MK_COMP = 0, MK_GROUP_SERVER, MK_GROUP_PORT };

/* A distinct address (or port) behind a count: "this component saw this client". A run
 * over many hosts holds hundreds of thousands (351,803 on the benchmark's million flows):
 * 28 bytes each in blocks, and an 8-byte slot of an index kept at most three-quarters full,
 * where a uthash entry took about 100. */
struct itm_rmember_key {
    uint32_t idx;
    uint8_t kind, side;
    uint8_t pad[2];
    struct itm_ip ip;
};
/* An index slot: the key's hash, and its number in the blocks plus one (0: empty). */
struct itm_rmember_slot {
    uint32_t hv, ref;
};
#define MEMBER_BLOCK 8192u
#define MEMBER_SLOTS_MIN 1024u

static struct itm_rmember_key *member_at(const struct itm_rmodel *m, uint64_t n)
{
    return &m->mblocks[n / MEMBER_BLOCK][n % MEMBER_BLOCK];
}

/* Keys here are addresses an attacker picks: the keyed hash keeps buckets unpredictable.
 * The hot tables' multiply-fold hash (fasthash.h, and why it suffices there) rather than
 * SipHash: every finished flow looks up its component, its matrix cell and their members,
 * and SipHash was a third of that; nothing here prints a hash or orders by one. */
static unsigned rm_hash(const struct itm_rmodel *m, const void *data, size_t len)
{
    uint64_t w = itm_fasthash(m->seed, data, len);

    return (unsigned)(w ^ (w >> 32));
}

void itm_rmodel_init(struct itm_rmodel *m)
{
    memset(m, 0, sizeof(*m));
    itm_hash_new_key(m->seed, m);
}

void itm_rmodel_init_cells(struct itm_rmodel *m)
{
    itm_rmodel_init(m);
    m->cells_only = 1;
}

void itm_rmodel_free(struct itm_rmodel *m)
{
    struct itm_rcomp *c, *ct;
    struct itm_rcell *e, *et;
    struct itm_rgroup *g, *gt;

    HASH_ITER(hh, m->comps, c, ct) {
        HASH_DEL(m->comps, c);
        itm_free(c);
    }
    HASH_ITER(hh, m->cells, e, et) {
        HASH_DEL(m->cells, e);
        itm_free(e);
    }
    HASH_ITER(hh, m->groups, g, gt) {
        HASH_DEL(m->groups, g);
        itm_free(g);
    }
    for (size_t i = 0; i < m->nmblocks; i++)
        itm_free(m->mblocks[i]);
    itm_free(m->mblocks);
    itm_free_big(m->mslots, m->nmslots * sizeof(*m->mslots));
    m->mblocks = NULL;
    m->nmblocks = 0;
    m->mslots = NULL;
    m->nmslots = 0;
    itm_free(m->comp_vec);
    itm_free(m->group_vec);
    m->comp_vec = NULL;
    m->group_vec = NULL;
    m->ncomps = m->ncells = m->ngroups = m->comp_cap = m->group_cap = 0;
    m->nmembers = 0;
}

/* ---- one model for the report, the matrix and the allow rules ---- */

/* The model the report outputs of a run share (ctx->shared): its users, and the one that
 * adds the flows. */
struct itm_out_shared {
    struct itm_rmodel m;
    unsigned users;
    const struct itm_rmodel_ref *adder;
};

/* Nothing added yet: what it is made of may still change. */
static int model_empty(const struct itm_rmodel *m)
{
    return m->total.flows == 0 && m->ncomps == 0 && m->ngroups == 0;
}

static void own_model(struct itm_rmodel_ref *ref, int full)
{
    if (full)
        itm_rmodel_init(&ref->own);
    else
        itm_rmodel_init_cells(&ref->own);
    ref->m = &ref->own;
    ref->sh = NULL;
}

void itm_rmodel_ref_open(struct itm_rmodel_ref *ref, const struct itm_output_ctx *ctx, int full)
{
    struct itm_out_shared *sh = ctx->shared ? *ctx->shared : NULL;

    memset(ref, 0, sizeof(*ref));
    if (!ctx->shared || (sh && !model_empty(&sh->m))) {
        own_model(ref, full);
        return;
    }
    if (!sh) {
        sh = itm_calloc(1, sizeof(*sh));
        if (!sh) { /* a model of its own works the same, at a model's cost */
            own_model(ref, full);
            return;
        }
        itm_rmodel_init_cells(&sh->m);
        *ctx->shared = sh;
    }
    if (full)
        sh->m.cells_only = 0;
    if (full || !sh->adder)
        sh->adder = ref;
    sh->users++;
    ref->sh = sh;
    ref->m = &sh->m;
}

void itm_rmodel_ref_add_flow(struct itm_rmodel_ref *ref, const struct itm_sigdb *db,
                             const struct itm_flow_rec *rec)
{
    if (!ref->sh || ref->sh->adder == ref)
        itm_rmodel_add_flow(ref->m, db, rec);
}

void itm_rmodel_ref_close(struct itm_rmodel_ref *ref, const struct itm_output_ctx *ctx)
{
    struct itm_out_shared *sh = ref->sh;

    if (!sh) {
        itm_rmodel_free(&ref->own);
    } else if (--sh->users == 0) {
        itm_rmodel_free(&sh->m);
        itm_free(sh);
        *ctx->shared = NULL;
    } else if (sh->adder == ref) {
        sh->adder = NULL; /* closing outputs see no more flows */
    }
    ref->m = NULL;
    ref->sh = NULL;
}

/* Grows a by-index vector to hold one more entry. 0 or ITM_ERR_NOMEM. */
static int vec_room(void ***vec, uint32_t *cap, uint32_t n)
{
    void **v;
    uint32_t c;

    if (n < *cap)
        return ITM_OK;
    c = *cap ? *cap * 2 : 64;
    v = itm_realloc(*vec, (size_t)c * sizeof(*v));
    if (!v)
        return ITM_ERR_NOMEM;
    *vec = v;
    *cap = c;
    return ITM_OK;
}

static void sum_add(struct itm_rsum *s, const struct itm_rsum *a)
{
    if (!a->flows)
        return;
    if (!s->flows || a->first_ns < s->first_ns)
        s->first_ns = a->first_ns;
    if (a->last_ns > s->last_ns)
        s->last_ns = a->last_ns;
    s->flows += a->flows;
    s->pkts += a->pkts;
    s->bytes += a->bytes;
    s->flagged += a->flagged;
}

/* The slot of key k (hash hv): its own, or the empty one where it would go. */
static struct itm_rmember_slot *member_slot(const struct itm_rmodel *m,
                                            const struct itm_rmember_key *k, uint32_t hv)
{
    size_t mask = m->nmslots - 1;

    for (size_t i = hv & mask;; i = (i + 1) & mask) {
        struct itm_rmember_slot *s = &m->mslots[i];
        if (!s->ref || (s->hv == hv && memcmp(member_at(m, s->ref - 1u), k, sizeof(*k)) == 0))
            return s;
    }
}

/* Room in the index for one more member: doubled (from the slots' own hashes) when it would
 * be more than three-quarters full. 0 or ITM_ERR_NOMEM, the index unchanged. */
static int member_index_room(struct itm_rmodel *m)
{
    size_t n = m->nmslots ? m->nmslots * 2 : MEMBER_SLOTS_MIN;
    struct itm_rmember_slot *old = m->mslots, *v;
    size_t nold = m->nmslots;

    if (nold && (m->nmembers + 1) * 4 <= nold * 3)
        return ITM_OK;
    v = itm_calloc_big(n * sizeof(*v));
    if (!v)
        return ITM_ERR_NOMEM;
    m->mslots = v;
    m->nmslots = n;
    for (size_t i = 0; i < nold; i++) {
        size_t j = old[i].hv & (n - 1);
        if (!old[i].ref)
            continue;
        while (v[j].ref)
            j = (j + 1) & (n - 1);
        v[j] = old[i];
    }
    itm_free_big(old, nold * sizeof(*old));
    return ITM_OK;
}

/* Room in the blocks for member number m->nmembers. 0 or ITM_ERR_NOMEM. */
static int member_block_room(struct itm_rmodel *m)
{
    struct itm_rmember_key **v, *b;

    if (m->nmembers < (uint64_t)m->nmblocks * MEMBER_BLOCK)
        return ITM_OK;
    b = itm_malloc(MEMBER_BLOCK * sizeof(*b));
    v = b ? itm_realloc(m->mblocks, (m->nmblocks + 1) * sizeof(*v)) : NULL;
    if (!v) {
        itm_free(b);
        return ITM_ERR_NOMEM;
    }
    v[m->nmblocks++] = b;
    m->mblocks = v;
    return ITM_OK;
}

/* 1 when the member is new, 0 when known or not tracked (table full: counted). */
static int member_add(struct itm_rmodel *m, enum member_kind kind, uint32_t idx, int side,
                      const struct itm_ip *ip)
{
    struct itm_rmember_key k;
    struct itm_rmember_slot *s;
    uint32_t hv;

    memset(&k, 0, sizeof(k));
    k.idx = idx;
    k.kind = (uint8_t)kind;
    k.side = (uint8_t)side;
    k.ip = *ip;
    hv = rm_hash(m, &k, sizeof(k));
    if (m->nmslots && member_slot(m, &k, hv)->ref)
        return 0;
    if (m->nmembers >= ITM_REPORT_MAX_MEMBERS) {
        m->members_dropped++;
        return 0;
    }
    if (member_index_room(m) != ITM_OK || member_block_room(m) != ITM_OK) {
        m->nomem = 1;
        return 0;
    }
    *member_at(m, m->nmembers) = k;
    s = member_slot(m, &k, hv);
    s->hv = hv;
    s->ref = (uint32_t)m->nmembers + 1u;
    m->nmembers++;
    return 1;
}

static struct itm_rcomp *comp_get(struct itm_rmodel *m, const char *id,
                                  const struct itm_rule *rule)
{
    size_t len = strlen(id) + 1; /* the NUL too, so that "" is a key like any other */
    unsigned hv = rm_hash(m, id, len);
    struct itm_rcomp *c;

    HASH_FIND_BYHASHVALUE(hh, m->comps, id, len, hv, c);
    if (c) {
        if (rule)
            c->rule = rule; /* after a reload, describe it as the newest database does */
        return c;
    }
    c = vec_room((void ***)&m->comp_vec, &m->comp_cap, m->ncomps) ? NULL
                                                                  : itm_calloc(1, sizeof(*c));
    if (!c) {
        m->nomem = 1;
        return NULL;
    }
    c->id = id;
    c->rule = rule;
    c->idx = m->ncomps;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->comps, c->id, len, hv, c);
    if (!c->hh.tbl) {
        itm_free(c);
        m->nomem = 1;
        return NULL;
    }
    m->comp_vec[m->ncomps++] = c;
    return c;
}

static struct itm_rcell *cell_get(struct itm_rmodel *m, const struct itm_rcell_key *k)
{
    unsigned hv = rm_hash(m, k, sizeof(*k));
    struct itm_rcell *e;

    HASH_FIND_BYHASHVALUE(hh, m->cells, k, sizeof(*k), hv, e);
    if (e)
        return e;
    if (m->ncells >= ITM_REPORT_MAX_CELLS)
        return NULL;
    e = itm_calloc(1, sizeof(*e));
    if (!e) {
        m->nomem = 1;
        return NULL;
    }
    e->k = *k;
    e->idx = m->ncells;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->cells, &e->k, sizeof(e->k), hv, e);
    if (!e->hh.tbl) {
        itm_free(e);
        m->nomem = 1;
        return NULL;
    }
    m->ncells++;
    return e;
}

static struct itm_rgroup *group_get(struct itm_rmodel *m, const struct itm_rgroup_key *k)
{
    unsigned hv = rm_hash(m, k, sizeof(*k));
    struct itm_rgroup *g;

    HASH_FIND_BYHASHVALUE(hh, m->groups, k, sizeof(*k), hv, g);
    if (g)
        return g;
    if (m->ngroups >= ITM_REPORT_MAX_GROUPS)
        return NULL;
    g = vec_room((void ***)&m->group_vec, &m->group_cap, m->ngroups) ? NULL
                                                                     : itm_calloc(1, sizeof(*g));
    if (!g) {
        m->nomem = 1;
        return NULL;
    }
    g->k = *k;
    g->idx = m->ngroups;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->groups, &g->k, sizeof(g->k), hv, g);
    if (!g->hh.tbl) {
        itm_free(g);
        m->nomem = 1;
        return NULL;
    }
    m->group_vec[m->ngroups++] = g;
    return g;
}

/* The documented range a port falls in; the rule's whole span when none holds it. */
static void rule_span(const struct itm_rule *r, uint16_t port, uint16_t *lo, uint16_t *hi)
{
    *lo = 0;
    *hi = 65535;
    for (unsigned i = 0; i < r->nranges && i < ITM_RULE_MAX_RANGES; i++)
        if (port >= r->ranges[i].lo && port <= r->ranges[i].hi) {
            *lo = r->ranges[i].lo;
            *hi = r->ranges[i].hi;
            return;
        }
    if (r->nranges) {
        *lo = r->ranges[0].lo;
        *hi = r->ranges[r->nranges - 1].hi;
    }
}

/* The roles a cell shows: the ends' roles that the rule accounts for, so that a host with
 * several roles lands in the cell of the role the traffic used. */
static void flow_roles(const struct itm_rule *r, const struct itm_flow_rec *rec, uint32_t *cr,
                       uint32_t *sr)
{
    uint32_t c = rec->client_roles_now, s = rec->server_roles_now;

    if (r && (c & r->client_roles))
        c &= r->client_roles;
    if (r && (s & r->server_roles))
        s &= r->server_roles;
    *cr = c;
    *sr = s;
}

static void cell_key(const struct itm_rule *r, uint32_t comp, const struct itm_flow_rec *rec,
                     uint32_t cr, uint32_t sr, struct itm_rcell_key *k)
{
    memset(k, 0, sizeof(*k));
    k->comp = comp;
    k->croles = cr;
    k->sroles = sr;
    k->proto = rec->ipproto;
    k->icmp_type = (rec->ipproto == 1 || rec->ipproto == 58) ? rec->icmp_type : 0;
    if (rec->ipproto != 6 && rec->ipproto != 17)
        return;
    if (r && (r->flags & ITM_RF_SOURCE_PORT)) {
        rule_span(r, rec->client_port, &k->lo, &k->hi);
        k->sport = 1;
    } else if (r && ((r->flags & ITM_RF_DYNAMIC) || itm_rule_port_is_broad(r, rec->server_port))) {
        rule_span(r, rec->server_port, &k->lo, &k->hi);
    } else {
        k->lo = k->hi = rec->server_port;
    }
}

static void group_note_port(struct itm_rmodel *m, struct itm_rgroup *g, uint16_t port)
{
    struct itm_ip ip;

    memset(&ip, 0, sizeof(ip));
    ip.a[0] = (uint8_t)(port >> 8);
    ip.a[1] = (uint8_t)port;
    if (!member_add(m, MK_GROUP_PORT, g->idx, 0, &ip))
        return;
    g->nports++;
    if (g->nport_shown < ITM_RGROUP_PORTS)
        g->ports[g->nport_shown++] = port;
}

static void group_note_server(struct itm_rmodel *m, struct itm_rgroup *g, const struct itm_ip *ip)
{
    if (!member_add(m, MK_GROUP_SERVER, g->idx, 1, ip))
        return;
    g->nservers++;
    if (g->nserver_shown < ITM_RGROUP_SERVERS)
        g->servers[g->nserver_shown++] = *ip;
}

static void group_note_id(struct itm_rgroup *g, uint64_t id)
{
    for (unsigned i = 0; i < g->nids; i++)
        if (g->ids[i] == id)
            return;
    if (g->nids < ITM_RGROUP_IDS)
        g->ids[g->nids++] = id;
}

static void group_key(uint32_t flag, const struct itm_flow_rec *rec, struct itm_rgroup_key *k)
{
    memset(k, 0, sizeof(*k));
    k->flag = flag;
    k->client = rec->client;
    /* a scan is one source against many hosts: one group, the hosts listed inside it */
    if (flag != ITM_F_SCAN)
        k->server = rec->server;
    k->proto = rec->ipproto;
}

static void add_groups(struct itm_rmodel *m, const struct itm_flow_rec *rec,
                       const struct itm_rsum *one)
{
    for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++) {
        struct itm_rgroup_key k;
        struct itm_rgroup *g;
        if (!(rec->label.flags & (1u << b)))
            continue;
        m->flags_flows[b]++;
        group_key(1u << b, rec, &k);
        g = group_get(m, &k);
        if (!g) {
            m->groups_dropped++;
            continue;
        }
        sum_add(&g->sum, one);
        group_note_id(g, rec->id);
        group_note_server(m, g, &rec->server);
        if (rec->ipproto == 6 || rec->ipproto == 17)
            group_note_port(m, g, rec->server_port);
        if (!g->reason[0] && rec->label.reason[0] && rec->label.flags == (1u << b))
            memcpy(g->reason, rec->label.reason, sizeof(g->reason));
    }
}

void itm_rmodel_add_flow(struct itm_rmodel *m, const struct itm_sigdb *db,
                         const struct itm_flow_rec *rec)
{
    const struct itm_rule *r = NULL;
    struct itm_rsum one;
    struct itm_rcomp *c;
    struct itm_rcell_key k;
    struct itm_rcell *e;
    uint32_t cr, sr;

    if (rec->label.rule != ITM_NO_RULE && db)
        r = itm_sigdb_rule(db, rec->label.rule);
    memset(&one, 0, sizeof(one));
    one.flows = 1;
    one.pkts = rec->pkts[0] + rec->pkts[1];
    one.bytes = rec->bytes[0] + rec->bytes[1];
    one.flagged = rec->label.flags != 0;
    one.first_ns = rec->first_ns;
    one.last_ns = rec->last_ns;
    sum_add(&m->total, &one);
    if (!r)
        sum_add(&m->unlabelled, &one);
    if (!m->cells_only)
        add_groups(m, rec, &one);
    c = comp_get(m, r ? r->id : "", r);
    if (!c)
        return;
    sum_add(&c->sum, &one);
    if (!m->cells_only) {
        c->clients += (uint64_t)member_add(m, MK_COMP, c->idx, 0, &rec->client);
        c->servers += (uint64_t)member_add(m, MK_COMP, c->idx, 1, &rec->server);
    }
    flow_roles(r, rec, &cr, &sr);
    cell_key(r, c->idx, rec, cr, sr, &k);
    e = cell_get(m, &k);
    if (!e) {
        m->cells_dropped++;
        return;
    }
    sum_add(&e->sum, &one);
    e->families |= rec->client.family == 6 ? 2u : 1u;
}

void itm_rmodel_add_alert(struct itm_rmodel *m, const struct itm_flow_rec *rec, uint32_t flag)
{
    struct itm_rgroup_key k;
    struct itm_rgroup *g;

    /* the label's reason explains its first flag only: keep it when this is that flag */
    if (m->cells_only || rec->label.flags != flag || !rec->label.reason[0])
        return;
    group_key(flag, rec, &k);
    g = group_get(m, &k);
    if (g && !g->reason[0])
        memcpy(g->reason, rec->label.reason, sizeof(g->reason));
}

/* ---- merging (a snapshot: what ended plus what is still open) ---- */

static int merge_comps(struct itm_rmodel *dst, const struct itm_rmodel *src)
{
    struct itm_rcomp *c;

    for (c = src->comps; c; c = c->hh.next) {
        struct itm_rcomp *d = comp_get(dst, c->id, c->rule);
        c->peer = d;
        if (!d)
            return ITM_ERR_NOMEM;
        sum_add(&d->sum, &c->sum);
    }
    return ITM_OK;
}

static int merge_cells(struct itm_rmodel *dst, const struct itm_rmodel *src)
{
    struct itm_rcell *e;

    for (e = src->cells; e; e = e->hh.next) {
        struct itm_rcomp *c = e->k.comp < src->ncomps ? src->comp_vec[e->k.comp] : NULL;
        struct itm_rcell_key k = e->k;
        struct itm_rcell *d;
        if (!c || !c->peer)
            return ITM_ERR_NOMEM;
        k.comp = c->peer->idx;
        d = cell_get(dst, &k);
        if (!d) {
            dst->cells_dropped += e->sum.flows;
            continue;
        }
        sum_add(&d->sum, &e->sum);
        d->families |= e->families;
    }
    return ITM_OK;
}

static void merge_groups(struct itm_rmodel *dst, const struct itm_rmodel *src)
{
    struct itm_rgroup *g;

    for (g = src->groups; g; g = g->hh.next) {
        struct itm_rgroup *d = group_get(dst, &g->k);
        g->peer = d;
        if (!d) {
            dst->groups_dropped += g->sum.flows;
            continue;
        }
        sum_add(&d->sum, &g->sum);
        for (unsigned i = 0; i < g->nids; i++)
            group_note_id(d, g->ids[i]);
        if (!d->reason[0])
            memcpy(d->reason, g->reason, sizeof(d->reason));
    }
}

/* Members after their owners, so that each lands on its merged owner and counts there. */
static void merge_members(struct itm_rmodel *dst, const struct itm_rmodel *src)
{
    for (uint64_t n = 0; n < src->nmembers; n++) {
        const struct itm_rmember_key *x = member_at(src, n);
        struct itm_rcomp *c = NULL;
        struct itm_rgroup *g = NULL;
        if (x->kind == MK_COMP && x->idx < src->ncomps)
            c = src->comp_vec[x->idx]->peer;
        else if (x->kind != MK_COMP && x->idx < src->ngroups)
            g = src->group_vec[x->idx]->peer;
        if (c && member_add(dst, MK_COMP, c->idx, x->side, &x->ip))
            *(x->side ? &c->servers : &c->clients) += 1;
        else if (g && x->kind == MK_GROUP_SERVER)
            group_note_server(dst, g, &x->ip);
        else if (g && x->kind == MK_GROUP_PORT)
            group_note_port(dst, g, (uint16_t)(x->ip.a[0] << 8 | x->ip.a[1]));
    }
}

int itm_rmodel_merge(struct itm_rmodel *dst, const struct itm_rmodel *src)
{
    dst->nomem |= src->nomem; /* what src lost, the merge lacks too */
    sum_add(&dst->total, &src->total);
    sum_add(&dst->unlabelled, &src->unlabelled);
    for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++)
        dst->flags_flows[b] += src->flags_flows[b];
    dst->cells_dropped += src->cells_dropped;
    dst->groups_dropped += src->groups_dropped;
    dst->members_dropped += src->members_dropped;
    if (merge_comps(dst, src) || merge_cells(dst, src)) {
        dst->nomem = 1;
        return ITM_ERR_NOMEM;
    }
    merge_groups(dst, src);
    merge_members(dst, src);
    return dst->nomem ? ITM_ERR_NOMEM : ITM_OK;
}

/* ---- sorted views ---- */

/* The component of a cell. */
static const struct itm_rcomp *comp_at(const struct itm_rmodel *m, uint32_t idx)
{
    return idx < m->ncomps ? m->comp_vec[idx] : NULL;
}

const struct itm_rcomp *itm_rmodel_comp_find(const struct itm_rmodel *m, const char *id)
{
    size_t len = strlen(id) + 1;
    struct itm_rcomp *c;

    HASH_FIND_BYHASHVALUE(hh, m->comps, id, len, rm_hash(m, id, len), c);
    return c;
}

const struct itm_rule *itm_rcell_rule(const struct itm_rmodel *m, const struct itm_rcell *c)
{
    const struct itm_rcomp *comp = comp_at(m, c->k.comp);

    return comp ? comp->rule : NULL;
}

static int rule_order(const struct itm_rule *a, const struct itm_rule *b)
{
    if (!a || !b)
        return !a - !b; /* "no rule" after every rule */
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int comp_cmp(const void *x, const void *y)
{
    const struct itm_rcomp *a = *(const struct itm_rcomp *const *)x;
    const struct itm_rcomp *b = *(const struct itm_rcomp *const *)y;

    return rule_order(a->rule, b->rule);
}

struct itm_rcomp **itm_rmodel_comps(const struct itm_rmodel *m, size_t *n)
{
    struct itm_rcomp **v = m->ncomps ? itm_calloc(m->ncomps, sizeof(*v)) : NULL;
    size_t i = 0;

    *n = 0;
    if (!v)
        return NULL;
    for (struct itm_rcomp *c = m->comps; c; c = c->hh.next)
        v[i++] = c;
    qsort(v, i, sizeof(*v), comp_cmp);
    *n = i;
    return v;
}

static int u64_cmp(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

/* A cell with its rule, looked up once for the sort. */
struct cell_sort {
    struct itm_rcell *cell;
    const struct itm_rule *rule;
};

static int cell_cmp(const void *x, const void *y)
{
    const struct cell_sort *a = x, *b = y;
    int c = rule_order(a->rule, b->rule);

    if (c)
        return c;
    if (!a->rule && a->cell->sum.flows != b->cell->sum.flows)
        return a->cell->sum.flows > b->cell->sum.flows ? -1 : 1;
    if (a->cell->k.croles != b->cell->k.croles)
        return u64_cmp(a->cell->k.croles, b->cell->k.croles);
    if (a->cell->k.sroles != b->cell->k.sroles)
        return u64_cmp(a->cell->k.sroles, b->cell->k.sroles);
    if (a->cell->k.proto != b->cell->k.proto)
        return u64_cmp(a->cell->k.proto, b->cell->k.proto);
    if (a->cell->k.sport != b->cell->k.sport)
        return u64_cmp(a->cell->k.sport, b->cell->k.sport);
    if (a->cell->k.lo != b->cell->k.lo)
        return u64_cmp(a->cell->k.lo, b->cell->k.lo);
    if (a->cell->k.hi != b->cell->k.hi)
        return u64_cmp(a->cell->k.hi, b->cell->k.hi);
    return u64_cmp(a->cell->k.icmp_type, b->cell->k.icmp_type);
}

struct itm_rcell **itm_rmodel_cells(const struct itm_rmodel *m, size_t *n)
{
    struct cell_sort *s = m->ncells ? itm_calloc(m->ncells, sizeof(*s)) : NULL;
    struct itm_rcell **v = m->ncells ? itm_calloc(m->ncells, sizeof(*v)) : NULL;
    size_t i = 0;

    *n = 0;
    if (!s || !v) {
        itm_free(v);
        v = NULL;
        goto out;
    }
    for (struct itm_rcell *e = m->cells; e; e = e->hh.next, i++) {
        s[i].cell = e;
        s[i].rule = itm_rcell_rule(m, e);
    }
    qsort(s, i, sizeof(*s), cell_cmp);
    for (size_t j = 0; j < i; j++)
        v[j] = s[j].cell;
    *n = i;
out:
    itm_free(s);
    return v;
}

static int group_cmp(const void *x, const void *y)
{
    const struct itm_rgroup *a = *(const struct itm_rgroup *const *)x;
    const struct itm_rgroup *b = *(const struct itm_rgroup *const *)y;
    int c;

    if (a->k.flag != b->k.flag)
        return a->k.flag < b->k.flag ? -1 : 1;
    if (a->sum.flows != b->sum.flows)
        return a->sum.flows > b->sum.flows ? -1 : 1;
    if ((c = itm_ip_cmp(&a->k.client, &b->k.client)) != 0)
        return c;
    if ((c = itm_ip_cmp(&a->k.server, &b->k.server)) != 0)
        return c;
    return u64_cmp(a->k.proto, b->k.proto);
}

struct itm_rgroup **itm_rmodel_groups(const struct itm_rmodel *m, size_t *n)
{
    struct itm_rgroup **v = m->ngroups ? itm_calloc(m->ngroups, sizeof(*v)) : NULL;
    size_t i = 0;

    *n = 0;
    if (!v)
        return NULL;
    for (struct itm_rgroup *g = m->groups; g; g = g->hh.next)
        if (g->sum.flows)
            v[i++] = g;
    qsort(v, i, sizeof(*v), group_cmp);
    *n = i;
    return v;
}
