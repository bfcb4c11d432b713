/* flow.h: what the rest of the program sees of a flow: a const snapshot (struct
 * itm_flow_rec) with its ITMS label. Flow table internals stay in src/flow-int.h. */
#ifndef ITMSCOPE_FLOW_H
#define ITMSCOPE_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itmscope/common.h"
#include "itmscope/inspect.h"

/* Directions: packets from the client (initiator) and from the server. */
enum itm_dir { ITM_DIR_TOSERVER = 0, ITM_DIR_TOCLIENT = 1 };

enum itm_tcp_state {
    ITM_TCPS_NONE = 0,   /* not TCP */
    ITM_TCPS_SYN,        /* SYN seen, no SYN-ACK yet */
    ITM_TCPS_SYNACK,     /* SYN-ACK seen, handshake not completed */
    ITM_TCPS_ESTABLISHED,
    ITM_TCPS_FIN,        /* one side sent FIN */
    ITM_TCPS_CLOSED,     /* both sides sent FIN */
    ITM_TCPS_RESET,
    ITM_TCPS_MIDSTREAM,  /* first packet seen was not a SYN */
    ITM_TCPS_STATE_COUNT
};

enum itm_end_reason {
    ITM_END_NONE = 0,   /* still open (snapshots of live flows) */
    ITM_END_FIN,
    ITM_END_RST,
    ITM_END_TIMEOUT,
    ITM_END_EVICTED,
    ITM_END_EOF,        /* end of input */
    ITM_END_SHUTDOWN,   /* SIGINT/SIGTERM */
    ITM_END_REASON_COUNT
};

/* Findings. A flow lists all of its flags; an alert event fires the first time each does. */
enum itm_flag {
    ITM_F_UNEXPECTED_PORT = 1u << 0,  /* host with an ITMS role, no rule explains the flow */
    ITM_F_ROLE_MISMATCH = 1u << 1,    /* documented port used between the wrong roles */
    ITM_F_LATERAL = 1u << 2,          /* agent to agent on an administration protocol */
    ITM_F_SCAN = 1u << 3,             /* one source reaching many ports / hosts */
    ITM_F_WRONG_GROUP = 1u << 4,      /* multicast tickle port to another group */
    ITM_F_EXTERNAL = 1u << 5,         /* ITMS host to a non-local address, undocumented */
    ITM_F_NONSTANDARD_PORT = 1u << 6, /* ITMS protocol recognised on an undocumented port */
    ITM_F_CLEARTEXT = 1u << 7,        /* agent/console HTTP where HTTPS is required */
    ITM_F_PAYLOAD_MISMATCH = 1u << 8, /* documented port, payload is something else */
    ITM_F_ROLE_CONTRADICTION = 1u << 9, /* traffic contradicts a declared role */
    ITM_F_COUNT_BITS = 10
};
/* "unexpected_port", ...; NULL for a bit that is not a flag. */
const char *itm_flag_name(uint32_t flag_bit);
/* The bit for a name, or 0. */
uint32_t itm_flag_parse(const char *name, size_t len);

enum itm_confidence {
    ITM_CONF_NONE = 0,     /* unlabelled */
    ITM_CONF_PORT,         /* port (and protocol) only */
    ITM_CONF_ROLE,         /* port and the roles of both ends */
    ITM_CONF_PAYLOAD,      /* port, roles and a payload check */
    ITM_CONF_RELATED,      /* follow-up of a known flow (TFTP data, PXE sequence) */
};
const char *itm_confidence_name(enum itm_confidence c); /* "none", "port", "port+role",
                                                           "payload-verified", "related" */

#define ITM_MAX_ALT 4
#define ITM_NO_RULE 0xffffu

/* The classifier's answer for one flow. Rule numbers are itm_rule.index values. */
struct itm_label {
    uint16_t rule;                 /* ITM_NO_RULE when nothing explains the flow */
    uint8_t confidence;            /* enum itm_confidence */
    uint8_t nalt;
    uint16_t alt[ITM_MAX_ALT];     /* other rules the roles could not rule out */
    uint32_t flags;                /* enum itm_flag bits, each raised once as an alert event */
    uint32_t client_roles, server_roles; /* roles of both ends when labelled */
    uint64_t related_id;           /* flow this one follows, 0 when none */
    struct itm_inspect_result insp;/* last payload check run, id 0 when none */
    char reason[120];              /* why the first flag fired, for people */
};

/* Empties a label: every field zero, its three strings empty. Only their first bytes are
 * cleared (240 of the label's bytes are strings, and labels are cleared for every flow):
 * whatever reads them stops at the NUL. */
static inline void itm_label_clear(struct itm_label *l)
{
    memset(l, 0, offsetof(struct itm_label, insp.text));
    l->insp.text[0] = l->insp.text2[0] = l->reason[0] = '\0';
}

/* A const snapshot of a flow, handed to classification and to outputs. */
struct itm_flow_rec {
    uint64_t id;                   /* unique in a run, in creation order, from 1 */
    struct itm_ip client, server;  /* client = initiator (see flow table) */
    uint16_t client_port, server_port; /* ICMP echo: the echo id in both */
    uint8_t ipproto;
    uint8_t icmp_type, icmp_code;  /* first ICMP message seen */
    uint8_t nvlan;
    uint16_t vlan[2];
    uint8_t tcp_state;             /* enum itm_tcp_state */
    uint8_t end_reason;            /* enum itm_end_reason */
    uint8_t orient;                /* how the client was chosen: 0 SYN, 1 port, 2 first */
    uint64_t pkts[2], bytes[2];    /* indexed by enum itm_dir; bytes are frame lengths */
    uint64_t payload_bytes[2];
    uint64_t first_ns, last_ns;
    /* The roles an aggregate (report, matrix, rules) counts each end under: the label's,
     * or for an end the label gives none, its roles when the flow was handed to the
     * outputs, what it taught the role learner included (itm_classifier_roles_now). Fixed
     * then, whichever thread the outputs run on. */
    uint32_t client_roles_now, server_roles_now;
    struct itm_label label; /* last: a snapshot clears all before it, then the label */
};

const char *itm_tcp_state_name(enum itm_tcp_state s);
/* "TCP", "UDP", "ICMP", "IPv6-ICMP", "IGMP", "GRE", ... or "IP-<n>" into buf; returns it. */
const char *itm_ipproto_name(uint8_t proto, char *buf, size_t len);
const char *itm_end_reason_name(enum itm_end_reason r);

#endif
