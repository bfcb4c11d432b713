/* sigdb.h: the signature database: one rule per row of the ITMS 8.x ports table, loaded
 * from a line-oriented text file (format: signatures/README.md) and indexed by
 * (protocol, port). The database is immutable once loaded except for site port moves,
 * which are applied before the first lookup. */
#ifndef ITMSCOPE_SIGDB_H
#define ITMSCOPE_SIGDB_H

#include <stdint.h>
#include <stdio.h>

#include "itmscope/common.h"
#include "itmscope/inspect.h"

#define ITM_RULE_MAX_RANGES 8

struct itm_port_range {
    uint16_t lo, hi; /* inclusive */
};

enum itm_rule_flag {
    ITM_RF_CONFIGURABLE = 1u << 0, /* the table says the port can be changed */
    ITM_RF_ONE_WAY = 1u << 1,      /* no reply expected (multicast, WoL, traps) */
    ITM_RF_MULTICAST = 1u << 2,    /* sent to a multicast group (see group) */
    ITM_RF_FOLLOWUP = 1u << 3,     /* only valid after another flow (see follows) */
    ITM_RF_BROAD = 1u << 4,        /* broad dynamic range: never wins over a specific rule */
    ITM_RF_LOCAL = 1u << 5,        /* host-local traffic (loopback on the component host) */
    ITM_RF_SOURCE_PORT = 1u << 6,  /* ports describe the client's source port */
    ITM_RF_DYNAMIC = 1u << 7,      /* "random" ports: matched by roles only, never by port */
};

struct itm_rule {
    const char *id;          /* the CSV id, e.g. "ts-tickle" */
    const char *suite;       /* table section, e.g. "Task Management" */
    const char *component;   /* e.g. "Task Server tickle" */
    const char *services;    /* Windows service names, ';'-separated, "" when none */
    const char *configurable;/* where the port is configured, "" when not configurable */
    const char *note;        /* short note, "" when none */
    const char *follows;     /* id of the rule this follows (FOLLOWUP), NULL otherwise */
    const char *paths;       /* HTTP request-target prefixes, ';'-separated, "" when none */
    uint8_t protos;          /* ITM_P_* the table lists */
    uint8_t protos_extra;    /* ITM_P_* matched although the table does not list them
                              * (e.g. UDP Wake-on-LAN); reports mark them */
    uint8_t icmp_type;       /* for ITM_P_ICMP: the type (8 = echo request), 0xff any */
    uint8_t inspect;         /* enum itm_inspect_id that confirms the rule, 0 none */
    uint8_t nranges;
    struct itm_port_range ranges[ITM_RULE_MAX_RANGES];
    uint32_t client_roles;   /* ITM_ROLE_BIT set of the connecting side */
    uint32_t server_roles;   /* ITM_ROLE_BIT set of the listening side */
    uint32_t flags;          /* enum itm_rule_flag */
    struct itm_ip group;     /* multicast group for ITM_RF_MULTICAST, family 0 if any */
    uint16_t index;          /* position in the database, 0-based */
    unsigned line;           /* line of the rule in its file */
};

struct itm_sigdb;

/* Loads a database. Every problem is reported through diag as "file:line:col: message";
 * a file with any error is rejected whole (NULL, *err = ITM_ERR_PARSE). On I/O failure
 * *err = ITM_ERR_IO and one diagnostic names the file and the system error.
 * The caller owns the result (itm_sigdb_free). */
struct itm_sigdb *itm_sigdb_load_file(const char *path, struct itm_diag *diag, int *err);
/* Same from memory; name is used in diagnostics. buf need not be NUL-terminated. */
struct itm_sigdb *itm_sigdb_load_mem(const char *name, const char *buf, size_t len,
                                     struct itm_diag *diag, int *err);
void itm_sigdb_free(struct itm_sigdb *db);

size_t itm_sigdb_count(const struct itm_sigdb *db);
const struct itm_rule *itm_sigdb_rule(const struct itm_sigdb *db, size_t index);
const struct itm_rule *itm_sigdb_find(const struct itm_sigdb *db, const char *id);

/* Candidate rules for (ip protocol number, port) in O(1): rules whose ranges contain the
 * port for that protocol (including protos_extra), specific ports first, then broad
 * ranges (ITM_RF_BROAD), each group in file order. ICMP/IGMP ignore the port. DYNAMIC
 * rules are never returned. *out points into the database; valid until it is freed. */
size_t itm_sigdb_candidates(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port,
                            const struct itm_rule *const **out);

/* Moves a configurable rule to other ports (and, for multicast rules, another group when
 * group->family != 0), then rebuilds the index. A rule that is not configurable, or an
 * unknown id, is reported through diag at file:line:col and returns ITM_ERR_PARSE. */
int itm_sigdb_move(struct itm_sigdb *db, const char *id, const struct itm_port_range *ranges,
                   unsigned nranges, const struct itm_ip *group, struct itm_diag *diag,
                   const char *file, unsigned line, unsigned col);

/* Prints the rules as an aligned table: id, suite, component, proto, ports,
 * client role -> server role. */
void itm_sigdb_print_table(const struct itm_sigdb *db, FILE *out);
/* Prints a one-paragraph summary (rules, suites, ports, flags) for --check-signatures. */
void itm_sigdb_print_summary(const struct itm_sigdb *db, const char *name, FILE *out);

/* "80;443", "1024-65535", "-" into buf; returns buf. */
char *itm_rule_ports_format(const struct itm_rule *r, char *buf, size_t len);
/* "tcp", "tcp+udp", "icmp(type 8)", with "+udp*" for protos_extra; returns buf. */
char *itm_rule_protos_format(const struct itm_rule *r, char *buf, size_t len);

/* 1 when a specific rule (not DYNAMIC, not SOURCE_PORT, and not through a broad range)
 * names port as its listening port for ipproto (6 or 17), else 0. O(1). The flow table
 * uses it to tell client from server in flows first seen mid-stream. */
int itm_sigdb_is_server_port(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port);

/* 1 when r matches port only through a broad range, else 0 (also when r does not list
 * the port). A BROAD rule's ranges of more than one port are broad; single ports it lists
 * (disc-rpc-wmi's 135 beside 49152-65535) are specific and sort with the specific rules. */
int itm_rule_port_is_broad(const struct itm_rule *r, uint16_t port);

/* The payload check for a flow of rule r with this IP protocol and server port:
 * r->inspect when that check applies to the protocol (http, tls, smb, ssh: TCP; tftp,
 * dhcp, snmp, nbns: UDP; dns, wol: both), else ITM_INSPECT_NONE. A rule checked with
 * "http" that lists several single ports (the table's 80/443 pairs) expects HTTP on its
 * first port and TLS on the others. */
enum itm_inspect_id itm_rule_inspect_for(const struct itm_rule *r, uint8_t ipproto,
                                         uint16_t port);

/* How an HTTP request target bears on rule r: 1 when r names paths and the target's path
 * (origin form, or absolute form with scheme and authority skipped) starts with one of
 * them, ignoring case (IIS paths are case-insensitive); 0 when r names paths and none
 * fits; -1 when r names none. */
int itm_rule_path_hint(const struct itm_rule *r, const char *target);

#endif
