/* site.h: the site description: declared roles for addresses and networks, which networks
 * are local, port moves for configurable rules, policy switches and allowlists.
 * Format: signatures/README.md ("Site files"); sample: signatures/site.example.
 * Loading is re-entrant and reports every problem as "file:line:col: message". */
#ifndef ITMSCOPE_SITE_H
#define ITMSCOPE_SITE_H

#include <stdint.h>

#include "itmscope/common.h"
#include "itmscope/sigdb.h"

/* Policy switches ([policy] section). Defaults in brackets. */
struct itm_policy {
    int cleartext;          /* flag agent/console HTTP where HTTPS is required [0] */
    unsigned scan_ports;    /* distinct ports of one host from one source [16] */
    unsigned scan_hosts;    /* distinct hosts on one port from one source [32] */
    unsigned scan_window_s; /* window for both, seconds of packet time [60] */
    struct itm_ip tickle_group; /* multicast tickle group [224.0.255.135] */
    int infer_roles;        /* learn roles from traffic for hosts not declared [1] */
};

struct itm_site;

/* Loads a site file; same error contract as itm_sigdb_load_file. */
struct itm_site *itm_site_load_file(const char *path, struct itm_diag *diag, int *err);
struct itm_site *itm_site_load_mem(const char *name, const char *buf, size_t len,
                                   struct itm_diag *diag, int *err);
/* An empty site (no declarations, default policy, RFC 1918/4193/link-local are local). */
struct itm_site *itm_site_new_default(int *err);
void itm_site_free(struct itm_site *site);

/* Declared roles of an address (longest-prefix match over [roles]), 0 when none. */
uint32_t itm_site_roles(const struct itm_site *site, const struct itm_ip *ip);
/* 1 when the address is in a [local] network (or, with no [local] section, in private,
 * unique-local, link-local, loopback or multicast space), else 0. */
int itm_site_is_local(const struct itm_site *site, const struct itm_ip *ip);
const struct itm_policy *itm_site_policy(const struct itm_site *site);

/* Applies the [move] section to a database (itm_sigdb_move per line, diagnostics at the
 * site file's line numbers). ITM_ERR_PARSE when any move is refused. */
int itm_site_apply_moves(const struct itm_site *site, struct itm_sigdb *db,
                         struct itm_diag *diag);

/* 1 when an [allow] line silences flag (an ITM_F_* bit) for this flow, else 0.
 * rule_id may be NULL for unlabelled flows. */
int itm_site_allowed(const struct itm_site *site, uint32_t flag, const struct itm_ip *client,
                     const struct itm_ip *server, const char *rule_id);

/* Number of [roles] entries, and entry i (for --roles and reports). */
size_t itm_site_role_count(const struct itm_site *site);
int itm_site_role_entry(const struct itm_site *site, size_t i, struct itm_ip *addr,
                        unsigned *prefix, uint32_t *roles);

#endif
