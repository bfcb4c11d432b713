/* classify-int.h: private layout of the classifier and the seams between its parts: labelling
 * (classify.c), the host table and role learner (roles.c), TFTP/PXE expectations (expect.c)
 * and findings (policy.c). Nothing outside those four files may include it. */
#ifndef ITMSCOPE_CLASSIFY_INT_H
#define ITMSCOPE_CLASSIFY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itmscope/classify.h"
#include "dlist.h"
#include "fasthash.h"
#include "uthash-cfg.h"

/* Candidate rules looked at for one flow. The busiest port (tcp/443) has about thirty in the
 * ITMS table; a hand-made database with more simply has the excess ignored. */
#define ITM_CLS_MAX_CAND 64u
/* DYNAMIC ("random" port) rules kept: the ITMS table has two; a fixed array lets a reload
 * swap databases without allocating, so it cannot fail halfway. */
#define ITM_CLS_MAX_DYNAMIC 16u
/* Source-port rules the label memo tells apart (the ITMS table has one). */
#define ITM_CLS_MAX_SRCPORT 32u
/* Distinct web clients remembered per host. The NS test needs ITM_INFER_NS_AGENTS agents
 * among them; a few extra slots absorb consoles and other non-agent clients. */
#define ITM_CLS_WEB_PEERS 8u
/* A host that tickles agents is the NS once it also serves 80/443 to this many distinct
 * agents: one or two could be a package or task server that some agents happen to use. */
#define ITM_INFER_NS_AGENTS 3u
/* Scan entries per source and window: each distinct (host, port) pair costs up to three
 * (the pair, its host's port count, its port's host count). A source gets room for this
 * many pairs times the larger threshold before it stops being tracked for the window. */
#define ITM_SCAN_PAIR_FACTOR 2u
/* Thresholds above this are clamped so that one source's entries stay bounded. */
#define ITM_SCAN_MAX_THRESHOLD 4096u

/* Role groups. ITMS hosts are the ones whose other traffic is a finding; infrastructure
 * servers (DNS, AD, SQL, ...) talk to everybody, so their ports say little about roles. */
#define ITM_RB(r) ITM_ROLE_BIT(ITM_ROLE_##r)
#define ITM_CLS_AGENTS (ITM_RB(AGENT) | ITM_RB(ULM_AGENT))
#define ITM_CLS_ITMS_SERVERS                                                                   \
    (ITM_RB(NS) | ITM_RB(TASK_SERVER) | ITM_RB(PACKAGE_SERVER) | ITM_RB(GATEWAY) |             \
     ITM_RB(DEPLOYMENT) | ITM_RB(EVENT_CONSOLE) | ITM_RB(MONITOR) | ITM_RB(WORKFLOW) |         \
     ITM_RB(MDM) | ITM_RB(SIM))
#define ITM_CLS_ITMS (ITM_CLS_ITMS_SERVERS | ITM_CLS_AGENTS)
#define ITM_CLS_INFRA                                                                          \
    (ITM_RB(SQL) | ITM_RB(DC) | ITM_RB(MAIL) | ITM_RB(DNS) | ITM_RB(FILE_SERVER) |             \
     ITM_RB(WINS) | ITM_RB(VENDOR) | ITM_RB(DATA_SOURCE) | ITM_RB(MANAGED_DEVICE) |            \
     ITM_RB(NETDEV))

/* Keyed hash of a key (the multiply-fold hash of fasthash.h); every table here hashes
 * through it and uses the uthash *_BYHASHVALUE macros. Inline, so that each caller's key
 * size (a constant) folds the tail's byte loop away. */
static inline uint32_t itm_cls_hash(const uint64_t seed[2], const void *key, size_t len)
{
    uint64_t m = itm_fasthash(seed, key, len);

    return (uint32_t)(m ^ (m >> 32));
}

/* ---- roles.c: the host table ---- */

struct itm_classifier;
struct itm_host;
struct itm_host_slot;
struct itm_host_index;
struct itm_port_facts;

/* Signal cases (roles.c) that name a rule; their rules are looked up once per database. */
#define ITM_ROLES_MAX_CASES 40

struct itm_roles {
    struct itm_host_slot *slots; /* the host table (roles.c): cap slots, a power of two */
    size_t cap, nhosts;
    struct itm_host *first, *last; /* every host, in the order they came */
    struct itm_pool pool;        /* where hosts come from */
    uint64_t seed[2];
    uint32_t max_hosts;
    int frozen;
    uint64_t dropped;            /* hosts that found the table full */
    struct itm_host_index *index;/* address order for views, a cache rebuilt on demand */
    struct itm_port_facts *facts;/* what each server port says (roles.c), a cache */
    const struct itm_rule *case_rule[ITM_ROLES_MAX_CASES];
    /* ports any signal case names, per TCP [0] and UDP [1]: most flows need no case test */
    uint8_t case_port[2][65536 / 8];
};

