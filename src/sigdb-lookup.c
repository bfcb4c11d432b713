/* sigdb-lookup.c: the (protocol, port) index of a loaded signature database, the queries on
 * it and the site port moves that rebuild it. Lookups never allocate and never write; only
 * itm_sigdb_move changes a database, and it leaves the old index in place when it fails. */
#include <stdlib.h>
#include <string.h>

#include "itmscope/sigdb.h"
#include "sigdb-int.h"

#define SIG_NPORTS 65536u

/* A range start (+1) or end (-1) of one rule, for the sweep that cuts ports into runs. */
struct sig_event {
    uint32_t port; /* hi + 1 may be 65536 */
    uint32_t rule;
    int delta;
    int broad;
};

/* 1 when range i of r is broad (BROAD rule, more than one port). */
static int range_is_broad(const struct itm_rule *r, unsigned i)
{
    return (r->flags & ITM_RF_BROAD) && r->ranges[i].lo < r->ranges[i].hi;
}

int itm_sigdb_id_cmp(const void *a, const void *b)
{
    const struct itm_rule *const *x = a, *const *y = b;
    int c = strcmp((*x)->id, (*y)->id);

    if (c)
        return c;
    return (*x)->index < (*y)->index ? -1 : (*x)->index > (*y)->index;
}

static int rule_indexed(const struct itm_rule *r, unsigned pbit)
{
    /* DYNAMIC rules have "random" ports: only roles can match them */
    return !(r->flags & ITM_RF_DYNAMIC) && ((r->protos | r->protos_extra) & pbit);
}

static int event_cmp(const void *a, const void *b)
{
    const struct sig_event *x = a, *y = b;
    return x->port < y->port ? -1 : x->port > y->port;
}

static struct sig_event *collect_events(const struct itm_sigdb *db, unsigned pbit, size_t *nev)
{
    struct sig_event *ev;
    size_t n = 0;

    for (size_t i = 0; i < db->nrules; i++)
        if (rule_indexed(&db->rules[i], pbit))
            n += 2u * db->rules[i].nranges;
    ev = itm_calloc(n, sizeof(*ev));
    if (!ev)
        return NULL;
    *nev = 0;
    for (size_t i = 0; i < db->nrules; i++) {
        const struct itm_rule *r = &db->rules[i];
        if (!rule_indexed(r, pbit))
            continue;
        for (unsigned k = 0; k < r->nranges; k++) {
            int broad = range_is_broad(r, k);
            ev[(*nev)++] = (struct sig_event){r->ranges[k].lo, (uint32_t)i, 1, broad};
            ev[(*nev)++] = (struct sig_event){r->ranges[k].hi + 1u, (uint32_t)i, -1, broad};
        }
    }
    qsort(ev, *nev, sizeof(*ev), event_cmp);
    return ev;
}

static int list_push(struct itm_sig_portidx *px, size_t *cap, const struct itm_rule *r)
{
    if (px->nlist == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        const struct itm_rule **nl;
        if (px->nlist >= ITM_SIGDB_MAX_INDEX)
            return ITM_ERR_FULL;
        nl = itm_realloc(px->list, ncap * sizeof(*nl));
        if (!nl)
            return ITM_ERR_NOMEM;
        px->list = nl;
        *cap = ncap;
    }
    px->list[px->nlist++] = r;
    return 0;
}

/* Appends the candidate list for the current sweep position: rules with an active specific
 * range first, then rules active only through broad ranges, each in file order. act holds
 * two counters per rule (specific, broad). A list equal to the previous run's is shared. */
static int add_segment(const struct itm_sigdb *db, struct itm_sig_portidx *px, size_t *cap,
                       const uint8_t *act, uint16_t *seg)
{
    size_t start = px->nlist, n;
    uint8_t server = 0;
    int rc = 0;

    for (size_t i = 0; i < db->nrules && rc == 0; i++)
        if (act[2 * i]) {
            rc = list_push(px, cap, &db->rules[i]);
            if (!(db->rules[i].flags & ITM_RF_SOURCE_PORT))
                server = 1;
        }
    for (size_t i = 0; i < db->nrules && rc == 0; i++)
        if (!act[2 * i] && act[2 * i + 1])
            rc = list_push(px, cap, &db->rules[i]);
    if (rc)
        return rc;
    n = px->nlist - start;
    if (px->nsegs) {
        const struct itm_sig_seg *prev = &px->segs[px->nsegs - 1];
        size_t bytes = n * sizeof(*px->list);
        if (prev->n == n && prev->server == server &&
            (n == 0 || memcmp(px->list + prev->off, px->list + start, bytes) == 0)) {
            px->nlist = start;
            *seg = (uint16_t)(px->nsegs - 1);
            return 0;
        }
    }
    px->segs[px->nsegs] = (struct itm_sig_seg){(uint32_t)start, (uint16_t)n, server};
    *seg = (uint16_t)px->nsegs++;
    return 0;
}

