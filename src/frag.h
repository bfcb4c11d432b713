/* frag.h: the IP fragment table. It remembers, per fragmented datagram, the ports its first
 * fragment carried so that every fragment counts toward its flow, also when the first
 * fragment arrives last. It does not reassemble: payload checks use the first fragment. */
#ifndef ITMSCOPE_FRAG_H
#define ITMSCOPE_FRAG_H

#include <stdint.h>

#include "itmscope/decode.h"

struct itm_frag_counters {
    uint64_t datagrams;   /* fragmented datagrams seen */
    uint64_t orphans;     /* fragments never attributed: their first fragment never came */
    uint64_t evicted;     /* datagrams dropped because the table was full */
    uint64_t active, active_max;
    uint64_t nomem;
};

struct itm_frag_table;

/* A table of at most max datagrams (0: ITM_MAX_FRAG_DATAGRAMS), each waiting up to
 * ITM_FRAG_TIMEOUT seconds of packet time for its first fragment. */
struct itm_frag_table *itm_frag_new(uint32_t max, const uint64_t seed[2], int *err);
void itm_frag_free(struct itm_frag_table *t);
/* Forgets every datagram (between passes); counters restart. */
void itm_frag_reset(struct itm_frag_table *t);

/* The first fragment (offset 0) of p's datagram arrived: remember its ports and hand back
 * the fragments that came before it (packets, bytes, earliest timestamp; zero when none). */
void itm_frag_first(struct itm_frag_table *t, const struct itm_pkt *p, uint32_t *pkts,
                    uint64_t *bytes, uint64_t *first_ns);
/* A later fragment: returns 1 with the ports when the first fragment was seen, else keeps
 * it pending (counted) and returns 0. */
int itm_frag_other(struct itm_frag_table *t, const struct itm_pkt *p, uint16_t *sport,
                   uint16_t *dport);
/* Drops datagrams older than the timeout at packet time now_ns. O(1) amortised. */
void itm_frag_expire(struct itm_frag_table *t, uint64_t now_ns);
void itm_frag_counters(const struct itm_frag_table *t, struct itm_frag_counters *out);

#endif
