/* sigdb-int.h: private layout of the signature database, shared by the parser, the index
 * and the printers (src/sigdb-*.c). Nothing else may include it: other modules see only
 * include/itmscope/sigdb.h. */
#ifndef ITMSCOPE_SIGDB_INT_H
#define ITMSCOPE_SIGDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "itmscope/sigdb.h"

/* Limits. The ITMS table has about a hundred rows; these only stop a broken or hostile
 * file from costing unbounded memory or time (index work grows with rules x segments). */
#define ITM_SIGDB_MAX_BYTES (4u << 20) /* larger signature files are refused */
#define ITM_SIGDB_MAX_RULES 1024u      /* ten times the table; index sweeps stay fast */
#define ITM_SIGDB_MAX_INDEX (1u << 20) /* rule pointers in one protocol's index (8 MiB) */
#define ITM_SIGDB_MAX_ID 64u           /* characters in a rule id */
#define ITM_SIGDB_MAX_PATHS 8u         /* HTTP path prefixes of one rule */
#define ITM_SIGDB_MAX_PATH 64u         /* bytes in one of them */

/* A run of ports that share one candidate list: list[off .. off + n). */
struct itm_sig_seg {
    uint32_t off;
    uint16_t n;
    uint8_t server; /* a specific, non-source-port rule listens on these ports */
};

/* Index of one port-carrying protocol. Ports map to segments (runs with the same rules),
 * so a lookup is two array reads however many broad ranges overlap. */
struct itm_sig_portidx {
    uint16_t *seg_of; /* 65536 entries: port -> segment */
    struct itm_sig_seg *segs;
    size_t nsegs;
    const struct itm_rule **list;
    size_t nlist;
};

struct itm_sig_index {
    struct itm_sig_portidx port[2]; /* 0: TCP, 1: UDP */
    const struct itm_rule **icmp, **igmp;
    size_t nicmp, nigmp;
};

struct itm_sigdb {
    struct itm_rule *rules; /* file order; rules[i].index == i */
    size_t nrules;
    char *strings;                 /* every string of every rule, NUL-separated */
    const struct itm_rule **by_id; /* sorted by id, for itm_sigdb_find */
    struct itm_sig_index idx;
};

/* Builds the index of db's rules into idx (zeroed first). Returns 0, ITM_ERR_NOMEM, or
 * ITM_ERR_FULL when a protocol would need more than ITM_SIGDB_MAX_INDEX entries; on error
 * idx holds nothing to free. */
int itm_sigdb_index_build(const struct itm_sigdb *db, struct itm_sig_index *idx);
void itm_sigdb_index_free(struct itm_sig_index *idx);


/* qsort order of by_id: id, then file position. */
int itm_sigdb_id_cmp(const void *a, const void *b);
/* bsearch of an id (a C string) in by_id. */
int itm_sigdb_id_key_cmp(const void *key, const void *elem);

#endif
