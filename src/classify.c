/* classify.c: labels a flow with the ITMS rule that explains it, from its ports, the roles of
 * its two ends, payload checks and expectations, then asks policy.c for findings. It sees
 * flows only as const snapshots: it never touches the flow table and never writes output. */
#include <string.h>

#include "classify-int.h"
#include "fasthash.h"
#include "itm-limits.h"
#include "itmscope/inspect.h"

/* ---- shared helpers ---- */

static int ip_is_loopback(const struct itm_ip *ip)
{
    static const uint8_t v6[16] = {[15] = 1};
    return (ip->family == 4 && ip->a[0] == 127) || (ip->family == 6 && !memcmp(ip->a, v6, 16));
}

const char *itm_cls_role_word(uint32_t roles)
{
    static const uint8_t order[] = {
        ITM_ROLE_NS,         ITM_ROLE_TASK_SERVER, ITM_ROLE_PACKAGE_SERVER, ITM_ROLE_GATEWAY,
        ITM_ROLE_DEPLOYMENT, ITM_ROLE_EVENT_CONSOLE, ITM_ROLE_MONITOR,      ITM_ROLE_WORKFLOW,
        ITM_ROLE_MDM,        ITM_ROLE_SIM,          ITM_ROLE_AGENT,         ITM_ROLE_ULM_AGENT,
        ITM_ROLE_CONSOLE,
    };

    for (size_t i = 0; i < sizeof(order); i++)
        if (roles & ITM_ROLE_BIT(order[i]))
            return itm_role_name((enum itm_role)order[i]);
    for (int r = 1; r < ITM_ROLE_COUNT; r++)
        if (roles & ITM_ROLE_BIT(r))
            return itm_role_name((enum itm_role)r);
    return "host";
}

int itm_cls_rule_has_port(const struct itm_rule *r, uint16_t port)
{
    for (unsigned i = 0; i < r->nranges; i++)
        if (port >= r->ranges[i].lo && port <= r->ranges[i].hi)
            return 1;
    return 0;
}

int itm_cls_broad_at(const struct itm_rule *r, uint16_t port)
{
    return (r->flags & ITM_RF_BROAD) && itm_rule_port_is_broad(r, port);
}

const char *itm_cls_proto_word(uint8_t ipproto)
{
    switch (ipproto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
    case 58:
        return "icmp";
    case 2:
        return "igmp";
    default:
        return "ip";
    }
}

/* Effective roles of an address the site declares the given roles for. */
static uint32_t roles_beyond(const struct itm_classifier *c, const struct itm_ip *ip,
                             uint32_t declared)
{
    if (declared || !itm_site_policy(c->site)->infer_roles)
        return declared;
    return itm_roles_inferred(&c->roles, ip);
}

uint32_t itm_cls_roles_of(const struct itm_classifier *c, const struct itm_ip *ip)
{
    return roles_beyond(c, ip, itm_site_roles(c->site, ip));
}

void itm_cls_tickle_group(const struct itm_classifier *c, struct itm_ip *out)
{
    static const uint8_t def[4] = {224, 0, 255, 135};
    const struct itm_ip *pg = &itm_site_policy(c->site)->tickle_group;

    /* a [policy] tickle_group wins; else a [move] of the tickle rule; else the default */
    itm_cls_ip_norm(out, pg);
    if (pg->family == 4 && !memcmp(pg->a, def, 4) && c->tickle && c->tickle->group.family)
        itm_cls_ip_norm(out, &c->tickle->group);
}

/* ---- life cycle ---- */

static void memo_clear(struct itm_classifier *c);

static void bind_db(struct itm_classifier *c)
{
    size_t n = c->db ? itm_sigdb_count(c->db) : 0;
    const struct itm_rule *tftp = c->db ? itm_sigdb_find(c->db, "ds-tftp") : NULL;

    c->tickle = c->db ? itm_sigdb_find(c->db, "win-mtickle-udp") : NULL;
    c->tickle_ulm = c->db ? itm_sigdb_find(c->db, "ulm-mtickle-udp") : NULL;
    c->tftp_data = NULL;
    c->ndynamic = 0;
    c->nsrcport = 0;
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_sigdb_rule(c->db, i);
        /* one more than the memo can tell apart turns the memo off */
        if ((r->flags & ITM_RF_SOURCE_PORT) && c->nsrcport <= ITM_CLS_MAX_SRCPORT) {
            if (c->nsrcport < ITM_CLS_MAX_SRCPORT)
                c->srcport[c->nsrcport] = r;
            c->nsrcport++;
        }
        if ((r->flags & ITM_RF_FOLLOWUP) && r->follows && tftp && !strcmp(r->follows, tftp->id) &&
            !c->tftp_data)
            c->tftp_data = r;
        if ((r->flags & ITM_RF_DYNAMIC) && c->ndynamic < ITM_CLS_MAX_DYNAMIC)
            c->dynamic[c->ndynamic++] = r;
    }
    itm_roles_bind(c);
    memo_clear(c);
    /* the site may declare other roles: no flow keeps those of its last event */
    c->roles_changed_ns = c->now_ns;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
    return v ? v : def;
}

