/* policy.c: findings. Turns a labelled flow, the roles of its ends and the site's policy
 * into flag bits, each with a reason a person can read, and keeps the scan windows. It never
 * changes which rule a flow carries and never raises a flag the site file allows. */
#include <stdio.h>
#include <string.h>

#include "classify-int.h"
#include "fasthash.h"

/* ---- scan windows ---- */

/* Entries a source may hold on average when many sources are tracked at once: the total is
 * bounded by max_sources times this, whatever each source's own room. */
#define SCAN_ENTS_PER_SOURCE 8u

enum scan_kind { SK_PAIR = 1, SK_HOST_PORTS, SK_PORT_HOSTS };

/* Zero-filled before use: the hash reads the padding too. */
struct scan_key {
    uint8_t kind;
    uint8_t proto;
    uint16_t port;
    struct itm_ip src, dst;
};

/* A source's entries: an open-addressing table of its own, each slot one 64-bit word: a
 * 48-bit fingerprint of the scan_key (the multiply-fold hash of fasthash.h under the run's
 * secret key) above a 16-bit count. Entries live and die with their source's window, so a
 * table per source needs no per-entry links, no global hash and no free list: 8 bytes an
 * entry instead of an 80-byte uthash entry, and the entries one flow touches (its pair, its
 * host, its port) sit together. Two keys of one source would have to share 48 bits of a
 * hash keyed by a secret seed to share a count (and then a scan would only be counted a
 * little short). A count never reaches 2^16: it counts pairs, and a window holds fewer
 * entries than that. Fingerprint 0 marks a free slot; a key that hashes to 0 takes 1. */
#define SCAN_COUNT_MASK UINT64_C(0xffff)
_Static_assert(3u * ITM_SCAN_PAIR_FACTOR * ITM_SCAN_MAX_THRESHOLD + 3u < 0xffffu,
               "scan counts must fit their 16 bits");

/* Smallest table, and the load (3/4) past which a table doubles. */
#define SCAN_SLOTS_MIN 8u

/* A source's window. Sources sit in a list in window-start order (a restarted window moves
 * to the newer end), so that when the table is full only the oldest can have a finished
 * window worth reusing. */
struct itm_scan_src {
    struct itm_ip ip;  /* key, normalised */
    uint8_t reported;  /* the window already raised its finding */
    uint8_t full;      /* the window ran out of room: no finding this window */
    uint32_t nents;    /* entries in slots */
    uint32_t cap;      /* slots: 0 or a power of two */
    uint64_t start;    /* window start, packet time */
    uint64_t *slots;   /* fingerprint << 16 | count */
    struct itm_dnode age; /* in window-start order */
};

/* The sources' index: open addressing with linear probing, each slot a source and the
 * hash of its address, at most three-quarters full. A lookup reads a slot and then its
 * source, where a uthash chain was a bucket and then every source of the chain, each
 * somewhere else in memory (two a bucket on average), and 56 bytes of handle a source. */
struct itm_scan_slot {
    uint32_t hv;
    struct itm_scan_src *src; /* NULL: a free slot */
};

#define SCAN_INDEX_MIN 1024u

/* Sources come from a pool: up to --max-scan-sources of them come and go, and malloc's
 * header would be a quarter of each. */
#define SCAN_SRC_BLOCK 1024u

void itm_scan_init(struct itm_scans *s, uint32_t max_sources)
{
    memset(s, 0, sizeof(*s));
    s->max_sources = max_sources;
    itm_pool_init(&s->pool, sizeof(struct itm_scan_src), SCAN_SRC_BLOCK);
    itm_hash_new_key(s->seed, s);
}

/* Empties a source's window. Its table goes too: the memory bound counts entries, and a
 * table kept at the size of a busy window would hold memory that no entry accounts for. */
static void src_forget(struct itm_scans *s, struct itm_scan_src *src)
{
    itm_free(src->slots);
    src->slots = NULL;
    src->cap = 0;
    s->nents -= src->nents;
    src->nents = 0;
}