static void portidx_free(struct itm_sig_portidx *px)
{
    itm_free(px->seg_of);
    itm_free(px->segs);
    itm_free(px->list);
    memset(px, 0, sizeof(*px));
}

/* Sweeps the range starts and ends in port order; between two event ports the candidate
 * list cannot change, so each run is listed once and every port maps to its run. */
static int sweep(const struct itm_sigdb *db, struct itm_sig_portidx *px, const struct sig_event *ev,
                 size_t nev, uint8_t *act)
{
    size_t e = 0, cap = 0;
    uint32_t port = 0;

    while (port < SIG_NPORTS) {
        uint32_t next;
        uint16_t seg;
        int rc;
        for (; e < nev && ev[e].port == port; e++) {
            uint8_t *c = &act[2 * ev[e].rule + (ev[e].broad ? 1 : 0)];
            *c = (uint8_t)(*c + ev[e].delta);
        }
        next = e < nev ? ev[e].port : SIG_NPORTS;
        rc = add_segment(db, px, &cap, act, &seg);
        if (rc)
            return rc;
        for (; port < next; port++)
            px->seg_of[port] = seg;
    }
    return 0;
}

static int portidx_build(const struct itm_sigdb *db, unsigned pbit, struct itm_sig_portidx *px)
{
    struct sig_event *ev = NULL;
    uint8_t *act = NULL;
    size_t nev = 0;
    int rc = ITM_ERR_NOMEM;

    memset(px, 0, sizeof(*px));
    ev = collect_events(db, pbit, &nev);
    act = itm_calloc(db->nrules, 2);
    px->seg_of = itm_malloc(SIG_NPORTS * sizeof(*px->seg_of)); /* the sweep sets every port */
    /* each run starts at port 0 or at a distinct event port */
    px->segs = itm_calloc(nev + 1, sizeof(*px->segs));
    if (ev && act && px->seg_of && px->segs)
        rc = sweep(db, px, ev, nev, act);
    itm_free(ev);
    itm_free(act);
    if (rc)
        portidx_free(px);
    return rc;
}

static int proto_list(const struct itm_sigdb *db, unsigned pbit, const struct itm_rule ***out,
                      size_t *n)
{
    size_t k = 0;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < db->nrules; i++)
        k += rule_indexed(&db->rules[i], pbit) ? 1u : 0u;
    if (k == 0)
        return 0;
    *out = itm_calloc(k, sizeof(**out));
    if (!*out)
        return ITM_ERR_NOMEM;
    for (size_t i = 0; i < db->nrules; i++)
        if (rule_indexed(&db->rules[i], pbit))
            (*out)[(*n)++] = &db->rules[i];
    return 0;
}

int itm_sigdb_index_build(const struct itm_sigdb *db, struct itm_sig_index *idx)
{
    int rc;

    memset(idx, 0, sizeof(*idx));
    rc = portidx_build(db, ITM_P_TCP, &idx->port[0]);
    if (rc == 0)
        rc = portidx_build(db, ITM_P_UDP, &idx->port[1]);
    if (rc == 0)
        rc = proto_list(db, ITM_P_ICMP, &idx->icmp, &idx->nicmp);
    if (rc == 0)
        rc = proto_list(db, ITM_P_IGMP, &idx->igmp, &idx->nigmp);
    if (rc)
        itm_sigdb_index_free(idx);
    return rc;
}

void itm_sigdb_index_free(struct itm_sig_index *idx)
{
    portidx_free(&idx->port[0]);
    portidx_free(&idx->port[1]);
    itm_free(idx->icmp);
    itm_free(idx->igmp);
    memset(idx, 0, sizeof(*idx));
}

void itm_sigdb_free(struct itm_sigdb *db)
{
    if (!db)
        return;
    itm_sigdb_index_free(&db->idx);
    itm_free(db->by_id);
    itm_free(db->rules);
    itm_free(db->strings);
    itm_free(db);
}