struct itm_classifier *itm_classifier_new(const struct itm_sigdb *db, const struct itm_site *site,
                                          const struct itm_classify_limits *lim, int *err)
{
    struct itm_classifier *c = itm_calloc(1, sizeof(*c));
    int rc = ITM_ERR_NOMEM;

    if (!c)
        goto out;
    if (lim)
        c->lim = *lim;
    c->lim.max_hosts = or_default(c->lim.max_hosts, ITM_MAX_HOSTS);
    c->lim.max_expectations = or_default(c->lim.max_expectations, ITM_MAX_EXPECTATIONS);
    c->lim.expect_timeout_s = or_default(c->lim.expect_timeout_s, ITM_EXPECT_TIMEOUT);
    c->lim.max_scan_sources = or_default(c->lim.max_scan_sources, ITM_MAX_SCAN_SOURCES);
    c->db = db;
    c->own_site = itm_site_new_default(&rc);
    if (!c->own_site)
        goto out;
    c->site = site ? site : c->own_site;
    rc = itm_roles_init(&c->roles, c->lim.max_hosts);
    if (rc != ITM_OK)
        goto out;
    itm_exp_init(&c->exp, c->lim.max_expectations, c->lim.expect_timeout_s);
    itm_hash_new_key(c->lmemo_seed, c);
    itm_scan_init(&c->scan, c->lim.max_scan_sources);
    bind_db(c);
out:
    if (rc != ITM_OK) {
        itm_classifier_free(c);
        c = NULL;
    }
    if (err)
        *err = rc;
    return c;
}

void itm_classifier_free(struct itm_classifier *c)
{
    if (!c)
        return;
    itm_roles_free(&c->roles);
    itm_exp_clear(&c->exp);
    itm_scan_clear(&c->scan);
    itm_site_free(c->own_site);
    itm_free(c->memo);
    itm_free(c->lmemo);
    itm_free(c);
}

void itm_classifier_reload(struct itm_classifier *c, const struct itm_sigdb *db,
                           const struct itm_site *site)
{
    c->db = db;
    c->site = site ? site : c->own_site;
    bind_db(c);
}

void itm_classifier_observe(struct itm_classifier *c, const struct itm_flow_rec *rec)
{
    itm_roles_observe(c, rec);
}

void itm_classifier_prefetch(const struct itm_classifier *c, const struct itm_ip *a,
                             const struct itm_ip *b)
{
    itm_roles_prefetch(&c->roles, a);
    itm_roles_prefetch(&c->roles, b);
}

void itm_classifier_freeze(struct itm_classifier *c)
{
    itm_roles_freeze(c);
}

void itm_classifier_reset_transient(struct itm_classifier *c)
{
    itm_exp_clear(&c->exp);
    itm_scan_clear(&c->scan);
}

void itm_classifier_stats(const struct itm_classifier *c, struct itm_classify_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->expect_created = c->exp.created;
    out->expect_matched = c->exp.matched;
    out->expect_expired = c->exp.expired;
    out->expect_dropped = c->exp.dropped;
    out->hosts_dropped = c->roles.dropped;
    out->scan_dropped = c->scan.dropped;
    out->payload_checks = c->payload_checks;
    out->payload_mismatch = c->payload_mismatch;
}

/* ---- candidates and the choice between them ---- */

struct cand {
    const struct itm_rule *r;
    uint8_t tier; /* 0 specific port, 1 broad range or source port, 2 roles only */
    uint8_t fit;  /* the roles of both ends fit the rule */
    uint8_t rank; /* rank_of() */
    uint8_t hint; /* the HTTP request's path is one the rule names (path_hint()) */
    uint8_t broad; /* the server port reaches the rule only through a broad range */
    uint8_t want;  /* the payload check for this port (itm_rule_inspect_for) */
};

struct cand_set {
    struct cand v[ITM_CLS_MAX_CAND];
    size_t n;
    int rev;      /* the flow read the other way round (server = rec->client) */
};

/* What a candidate's port says is worked out once per gathering, not per evaluation.
 * tier < 0: the tier is whether the port is broad for the rule (0 or 1). */
static void cand_push(const struct itm_cls_ctx *x, struct cand_set *s, const struct itm_rule *r,
                      int tier, uint16_t port)
{
    uint8_t broad = (uint8_t)itm_cls_broad_at(r, port);

    if (s->n < ITM_CLS_MAX_CAND)
        s->v[s->n++] = (struct cand){r, (uint8_t)(tier < 0 ? broad : tier), 0, 1, 0, broad,
                                     (uint8_t)itm_rule_inspect_for(r, x->rec->ipproto, port)};
}

/* The candidates of one (protocol, server port), with what the port says of each, kept from
 * one flow to the next: gathering and working them out again for every classifier event of
 * every flow was an eighth of the classifier's instructions. Direct-mapped by port, made on
 * first use (without it, candidates are simply gathered each time), emptied whenever the
 * database changes. */
#define CAND_MEMO 256u
struct itm_cand_memo {
    uint16_t port;
    uint8_t proto;
    uint8_t valid;
    uint16_t n;
    struct cand v[ITM_CLS_MAX_CAND];
};

#define LABEL_MEMO 4096u