/* The slot of ip (normalised, hash hv): its own, or the free one where it would go. */
static struct itm_scan_slot *index_slot(const struct itm_scans *s, const struct itm_ip *k,
                                        uint32_t hv)
{
    uint32_t mask = s->icap - 1u;

    for (uint32_t i = hv & mask;; i = (i + 1u) & mask) {
        struct itm_scan_slot *e = &s->index[i];
        if (!e->src || (e->hv == hv && memcmp(&e->src->ip, k, sizeof(*k)) == 0))
            return e;
    }
}

/* Room for one more source below the load limit: the index doubled (or made) as needed.
 * 0 when out of memory. */
static int index_reserve(struct itm_scans *s)
{
    uint32_t cap = s->icap ? s->icap : SCAN_INDEX_MIN;
    uint32_t ocap = s->icap;
    struct itm_scan_slot *v, *old = s->index;

    while ((uint64_t)(s->nsrcs + 1u) * 4u > (uint64_t)cap * 3u)
        cap *= 2u;
    if (cap == ocap)
        return 1;
    v = itm_calloc_big((size_t)cap * sizeof(*v));
    if (!v)
        return 0;
    s->index = v;
    s->icap = cap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].src)
            *index_slot(s, &old[i].src->ip, old[i].hv) = old[i];
    itm_free_big(old, (size_t)ocap * sizeof(*old));
    return 1;
}

/* Takes src out of the index, moving back the slots after it that would otherwise no
 * longer be found (deletion without tombstones). */