int itm_roles_init(struct itm_roles *r, uint32_t max_hosts);
/* Looks up the rules the signal cases name, after a (re)load of the database. */
void itm_roles_bind(struct itm_classifier *c);
void itm_roles_free(struct itm_roles *r);
/* Learned roles of an address (0 when unknown or not tracked). */
uint32_t itm_roles_inferred(const struct itm_roles *r, const struct itm_ip *ip);
/* Fetches the slot of an address into the cache (itm_classifier_prefetch). */
void itm_roles_prefetch(const struct itm_roles *r, const struct itm_ip *ip);

/* What one flow says about the roles its ends must hold, for contradictions. */
struct itm_cls_implied {
    uint32_t roles[2];           /* [0] client, [1] server; 0 when nothing is implied */
};

/* answered: the server replied (or the flow needs no reply). */
void itm_roles_implied(const struct itm_classifier *c, const struct itm_flow_rec *rec,
                       int answered, struct itm_cls_implied *out);
void itm_roles_observe(struct itm_classifier *c, const struct itm_flow_rec *rec);
void itm_roles_freeze(struct itm_classifier *c);

/* ---- expect.c: expectations ---- */

enum itm_pxe_step {
    ITM_PXE_NONE = 0,
    ITM_PXE_DHCP,                /* DHCP with option 60 PXEClient (67/68) */
    ITM_PXE_PROXY,               /* proxyDHCP (4011) */
    ITM_PXE_TFTP,                /* boot file request (69) */
    ITM_PXE_TCP,                 /* PXE communication (tcp/4433) */
};

struct itm_expect;

struct itm_expects {
    struct itm_expect *tab;      /* uthash head; insertion order is expiry order */
    uint64_t seed[2];
    uint32_t max;
    uint64_t timeout_ns;
    uint64_t created, matched, expired, dropped;
};

void itm_exp_init(struct itm_expects *e, uint32_t max, uint32_t timeout_s);
void itm_exp_clear(struct itm_expects *e);
/* After a TFTP RRQ/WRQ (req), the server answers from a new port to the client's port. */
void itm_exp_tftp_add(struct itm_expects *e, const struct itm_flow_rec *req, uint64_t now);
/* The request flow id a new UDP flow answers (the expectation is consumed), else 0. */
uint64_t itm_exp_tftp_take(struct itm_expects *e, const struct itm_flow_rec *rec, uint64_t now);
/* One step of a PXE boot by client (and, when known, its MAC). Returns the flow id of the
 * previous step within the timeout, else 0. A step that may open a boot (DHCP, proxyDHCP)
 * starts a chain when none is pending; later steps only extend one. Calling again for the
 * same flow returns the same answer. */
uint64_t itm_exp_pxe_step(struct itm_expects *e, const struct itm_ip *client,
                          const uint8_t *mac, enum itm_pxe_step step, uint64_t flow_id,
                          uint64_t now);

/* ---- policy.c: scan windows and findings ---- */

struct itm_scan_src;
struct itm_scan_slot;

struct itm_scans {
    struct itm_scan_slot *index; /* the sources by address (policy.c) */
    uint32_t icap, nsrcs;        /* its slots (0 or a power of two), the sources in it */
    struct itm_dlist by_age;     /* the sources in window-start order */
    struct itm_pool pool;        /* where sources come from */
    uint64_t nents;              /* entries over all sources' windows */
    uint64_t seed[2];
    uint32_t max_sources;
    uint64_t dropped;
};

void itm_scan_init(struct itm_scans *s, uint32_t max_sources);
/* Forgets every source and frees every entry. */
void itm_scan_clear(struct itm_scans *s);

/* ---- classify.c: the classifier ---- */

struct itm_classifier {
    const struct itm_sigdb *db;
    const struct itm_site *site;
    struct itm_site *own_site;   /* the default site, used when the caller gives none */
    struct itm_classify_limits lim;
    struct itm_roles roles;
    struct itm_expects exp;
    struct itm_scans scan;
    uint64_t payload_checks, payload_mismatch;
    /* looked up once per database */
    const struct itm_rule *tickle;      /* win-mtickle-udp */
    const struct itm_rule *tickle_ulm;  /* ulm-mtickle-udp */
    const struct itm_rule *tftp_data;   /* the rule that follows a TFTP request */
    const struct itm_rule *dynamic[ITM_CLS_MAX_DYNAMIC]; /* matched by roles only */
    size_t ndynamic;
    struct itm_cand_memo *memo;  /* candidates by server port (classify.c), NULL until used */
    /* The latest event time, and that of the last change of any roles: a flow that began
     * after the change may keep the roles its previous event found (itm_classify). */
    uint64_t now_ns, roles_changed_ns;
    /* labels by what they depend on (classify.c), NULL until used */
    struct itm_label_memo *lmemo;
    uint64_t lmemo_seed[2];
    const struct itm_rule *srcport[ITM_CLS_MAX_SRCPORT]; /* the source-port rules */
    size_t nsrcport;             /* more than ITM_CLS_MAX_SRCPORT: no label memo */
};