struct label_key {
    uint32_t croles, sroles;
    uint32_t src_rules;           /* src_port_rules() */
    uint16_t server_port;
    uint8_t proto, local, may_rev;
    uint8_t insp_id, insp_verdict, insp_subtype, insp_flags;
    uint8_t pad[3];
};

struct itm_label_memo {
    struct label_key k;
    uint8_t valid, rev_used, confidence, nalt;
    uint16_t client_port; /* when rev_used */
    uint16_t rule;
    uint16_t alt[ITM_MAX_ALT];
    struct itm_cls_facts f;
};

static void memo_clear(struct itm_classifier *c)
{
    if (c->memo)
        memset(c->memo, 0, CAND_MEMO * sizeof(*c->memo));
    if (c->lmemo)
        memset(c->lmemo, 0, LABEL_MEMO * sizeof(*c->lmemo));
}

static uint16_t srv_port(const struct itm_cls_ctx *x, int rev)
{
    return rev ? x->rec->client_port : x->rec->server_port;
}

/* The rules listening on dport (not source-port or follow-up ones), from the memo when it
 * has them. s is empty. */
static void port_cands(const struct itm_cls_ctx *x, uint16_t dport, struct cand_set *s)
{
    struct itm_classifier *c = x->c;
    uint8_t proto = x->rec->ipproto;
    const struct itm_rule *const *rs;
    struct itm_cand_memo *m = NULL;
    size_t n;

    if (!c->memo)
        c->memo = itm_calloc(CAND_MEMO, sizeof(*c->memo));
    if (c->memo) {
        m = &c->memo[itm_cls_port_slot(proto, dport, CAND_MEMO)];
        if (m->valid && m->port == dport && m->proto == proto) {
            memcpy(s->v, m->v, m->n * sizeof(m->v[0]));
            s->n = m->n;
            return;
        }
    }
    n = itm_sigdb_candidates(c->db, proto, dport, &rs);
    for (size_t i = 0; i < n; i++)
        if (!(rs[i]->flags & (ITM_RF_SOURCE_PORT | ITM_RF_FOLLOWUP)))
            cand_push(x, s, rs[i], -1, dport);
    if (m) {
        memcpy(m->v, s->v, s->n * sizeof(s->v[0]));
        m->n = (uint16_t)s->n;
        m->port = dport;
        m->proto = proto;
        m->valid = 1;
    }
}

static void gather(const struct itm_cls_ctx *x, int rev, struct cand_set *s)
{
    const struct itm_flow_rec *rec = x->rec;
    const struct itm_classifier *c = x->c;
    const struct itm_rule *const *rs;
    unsigned pbit = itm_proto_bit(rec->ipproto);
    uint16_t dport = srv_port(x, rev), sport = rev ? rec->server_port : rec->client_port;
    size_t n;

    s->n = 0;
    s->rev = rev;
    if (!c->db || !pbit)
        return;
    if (pbit == ITM_P_ICMP || pbit == ITM_P_IGMP) {
        /* rules name ICMPv4 types; an ICMPv6 echo request (128) is the same request */
        uint8_t type = rec->ipproto == 58 && rec->icmp_type == 128 ? 8 : rec->icmp_type;
        n = itm_sigdb_candidates(c->db, rec->ipproto, 0, &rs);
        for (size_t i = 0; i < n; i++)
            if (pbit != ITM_P_ICMP || rs[i]->icmp_type == 0xff || rs[i]->icmp_type == type)
                cand_push(x, s, rs[i], 0, dport);
        return;
    }
    port_cands(x, dport, s);
    n = itm_sigdb_candidates(c->db, rec->ipproto, sport, &rs);
    for (size_t i = 0; i < n; i++)
        if (rs[i]->flags & ITM_RF_SOURCE_PORT)
            cand_push(x, s, rs[i], 1, dport);
    for (size_t i = 0; i < c->ndynamic; i++)
        if ((c->dynamic[i]->protos | c->dynamic[i]->protos_extra) & pbit)
            cand_push(x, s, c->dynamic[i], 2, dport);
}

static int side_fits(uint32_t want, uint32_t have)
{
    return have == 0 || (want & have) != 0;
}

static int fits(const struct itm_cls_ctx *x, const struct cand *v, int rev)
{
    const struct itm_rule *r = v->r;
    uint32_t cr = rev ? x->sroles : x->croles, sr = rev ? x->croles : x->sroles;

    if (r->flags & ITM_RF_LOCAL)
        return itm_cls_ip_eq(&x->rec->client, &x->rec->server) ||
               (ip_is_loopback(&x->rec->client) && ip_is_loopback(&x->rec->server));
    /* "random" ports, and a client's own source port: the client's role is the only
     * evidence there is, so it must be known */
    if (r->flags & (ITM_RF_DYNAMIC | ITM_RF_SOURCE_PORT))
        return (r->client_roles & cr) && side_fits(r->server_roles, sr);
    /* a port in a range of thousands says nothing unless some role backs it */
    if (v->broad && !cr && !sr)
        return 0;
    return side_fits(r->client_roles, cr) && side_fits(r->server_roles, sr);
}