static void index_remove(struct itm_scans *s, const struct itm_scan_src *src)
{
    uint32_t mask = s->icap - 1u;
    uint32_t hv = itm_cls_hash(s->seed, &src->ip, sizeof(src->ip));
    uint32_t i = (uint32_t)(index_slot(s, &src->ip, hv) - s->index), j = i;

    s->index[i].src = NULL;
    for (;;) {
        uint32_t home;
        j = (j + 1u) & mask;
        if (!s->index[j].src)
            break;
        home = s->index[j].hv & mask;
        /* the slot j may move to i when its home is not cyclically within (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            s->index[i] = s->index[j];
            s->index[j].src = NULL;
            i = j;
        }
    }
    s->nsrcs--;
}

static void src_drop(struct itm_scans *s, struct itm_scan_src *src)
{
    src_forget(s, src);
    index_remove(s, src);
    itm_dlist_unlink(&s->by_age, &src->age);
    itm_pool_put(&s->pool, src);
}

void itm_scan_clear(struct itm_scans *s)
{
    /* every source goes: their windows' tables one by one, the index, the list and the
     * pool whole (not each source out of the index, whose slots would move back for
     * nothing) */
    for (struct itm_dnode *n = s->by_age.oldest; n; n = n->newer)
        src_forget(s, ITM_DLIST_ENTRY(n, struct itm_scan_src, age));
    s->by_age.oldest = s->by_age.newest = NULL;
    itm_free_big(s->index, (size_t)s->icap * sizeof(*s->index));
    s->index = NULL;
    s->icap = 0;
    s->nsrcs = 0;
    s->nents = 0;
    itm_pool_free(&s->pool);
}

static int window_over(uint64_t start, uint64_t now, uint64_t window)
{
    return now >= start && now - start >= window;
}

static struct itm_scan_src *src_get(struct itm_scans *s, const struct itm_ip *ip, uint64_t now,
                                    uint64_t window)
{
    struct itm_scan_src *src;
    struct itm_scan_slot *e = NULL; /* where the source would go, while no slot moves */
    struct itm_ip k;
    uint32_t hv, icap;

    itm_cls_ip_norm(&k, ip);
    hv = itm_cls_hash(s->seed, &k, sizeof(k));
    if (s->nsrcs) {
        e = index_slot(s, &k, hv);
        if (e->src)
            return e->src;
    }
    if (s->nsrcs >= s->max_sources) {
        struct itm_scan_src *oldest = ITM_DLIST_OLDEST(&s->by_age, struct itm_scan_src, age);
        if (!window_over(oldest->start, now, window)) {
            s->dropped++;
            return NULL;
        }
        src_drop(s, oldest);
        e = NULL; /* later slots may have moved back */
    }
    icap = s->icap;
    if (!index_reserve(s)) {
        s->dropped++;
        return NULL;
    }
    src = itm_pool_get(&s->pool);
    if (!src) {
        s->dropped++;
        return NULL;
    }
    src->ip = k; /* the pool's items come zeroed */
    src->start = now;
    if (!e || s->icap != icap) /* the first source, a drop, or the index grew */
        e = index_slot(s, &k, hv);
    e->hv = hv;
    e->src = src;
    s->nsrcs++;
    itm_dlist_append(&s->by_age, &src->age);
    return src;
}

/* A new window for src, which moves to the newer end of the list. */
static void src_restart(struct itm_scans *s, struct itm_scan_src *src, uint64_t now)
{
    src_forget(s, src);
    src->reported = 0;
    src->full = 0;
    src->start = now;
    itm_dlist_move_newest(&s->by_age, &src->age);
}

/* The slot of fp (48 bits, shifted into place) in a table of cap slots (a power of two): its
 * own, or the free one where it would go. Linear probing; the load stays below 3/4, so a
 * free slot is always found. */
static uint64_t *slot_of(uint64_t *t, uint32_t cap, uint64_t fp)
{
    uint32_t mask = cap - 1u, i = (uint32_t)(fp >> 16 ^ fp >> 40) & mask;

    while (t[i] && (t[i] & ~SCAN_COUNT_MASK) != fp)
        i = (i + 1u) & mask;
    return &t[i];
}

/* Makes room for n more entries below the load limit, doubling the table (or making its
 * first) as needed. 0 when out of memory. */
static int src_reserve(struct itm_scan_src *src, uint32_t n)
{
    uint32_t cap = src->cap ? src->cap : SCAN_SLOTS_MIN;
    uint64_t *t;

    while ((uint64_t)(src->nents + n) * 4u > (uint64_t)cap * 3u)
        cap *= 2u;
    if (cap == src->cap)
        return 1;
    t = itm_calloc(cap, sizeof(*t));
    if (!t)
        return 0;
    for (uint32_t i = 0; i < src->cap; i++)
        if (src->slots[i])
            *slot_of(t, cap, src->slots[i] & ~SCAN_COUNT_MASK) = src->slots[i];
    itm_free(src->slots);
    src->slots = t;
    src->cap = cap;
    return 1;
}

/* The slot of key k in src's window, made (count 0, *fresh = 1) when new; the count is its
 * low 16 bits. The caller reserved room for it (src_reserve), so nothing grows here and
 * the slots it holds stay where they are. */
static uint64_t *ent_get(struct itm_scans *s, struct itm_scan_src *src, const struct scan_key *k,
                         int *fresh)
{
    uint64_t fp = itm_fasthash(s->seed, k, sizeof(*k)) & ~SCAN_COUNT_MASK;
    uint64_t *e;

    fp += !fp << 16;
    e = slot_of(src->slots, src->cap, fp);
    *fresh = !*e;
    if (*fresh) {
        *e = fp;
        src->nents++;
        s->nents++;
    }
    return e;
}

/* One more in the count of an entry; the new count. */
static uint32_t ent_count(uint64_t *e)
{
    return (uint32_t)(++*e & SCAN_COUNT_MASK);
}

static void scan_key(struct scan_key *k, int kind, const struct itm_flow_rec *rec, uint16_t port,
                     int with_dst, int with_port)
{
    memset(k, 0, sizeof(*k));
    k->kind = (uint8_t)kind;
    itm_cls_ip_norm(&k->src, &rec->client);
    if (with_dst)
        itm_cls_ip_norm(&k->dst, &rec->server);
    if (with_port) {
        k->proto = rec->ipproto;
        k->port = port;
    }
}

static unsigned clamp_threshold(unsigned v)
{
    return v == 0 ? 1 : v > ITM_SCAN_MAX_THRESHOLD ? ITM_SCAN_MAX_THRESHOLD : v;
}

static int is_echo(const struct itm_flow_rec *rec)
{
    return (rec->ipproto == 1 && rec->icmp_type == 8) ||
           (rec->ipproto == 58 && rec->icmp_type == 128);
}

/* Counts the flow's (host, port) pair once per window. Returns the count that crossed a
 * threshold in *ports or *hosts (0 when none did). */
static int scan_count(struct itm_scans *s, struct itm_scan_src *src, const struct itm_flow_rec *rec,
                      uint16_t port, unsigned room, uint32_t *ports, uint32_t *hosts)
{
    struct scan_key k;
    uint64_t *hp, *ph;
    int fresh;

    /* room for the three entries, held at once */
    if (!src_reserve(src, 3))
        return 0;
    scan_key(&k, SK_PAIR, rec, port, 1, 1);
    ent_get(s, src, &k, &fresh);
    if (!fresh)
        return 0;
    if (src->nents + 2 > room) {
        src->full = 1;
        s->dropped++;
        return 0;
    }
    scan_key(&k, SK_HOST_PORTS, rec, port, 1, 0);
    hp = ent_get(s, src, &k, &fresh);
    scan_key(&k, SK_PORT_HOSTS, rec, port, 0, 1);
    ph = ent_get(s, src, &k, &fresh);
    *ports = ent_count(hp);
    *hosts = ent_count(ph);
    return 1;
}

static uint32_t f_scan(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_flow_rec *rec = x->rec;
    const struct itm_policy *pol = itm_site_policy(x->c->site);
    struct itm_scans *s = &x->c->scan;
    unsigned np = clamp_threshold(pol->scan_ports), nh = clamp_threshold(pol->scan_hosts);
    uint64_t window = (uint64_t)pol->scan_window_s * 1000000000u;
    unsigned room = 3u * ITM_SCAN_PAIR_FACTOR * (np > nh ? np : nh);
    struct itm_scan_src *src;
    uint32_t ports = 0, hosts = 0;
    uint16_t port = is_echo(rec) ? 0 : rec->server_port;
    char a[64], b[64];

    /* documented traffic between hosts whose roles fit it (the NS tickling its agents)
     * is not scanning however many hosts it reaches */
    if (x->ev != ITM_CE_NEW || (rec->ipproto != 6 && rec->ipproto != 17 && !is_echo(rec)) ||
        !itm_cls_ip_is_host(&rec->server) || x->lab->confidence >= ITM_CONF_ROLE)
        return 0;
    src = src_get(s, &rec->client, x->now, window);
    if (src && window_over(src->start, x->now, window))
        src_restart(s, src, x->now);
    if (!src || src->reported || src->full)
        return 0;
    if (s->nents + 3 > (uint64_t)s->max_sources * SCAN_ENTS_PER_SOURCE) {
        s->dropped++;
        return 0;
    }
    if (!scan_count(s, src, rec, port, room, &ports, &hosts) || (ports < np && hosts < nh))
        return 0;
    itm_ip_format(&rec->client, a, sizeof(a));
    itm_ip_format(&rec->server, b, sizeof(b));
    if (ports >= np)
        snprintf(why, len, "%s reached %u ports of %s within %u s", a, ports, b,
                 pol->scan_window_s);
    else
        snprintf(why, len, "%s reached %u hosts on %s/%u within %u s", a, hosts,
                 itm_cls_proto_word(rec->ipproto), port, pol->scan_window_s);
    src->reported = 1;
    src_forget(s, src);
    return ITM_F_SCAN;
}

/* ---- the other findings ---- */

static void end_text(char *buf, size_t len, uint32_t roles, const struct itm_ip *ip)
{
    char a[64];
    snprintf(buf, len, "%s %s", itm_cls_role_word(roles), itm_ip_format(ip, a, sizeof(a)));
}

/* "agent 10.1.1.21 -> notification-server 10.1.1.5 on tcp/445" */
static int flow_text(const struct itm_cls_ctx *x, char *why, size_t len)
{
    char c[96], s[96];

    end_text(c, sizeof(c), x->croles, &x->rec->client);
    end_text(s, sizeof(s), x->sroles, &x->rec->server);
    return snprintf(why, len, "%s -> %s on %s/%u", c, s, itm_cls_proto_word(x->rec->ipproto),
                    x->rec->server_port);
}

/* Administration protocols one agent has no business using on another. */
struct admin_port {
    uint8_t protos;
    uint16_t lo, hi;
    uint8_t dynamic; /* a range other programs share: only where no rule names the port */
    const char *name;
};

static const struct admin_port admin_ports[] = {
    {ITM_P_TCP, 445, 445, 0, "SMB"},
    {ITM_P_TCP | ITM_P_UDP, 135, 135, 0, "RPC"},
    {ITM_P_TCP, 139, 139, 0, "NetBIOS"},
    {ITM_P_TCP, 22, 22, 0, "SSH"},
    {ITM_P_TCP | ITM_P_UDP, 3389, 3389, 0, "RDP"},
    {ITM_P_TCP, 5985, 5986, 0, "WinRM"},
    {ITM_P_TCP | ITM_P_UDP, 16992, 16995, 0, "AMT"},
    {ITM_P_TCP | ITM_P_UDP, 623, 623, 0, "IPMI"},
    {ITM_P_TCP | ITM_P_UDP, 664, 664, 0, "IPMI"},
    {ITM_P_TCP, 49152, 65535, 1, "WMI dynamic"},
};

static const struct admin_port *admin_port(const struct itm_cls_ctx *x)
{
    unsigned pbit = itm_proto_bit(x->rec->ipproto);
    uint16_t port = x->rec->server_port;

    for (size_t i = 0; i < sizeof(admin_ports) / sizeof(admin_ports[0]); i++) {
        const struct admin_port *a = &admin_ports[i];
        if ((a->protos & pbit) && port >= a->lo && port <= a->hi &&
            !(a->dynamic && x->f.nspecific))
            return a;
    }
    return NULL;
}

/* Agent to agent on an administration port that no rule explains for these roles (an agent
 * that is also a package server legitimately serves SMB). Peer-to-peer (56118) and the
 * tickle ports are ITMS's own, not administration ports. */
static int is_lateral(const struct itm_cls_ctx *x)
{
    return (x->croles & ITM_CLS_AGENTS) && (x->sroles & ITM_CLS_AGENTS) && !x->f.specific_fit &&
           admin_port(x) != NULL;
}

static uint32_t f_lateral(struct itm_cls_ctx *x, char *why, size_t len)
{
    int n;

    if (!x->f.lateral)
        return 0;
    n = flow_text(x, why, len);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, " (%s)", admin_port(x)->name);
    return ITM_F_LATERAL;
}