size_t itm_sigdb_count(const struct itm_sigdb *db)
{
    return db ? db->nrules : 0;
}

const struct itm_rule *itm_sigdb_rule(const struct itm_sigdb *db, size_t index)
{
    if (!db || index >= db->nrules)
        return NULL;
    return &db->rules[index];
}

int itm_sigdb_id_key_cmp(const void *key, const void *elem)
{
    const struct itm_rule *const *e = elem;
    return strcmp(key, (*e)->id);
}

const struct itm_rule *itm_sigdb_find(const struct itm_sigdb *db, const char *id)
{
    const struct itm_rule *const *hit;

    if (!db || !id)
        return NULL;
    hit = bsearch(id, db->by_id, db->nrules, sizeof(*db->by_id), itm_sigdb_id_key_cmp);
    return hit ? *hit : NULL;
}

static const struct itm_sig_portidx *portidx_of(const struct itm_sigdb *db, uint8_t ipproto)
{
    switch (itm_proto_bit(ipproto)) {
    case ITM_P_TCP:
        return &db->idx.port[0];
    case ITM_P_UDP:
        return &db->idx.port[1];
    default:
        return NULL;
    }
}

size_t itm_sigdb_candidates(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port,
                            const struct itm_rule *const **out)
{
    const struct itm_sig_portidx *px;
    const struct itm_sig_seg *seg;
    unsigned pbit = itm_proto_bit(ipproto);

    *out = NULL;
    if (!db)
        return 0;
    if (pbit == ITM_P_ICMP || pbit == ITM_P_IGMP) {
        *out = pbit == ITM_P_ICMP ? db->idx.icmp : db->idx.igmp;
        return pbit == ITM_P_ICMP ? db->idx.nicmp : db->idx.nigmp;
    }
    px = portidx_of(db, ipproto);
    if (!px)
        return 0;
    seg = &px->segs[px->seg_of[port]];
    if (seg->n == 0)
        return 0;
    *out = px->list + seg->off;
    return seg->n;
}

int itm_sigdb_is_server_port(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port)
{
    const struct itm_sig_portidx *px = db ? portidx_of(db, ipproto) : NULL;

    if (!px)
        return 0;
    return px->segs[px->seg_of[port]].server;
}

int itm_rule_port_is_broad(const struct itm_rule *r, uint16_t port)
{
    int broad = 0;

    for (unsigned i = 0; i < r->nranges; i++) {
        if (port < r->ranges[i].lo || port > r->ranges[i].hi)
            continue;
        if (!range_is_broad(r, i))
            return 0;
        broad = 1;
    }
    return broad;
}

/* Protocols each check can confirm; the others would only ever say "mismatch". */
static unsigned inspect_protos(enum itm_inspect_id id)
{
    switch (id) {
    case ITM_INSPECT_HTTP:
    case ITM_INSPECT_TLS:
    case ITM_INSPECT_SMB:
    case ITM_INSPECT_SSH:
        return ITM_P_TCP;
    case ITM_INSPECT_TFTP:
    case ITM_INSPECT_DHCP:
    case ITM_INSPECT_SNMP:
    case ITM_INSPECT_NBNS:
        return ITM_P_UDP;
    case ITM_INSPECT_DNS:
    case ITM_INSPECT_WOL:
        return ITM_P_TCP | ITM_P_UDP;
    default:
        return 0;
    }
}