/* 0: the rule's payload check matched, 1: no verdict, 2: it said mismatch. */
static int rank_of(const struct itm_cls_ctx *x, const struct cand *v)
{
    const struct itm_inspect_result *in = &x->lab->insp;

    if (v->want == ITM_INSPECT_NONE || in->id != v->want)
        return 1;
    return in->verdict == ITM_V_MATCH ? 0 : in->verdict == ITM_V_MISMATCH ? 2 : 1;
}

/* Several rules share the web ports (agent, console, Task Server, Package Server...): the
 * path of an HTTP request tells them apart where the rule names its paths. */
static int path_hint(const struct itm_cls_ctx *x, const struct itm_rule *r, int rank)
{
    const struct itm_inspect_result *in = &x->lab->insp;

    return rank == 0 && in->id == ITM_INSPECT_HTTP && in->subtype == ITM_HTTP_REQUEST &&
           itm_rule_path_hint(r, in->text) == 1;
}

/* Each candidate is judged once per event: the busiest ports have dozens. */
static void evaluate(const struct itm_cls_ctx *x, struct cand_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct cand *v = &s->v[i];
        v->fit = (uint8_t)fits(x, v, s->rev);
        v->rank = v->fit ? (uint8_t)rank_of(x, v) : 3;
        v->hint = v->fit ? (uint8_t)path_hint(x, v->r, v->rank) : 0;
    }
}

/* 1 when candidate a is better than b: specific rules beat broad ones; then a matching
 * payload check; then a request path the rule names; then file order. */
static int better(const struct cand *a, const struct cand *b)
{
    if (a->tier != b->tier)
        return a->tier < b->tier;
    if (a->rank != b->rank)
        return a->rank < b->rank;
    return a->hint > b->hint;
}

static int choose(const struct cand_set *s)
{
    int best = -1;

    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].fit && (best < 0 || better(&s->v[i], &s->v[best])))
            best = (int)i;
    return best;
}

static void facts_of(struct itm_cls_ctx *x, const struct cand_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct itm_rule *r = s->v[i].r;
        if (s->v[i].tier != 0)
            continue;
        if (!x->f.nspecific++) {
            x->f.first_specific = r;
            x->f.spec_port = srv_port(x, s->rev);
            x->f.spec_rev = s->rev;
        }
        x->f.spec_server_roles |= r->server_roles;
        if (s->v[i].fit)
            x->f.specific_fit = 1;
    }
}

/* A multicast rule's receivers are known by the group they listen to. */
static int group_known(const struct itm_cls_ctx *x, const struct itm_rule *r)
{
    struct itm_ip g;

    if (!(r->flags & ITM_RF_MULTICAST) || !itm_ip_is_multicast(&x->rec->server))
        return 0;
    if (r == x->c->tickle || r == x->c->tickle_ulm)
        itm_cls_tickle_group(x->c, &g);
    else
        g = r->group;
    return g.family == 0 || itm_cls_ip_eq(&g, &x->rec->server);
}

static void set_rule(struct itm_cls_ctx *x, const struct cand_set *s, int best)
{
    struct itm_label *l = x->lab;
    const struct itm_rule *r = s->v[best].r;
    int rank = s->v[best].rank;
    int known = x->croles && (x->sroles || (!s->rev && group_known(x, r)));

    l->rule = r->index;
    l->nalt = 0;
    /* the others that explain the flow as well; once a request path picked the rule, only
     * those naming that path too */
    for (size_t i = 0; i < s->n && l->nalt < ITM_MAX_ALT; i++)
        if ((int)i != best && s->v[i].tier == s->v[best].tier && s->v[i].fit &&
            s->v[i].hint >= s->v[best].hint)
            l->alt[l->nalt++] = s->v[i].r->index;
    if (rank == 2 || !known || (r->flags & ITM_RF_LOCAL))
        l->confidence = ITM_CONF_PORT;
    else
        l->confidence = rank == 0 ? ITM_CONF_PAYLOAD : ITM_CONF_ROLE;
    x->f.rule = r;
    x->f.tier = s->v[best].tier;
    x->f.rev = s->rev;
}

/* ---- protocols recognised away from their documented ports ---- */

static int std_port(const struct itm_inspect_result *in, uint8_t ipproto, uint16_t *port)
{
    switch (in->id) {
    case ITM_INSPECT_HTTP:
        *port = 80;
        return ipproto == 6 && (in->flags & ITM_ID_ALTIRIS);
    case ITM_INSPECT_SMB:
        *port = 445;
        return ipproto == 6;
    case ITM_INSPECT_TFTP:
        *port = 69;
        return ipproto == 17;
    case ITM_INSPECT_DHCP:
        *port = 67;
        return ipproto == 17;
    case ITM_INSPECT_SNMP:
        *port = (in->flags & ITM_ID_TRAP) ? 162 : 161;
        return ipproto == 17;
    default:
        return 0;
    }
}

static int proposal_fits(const struct itm_cls_ctx *x, const struct itm_rule *r, uint16_t port)
{
    return !(r->flags & (ITM_RF_SOURCE_PORT | ITM_RF_FOLLOWUP)) &&
           !itm_cls_broad_at(r, port) &&
           itm_rule_inspect_for(r, x->rec->ipproto, port) == (enum itm_inspect_id)x->lab->insp.id &&
           side_fits(r->client_roles, x->croles) && side_fits(r->server_roles, x->sroles);
}