/* The first condition of a check, shared with may_raise (below), which must never rule out
 * a flag its check would raise. */
static int udp_to_group(const struct itm_flow_rec *rec)
{
    return rec->ipproto == 17 && itm_ip_is_multicast(&rec->server);
}

static int declares_roles(const struct itm_cls_ctx *x)
{
    return x->cdecl || x->sdecl;
}

static int check_mismatched(const struct itm_cls_ctx *x)
{
    return x->f.rule && x->lab->insp.verdict == ITM_V_MISMATCH;
}

/* ITMS users reaching a rule meant for them over TCP, where the site asks for HTTPS. */
static int cleartext_candidate(const struct itm_cls_ctx *x)
{
    const struct itm_rule *r = x->f.rule;
    const uint32_t users = ITM_CLS_AGENTS | ITM_RB(CONSOLE);

    return itm_site_policy(x->c->site)->cleartext && x->rec->ipproto == 6 && r && !x->f.rev &&
           (x->croles & users) && (r->client_roles & users);
}

static uint32_t f_wrong_group(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_flow_rec *rec = x->rec;
    const struct itm_rule *t = x->c->tickle ? x->c->tickle : x->c->tickle_ulm;
    struct itm_ip g;
    char a[64], b[64], gs[64];

    if (!udp_to_group(rec) || !t ||
        !(itm_cls_rule_has_port(t, rec->server_port) ||
          (x->c->tickle_ulm && itm_cls_rule_has_port(x->c->tickle_ulm, rec->server_port))))
        return 0;
    itm_cls_tickle_group(x->c, &g);
    if (itm_cls_ip_eq(&g, &rec->server))
        return 0;
    snprintf(why, len, "tickle from %s to group %s on udp/%u; the tickle group is %s",
             itm_ip_format(&rec->client, a, sizeof(a)), itm_ip_format(&rec->server, b, sizeof(b)),
             rec->server_port, itm_ip_format(&g, gs, sizeof(gs)));
    return ITM_F_WRONG_GROUP;
}

