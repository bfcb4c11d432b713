/* site-int.h: the site's private layout, limits and the helpers shared by site.c (lifetime,
 * lookups) and site-parse.c (the file parser). No other module may include it. */
#ifndef ITMSCOPE_SITE_INT_H
#define ITMSCOPE_SITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "itmscope/sigdb.h"
#include "itmscope/site.h"

/* A site file is written by hand; anything bigger is a mistake, not a site. */
#define ITM_SITE_MAX_BYTES (16u << 20)
/* More items than any valid line needs ([allow] has at most 4 "key = value" pairs). */
#define ITM_SITE_MAX_TOKS 64

/* An address or network. Host bits are always zero. */
struct itm_site_pfx {
    struct itm_ip addr; /* family 0: matches anything ([allow] keys left out) */
    uint8_t plen;
    uint32_t value;     /* role bits for [roles]; unused for [local] */
    unsigned line, col;
    unsigned dup_of;    /* [roles]: line of an earlier identical entry, else 0 */
};

/* An index entry: the network as a 128-bit number (IPv4 in the top 32 bits of hi), so that
 * masking and comparing are a few integer operations. */
struct itm_site_key {
    uint64_t hi, lo;
    uint32_t value;
    uint8_t plen;
    size_t order; /* the entry it came from */
};

/* Longest-prefix index for one address family: keys sorted by prefix length (longest
 * first), then address; grp[] holds one [lo, hi) run per distinct length. A lookup masks the
 * address once per length present and binary-searches that run: O(L log n) for L distinct
 * lengths (at most 33 for IPv4, 129 for IPv6; a real site uses two or three). */
struct itm_site_index {
    struct itm_site_key *v;
    size_t n;
    unsigned ngrp;
    struct {
        uint8_t plen;
        uint64_t mhi, mlo; /* the prefix mask */
        size_t lo, hi;
    } grp[129];
};

struct itm_site_move {
    char *id;
    struct itm_port_range ranges[ITM_RULE_MAX_RANGES];
    unsigned nranges;
    struct itm_ip group; /* family 0 when the line names no group */
    unsigned line, col;
};

struct itm_site_allow {
    uint32_t flags; /* ITM_F_* bits silenced */
    struct itm_site_pfx client, server;
    char *rule;     /* NULL: any rule, labelled or not */
    unsigned line;
};

struct itm_site {
    char *name; /* file name, for diagnostics of moves applied later */
    struct itm_site_pfx *roles;
    size_t nroles, roles_cap;
    struct itm_site_pfx *locals;
    size_t nlocals, locals_cap;
    struct itm_site_move *moves;
    size_t nmoves, moves_cap;
    struct itm_site_allow *allows;
    size_t nallows, allows_cap;
    struct itm_site_index role_ix[2];  /* [0] IPv4, [1] IPv6 */
    struct itm_site_index local_ix[2];
    struct itm_policy policy;
};

/* Default policy, no entries; NULL when out of memory. */
struct itm_site *itm_site_alloc(const char *name);
/* Parses buf into s (diagnostics under name), then builds the indexes. 0, ITM_ERR_PARSE
 * (every problem reported) or ITM_ERR_NOMEM. */
int itm_site_parse(struct itm_site *s, const char *name, const char *buf, size_t len,
                   struct itm_diag *diag);
/* Adds the default local networks when there are no [local] entries, then sorts the role
 * and local indexes. 0 or ITM_ERR_NOMEM. */
int itm_site_build(struct itm_site *s);
int itm_site_add_local(struct itm_site *s, const struct itm_site_pfx *e);
/* Room for n + 1 elements: the (possibly moved) array, or NULL with v left intact. */
void *itm_site_grow(void *v, size_t *cap, size_t n, size_t elem);

/* Clears the bits of a (16 bytes) beyond plen. */
void itm_site_mask(uint8_t *a, unsigned plen);
unsigned itm_site_full_len(const struct itm_ip *ip); /* 32 or 128 */
/* "10.1.0.10" for a host, "10.1.1.0/24" for a network; returns buf. */
char *itm_site_pfx_format(const struct itm_site_pfx *e, char *buf, size_t len);

#endif