/* The rule the payload belongs to, at its documented port: a configurable one (whose port
 * the site can move) before one that is not. HTTP under /Altiris/ is ITMS wherever it
 * runs; the other protocols are everyday ones, so only between ITMS hosts. */
static const struct itm_rule *proposal(const struct itm_cls_ctx *x)
{
    const struct itm_inspect_result *in = &x->lab->insp;
    const struct itm_rule *const *rs, *first = NULL;
    uint16_t port;
    size_t n;

    if (in->verdict != ITM_V_MATCH || !std_port(in, x->rec->ipproto, &port) ||
        x->rec->server_port == port || !x->c->db)
        return NULL;
    if (in->id != ITM_INSPECT_HTTP && !((x->croles & ITM_CLS_ITMS) && (x->sroles & ITM_CLS_ITMS)))
        return NULL;
    n = itm_sigdb_candidates(x->c->db, x->rec->ipproto, port, &rs);
    for (size_t i = 0; i < n; i++) {
        if (!proposal_fits(x, rs[i], port))
            continue;
        if (rs[i]->flags & ITM_RF_CONFIGURABLE)
            return rs[i];
        if (!first)
            first = rs[i];
    }
    return first;
}

static void label_proposal(struct itm_cls_ctx *x, const struct itm_rule *r)
{
    const struct itm_inspect_result *in = &x->lab->insp;
    struct itm_label *l = x->lab;
    const struct itm_rule *const *rs;
    uint16_t port = 0;
    size_t n;

    l->rule = r->index;
    l->nalt = 0;
    l->confidence = x->croles && x->sroles ? ITM_CONF_PAYLOAD : ITM_CONF_PORT;
    x->f.rule = r;
    x->f.tier = 0;
    x->f.proposal = r;
    /* the other rules of that port the payload and the roles fit as well */
    std_port(in, x->rec->ipproto, &port);
    n = itm_sigdb_candidates(x->c->db, x->rec->ipproto, port, &rs);
    for (size_t i = 0; i < n && l->nalt < ITM_MAX_ALT; i++)
        if (rs[i] != r && proposal_fits(x, rs[i], port))
            l->alt[l->nalt++] = rs[i]->index;
}

/* ---- labelling ---- */

static const struct itm_rule *rule_at(const struct itm_classifier *c, uint16_t index)
{
    if (!c->db || index == ITM_NO_RULE || index >= itm_sigdb_count(c->db))
        return NULL;
    return itm_sigdb_rule(c->db, index);
}

/* Labels decided by an earlier flow stay: the follow-up has nothing else to go by. */
static int sticky(const struct itm_cls_ctx *x)
{
    const struct itm_label *l = x->lab;

    return rule_at(x->c, l->rule) && (l->related_id != 0 || l->confidence == ITM_CONF_RELATED);
}

/* UDP and mid-stream TCP flows may have been opened by the server's packet (a capture
 * started late, a DHCP answer): then the documented port is the client's. */
static int may_reverse(const struct itm_flow_rec *rec)
{
    return (rec->ipproto == 6 || rec->ipproto == 17) && rec->orient != 0 &&
           rec->client_port != rec->server_port;
}

/* Below 1024, and on ports whose servers are infrastructure, every other program talks
 * too: a role that no rule names there is simply not ITMS traffic. ITMS's own ports are
 * another matter. */
int itm_cls_wrong_roles(const struct itm_cls_ctx *x)
{
    return x->f.first_specific && !x->f.specific_fit && x->f.spec_port >= 1024 &&
           !(x->f.spec_server_roles & ITM_CLS_INFRA) && (x->croles || x->sroles);
}

/* The port still says what the traffic claims to be, so the flow carries that rule, at the
 * confidence of a port alone, next to the role_mismatch finding. */
static void label_wrong_roles(struct itm_cls_ctx *x)
{
    struct itm_label *l = x->lab;

    l->rule = x->f.first_specific->index;
    l->nalt = 0;
    l->confidence = ITM_CONF_PORT;
    x->f.rule = x->f.first_specific;
    x->f.tier = 0;
    x->f.rev = x->f.spec_rev;
}

/* ---- labels kept by what they depend on ---- */

/* A label and the facts found with it depend on a few inputs only: the protocol, the server
 * port, the roles of both ends, the source-port rules that name the client port, the
 * payload check's outcome, whether the flow is local and whether it may be read the other
 * way round. Flows of the same kind (agents polling the NS on 443, tickles on 52028) come by
 * the thousand, and each of their five classifier events gathered and judged some thirty
 * candidate rules again: the outcome is kept in a direct-mapped memo, emptied whenever the
 * database changes (the facts point at its rules). Not kept, because more than those inputs
 * matter there: a request path (it picks between web rules), a multicast server (its group
 * is compared), and anything but TCP and UDP. A label found by reading the flow the other
 * way round also depends on the client port, which its entry then records. */