static int is_mismatch(const struct itm_cls_ctx *x)
{
    return !x->f.lateral && itm_cls_wrong_roles(x);
}

static uint32_t f_role_mismatch(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_rule *r = x->f.first_specific;
    char cr[96], sr[96];
    int n;

    if (!is_mismatch(x))
        return 0;
    n = flow_text(x, why, len);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, ": %s is %s -> %s", r->id,
                 itm_roles_format(r->client_roles, cr, sizeof(cr)),
                 itm_roles_format(r->server_roles, sr, sizeof(sr)));
    return ITM_F_ROLE_MISMATCH;
}

static uint32_t f_contradiction(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_ip *ends[2] = {&x->rec->client, &x->rec->server};
    const uint32_t declared[2] = {x->cdecl, x->sdecl};
    struct itm_cls_implied imp;
    char a[64], d[160], want[160];

    if (!declares_roles(x))
        return 0;
    itm_roles_implied(x->c, x->rec, x->f.answered, &imp);
    for (int s = 0; s < 2; s++) {
        uint32_t want_roles = imp.roles[s] & ITM_CLS_ITMS;
        /* a client using a port its roles have no rule for is role_mismatch: the traffic
         * is wrong rather than the site file; a listener proves what is installed */
        if (!declared[s] || !want_roles || (declared[s] & imp.roles[s]) ||
            (s == 0 && is_mismatch(x)))
            continue;
        snprintf(why, len, "%s declared %s but %s %s/%u (%s)",
                 itm_ip_format(ends[s], a, sizeof(a)), itm_roles_format(declared[s], d, sizeof(d)),
                 s ? "serves" : "opens", itm_cls_proto_word(x->rec->ipproto),
                 x->rec->server_port, itm_roles_format(want_roles, want, sizeof(want)));
        return ITM_F_ROLE_CONTRADICTION;
    }
    return 0;
}