/* Effective roles: declared in the site file, else learned when the policy allows. */
uint32_t itm_cls_roles_of(const struct itm_classifier *c, const struct itm_ip *ip);
/* The multicast tickle group in force (policy, or where the site moved the tickle rule). */
void itm_cls_tickle_group(const struct itm_classifier *c, struct itm_ip *out);

/* Facts the labeller found, for the findings. */
struct itm_cls_facts {
    const struct itm_rule *rule; /* chosen rule, NULL when none */
    int rev;                     /* chosen with the flow read the other way round */
    unsigned nspecific;          /* rules naming the server port (any roles) */
    const struct itm_rule *first_specific;
    uint16_t spec_port;          /* the port they name */
    int spec_rev;                /* found with the flow read the other way round */
    uint32_t spec_server_roles;  /* union of their server roles */
    int specific_fit;            /* one of them fits the roles (either orientation) */
    int tier;                    /* of the chosen rule: 0 specific, 1 broad, 2 by roles */
    int answered;                /* the server replied */
    int lateral;                 /* agent to agent on an administration port */
    const struct itm_rule *proposal; /* nonstandard_port: the rule the payload belongs to */
};

/* One call of itm_classify, as the labeller and the findings see it. */
struct itm_cls_ctx {
    struct itm_classifier *c;
    const struct itm_flow_rec *rec;
    const struct itm_pkt *pkt;
    enum itm_classify_event ev;
    int dir;
    uint64_t now;
    uint32_t cdecl, sdecl;       /* roles the site file declares for client and server */
    uint32_t croles, sroles;     /* effective roles of client and server */
    struct itm_label *lab;       /* the label being built */
    struct itm_cls_facts f;
};

/* A documented ITMS port used between roles none of its rules names (lateral movement
 * aside, which policy.c tells apart). */
int itm_cls_wrong_roles(const struct itm_cls_ctx *x);

/* Findings for this event: returns the flag bits raised (not yet in lab->flags, not
 * silenced by the site) and writes the reason of the first one when the label has none. */
uint32_t itm_policy_flags(struct itm_cls_ctx *x);

/* Shared helpers. Keys are hashed with their padding, so addresses are zero-filled copies. */
static inline void itm_cls_ip_norm(struct itm_ip *out, const struct itm_ip *in)
{
    memset(out, 0, sizeof(*out));
    out->family = in->family;
    memcpy(out->a, in->a, in->family == 4 ? 4u : in->family == 6 ? 16u : 0u);
}

static inline int itm_cls_ip_eq(const struct itm_ip *a, const struct itm_ip *b)
{
    size_t n = a->family == 4 ? 4u : 16u;
    return a->family == b->family && a->family != 0 && memcmp(a->a, b->a, n) == 0;
}

/* The slot of (protocol, port) in a direct-mapped memo of n entries kept by port (the
 * candidates in classify.c, the port facts in roles.c): a port's TCP and UDP side by side. */
static inline unsigned itm_cls_port_slot(uint8_t proto, uint16_t port, unsigned n)
{
    return ((unsigned)port * 2u + (proto == 17)) % n;
}

static inline int itm_cls_ip_is_host(const struct itm_ip *ip)
{
    static const uint8_t zero[16];

    if (ip->family == 4)
        return !(ip->a[0] == 0 || (ip->a[0] & 0xf0) >= 0xe0); /* 0/8, multicast, 240/4 */
    if (ip->family == 6)
        return ip->a[0] != 0xff && memcmp(ip->a, zero, 16) != 0;
    return 0;
}

/* "notification-server", "agent", ...: the most telling role of a set, "host" when none. */
const char *itm_cls_role_word(uint32_t roles);
int itm_cls_rule_has_port(const struct itm_rule *r, uint16_t port);
/* 1 when r matches port only through a broad range (cheap for the many rules without any). */
int itm_cls_broad_at(const struct itm_rule *r, uint16_t port);
/* "tcp", "udp", "icmp", "igmp" or "ip". */
const char *itm_cls_proto_word(uint8_t ipproto);

#endif
