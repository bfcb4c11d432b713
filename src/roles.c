/* roles.c: the host table of the classifier: roles learned from traffic, with the evidence
 * behind each, and the --roles view. It only counts what finished flows show; it never
 * labels flows, never raises findings itself and never grows past its limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify-int.h"
#include "fasthash.h"

/* ---- signals: what a flow proves about the role of one of its ends ---- */

enum sig_id {
    SG_TICKLE_SENT,  /* client of an agent tickle port: NS (or a task server) */
    SG_AGENT_LISTEN, /* listens on a tickle port: an agent */
    SG_TS_LISTEN,    /* listens on the task server tickle port (50123) */
    SG_TS_TICKLE,    /* tickles a task server: the NS */
    SG_CTA_SENT,     /* opens the client task agent port (50124): a task server */
    SG_P2P,          /* agent peer-to-peer (56118) */
    SG_MCAST_SENT,   /* sends package multicast (52030) */
    SG_CEM_LISTEN,   /* serves the CEM port (4726) */
    SG_CEM_SENT,     /* forwards to the CEM port: the Internet Gateway */
    SG_PXE_SERVE,    /* serves proxyDHCP, TFTP or PXE tcp */
    SG_PXE_BOOT,     /* boots from the network */
    SG_EC_LISTEN,    /* receives Event Console alerts */
    SG_TRAP,         /* receives SNMP traps */
    SG_MANAGES,      /* polls devices the way the NS, task and monitor servers do */
    SG_COUNT
};

#define SGB(g) (UINT32_C(1) << (g))

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

/* Rule ids follow site port moves; the PXE ports are fixed by the protocol. */
struct sig_case {
    const char *rule;  /* matched on that rule's ports and protocols, or */
    uint8_t protos;    /* on these fixed ones */
    uint16_t lo, hi;
    uint8_t side;
    uint8_t sig;
    uint8_t role;      /* evidence for this role */
    uint32_t implies;  /* roles the end must hold; 0: no contradiction is possible */
};

/* A signal of the end "side" of flows of rule id (or of fixed ports): evidence for role,
 * and the roles that end must then hold. */