static uint32_t f_nonstandard(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_rule *r = x->f.proposal;
    const struct itm_inspect_result *in = &x->lab->insp;
    char a[64], b[64];
    int n;

    if (!r)
        return 0;
    n = snprintf(why, len, "%s%s on %s/%u (%s -> %s): ", itm_inspect_name(in->id),
                 in->id == ITM_INSPECT_HTTP ? " /Altiris/" : "",
                 itm_cls_proto_word(x->rec->ipproto), x->rec->server_port,
                 itm_ip_format(&x->rec->client, a, sizeof(a)),
                 itm_ip_format(&x->rec->server, b, sizeof(b)));
    if (n < 0 || (size_t)n >= len)
        return ITM_F_NONSTANDARD_PORT;
    if (r->flags & ITM_RF_CONFIGURABLE)
        snprintf(why + n, len - (size_t)n, "move %s to port %u in the site file", r->id,
                 x->rec->server_port);
    else
        snprintf(why + n, len - (size_t)n, "%s, whose port cannot be moved", r->id);
    return ITM_F_NONSTANDARD_PORT;
}

static uint32_t f_payload_mismatch(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_rule *r = x->f.rule;
    const struct itm_inspect_result *in = &x->lab->insp;
    uint16_t port = x->f.rev ? x->rec->client_port : x->rec->server_port;
    struct itm_inspect_result seen;
    enum itm_inspect_id id = ITM_INSPECT_NONE;
    const uint8_t *d = NULL;
    size_t n = 0;

    if (!check_mismatched(x) ||
        itm_rule_inspect_for(r, x->rec->ipproto, port) != (enum itm_inspect_id)in->id)
        return 0;
    if (x->ev == ITM_CE_PAYLOAD && x->pkt && x->pkt->frame &&
        x->pkt->payload_off <= x->pkt->caplen) {
        d = x->pkt->frame + x->pkt->payload_off;
        n = x->pkt->caplen - x->pkt->payload_off;
        n = n < x->pkt->payload_len ? n : x->pkt->payload_len;
        if (x->rec->ipproto == 6 || x->rec->ipproto == 17)
            id = itm_inspect_identify(x->rec->ipproto, d, n, &seen);
    }
    snprintf(why, len, "%s/%u carries %s, not %s as %s expects",
             itm_cls_proto_word(x->rec->ipproto), port,
             id ? itm_inspect_name(id) : "something else", itm_inspect_name(in->id), r->id);
    return ITM_F_PAYLOAD_MISMATCH;
}

