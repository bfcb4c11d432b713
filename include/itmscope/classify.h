/* classify.h: labels flows with the ITMS rule that explains them and raises findings.
 * Holds the role learner (evidence per host), TFTP/PXE expectations and the scan windows.
 * It sees flows only as const snapshots plus the packet that triggered the call; it never
 * reaches into the flow table and never writes output. */
#ifndef ITMSCOPE_CLASSIFY_H
#define ITMSCOPE_CLASSIFY_H

#include <stdint.h>
#include <stdio.h>

#include "itmscope/common.h"
#include "itmscope/decode.h"
#include "itmscope/flow.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

/* When the engine calls itm_classify(). */
enum itm_classify_event {
    ITM_CE_NEW = 0,      /* first packet of a flow (pkt set) */
    ITM_CE_PAYLOAD,      /* first packet with payload in a direction (pkt set, dir given) */
    ITM_CE_REPLY,        /* first packet from the server side (pkt set) */
    ITM_CE_END,          /* the flow ended (pkt NULL); final label */
};

struct itm_classify_limits {
    uint32_t max_hosts;         /* role-learner hosts; beyond, new hosts are not learned */
    uint32_t max_expectations;  /* pending TFTP/PXE expectations */
    uint32_t expect_timeout_s;  /* expectation lifetime in packet time */
    uint32_t max_scan_sources;  /* sources tracked for scan detection */
};

struct itm_classifier;

/* db and site are borrowed and must outlive the classifier (site may be NULL: defaults). */
struct itm_classifier *itm_classifier_new(const struct itm_sigdb *db, const struct itm_site *site,
                                          const struct itm_classify_limits *lim, int *err);
void itm_classifier_free(struct itm_classifier *c);

/* Swaps in a reloaded database and site (SIGHUP); learned roles are kept. */
void itm_classifier_reload(struct itm_classifier *c, const struct itm_sigdb *db,
                           const struct itm_site *site);

/* Role learning from a finished (or new) flow. Offline, the engine may run a first pass
 * that only observes, then freezes, so that labels see the whole capture. */
void itm_classifier_observe(struct itm_classifier *c, const struct itm_flow_rec *rec);
/* A hint that a flow between a and b will soon be classified or observed: the host table's
 * slots of both are fetched into the cache. Changes nothing. */
void itm_classifier_prefetch(const struct itm_classifier *c, const struct itm_ip *a,
                             const struct itm_ip *b);
/* After freeze, observe() no longer changes inferred roles. */
void itm_classifier_freeze(struct itm_classifier *c);
/* Forget expectations and scan windows (kept: learned roles). Between passes. */
void itm_classifier_reset_transient(struct itm_classifier *c);

/* Updates label for the flow at an event. rec->label is the label before the call (the
 * engine keeps it in the flow); the new label is written to *label (may alias
 * &rec->label). Returns the flag bits newly raised by this call (for alert events). */
uint32_t itm_classify(struct itm_classifier *c, const struct itm_flow_rec *rec,
                      const struct itm_pkt *pkt, enum itm_classify_event ev, int dir,
                      struct itm_label *label);

/* Per-host view for --roles and the report, sorted by address. */
struct itm_host_view {
    struct itm_ip ip;
    uint32_t declared;                 /* from the site file */
    uint32_t inferred;                 /* from traffic */
    uint32_t evidence[ITM_ROLE_COUNT]; /* flows that pointed at each role */
    uint64_t flows_client, flows_server;
    uint32_t contradictions;           /* flows that contradict a declared role */
};
size_t itm_classifier_host_count(const struct itm_classifier *c);
/* i-th host in address order; 0 or ITM_ERR_NOTFOUND. */
int itm_classifier_host(const struct itm_classifier *c, size_t i, struct itm_host_view *out);
/* Effective roles of an address (declared, else inferred). */
uint32_t itm_classifier_roles_of(const struct itm_classifier *c, const struct itm_ip *ip);
/* Sets rec's client_roles_now and server_roles_now: the label's roles of each end, else
 * the end's effective roles now. */
void itm_classifier_roles_now(const struct itm_classifier *c, struct itm_flow_rec *rec);
/* Prints the --roles table. */
void itm_classifier_print_roles(const struct itm_classifier *c, FILE *out);

/* Counters for the stats event: expectations created/matched/expired/dropped, hosts
 * dropped, scan sources dropped. */
struct itm_classify_stats {
    uint64_t expect_created, expect_matched, expect_expired, expect_dropped;
    uint64_t hosts_dropped, scan_dropped, payload_checks, payload_mismatch;
};
void itm_classifier_stats(const struct itm_classifier *c, struct itm_classify_stats *out);

#endif