/* The source-port rules that name the client's port, as bits of c->srcport: gathering
 * depends on the client port only through them (and through reading the flow the other
 * way round). */
static uint32_t src_port_rules(const struct itm_classifier *c, const struct itm_flow_rec *rec)
{
    unsigned pbit = itm_proto_bit(rec->ipproto);
    uint32_t m = 0;

    for (size_t i = 0; i < c->nsrcport; i++) {
        const struct itm_rule *r = c->srcport[i];
        if (((r->protos | r->protos_extra) & pbit) && itm_cls_rule_has_port(r, rec->client_port))
            m |= UINT32_C(1) << i;
    }
    return m;
}

/* The memo entry for x's inputs (its key in *k), or NULL when they do not decide the label
 * alone. */
static struct itm_label_memo *label_slot(const struct itm_cls_ctx *x, struct label_key *k)
{
    const struct itm_flow_rec *rec = x->rec;
    const struct itm_inspect_result *in = &x->lab->insp;
    uint64_t h;

    if (x->c->nsrcport > ITM_CLS_MAX_SRCPORT || (rec->ipproto != 6 && rec->ipproto != 17) ||
        itm_ip_is_multicast(&rec->server) ||
        (in->id == ITM_INSPECT_HTTP && in->subtype == ITM_HTTP_REQUEST))
        return NULL;
    if (!x->c->lmemo) {
        x->c->lmemo = itm_calloc(LABEL_MEMO, sizeof(*x->c->lmemo));
        if (!x->c->lmemo)
            return NULL;
    }
    memset(k, 0, sizeof(*k));
    k->src_rules = src_port_rules(x->c, rec);
    k->croles = x->croles;
    k->sroles = x->sroles;
    k->server_port = rec->server_port;
    k->proto = rec->ipproto;
    k->local = (uint8_t)(itm_cls_ip_eq(&rec->client, &rec->server) ||
                         (ip_is_loopback(&rec->client) && ip_is_loopback(&rec->server)));
    k->may_rev = (uint8_t)may_reverse(rec);
    k->insp_id = in->id;
    k->insp_verdict = in->verdict;
    k->insp_subtype = in->subtype;
    k->insp_flags = in->flags;
    h = itm_fasthash(x->c->lmemo_seed, k, sizeof(*k));
    return &x->c->lmemo[(h ^ (h >> 32)) & (LABEL_MEMO - 1u)];
}

static int label_recall(struct itm_cls_ctx *x, const struct itm_label_memo *m,
                        const struct label_key *k)
{
    struct itm_label *l = x->lab;

    if (!m->valid || memcmp(&m->k, k, sizeof(*k)) != 0 ||
        (m->rev_used && m->client_port != x->rec->client_port))
        return 0;
    l->rule = m->rule;
    l->confidence = m->confidence;
    l->nalt = m->nalt;
    memcpy(l->alt, m->alt, m->nalt * sizeof(l->alt[0]));
    x->f = m->f;
    return 1;
}

static void label_keep(const struct itm_cls_ctx *x, struct itm_label_memo *m,
                       const struct label_key *k, int rev_used)
{
    const struct itm_label *l = x->lab;

    m->k = *k;
    m->valid = 1;
    m->rev_used = (uint8_t)rev_used;
    m->client_port = x->rec->client_port;
    m->rule = l->rule;
    m->confidence = l->confidence;
    m->nalt = l->nalt > ITM_MAX_ALT ? ITM_MAX_ALT : l->nalt;
    memcpy(m->alt, l->alt, m->nalt * sizeof(m->alt[0]));
    m->f = x->f;
}

static void relabel_work(struct itm_cls_ctx *x, int *rev_used);

/* x->f is all zero here: each event starts afresh, and on_payload clears it between its
 * two calls. */
static void relabel(struct itm_cls_ctx *x)
{
    struct itm_label *l = x->lab;
    struct label_key k;
    struct itm_label_memo *m;
    int rev_used = 0;

    l->client_roles = x->croles;
    l->server_roles = x->sroles;
    /* IGMP is labelled from the group in its first packet, which later events lack */
    if (sticky(x) || x->rec->ipproto == 2) {
        x->f.rule = rule_at(x->c, l->rule);
        return;
    }
    m = label_slot(x, &k);
    if (m && label_recall(x, m, &k))
        return;
    relabel_work(x, &rev_used);
    if (m)
        label_keep(x, m, &k, rev_used);
}

static void relabel_work(struct itm_cls_ctx *x, int *rev_used)
{
    struct itm_label *l = x->lab;
    struct cand_set s;
    const struct itm_rule *p;
    int best;

    l->rule = ITM_NO_RULE;
    l->nalt = 0;
    l->confidence = ITM_CONF_NONE;
    gather(x, 0, &s);
    evaluate(x, &s);
    facts_of(x, &s);
    best = choose(&s);
    if (best < 0 && may_reverse(x->rec)) {
        *rev_used = 1;
        gather(x, 1, &s);
        evaluate(x, &s);
        facts_of(x, &s);
        best = choose(&s);
    }
    if (best >= 0 && s.v[best].tier == 0) {
        set_rule(x, &s, best);
        return;
    }
    p = proposal(x);
    if (p)
        label_proposal(x, p);
    else if (best >= 0)
        set_rule(x, &s, best);
    else if (itm_cls_wrong_roles(x))
        label_wrong_roles(x);
}