static uint32_t f_cleartext(struct itm_cls_ctx *x, char *why, size_t len)
{
    const struct itm_rule *r = x->f.rule;
    const struct itm_inspect_result *in = &x->lab->insp;
    int http;
    int n;

    if (!cleartext_candidate(x))
        return 0;
    http = in->id == ITM_INSPECT_HTTP && in->verdict == ITM_V_MATCH;
    if (!http && !(in->id == 0 &&
                   itm_rule_inspect_for(r, 6, x->rec->server_port) == ITM_INSPECT_HTTP))
        return 0;
    n = flow_text(x, why, len);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, ": plain HTTP (%s), HTTPS required", r->id);
    return ITM_F_CLEARTEXT;
}

/* Flows to multicast or broadcast addresses (discovery chatter of every OS) are not flows
 * to a host, and only the end of a flow (or its first payload) shows that no check or
 * expectation will explain it after all. */
static int unexplained(const struct itm_cls_ctx *x)
{
    return (x->ev == ITM_CE_PAYLOAD || x->ev == ITM_CE_END) && !x->f.rule && !x->f.lateral &&
           (x->rec->ipproto == 6 || x->rec->ipproto == 17) &&
           itm_cls_ip_is_host(&x->rec->server) && ((x->croles | x->sroles) & ITM_CLS_ITMS);
}

/* A refused or unanswered TCP connection uses no port: probing closed ports is the scan
 * finding's business, not one unexpected_port per probe. */
static int port_in_use(const struct itm_cls_ctx *x)
{
    return x->rec->ipproto != 6 || x->f.answered;
}

static int external_end(const struct itm_cls_ctx *x)
{
    const struct itm_site *site = x->c->site;

    return ((x->croles & ITM_CLS_ITMS) && !itm_site_is_local(site, &x->rec->server)) ||
           ((x->sroles & ITM_CLS_ITMS) && !itm_site_is_local(site, &x->rec->client));
}

static uint32_t f_external(struct itm_cls_ctx *x, char *why, size_t len)
{
    int n;

    if (!unexplained(x) || !external_end(x))
        return 0;
    n = flow_text(x, why, len);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, ": non-local peer, no rule explains it");
    return ITM_F_EXTERNAL;
}

/* A port that some rule names, used by roles it does not name, is role_mismatch's business
 * (ITMS ports) or not ITMS traffic at all (shared ports); this is for ports no rule names. */