enum itm_inspect_id itm_rule_inspect_for(const struct itm_rule *r, uint8_t ipproto,
                                         uint16_t port)
{
    unsigned pbit = itm_proto_bit(ipproto);
    int first_single = 1;

    if (r->inspect == ITM_INSPECT_NONE) /* most rules */
        return ITM_INSPECT_NONE;
    if (!((r->protos | r->protos_extra) & pbit) || !(inspect_protos(r->inspect) & pbit))
        return ITM_INSPECT_NONE;
    if (r->inspect != ITM_INSPECT_HTTP)
        return (enum itm_inspect_id)r->inspect;
    /* the table writes a web service as "80/443": HTTP on the first port, HTTPS after */
    for (unsigned i = 0; i < r->nranges; i++) {
        if (r->ranges[i].lo != r->ranges[i].hi)
            continue;
        if (r->ranges[i].lo == port)
            return first_single ? ITM_INSPECT_HTTP : ITM_INSPECT_TLS;
        first_single = 0;
    }
    return ITM_INSPECT_HTTP;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The path of a request target: absolute form (RFC 9112 3.2.2, a request through a proxy)
 * loses its scheme and authority; origin form is the path already. */
static const char *target_path(const char *t)
{
    const char *s;

    if (t[0] == '/') /* origin form: the usual case */
        return t;
    s = strstr(t, "://");
    if (!s)
        return t;
    s += 3;
    while (*s && *s != '/')
        s++;
    return s;
}

int itm_rule_path_hint(const struct itm_rule *r, const char *target)
{
    const char *path, *pre;

    if (!r->paths || !r->paths[0])
        return -1;
    path = target_path(target ? target : "");
    for (pre = r->paths; *pre;) {
        size_t i = 0;
        while (pre[i] && pre[i] != ';' && path[i] && lower(pre[i]) == lower(path[i]))
            i++;
        if (!pre[i] || pre[i] == ';')
            return 1;
        while (*pre && *pre != ';')
            pre++;
        if (*pre == ';')
            pre++;
    }
    return 0;
}

static int move_refused(const struct itm_rule *r, const struct itm_port_range *ranges,
                        unsigned nranges, const struct itm_ip *group, struct itm_diag *diag,
                        const char *file, unsigned line, unsigned col)
{
    int has_group = group && group->family;
    char buf[64];

    if (!(r->flags & ITM_RF_CONFIGURABLE)) {
        itm_diag_report(diag, file, line, col, "rule %s is not configurable", r->id);
        return 1;
    }
    if (nranges == 0 && !has_group) {
        itm_diag_report(diag, file, line, col, "nothing to move for rule %s", r->id);
        return 1;
    }
    if (nranges > ITM_RULE_MAX_RANGES) {
        itm_diag_report(diag, file, line, col, "too many port ranges for rule %s (at most %d)",
                        r->id, ITM_RULE_MAX_RANGES);
        return 1;
    }
    if (nranges && (!(r->protos & (ITM_P_TCP | ITM_P_UDP)) || (r->flags & ITM_RF_DYNAMIC))) {
        itm_diag_report(diag, file, line, col, "rule %s has no fixed ports to move", r->id);
        return 1;
    }
    for (unsigned i = 0; i < nranges; i++) {
        if (ranges[i].lo == 0 || ranges[i].lo > ranges[i].hi) {
            itm_diag_report(diag, file, line, col, "bad port range %u-%u for rule %s",
                            ranges[i].lo, ranges[i].hi, r->id);
            return 1;
        }
    }
    if (has_group && !(r->flags & ITM_RF_MULTICAST)) {
        itm_diag_report(diag, file, line, col, "rule %s has no multicast group", r->id);
        return 1;
    }
    if (has_group && !itm_ip_is_multicast(group)) {
        itm_diag_report(diag, file, line, col, "group %s is not a multicast address",
                        itm_ip_format(group, buf, sizeof(buf)));
        return 1;
    }
    return 0;
}

int itm_sigdb_move(struct itm_sigdb *db, const char *id, const struct itm_port_range *ranges,
                   unsigned nranges, const struct itm_ip *group, struct itm_diag *diag,
                   const char *file, unsigned line, unsigned col)
{
    const struct itm_rule *found;
    struct itm_rule *r, saved;
    struct itm_sig_index idx;
    int rc;

    if (!db || !id || (nranges && !ranges))
        return ITM_ERR_INVAL;
    found = itm_sigdb_find(db, id);
    if (!found) {
        itm_diag_report(diag, file, line, col, "unknown rule %s", id);
        return ITM_ERR_PARSE;
    }
    r = &db->rules[found->index];
    if (move_refused(r, ranges, nranges, group, diag, file, line, col))
        return ITM_ERR_PARSE;
    saved = *r;
    if (nranges) {
        memcpy(r->ranges, ranges, nranges * sizeof(*ranges));
        r->nranges = (uint8_t)nranges;
    }
    if (group && group->family)
        r->group = *group;
    rc = itm_sigdb_index_build(db, &idx);
    if (rc) {
        *r = saved; /* the old index still describes the old ports */
        if (rc == ITM_ERR_FULL) {
            itm_diag_report(diag, file, line, col,
                            "moving rule %s makes the port index exceed %u entries", id,
                            ITM_SIGDB_MAX_INDEX);
            rc = ITM_ERR_PARSE;
        }
        return rc;
    }
    itm_sigdb_index_free(&db->idx);
    db->idx = idx;
    return 0;
}