static void label_related(struct itm_cls_ctx *x, const struct itm_rule *r, uint64_t id)
{
    x->lab->rule = r->index;
    x->lab->nalt = 0;
    x->lab->confidence = ITM_CONF_RELATED;
    x->lab->related_id = id;
    x->f.rule = r;
}

/* IGMP membership for the tickle group is an agent getting ready for multicast tickles:
 * the Windows or the ULM tickle, by the joining host's roles. */
static void label_igmp(struct itm_cls_ctx *x)
{
    struct itm_label *l = x->lab;
    const struct itm_rule *t[2] = {x->c->tickle, x->c->tickle_ulm};
    struct itm_ip g;

    l->client_roles = x->croles;
    l->server_roles = x->sroles;
    itm_cls_tickle_group(x->c, &g);
    if (!x->pkt || !itm_cls_ip_eq(&x->pkt->igmp_group, &g))
        return;
    for (int i = 0; i < 2; i++) {
        if (!t[i] || !side_fits(t[i]->server_roles, x->croles))
            continue;
        if (l->rule != ITM_NO_RULE) {
            l->alt[l->nalt++] = t[i]->index;
            continue;
        }
        l->rule = t[i]->index;
        /* the group has no role: the joining host is the only end that can be known */
        l->confidence = x->croles ? ITM_CONF_ROLE : ITM_CONF_PORT;
        x->f.rule = t[i];
    }
}

static enum itm_pxe_step pxe_step_of(const struct itm_flow_rec *rec)
{
    if (rec->ipproto == 17 && rec->server_port == 4011)
        return ITM_PXE_PROXY;
    if (rec->ipproto == 17 && rec->server_port == 69)
        return ITM_PXE_TFTP;
    if (rec->ipproto == 6 && rec->server_port == 4433)
        return ITM_PXE_TCP;
    return ITM_PXE_NONE;
}

static void pxe_link(struct itm_cls_ctx *x, enum itm_pxe_step step, const uint8_t *mac)
{
    uint64_t prev;

    if (step == ITM_PXE_NONE || !x->f.rule)
        return;
    prev = itm_exp_pxe_step(&x->c->exp, &x->rec->client, mac, step, x->rec->id, x->now);
    if (prev && !x->lab->related_id) {
        x->lab->related_id = prev;
        x->lab->confidence = ITM_CONF_RELATED;
    }
}

static void on_new(struct itm_cls_ctx *x)
{
    const struct itm_pkt *p = x->pkt;
    const uint8_t *mac = NULL;
    uint64_t req;

    req = x->c->tftp_data ? itm_exp_tftp_take(&x->c->exp, x->rec, x->now) : 0;
    if (req) {
        x->lab->client_roles = x->croles;
        x->lab->server_roles = x->sroles;
        label_related(x, x->c->tftp_data, req);
        return;
    }
    if (x->rec->ipproto == 2) {
        label_igmp(x);
        return;
    }
    relabel(x);
    if (p && p->has_mac && itm_cls_ip_eq(&p->src, &x->rec->client))
        mac = p->mac_src;
    pxe_link(x, pxe_step_of(x->rec), mac);
}

static void payload_of(const struct itm_pkt *p, const uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!p || !p->frame || p->payload_off > p->caplen)
        return;
    *data = p->frame + p->payload_off;
    *len = p->payload_len <= p->caplen - p->payload_off ? p->payload_len
                                                         : p->caplen - p->payload_off;
}

/* A TCP flow first seen mid-stream shows the middle of a conversation, where a check that
 * reads the first message cannot tell "something else" from "later": no verdict. */
static int run_check(struct itm_cls_ctx *x, enum itm_inspect_id id, const uint8_t *d, size_t n,
                     struct itm_inspect_result *res)
{
    x->c->payload_checks++;
    if (itm_inspect(id, d, n, res) == ITM_V_MISMATCH && x->rec->ipproto == 6 &&
        x->rec->orient != 0)
        res->verdict = ITM_V_UNKNOWN;
    return res->verdict;
}

/* The chosen rule's check first, then those of the alternatives: the first match decides.
 * The first conclusive verdict of a flow stays (from whichever side spoke first). Returns 1
 * when the flow's check result changed. */