#define BY_RULE(id, side, sig, role, implies) {id, 0, 0, 0, side, sig, ITM_ROLE_##role, implies}
#define BY_PORT(pr, port, side, sig, role, implies)                                            \
    {NULL, ITM_P_##pr, port, port, side, sig, ITM_ROLE_##role, implies}
#define CLIENT SIDE_CLIENT
#define SERVER SIDE_SERVER
#define AGENTS ITM_CLS_AGENTS
#define TICKLERS (ITM_RB(NS) | ITM_RB(TASK_SERVER))
#define EC ITM_RB(EVENT_CONSOLE)
#define DS ITM_RB(DEPLOYMENT)

static const struct sig_case cases[] = {
    BY_RULE("win-tickle-tcp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    BY_RULE("win-tickle-udp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    BY_RULE("win-mtickle-tcp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    BY_RULE("win-mtickle-udp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    BY_RULE("ulm-tickle-tcp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    BY_RULE("ulm-tickle-udp", CLIENT, SG_TICKLE_SENT, NS, TICKLERS),
    /* a ULM agent cannot be told from a Windows one by its ports: both count as agent */
    BY_RULE("win-tickle-tcp", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("win-tickle-udp", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("win-mtickle-tcp", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("ulm-tickle-tcp", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("ulm-tickle-udp", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("cta-tickle", SERVER, SG_AGENT_LISTEN, AGENT, AGENTS),
    BY_RULE("cta-tickle", CLIENT, SG_CTA_SENT, TASK_SERVER, ITM_RB(TASK_SERVER)),
    BY_RULE("ts-tickle", SERVER, SG_TS_LISTEN, TASK_SERVER, ITM_RB(TASK_SERVER)),
    BY_RULE("ts-tickle", CLIENT, SG_TS_TICKLE, NS, ITM_RB(NS)),
    BY_RULE("win-p2p", CLIENT, SG_P2P, AGENT, AGENTS),
    BY_RULE("win-p2p", SERVER, SG_P2P, AGENT, AGENTS),
    BY_RULE("ps-multicast-tcp", CLIENT, SG_MCAST_SENT, PACKAGE_SERVER, ITM_RB(PACKAGE_SERVER)),
    BY_RULE("ps-multicast-udp", CLIENT, SG_MCAST_SENT, PACKAGE_SERVER, ITM_RB(PACKAGE_SERVER)),
    BY_RULE("ns-cem", SERVER, SG_CEM_LISTEN, NS, ITM_RB(NS)),
    BY_RULE("gw-out", CLIENT, SG_CEM_SENT, GATEWAY, ITM_RB(GATEWAY)),
    BY_PORT(UDP, 4011, SERVER, SG_PXE_SERVE, DEPLOYMENT, DS),
    BY_PORT(UDP, 69, SERVER, SG_PXE_SERVE, DEPLOYMENT, DS),
    BY_PORT(TCP, 4433, SERVER, SG_PXE_SERVE, DEPLOYMENT, DS),
    BY_PORT(UDP, 4011, CLIENT, SG_PXE_BOOT, PXE_CLIENT, 0),
    BY_PORT(UDP, 69, CLIENT, SG_PXE_BOOT, PXE_CLIENT, 0),
    BY_PORT(TCP, 4433, CLIENT, SG_PXE_BOOT, PXE_CLIENT, 0),
    BY_RULE("ec-alert-receiver", SERVER, SG_EC_LISTEN, EVENT_CONSOLE, EC),
    BY_RULE("ec-alert-engine", SERVER, SG_EC_LISTEN, EVENT_CONSOLE, EC),
    BY_RULE("ec-refresh-receiver", SERVER, SG_EC_LISTEN, EVENT_CONSOLE, EC),
    BY_RULE("ec-refresh-engine", SERVER, SG_EC_LISTEN, EVENT_CONSOLE, EC),
    /* traps also go to monitor servers and the NS: evidence, never a contradiction */
    BY_RULE("ec-snmp-trap", SERVER, SG_TRAP, EVENT_CONSOLE, 0),
};
#undef BY_RULE
#undef BY_PORT
#undef CLIENT
#undef SERVER
#undef AGENTS
#undef TICKLERS
#undef EC
#undef DS
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* A host's counts of evidence per role and of each signal, by id: roles first, then the
 * signals. Most hosts only ever show two or three (an agent: its listener signal and the
 * agent role), so they are kept as a few packed (id, count) pairs; a host that shows more,
 * or counts past 2^24, moves to a full array (with its web peers, in the rarely made
 * extension). Hosts come from slabs: 136 bytes a host instead of 288 from malloc. */
#define TALLY_SIG(g) (ITM_ROLE_COUNT + (g))
#define TALLY_IDS (ITM_ROLE_COUNT + SG_COUNT)
#define TALLY_INLINE 4u
#define TALLY_MAX 0xffffffu

struct itm_host {
    struct itm_host *next; /* the next host to come, NULL for the last */
    struct itm_ip ip; /* key, zero-filled */
    uint8_t npeers;
    uint8_t peers_done;   /* enough of them are agents: no need to look again */
    uint8_t ntally;       /* pairs in tally[] */
    uint32_t inferred;
    uint32_t contradictions;
    uint32_t ev_roles;    /* roles with evidence */
    uint32_t sigs;        /* 1 << SG_* of the signals seen */
    uint32_t tally[TALLY_INLINE]; /* id << 24 | count, until all is made */
    uint64_t flows_client, flows_server;
    struct itm_host_ext *ext; /* what few hosts need, made on first need */
};

/* The rare parts of a host: the clients of its agent web ports (the NS test), and every
 * count by id once tally[] is outgrown. */
struct itm_host_ext {
    struct itm_ip peers[ITM_CLS_WEB_PEERS]; /* distinct clients, npeers of them */
    uint8_t has_all;
    uint32_t all[TALLY_IDS];
};

/* Hosts come from a pool (blocks of HOST_BLOCK): the table only grows (up to --max-hosts),
 * and malloc's header would be a twentieth of each. */
#define HOST_BLOCK 1024u

/* The host table: open addressing with linear probing, at most three-quarters full. A slot
 * holds the address (the key, normalised), a copy of the host's learned roles (what most
 * lookups want) and the host, so that a lookup reads a slot or two, two to a cache line,
 * and a roles lookup nothing else. With a chained table (uthash) a lookup read the bucket,
 * then each host of its chain, one cache miss after another once the table outgrows the
 * caches, which a hundred thousand hosts do. The hash is keyed (itm_cls_hash): crafted
 * addresses cannot gather on one run of slots. Hosts never leave before the table goes. */
struct itm_host_slot {
    struct itm_ip ip;  /* family 0: a free slot */
    uint32_t inferred; /* the host's, kept equal by set_inferred and itm_roles_freeze */
    struct itm_host *h;
};

#define HOST_SLOTS_MIN 1024u

static struct itm_host_ext *host_ext(struct itm_host *h)
{
    if (!h->ext)
        h->ext = itm_calloc(1, sizeof(*h->ext));
    return h->ext;
}

static uint32_t tally_get(const struct itm_host *h, unsigned id)
{
    if (h->ext && h->ext->has_all)
        return h->ext->all[id];
    for (unsigned i = 0; i < h->ntally; i++)
        if (h->tally[i] >> 24 == id)
            return h->tally[i] & TALLY_MAX;
    return 0;
}

/* Counts one more of id. 0 when the full array was needed and could not be made. */
static int tally_add(struct itm_host *h, unsigned id)
{
    struct itm_host_ext *x = h->ext;

    if (!x || !x->has_all) {
        unsigned i = 0;

        for (; i < h->ntally && h->tally[i] >> 24 != id; i++)
            ;
        if (i < h->ntally && (h->tally[i] & TALLY_MAX) < TALLY_MAX) {
            h->tally[i]++;
            return 1;
        }
        if (i == h->ntally && i < TALLY_INLINE) {
            h->tally[h->ntally++] = (uint32_t)id << 24 | 1u;
            return 1;
        }
        x = host_ext(h);
        if (!x)
            return 0;
        for (i = 0; i < h->ntally; i++)
            x->all[h->tally[i] >> 24] = h->tally[i] & TALLY_MAX;
        x->has_all = 1;
    }
    x->all[id]++;
    return 1;
}

/* What one flow says about one end. */
struct side_view {
    uint32_t sigs;              /* SG_* bits */
    uint32_t evidence;          /* roles credited */
    uint32_t implies;
    const struct sig_case *first;
};

/* What a (protocol, server port) says by itself, the same for every flow: the signals and
 * implications of each side (answered or not), the role a generic server port proves,
 * whether its clients manage devices, whether agents reach the NS on it. Worked out on a
 * port's first flow and kept in a direct-mapped memo of 256 ports (emptied when the
 * database changes): working it out again for every ended flow walked the signal cases
 * and the port's rules four times. */
#define PORT_MEMO 256u
struct itm_port_facts {
    uint16_t port;
    uint8_t proto;
    uint8_t valid;
    uint8_t manages, agent_web;
    uint32_t generic[2];         /* generic_server_role, [answered] */
    struct side_view sv[2][2];   /* view_sides, [answered][side] */
};

/* Address order for the views. The table itself is const for readers; this cache is not. */
struct itm_host_index {
    struct itm_host **sorted;
    size_t n;
    int dirty;
};

_Static_assert(NCASES <= ITM_ROLES_MAX_CASES, "raise ITM_ROLES_MAX_CASES");

int itm_roles_init(struct itm_roles *r, uint32_t max_hosts)
{
    memset(r, 0, sizeof(*r));
    r->max_hosts = max_hosts;
    itm_pool_init(&r->pool, sizeof(struct itm_host), HOST_BLOCK);
    itm_hash_new_key(r->seed, r);
    r->index = itm_calloc(1, sizeof(*r->index));
    r->facts = itm_calloc(PORT_MEMO, sizeof(*r->facts));
    return r->index && r->facts ? ITM_OK : ITM_ERR_NOMEM;
}

void itm_roles_free(struct itm_roles *r)
{
    for (struct itm_host *h = r->first; h; h = h->next)
        itm_free(h->ext);
    itm_free_big(r->slots, r->cap * sizeof(*r->slots));
    itm_pool_free(&r->pool);
    if (r->index)
        itm_free(r->index->sorted);
    itm_free(r->index);
    itm_free(r->facts);
    memset(r, 0, sizeof(*r));
}

static void mark_ports(struct itm_roles *r, unsigned protos, uint16_t lo, uint16_t hi)
{
    for (uint32_t p = lo; p <= hi; p++) {
        if (protos & ITM_P_TCP)
            r->case_port[0][p >> 3] |= (uint8_t)(1u << (p & 7));
        if (protos & ITM_P_UDP)
            r->case_port[1][p >> 3] |= (uint8_t)(1u << (p & 7));
    }
}

void itm_roles_bind(struct itm_classifier *c)
{
    struct itm_roles *r = &c->roles;

    memset(r->case_port, 0, sizeof(r->case_port));
    if (r->facts)
        memset(r->facts, 0, PORT_MEMO * sizeof(*r->facts));
    for (size_t i = 0; i < NCASES; i++) {
        const struct itm_rule *rule = NULL;
        if (cases[i].rule && c->db)
            rule = itm_sigdb_find(c->db, cases[i].rule);
        r->case_rule[i] = rule;
        if (!cases[i].rule)
            mark_ports(r, cases[i].protos, cases[i].lo, cases[i].hi);
        for (unsigned k = 0; rule && k < rule->nranges; k++)
            mark_ports(r, rule->protos | rule->protos_extra, rule->ranges[k].lo,
                       rule->ranges[k].hi);
    }
}

static int case_port(const struct itm_roles *r, const struct itm_flow_rec *rec)
{
    const uint8_t *map = r->case_port[rec->ipproto == 6 ? 0 : 1];
    return (map[rec->server_port >> 3] >> (rec->server_port & 7)) & 1;
}

/* The slot of key k (normalised) with hash hv: its own, or the free one where it would go.
 * There is always a free slot: the table is never full. */
static struct itm_host_slot *slot_of(const struct itm_roles *r, const struct itm_ip *k,
                                     uint32_t hv)
{
    size_t mask = r->cap - 1u;

    for (size_t i = hv & mask;; i = (i + 1u) & mask) {
        struct itm_host_slot *s = &r->slots[i];
        if (s->ip.family == 0 || memcmp(&s->ip, k, sizeof(*k)) == 0)
            return s;
    }
}

/* The hash of a normalised key. */
static uint32_t key_hash(const struct itm_roles *r, const struct itm_ip *k)
{
    return itm_cls_hash(r->seed, k, sizeof(*k));
}

/* ip normalised into *k, the table's key; returns its hash. */
static uint32_t host_key(const struct itm_roles *r, const struct itm_ip *ip, struct itm_ip *k)
{
    itm_cls_ip_norm(k, ip);
    return key_hash(r, k);
}

/* Twice the slots (the first HOST_SLOTS_MIN), every host moved to its place in them. */
static int table_grow(struct itm_roles *r)
{
    size_t cap = r->cap ? r->cap * 2u : HOST_SLOTS_MIN;
    struct itm_host_slot *v = itm_calloc_big(cap * sizeof(*v)), *old = r->slots;
    size_t n = r->cap;

    if (!v)
        return ITM_ERR_NOMEM;
    r->slots = v;
    r->cap = cap;
    for (size_t i = 0; i < n; i++)
        if (old[i].ip.family)
            *slot_of(r, &old[i].ip, key_hash(r, &old[i].ip)) = old[i];
    itm_free_big(old, n * sizeof(*old));
    return ITM_OK;
}

static struct itm_host *host_get(struct itm_roles *r, const struct itm_ip *ip)
{
    struct itm_ip k;
    uint32_t hv = host_key(r, ip, &k);
    struct itm_host_slot *s = r->nhosts ? slot_of(r, &k, hv) : NULL;
    struct itm_host *h;

    if (s && s->h)
        return s->h;
    if (k.family != 4 && k.family != 6)
        return NULL; /* family 0 marks a free slot */
    if (r->nhosts >= r->max_hosts) {
        r->dropped++;
        return NULL;
    }
    if ((r->nhosts + 1u) * 4u > r->cap * 3u) {
        if (table_grow(r) != ITM_OK) {
            r->dropped++;
            return NULL;
        }
        s = NULL;
    }
    h = itm_pool_get(&r->pool);
    if (!h) {
        r->dropped++;
        return NULL;
    }
    if (!s) /* the first host, or the slots moved */
        s = slot_of(r, &k, hv);
    h->ip = k;
    s->ip = k;
    s->inferred = 0;
    s->h = h;
    if (r->last)
        r->last->next = h;
    else
        r->first = h;
    r->last = h;
    r->nhosts++;
    r->index->dirty = 1;
    return h;
}

uint32_t itm_roles_inferred(const struct itm_roles *r, const struct itm_ip *ip)
{
    struct itm_ip k;

    if (!r->nhosts)
        return 0;
    return slot_of(r, &k, host_key(r, ip, &k))->inferred; /* a free slot's is 0 */
}

void itm_roles_prefetch(const struct itm_roles *r, const struct itm_ip *ip)
{
    struct itm_ip k;

    if (r->cap) /* the slot a lookup starts at */
        __builtin_prefetch(&r->slots[host_key(r, ip, &k) & (r->cap - 1u)]);
}

/* TCP listeners prove themselves by answering (a SYN to a closed port is answered by a
 * lone RST); datagram services often answer from another port or not at all. */
static int tcp_answered(const struct itm_flow_rec *rec)
{
    if (rec->pkts[ITM_DIR_TOCLIENT] == 0)
        return 0;
    if (rec->tcp_state == ITM_TCPS_RESET && rec->payload_bytes[ITM_DIR_TOCLIENT] == 0 &&
        rec->pkts[ITM_DIR_TOCLIENT] <= 1)
        return 0;
    return 1;
}

static int case_matches(const struct itm_classifier *c, size_t i, const struct itm_flow_rec *rec)
{
    const struct sig_case *k = &cases[i];
    unsigned pbit = itm_proto_bit(rec->ipproto);
    const struct itm_rule *r = c->roles.case_rule[i];

    if (!k->rule)
        return (k->protos & pbit) && rec->server_port >= k->lo && rec->server_port <= k->hi;
    return r && ((r->protos | r->protos_extra) & pbit) &&
           itm_cls_rule_has_port(r, rec->server_port);
}

static void view_sides(const struct itm_classifier *c, const struct itm_flow_rec *rec,
                       int answered, struct side_view sv[2])
{
    memset(sv, 0, 2 * sizeof(sv[0]));
    if ((rec->ipproto != 6 && rec->ipproto != 17) || !case_port(&c->roles, rec))
        return;
    for (size_t i = 0; i < NCASES; i++) {
        const struct sig_case *k = &cases[i];
        struct side_view *s = &sv[k->side];
        if (k->side == SIDE_SERVER && rec->ipproto == 6 && !answered)
            continue;
        if (!case_matches(c, i, rec))
            continue;
        s->implies |= k->implies;
        if (!s->first)
            s->first = k;
        if (s->sigs & (1u << k->sig))
            continue;
        s->sigs |= 1u << k->sig;
        s->evidence |= ITM_ROLE_BIT(k->role);
    }
}

/* Every DHCP server answers on 67/68; only option 60 "PXEClient" (seen when the flow was
 * labelled live) tells a PXE server from the others. */
static int is_dhcp(const struct itm_flow_rec *rec)
{
    return rec->ipproto == 17 && (rec->server_port == 67 || rec->server_port == 68);
}

static int pxe_dhcp(const struct itm_flow_rec *rec)
{
    return is_dhcp(rec) && rec->label.insp.id == ITM_INSPECT_DHCP &&
           rec->label.insp.verdict == ITM_V_MATCH && (rec->label.insp.flags & ITM_ID_PXECLIENT);
}

/* A port whose documented server side is one single role proves that role (1433 is SQL,
 * 389 a domain controller) once the server answers. Ports shared by several roles prove
 * nothing by themselves. */
static uint32_t generic_server_role(const struct itm_classifier *c,
                                    const struct itm_flow_rec *rec, int answered)
{
    const struct itm_rule *const *rs;
    size_t n;
    uint32_t roles = 0;
    int one_way = 1;

    if (!c->db || (rec->ipproto != 6 && rec->ipproto != 17) || is_dhcp(rec))
        return 0;
    n = itm_sigdb_candidates(c->db, rec->ipproto, rec->server_port, &rs);
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = rs[i];
        if (r->flags & (ITM_RF_SOURCE_PORT | ITM_RF_FOLLOWUP | ITM_RF_LOCAL) ||
            itm_cls_broad_at(r, rec->server_port))
            continue;
        roles |= r->server_roles;
        if (!(r->flags & ITM_RF_ONE_WAY))
            one_way = 0;
    }
    if (!roles || (roles & (roles - 1)) || (!answered && !one_way))
        return 0;
    return roles;
}

static int agent_web_port(const struct itm_classifier *c, const struct itm_flow_rec *rec);
static int manages(const struct itm_classifier *c, const struct itm_flow_rec *rec);

static void facts_make(const struct itm_classifier *c, const struct itm_flow_rec *rec,
                       struct itm_port_facts *pf)
{
    for (int a = 0; a < 2; a++) {
        view_sides(c, rec, a, pf->sv[a]);
        pf->generic[a] = generic_server_role(c, rec, a);
    }
    pf->manages = (uint8_t)manages(c, rec);
    pf->agent_web = (uint8_t)agent_web_port(c, rec);
    pf->port = rec->server_port;
    pf->proto = rec->ipproto;
}

/* The facts of rec's server port: from the memo, or worked out into tmp (and the memo). */
static const struct itm_port_facts *port_facts(const struct itm_classifier *c,
                                               const struct itm_flow_rec *rec,
                                               struct itm_port_facts *tmp)
{
    struct itm_port_facts *m;

    if (rec->ipproto != 6 && rec->ipproto != 17) {
        memset(tmp, 0, sizeof(*tmp));
        return tmp;
    }
    m = &c->roles.facts[itm_cls_port_slot(rec->ipproto, rec->server_port, PORT_MEMO)];
    if (!m->valid || m->port != rec->server_port || m->proto != rec->ipproto) {
        facts_make(c, rec, m);
        m->valid = 1;
    }
    return m;
}

void itm_roles_implied(const struct itm_classifier *c, const struct itm_flow_rec *rec,
                       int answered, struct itm_cls_implied *out)
{
    struct itm_port_facts tmp;
    const struct itm_port_facts *pf = port_facts(c, rec, &tmp);
    const struct side_view *sv;
    uint32_t g;

    memset(out, 0, sizeof(*out));
    answered = answered || (rec->ipproto == 6 && tcp_answered(rec));
    sv = pf->sv[answered != 0];
    for (int s = 0; s < 2; s++)
        out->roles[s] = sv[s].implies;
    g = pf->generic[answered != 0];
    if (!sv[SIDE_SERVER].first && (g & ITM_CLS_ITMS_SERVERS))
        out->roles[SIDE_SERVER] |= g;
}

static int peer_is_agent(const struct itm_classifier *c, const struct itm_ip *ip)
{
    return (itm_cls_roles_of(c, ip) & ITM_CLS_AGENTS) != 0;
}

static unsigned web_agents(const struct itm_classifier *c, const struct itm_host *h)
{
    unsigned n = 0;

    if (h->peers_done)
        return ITM_INFER_NS_AGENTS;
    for (unsigned i = 0; i < h->npeers && n < ITM_INFER_NS_AGENTS; i++)
        n += (unsigned)peer_is_agent(c, &h->ext->peers[i]);
    return n;
}

/* Agents reach the NS (and task and package servers) on the ports of agent -> NS rules. */
static int agent_web_port(const struct itm_classifier *c, const struct itm_flow_rec *rec)
{
    const struct itm_rule *const *rs;
    size_t n;

    if (!c->db || rec->ipproto != 6)
        return 0;
    n = itm_sigdb_candidates(c->db, 6, rec->server_port, &rs);
    for (size_t i = 0; i < n; i++)
        if ((rs[i]->client_roles & ITM_CLS_AGENTS) && (rs[i]->server_roles & ITM_RB(NS)) &&
            !(rs[i]->flags & ITM_RF_SOURCE_PORT) && !itm_cls_broad_at(rs[i], rec->server_port))
            return 1;
    return 0;
}

/* The client of a port that only the NS, task servers and monitor servers use (SNMP polls,
 * AMT, IPMI, WMI): such a host also receives traps without being an Event Console. */
static int manages(const struct itm_classifier *c, const struct itm_flow_rec *rec)
{
    const uint32_t managers = ITM_RB(NS) | ITM_RB(TASK_SERVER) | ITM_RB(MONITOR);
    const struct itm_rule *const *rs;
    uint32_t roles = 0;
    size_t n;

    if (!c->db || (rec->ipproto != 6 && rec->ipproto != 17))
        return 0;
    n = itm_sigdb_candidates(c->db, rec->ipproto, rec->server_port, &rs);
    for (size_t i = 0; i < n; i++)
        if (!(rs[i]->flags & (ITM_RF_SOURCE_PORT | ITM_RF_FOLLOWUP)) &&
            !itm_cls_broad_at(rs[i], rec->server_port))
            roles |= rs[i]->client_roles;
    return roles && !(roles & ~managers);
}

/* Remembers a distinct client; when full, a known agent takes the place of a client that
 * is not one, so that early consoles cannot hide the agents that come later. */
static void add_peer(const struct itm_classifier *c, struct itm_host *h, const struct itm_ip *ip)
{
    struct itm_ip k;
    struct itm_ip *peers;

    if (h->peers_done)
        return;
    if (h->npeers >= ITM_INFER_NS_AGENTS && web_agents(c, h) >= ITM_INFER_NS_AGENTS) {
        /* agents stay agents: the count can only be reached once */
        h->peers_done = 1;
        return;
    }
    itm_cls_ip_norm(&k, ip);
    if (!host_ext(h))
        return;
    peers = h->ext->peers;
    for (unsigned i = 0; i < h->npeers; i++)
        if (itm_cls_ip_eq(&peers[i], &k))
            return;
    if (h->npeers < ITM_CLS_WEB_PEERS) {
        peers[h->npeers++] = k;
        return;
    }
    if (!peer_is_agent(c, &k))
        return;
    for (unsigned i = 0; i < h->npeers; i++)
        if (!peer_is_agent(c, &peers[i])) {
            peers[i] = k;
            return;
        }
}

/* A host's learned roles; a change is marked with the latest event time, so that flows that
 * began before it look their ends' roles up again (itm_classify). */
static void set_inferred(struct itm_classifier *c, struct itm_host *h, uint32_t roles)
{
    struct itm_roles *r = &c->roles;

    if (roles != h->inferred) {
        h->inferred = roles;
        slot_of(r, &h->ip, key_hash(r, &h->ip))->inferred = roles;
        c->roles_changed_ns = c->now_ns;
    }
}

/* Thresholds: one flow proves a listener or a sender of an ITMS-only port. The NS and the
 * task server share their web ports with package servers, so they need two signals. Traps
 * go to the NS and task servers too: they make an Event Console only of a host that is
 * neither. */
static uint32_t infer(const struct itm_classifier *c, const struct itm_host *h)
{
    const uint32_t special = ITM_RB(NS) | ITM_RB(TASK_SERVER) | ITM_RB(EVENT_CONSOLE);
    uint32_t roles = h->ev_roles & ~special, sig = h->sigs;
    unsigned agents = h->npeers ? web_agents(c, h) : 0;

    if ((sig & SGB(SG_CEM_LISTEN)) ||
        ((sig & (SGB(SG_TICKLE_SENT) | SGB(SG_TS_TICKLE))) && agents >= ITM_INFER_NS_AGENTS))
        roles |= ITM_RB(NS);
    if ((sig & SGB(SG_TS_LISTEN)) || ((sig & SGB(SG_CTA_SENT)) && agents >= 1))
        roles |= ITM_RB(TASK_SERVER);
    if ((sig & SGB(SG_EC_LISTEN)) ||
        ((sig & SGB(SG_TRAP)) && !(roles & special) && !(sig & SGB(SG_MANAGES))) ||
        ((h->ev_roles & ITM_RB(EVENT_CONSOLE)) &&
         tally_get(h, ITM_ROLE_EVENT_CONSOLE) > tally_get(h, TALLY_SIG(SG_TRAP))))
        roles |= ITM_RB(EVENT_CONSOLE);
    return roles;
}

/* The index of the lowest set bit of m (m != 0). */
static unsigned lowest_bit(uint32_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned i = 0;

    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* A count the host could not keep (out of memory) is counted with the dropped hosts. */
static void credit(struct itm_classifier *c, struct itm_host *h, const struct side_view *s,
                   int side, uint32_t declared)
{
    int kept = 1;

    if (side == SIDE_CLIENT)
        h->flows_client++;
    else
        h->flows_server++;
    for (uint32_t m = s->evidence & ~ITM_ROLE_BIT(ITM_ROLE_NONE); m; m &= m - 1u)
        kept &= tally_add(h, lowest_bit(m));
    for (uint32_t m = s->sigs; m; m &= m - 1u)
        kept &= tally_add(h, TALLY_SIG(lowest_bit(m)));
    h->ev_roles |= s->evidence & ~ITM_ROLE_BIT(ITM_ROLE_NONE);
    h->sigs |= s->sigs;
    c->roles.dropped += !kept;
    if (declared && (s->implies & ITM_CLS_ITMS) && !(declared & s->implies))
        h->contradictions++;
}

void itm_roles_observe(struct itm_classifier *c, const struct itm_flow_rec *rec)
{
    struct itm_roles *r = &c->roles;
    const struct itm_ip *ends[2] = {&rec->client, &rec->server};
    struct side_view sv[2];
    int answered = rec->ipproto == 6 ? tcp_answered(rec) : rec->pkts[ITM_DIR_TOCLIENT] > 0;
    struct itm_port_facts tmp;
    const struct itm_port_facts *pf;

    if (r->frozen)
        return;
    pf = port_facts(c, rec, &tmp);
    memcpy(sv, pf->sv[answered], sizeof(sv));
    if (!sv[SIDE_SERVER].first)
        sv[SIDE_SERVER].evidence |= pf->generic[answered];
    if (pf->manages)
        sv[SIDE_CLIENT].sigs |= 1u << SG_MANAGES;
    if (pxe_dhcp(rec) && rec->server_port == 68) {
        sv[SIDE_CLIENT].evidence |= ITM_RB(DEPLOYMENT); /* an answer sent from port 67 */
    } else if (pxe_dhcp(rec) && answered) {
        sv[SIDE_SERVER].evidence |= ITM_RB(DEPLOYMENT);
        sv[SIDE_CLIENT].evidence |= ITM_RB(PXE_CLIENT);
    }
    for (int s = 0; s < 2; s++) {
        struct itm_host *h;
        uint32_t declared;
        /* an address that only ever receives unanswered traffic (a scanned hole, a subnet
         * broadcast) is not worth a slot */
        if (!itm_cls_ip_is_host(ends[s]) ||
            (s == SIDE_SERVER && !answered && !sv[s].evidence))
            continue;
        declared = itm_site_roles(c->site, ends[s]);
        if (!sv[s].evidence && !declared && !itm_site_is_local(c->site, ends[s]))
            continue;
        h = host_get(r, ends[s]);
        if (!h)
            continue;
        credit(c, h, &sv[s], s, declared);
        if (s == SIDE_SERVER && rec->ipproto == 6 && answered &&
            itm_cls_ip_is_host(&rec->client) && pf->agent_web)
            add_peer(c, h, &rec->client);
        set_inferred(c, h, infer(c, h));
    }
}

/* Roles depend on other hosts' roles (the NS on its agents), so a last pass over the whole
 * table settles them; two rounds reach the fixpoint since agents depend on nothing. */
void itm_roles_freeze(struct itm_classifier *c)
{
    struct itm_roles *r = &c->roles;

    for (int round = 0; round < 3; round++) {
        int changed = 0;
        for (struct itm_host *h = r->first; h; h = h->next) {
            uint32_t n = infer(c, h);
            changed |= n != h->inferred;
            h->inferred = n;
        }
        if (!changed)
            break;
    }
    for (size_t i = 0; i < r->cap; i++)
        if (r->slots[i].h)
            r->slots[i].inferred = r->slots[i].h->inferred;
    c->roles.frozen = 1;
    /* from here on roles never change: every flow may keep the roles of its last event */
    c->roles_changed_ns = 0;
}

/* ---- views ---- */

static int host_cmp(const void *x, const void *y)
{
    const struct itm_host *const *a = x, *const *b = y;
    return itm_ip_cmp(&(*a)->ip, &(*b)->ip);
}

static int sort_hosts(const struct itm_roles *r)
{
    struct itm_host_index *x = r->index;
    size_t n = r->nhosts, i = 0;
    struct itm_host **s;

    if (!x->dirty && x->n == n)
        return ITM_OK;
    s = itm_realloc(x->sorted, (n ? n : 1) * sizeof(*s));
    if (!s)
        return ITM_ERR_NOMEM;
    for (struct itm_host *h = r->first; h; h = h->next)
        s[i++] = h;
    qsort(s, n, sizeof(*s), host_cmp);
    x->sorted = s;
    x->n = n;
    x->dirty = 0;
    return ITM_OK;
}

size_t itm_classifier_host_count(const struct itm_classifier *c)
{
    return c->roles.nhosts;
}

int itm_classifier_host(const struct itm_classifier *c, size_t i, struct itm_host_view *out)
{
    const struct itm_host *h;

    if (sort_hosts(&c->roles) != ITM_OK || i >= c->roles.index->n)
        return ITM_ERR_NOTFOUND;
    h = c->roles.index->sorted[i];
    memset(out, 0, sizeof(*out));
    out->ip = h->ip;
    out->declared = itm_site_roles(c->site, &h->ip);
    out->inferred = h->inferred;
    for (int r = 1; r < ITM_ROLE_COUNT; r++)
        out->evidence[r] = tally_get(h, (unsigned)r);
    out->flows_client = h->flows_client;
    out->flows_server = h->flows_server;
    out->contradictions = h->contradictions;
    return ITM_OK;
}

uint32_t itm_classifier_roles_of(const struct itm_classifier *c, const struct itm_ip *ip)
{
    return itm_cls_roles_of(c, ip);
}

void itm_classifier_roles_now(const struct itm_classifier *c, struct itm_flow_rec *rec)
{
    rec->client_roles_now = rec->label.client_roles ? rec->label.client_roles
                                                    : itm_cls_roles_of(c, &rec->client);
    rec->server_roles_now = rec->label.server_roles ? rec->label.server_roles
                                                    : itm_cls_roles_of(c, &rec->server);
}

/* "task-server(d),agent(i)": declared roles, then learned ones the site did not declare. */
static void roles_cell(const struct itm_host_view *v, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        uint32_t set = pass == 0 ? v->declared : v->inferred & ~v->declared;
        for (int r = 1; r < ITM_ROLE_COUNT && n < len; r++) {
            int w;
            if (!(set & ITM_ROLE_BIT(r)))
                continue;
            w = snprintf(buf + n, len - n, "%s%s(%c)", n ? "," : "", itm_role_name(r),
                         pass == 0 ? 'd' : 'i');
            n = w < 0 ? len : n + (size_t)w;
        }
    }
    if (n == 0)
        snprintf(buf, len, "-");
}

static void evidence_cell(const struct itm_host_view *v, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (int r = 1; r < ITM_ROLE_COUNT && n < len; r++) {
        int w;
        if (!v->evidence[r])
            continue;
        w = snprintf(buf + n, len - n, "%s%s=%u", n ? "," : "", itm_role_name(r), v->evidence[r]);
        n = w < 0 ? len : n + (size_t)w;
    }
    if (n == 0)
        snprintf(buf, len, "-");
}

struct roles_widths {
    int addr, roles, evid;
};

static void print_row(const struct itm_host_view *v, const struct roles_widths *w, FILE *out)
{
    char addr[64], roles[512], evid[512];

    itm_ip_format(&v->ip, addr, sizeof(addr));
    roles_cell(v, roles, sizeof(roles));
    evidence_cell(v, evid, sizeof(evid));
    fprintf(out, "%-*s  %-*s  %-*s  %10llu %10llu  %u\n", w->addr, addr, w->roles, roles,
            w->evid, evid, (unsigned long long)v->flows_client,
            (unsigned long long)v->flows_server, v->contradictions);
}

void itm_classifier_print_roles(const struct itm_classifier *c, FILE *out)
{
    struct roles_widths w = {(int)strlen("address"), (int)strlen("roles"),
                             (int)strlen("evidence")};
    size_t n = itm_classifier_host_count(c);
    struct itm_host_view v;
    char buf[512];

    for (size_t i = 0; i < n && itm_classifier_host(c, i, &v) == ITM_OK; i++) {
        int l = (int)strlen(itm_ip_format(&v.ip, buf, sizeof(buf)));
        w.addr = l > w.addr ? l : w.addr;
        roles_cell(&v, buf, sizeof(buf));
        l = (int)strlen(buf);
        w.roles = l > w.roles ? l : w.roles;
        evidence_cell(&v, buf, sizeof(buf));
        l = (int)strlen(buf);
        w.evid = l > w.evid ? l : w.evid;
    }
    fprintf(out, "%-*s  %-*s  %-*s  %10s %10s  %s\n", w.addr, "address", w.roles, "roles",
            w.evid, "evidence", "as-client", "as-server", "contradictions");
    for (size_t i = 0; i < n && itm_classifier_host(c, i, &v) == ITM_OK; i++)
        print_row(&v, &w, out);
    fprintf(out, "(d) declared in the site file, (i) learned from traffic; %zu hosts", n);
    if (c->roles.dropped)
        fprintf(out, ", %llu not tracked (table full)", (unsigned long long)c->roles.dropped);
    fputc('\n', out);
}
