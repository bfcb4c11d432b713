/* output.h: output plug-ins. Each format is one file (src/out-<format>.c) exposing one
 * struct itm_output_ops. Sinks see const snapshots only, never table internals, and are
 * called in packet-time order, so their output is deterministic for a given input. */
#ifndef ITMSCOPE_OUTPUT_H
#define ITMSCOPE_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "itmscope/classify.h"
#include "itmscope/decode.h"
#include "itmscope/flow.h"
#include "itmscope/sigdb.h"

/* Every counter of a run (the "stats" event). */
struct itm_stats {
    uint64_t packets, bytes;               /* frames read, frame bytes (wire length) */
    uint64_t by_status[ITM_DEC_STATUS_COUNT];
    uint64_t truncated[ITM_R_COUNT], invalid[ITM_R_COUNT], non_ip[ITM_R_COUNT];
    uint64_t ipv4, ipv6, tcp, udp, icmp, igmp, other_ip;
    uint64_t other_proto[256];             /* packets per IP protocol number */
    uint64_t fragments, frag_datagrams, frag_orphans, frag_dropped, frag_pending_max;
    uint64_t flows_created, flows_ended, flows_expired, flows_evicted, flows_active_max;
    uint64_t flows_unlabelled, alerts;
    uint64_t link_packets[8];              /* by index into link_types */
    int link_types[8];                     /* DLT values seen, -1 unused */
    uint64_t kernel_recv, kernel_drop, iface_drop; /* pcap_stats, live only */
    int live;
    uint64_t first_ns, last_ns;            /* packet-time span */
    struct itm_classify_stats cls;
};

/* State that sinks of one run share (the model of ended flows behind the report, the
 * matrix and the allow rules): opaque, the sinks make and free it. */
struct itm_out_shared;

/* What a sink may need besides the events. */
struct itm_output_ctx {
    const struct itm_sigdb *db;
    const struct itm_classifier *cls;
    const char *const *inputs;  /* input names (files or interfaces), NULL-terminated */
    int linktype;               /* of the first input */
    uint32_t snaplen;
    /* Points at a NULL pointer, where the report, the matrix and the allow rules of one run
     * keep the one model they share: the first to open makes it, the last to close frees
     * it. NULL: each keeps a model of its own. */
    struct itm_out_shared **shared;
};

/* A packet as sinks see it (for --packets and the evidence pcap). */
struct itm_out_pkt {
    const struct itm_pkt *pkt;
    const struct itm_flow_rec *flow; /* NULL when the packet belongs to no flow */
    int dir;
};

struct itm_output;
struct itm_output_ops {
    const char *name;
    /* arg: the file name (or "-") the user gave. 0 or itm_err; messages to stderr. */
    int (*open)(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx);
    void (*packet)(struct itm_output *o, const struct itm_out_pkt *p);  /* may be NULL */
    void (*flow)(struct itm_output *o, const struct itm_flow_rec *rec); /* a flow ended */
    void (*alert)(struct itm_output *o, const struct itm_flow_rec *rec, uint32_t flag,
                  uint64_t ts_ns);                                       /* may be NULL */
    void (*stats)(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns, int final);
    int (*close)(struct itm_output *o); /* flushes; 0 or ITM_ERR_IO */
    /* 1: it reads the records' client_roles_now and server_roles_now, which the engine then
     * fills (a lookup of each end the label gives no roles); 0: left zero */
    int counts_roles;
};

extern const struct itm_output_ops itm_out_json;

/* ISO 8601 UTC with microseconds: "2026-11-24T01:02:03.456789Z". buf >= 32. */
char *itm_format_ts(uint64_t ts_ns, char *buf, size_t len);

/* The ctx handed to open stays valid until close, and its db member is updated when the
 * database is reloaded (SIGHUP): sinks that name rules read ctx->db when they do. */

/* The audit report (arg: FILE or "-"): written at close, rewritten in full each time. */
extern const struct itm_output_ops itm_out_report;
/* The firewall matrix as CSV (arg: FILE or "-"): one row per observed cell and per
 * documented rule never seen. Format: docs/report.md. */
extern const struct itm_output_ops itm_out_matrix;
/* Candidate allow rules for the observed documented cells, between role address sets;
 * arg "nft" or "iptables"; written to stdout at close. */
extern const struct itm_output_ops itm_out_rules;
/* The site whose declared role networks make the rules' address sets (the open instance,
 * see itm_engine_output); again after a reload. Without it, only inferred hosts are used. */
struct itm_site;
void itm_out_rules_set_site(struct itm_output *o, const struct itm_site *site);
/* One CSV row per flow, the fields of the JSON flow event (arg: FILE or "-"). */
extern const struct itm_output_ops itm_out_csv;
/* Evidence pcap (arg: FILE or "-"): every packet of the flagged flows, in the link type of
 * ctx->linktype (or, when that is -1, of the first packet). */
extern const struct itm_output_ops itm_out_pcap;
/* One line per packet on stdout (arg ignored), tcpdump-like, with its flow's label. */
extern const struct itm_output_ops itm_out_packets;

/* Writing the report while running (SIGUSR1): feed every open flow to
 * itm_out_report_peek_flow (ctx: the report's struct itm_output), then call
 * itm_out_report_write_now with the current counters. Open flows count as they stand and
 * are forgotten again; returns 0 or ITM_ERR_IO. */
void itm_out_report_peek_flow(void *ctx, const struct itm_flow_rec *rec);
int itm_out_report_write_now(struct itm_output *o, const struct itm_stats *st);

/* JSON Lines events in one file per period (--rotate): arg "SECONDS:FILE". Each file is
 * named FILE.YYYYmmddTHHMMSSZ after its period's start (packet time, periods aligned to
 * multiples of SECONDS since the epoch); events otherwise as itm_out_json. */
extern const struct itm_output_ops itm_out_json_rotating;

#endif