static uint32_t f_unexpected(struct itm_cls_ctx *x, char *why, size_t len)
{
    int n;

    if (!unexplained(x) || external_end(x) || x->f.nspecific || !port_in_use(x))
        return 0;
    n = flow_text(x, why, len);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, ": no rule explains it");
    return ITM_F_UNEXPECTED_PORT;
}

typedef uint32_t (*check_fn)(struct itm_cls_ctx *x, char *why, size_t len);

/* In the order their reasons are preferred when one event raises several. */
/* The events at which each check can raise its flag (the check tests it again): a scan is
 * counted at a flow's start, an unexplained port only shows at a payload or the end. A
 * check is not even called at the other events. */
#define EV(e) (1u << (e))
#define EV_ALL (EV(ITM_CE_NEW) | EV(ITM_CE_PAYLOAD) | EV(ITM_CE_REPLY) | EV(ITM_CE_END))
static const struct {
    uint32_t bit;
    check_fn fn;
    unsigned events;
} checks[] = {
    {ITM_F_LATERAL, f_lateral, EV_ALL},
    {ITM_F_WRONG_GROUP, f_wrong_group, EV_ALL},
    {ITM_F_SCAN, f_scan, EV(ITM_CE_NEW)},
    {ITM_F_ROLE_CONTRADICTION, f_contradiction, EV_ALL},
    {ITM_F_ROLE_MISMATCH, f_role_mismatch, EV_ALL},
    {ITM_F_NONSTANDARD_PORT, f_nonstandard, EV_ALL},
    {ITM_F_PAYLOAD_MISMATCH, f_payload_mismatch, EV_ALL},
    {ITM_F_CLEARTEXT, f_cleartext, EV_ALL},
    {ITM_F_EXTERNAL, f_external, EV(ITM_CE_PAYLOAD) | EV(ITM_CE_END)},
    {ITM_F_UNEXPECTED_PORT, f_unexpected, EV(ITM_CE_PAYLOAD) | EV(ITM_CE_END)},
};
#undef EV_ALL
#undef EV

/* The checks that may raise their flag at all, each by the first condition it tests itself
 * (the same predicate, tested again there): most events of most flows call none of them. */
static uint32_t may_raise(const struct itm_cls_ctx *x)
{
    uint32_t m = x->ev == ITM_CE_NEW ? ITM_F_SCAN : 0u;

    if (x->f.lateral)
        m |= ITM_F_LATERAL;
    if (udp_to_group(x->rec))
        m |= ITM_F_WRONG_GROUP;
    if (declares_roles(x))
        m |= ITM_F_ROLE_CONTRADICTION;
    if (is_mismatch(x))
        m |= ITM_F_ROLE_MISMATCH;
    if (x->f.proposal)
        m |= ITM_F_NONSTANDARD_PORT;
    if (check_mismatched(x))
        m |= ITM_F_PAYLOAD_MISMATCH;
    if (cleartext_candidate(x))
        m |= ITM_F_CLEARTEXT;
    if (unexplained(x))
        m |= ITM_F_EXTERNAL | ITM_F_UNEXPECTED_PORT;
    return m;
}

uint32_t itm_policy_flags(struct itm_cls_ctx *x)
{
    struct itm_label *l = x->lab;
    const char *rule_id = x->f.rule ? x->f.rule->id : NULL;
    char why[sizeof(l->reason)];
    uint32_t raised = 0, may;

    x->f.lateral = is_lateral(x);
    /* a flag stays once raised: no need to find (and word) it again */
    may = may_raise(x) & ~l->flags;
    if (!may)
        return 0;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        if (!(may & checks[i].bit) || !(checks[i].events & (1u << x->ev)))
            continue;
        why[0] = '\0';
        if (!checks[i].fn(x, why, sizeof(why)) ||
            itm_site_allowed(x->c->site, checks[i].bit, &x->rec->client, &x->rec->server,
                             rule_id))
            continue;
        raised |= checks[i].bit;
        if (!l->reason[0])
            memcpy(l->reason, why, sizeof(l->reason));
    }
    l->flags |= raised;
    return raised;
}