static int check_payload(struct itm_cls_ctx *x, const uint8_t *d, size_t n)
{
    struct itm_label *l = x->lab;
    struct itm_inspect_result res, first;
    uint16_t rules[1 + ITM_MAX_ALT];
    unsigned nr = 0, tried = 0;
    uint16_t port = srv_port(x, x->f.rev);

    if (l->insp.id && l->insp.verdict != ITM_V_UNKNOWN)
        return 0;
    memset(&first, 0, sizeof(first));
    if (l->rule != ITM_NO_RULE) {
        rules[nr++] = l->rule;
        for (unsigned i = 0; i < l->nalt && i < ITM_MAX_ALT; i++)
            rules[nr++] = l->alt[i];
    }
    for (unsigned i = 0; i < nr; i++) {
        const struct itm_rule *r = rule_at(x->c, rules[i]);
        enum itm_inspect_id id = r ? itm_rule_inspect_for(r, x->rec->ipproto, port) : 0;
        if (!id || (tried & (1u << id)))
            continue;
        tried |= 1u << id;
        if (run_check(x, id, d, n, &res) == ITM_V_MATCH) {
            l->insp = res;
            return 1;
        }
        if (!first.id)
            first = res;
    }
    if (first.id) {
        l->insp = first;
        x->c->payload_mismatch += first.verdict == ITM_V_MISMATCH;
        return 1;
    }
    if ((!x->f.rule || x->f.tier > 0) && (x->rec->ipproto == 6 || x->rec->ipproto == 17) &&
        itm_inspect_identify(x->rec->ipproto, d, n, &res) != ITM_INSPECT_NONE) {
        l->insp = res;
        return 1;
    }
    return 0;
}

static void expect_from_payload(struct itm_cls_ctx *x)
{
    const struct itm_inspect_result *in = &x->lab->insp;

    if (x->dir != ITM_DIR_TOSERVER || in->verdict != ITM_V_MATCH || x->rec->ipproto != 17)
        return;
    /* RFC 1350: opcodes 1 (RRQ) and 2 (WRQ) open a transfer */
    if (in->id == ITM_INSPECT_TFTP && (in->subtype == 1 || in->subtype == 2) && x->f.rule &&
        itm_rule_inspect_for(x->f.rule, 17, x->rec->server_port) == ITM_INSPECT_TFTP)
        itm_exp_tftp_add(&x->c->exp, x->rec, x->now);
    if (in->id == ITM_INSPECT_DHCP && (in->flags & ITM_ID_PXECLIENT)) {
        if (x->rec->server_port == 67)
            pxe_link(x, ITM_PXE_DHCP, in->mac);
        else if (x->rec->server_port == 4011)
            pxe_link(x, ITM_PXE_PROXY, in->mac);
    }
}

static void on_payload(struct itm_cls_ctx *x)
{
    const uint8_t *d;
    size_t n;

    relabel(x);
    payload_of(x->pkt, &d, &n);
    /* a label depends on the roles and the check result: unchanged check, unchanged label */
    if (n > 0 && check_payload(x, d, n)) {
        memset(&x->f, 0, sizeof(x->f));
        relabel(x);
    }
    expect_from_payload(x);
}

static int answered(const struct itm_cls_ctx *x)
{
    const struct itm_flow_rec *rec = x->rec;

    if (x->ev == ITM_CE_REPLY && x->pkt && !(x->pkt->tcp_flags & ITM_TCP_RST))
        return 1;
    if (rec->pkts[ITM_DIR_TOCLIENT] == 0)
        return 0;
    /* a lone RST answers a SYN to a closed port */
    return !(rec->ipproto == 6 && rec->tcp_state == ITM_TCPS_RESET &&
             rec->payload_bytes[ITM_DIR_TOCLIENT] == 0 && rec->pkts[ITM_DIR_TOCLIENT] <= 1);
}

uint32_t itm_classify(struct itm_classifier *c, const struct itm_flow_rec *rec,
                      const struct itm_pkt *pkt, enum itm_classify_event ev, int dir,
                      struct itm_label *label)
{
    struct itm_label own, *lab = &own;
    struct itm_cls_ctx x;
    uint32_t raised;

    /* The engine's label is the flow's own (label aliases &rec->label): it is worked on in
     * place rather than copied in and out. rec->label is read below only before it is
     * first written (the roles of the previous event). */
    if (label == &rec->label)
        lab = label;
    if (ev == ITM_CE_NEW) {
        itm_label_clear(lab);
        lab->rule = ITM_NO_RULE;
    } else if (lab != label) {
        *lab = rec->label;
    }
    memset(&x, 0, sizeof(x));
    x.c = c;
    x.rec = rec;
    x.pkt = pkt;
    x.ev = ev;
    x.dir = dir;
    x.now = pkt ? pkt->ts_ns : rec->last_ns;
    if (x.now > c->now_ns)
        c->now_ns = x.now;
    x.cdecl = itm_site_roles(c->site, &rec->client);
    x.sdecl = itm_site_roles(c->site, &rec->server);
    /* Every event stores the roles it found in the label. No roles changed since the flow
     * began (its first event found them after any change): the learned ones stand. */
    if (ev != ITM_CE_NEW && c->roles_changed_ns < rec->first_ns) {
        x.croles = x.cdecl ? x.cdecl : rec->label.client_roles;
        x.sroles = x.sdecl ? x.sdecl : rec->label.server_roles;
    } else {
        x.croles = roles_beyond(c, &rec->client, x.cdecl);
        x.sroles = roles_beyond(c, &rec->server, x.sdecl);
    }
    x.lab = lab;
    if (ev == ITM_CE_NEW)
        on_new(&x);
    else if (ev == ITM_CE_PAYLOAD)
        on_payload(&x);
    else
        relabel(&x);
    x.f.answered = answered(&x);
    raised = itm_policy_flags(&x);
    if (lab != label)
        *label = *lab;
    return raised;
}
