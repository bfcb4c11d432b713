/* engine.h: the pipeline: decode -> fragments -> flow table -> classify -> outputs, fed one
 * frame at a time by a capture source. Data moves one way; the engine owns the tables and
 * the outputs, and borrows the signature database and the site. */
#ifndef ITMSCOPE_ENGINE_H
#define ITMSCOPE_ENGINE_H

#include <stdint.h>

#include "itmscope/classify.h"
#include "itmscope/output.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

#define ITM_MAX_OUTPUTS 8

struct itm_engine_cfg {
    uint32_t max_flows;        /* 0: default (itm-limits.h) */
    uint32_t timeout_s[5];     /* tcp, tcp-closed, udp, icmp, other; 0: default */
    int vlan_in_key;
    uint64_t seed[2];          /* hash seed; all zero: random */
    uint32_t max_frags;        /* 0: default */
    struct itm_classify_limits cls; /* zero fields: defaults */
    int no_output_thread;      /* outputs on the caller's thread even with a second CPU */
};

struct itm_engine;

/* db and site are borrowed (site may be NULL). NULL with *err on failure. */
struct itm_engine *itm_engine_new(const struct itm_engine_cfg *cfg, const struct itm_sigdb *db,
                                  const struct itm_site *site, int *err);
/* Frees the engine; outputs not yet closed are closed. */
void itm_engine_free(struct itm_engine *e);

/* Opens an output plug-in. 0 or the plug-in's error (it printed the reason). */
int itm_engine_add_output(struct itm_engine *e, const struct itm_output_ops *ops, const char *arg,
                          const struct itm_output_ctx *ctx);

/* Observe-only mode (offline first pass): flows are tracked and fed to role learning, but
 * nothing is classified or written. */
void itm_engine_set_observe_only(struct itm_engine *e, int on);
/* Ends the first pass: flows end (observed), roles freeze, tables and counters restart. */
void itm_engine_end_pass(struct itm_engine *e);

/* One captured frame: its bytes (caplen of them), length on the wire, and timestamp. */
struct itm_frame {
    const uint8_t *data;
    uint64_t ts_ns;
    uint32_t caplen, wirelen;
};

/* Frames handed over together, at most this many at a time (more are cut into batches). */
#define ITM_ENGINE_BATCH 32u

/* Feeds frames in order, with exactly the results of feeding them one by one, but faster:
 * the flow lookups of a batch are started together, so that their cache misses overlap. */
void itm_engine_packets(struct itm_engine *e, int linktype, const struct itm_frame *v, size_t n);

/* 1 when the flow table has outgrown the caches, so that batches pay for their copy: with
 * few flows every lookup hits the cache and frames read straight from libpcap's buffer are
 * better fed one by one. (Frames copied anyway, as a reader thread's are, go in batches.) */
int itm_engine_wants_batches(const struct itm_engine *e);

/* Feeds one frame. ts_ns is the packet timestamp. */
void itm_engine_packet(struct itm_engine *e, int linktype, uint64_t ts_ns, const uint8_t *frame,
                       uint32_t caplen, uint32_t wirelen);
/* Ends every flow with the reason (EOF or SHUTDOWN), writes the final stats event and
 * closes the outputs. Returns 0, or ITM_ERR_IO when an output failed to write. */
int itm_engine_finish(struct itm_engine *e, int end_reason);
/* Live: moves packet time to the wall clock when no packet has (a quiet network still
 * expires its flows). Never moves time backwards. */
void itm_engine_advance(struct itm_engine *e, uint64_t now_ns);
/* Writes a periodic stats event (live). */
void itm_engine_emit_stats(struct itm_engine *e, uint64_t ts_ns);

/* Kernel counters from pcap_stats (live); recorded for the stats event. */
void itm_engine_set_kernel_stats(struct itm_engine *e, uint64_t recv, uint64_t drop,
                                 uint64_t ifdrop);
/* Current counters (refreshed from the tables). */
const struct itm_stats *itm_engine_stats(struct itm_engine *e);
struct itm_classifier *itm_engine_classifier(struct itm_engine *e);
/* Swaps in a reloaded database and site (SIGHUP). Borrowed like the originals. */
void itm_engine_reload(struct itm_engine *e, const struct itm_sigdb *db,
                       const struct itm_site *site);

/* The open instance of an output plug-in (the first added with ops), or NULL: for the
 * plug-in's own extra calls (report while running, rules' site). Outputs without a packet
 * callback run on a thread of their own once a run has written ITM_OUTQ_MIN_FLOWS flows
 * (with a second CPU, unless no_output_thread): this waits until it has written every
 * event queued, so that the caller may touch the output until it feeds the engine again. */
struct itm_output *itm_engine_output(struct itm_engine *e, const struct itm_output_ops *ops);
/* Calls fn with a snapshot of every open flow, in creation order, ending none (a report
 * written while running counts them as they stand). */
void itm_engine_peek_flows(struct itm_engine *e,
                           void (*fn)(void *ctx, const struct itm_flow_rec *rec), void *ctx);

#endif
