/* report-int.h: private seams of the report outputs (text report, firewall matrix CSV,
 * candidate allow rules): the aggregate model they share and the text/CSV helpers. Only the
 * src/out-*.c plug-ins and src/report-*.c include it; nothing here reads packets or flows
 * other than through const snapshots. */
#ifndef ITMSCOPE_REPORT_INT_H
#define ITMSCOPE_REPORT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "itmscope/flow.h"
#include "itmscope/output.h"
#include "itmscope/sigdb.h"
#include "uthash-cfg.h"

/* ---- report-fmt.c: text and CSV helpers ---- */

/* Writes s as one RFC 4180 field: quoted when it holds a comma, a quote, CR or LF or starts
 * or ends with a space; quotes inside are doubled. NULL is an empty field. 0 or -1. */
int itm_csv_field(FILE *f, const char *s);
/* Ends a CSV record (CRLF, as RFC 4180 says). 0 or -1. */
int itm_csv_eol(FILE *f);
/* Writes one CSV record: n fields as itm_csv_field, comma-separated, then the CRLF. Every
 * field is tried even after a failed write. 0 or -1. */
int itm_csv_row(FILE *f, const char *const *cells, size_t n);

/* "1,234,567" */
char *itm_fmt_count(uint64_t v, char *buf, size_t len);
/* "512 B", "1.5 KiB", "12.3 MiB", "4.0 GiB" */
char *itm_fmt_bytes(uint64_t v, char *buf, size_t len);
/* "0.250s", "45s", "12m 03s", "2h 03m 04s", "3d 04h 05m" */
char *itm_fmt_duration(uint64_t ns, char *buf, size_t len);
/* "09:00:01" when day_ns (start of a UTC day) is the day of ts, else "01-05 09:00" */
char *itm_fmt_clock(uint64_t ts_ns, uint64_t day_ns, char *buf, size_t len);
/* Start of the UTC day holding ts, or UINT64_MAX when first and last are on different days
 * (then itm_fmt_clock shows dates). */
uint64_t itm_fmt_day(uint64_t first_ns, uint64_t last_ns);
/* "12%" of part in whole; "-" when whole is 0. */
char *itm_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t len);
/* Copies text that may come from packets, with control and non-ASCII bytes as \xNN, so
 * that nothing reaches a terminal as an escape sequence. */
char *itm_fmt_clean(const char *s, char *buf, size_t len);
/* Writes lead + text, wrapped at blanks to width columns, continuation lines indented
 * under the text. */
void itm_put_wrapped(FILE *f, unsigned indent, const char *lead, const char *text,
                     unsigned width);
/* "tcp/443", "udp/1024-65535", "udp/sport 68", "icmp/8", "icmp", "igmp", "ip-47" */
char *itm_fmt_service(uint8_t ipproto, uint8_t icmp_type, int sport, uint16_t lo, uint16_t hi,
                      char *buf, size_t len);

/* Aligned tables: columns are as wide as their widest cell; flexible columns shrink (a cut
 * cell ends in '~') so that a row fits the width; no trailing blanks. */
enum itm_tb_align { ITM_TB_LEFT = 0, ITM_TB_RIGHT = 1 };
struct itm_tcol {
    const char *head;
    uint8_t align; /* enum itm_tb_align */
    uint8_t flex;  /* 0: fixed; 1: may shrink, down to the header's width (at least 6);
                    * 2: shrinks first, before any column of flex 1; 3 (last column
                    * only): shrinks like 1, and a long cell wraps instead of being cut */
};
struct itm_table {
    const struct itm_tcol *cols;
    unsigned ncols;
    char **rows;   /* each: ncols NUL-terminated strings back to back */
    uint8_t *span; /* 1: a heading row (one string printed as is, outside the columns) */
    size_t nrows, cap;
    int err;       /* an allocation failed: rows are missing */
};
void itm_table_init(struct itm_table *t, const struct itm_tcol *cols, unsigned ncols);
/* Copies ncols cells (NULL is ""). 0 or ITM_ERR_NOMEM. */
int itm_table_add(struct itm_table *t, const char *const *cells);
/* A heading row between rows (a group's name); it does not widen any column. */
int itm_table_add_span(struct itm_table *t, const char *text);
/* Prints the header and the rows, each line indented; width: the terminal's columns. */
void itm_table_print(const struct itm_table *t, FILE *out, unsigned indent, unsigned width);
void itm_table_free(struct itm_table *t);

/* ---- report-model.c: aggregates of finished flows ---- */

struct itm_rsum {
    uint64_t flows, pkts, bytes, flagged;
    uint64_t first_ns, last_ns;
};

/* One rule (component) as seen; id "" holds the flows no rule explains. */
struct itm_rcomp {
    const char *id;
    const struct itm_rule *rule; /* the latest database's rule of that id, NULL for "" */
    uint32_t idx;
    struct itm_rsum sum;
    uint64_t clients, servers;   /* distinct addresses */
    struct itm_rcomp *peer;      /* scratch for merges */
    UT_hash_handle hh;
};

/* One cell of the firewall matrix. Ports: the server port, or the documented range the
 * port fell in when the rule names a broad or dynamic range (one cell, not one per port). */
struct itm_rcell_key {
    uint32_t comp;               /* itm_rcomp.idx */
    uint32_t croles, sroles;     /* the ends' roles the rule accounts for */
    uint16_t lo, hi;
    uint8_t proto, icmp_type;
    uint8_t sport;               /* ports are the client's source ports */
    uint8_t pad;
};
struct itm_rcell {
    struct itm_rcell_key k;
    uint32_t idx;
    uint8_t families;            /* 1: IPv4 seen, 2: IPv6 seen */
    struct itm_rsum sum;
    struct itm_rcell *peer;
    UT_hash_handle hh;
};

/* Findings, grouped by flag and the hosts involved. A scan keeps one group per source. */
#define ITM_RGROUP_IDS 8u
#define ITM_RGROUP_PORTS 8u
#define ITM_RGROUP_SERVERS 4u
struct itm_rgroup_key {
    uint32_t flag;
    struct itm_ip client, server; /* server zeroed for scans */
    uint8_t proto;
    uint8_t pad[3];
};
struct itm_rgroup {
    UT_hash_handle hh; /* first, so that a chain walk reads hash and key from one line */
    struct itm_rgroup_key k;
    uint32_t idx;
    struct itm_rsum sum;
    uint64_t nports, nservers;    /* distinct */
    uint16_t ports[ITM_RGROUP_PORTS];     /* the first distinct ones seen */
    struct itm_ip servers[ITM_RGROUP_SERVERS];
    uint64_t ids[ITM_RGROUP_IDS]; /* the first flow ids */
    unsigned nids;
    uint8_t nport_shown, nserver_shown;
    char reason[sizeof(((struct itm_label *)0)->reason)];
    struct itm_rgroup *peer;
};

struct itm_rmodel {
    uint64_t seed[2];
    struct itm_rcomp *comps;   /* uthash heads, insertion order in hh.next */
    struct itm_rcell *cells;
    struct itm_rgroup *groups;
    /* members (report-model.c): distinct keys in blocks, in the order first seen, and an
     * open-addressing index over them */
    struct itm_rmember_key **mblocks;
    size_t nmblocks;
    struct itm_rmember_slot *mslots;
    size_t nmslots;             /* a power of two, 0 before the first member */
    struct itm_rcomp **comp_vec;   /* by idx */
    struct itm_rgroup **group_vec; /* by idx */
    uint32_t ncomps, ncells, ngroups, comp_cap, group_cap;
    uint64_t nmembers;
    uint64_t cells_dropped, groups_dropped, members_dropped; /* flows/updates over a bound */
    struct itm_rsum total, unlabelled;
    uint64_t flags_flows[ITM_F_COUNT_BITS];
    int nomem;
    int cells_only;             /* itm_rmodel_init_cells */
};

void itm_rmodel_init(struct itm_rmodel *m);
/* A model of the components' sums and the cells alone, what the matrix and the rules read:
 * without the distinct hosts behind each component (clients, servers), the findings' groups
 * and flags_flows, which only the report shows and which take most of a model's memory. */
void itm_rmodel_init_cells(struct itm_rmodel *m);
void itm_rmodel_free(struct itm_rmodel *m);
/* Adds one flow (ended, or open for a snapshot), counted under rec's roles_now. db
 * resolves its rule. */
void itm_rmodel_add_flow(struct itm_rmodel *m, const struct itm_sigdb *db,
                         const struct itm_flow_rec *rec);
/* Keeps the reason of a flow's first flag for its finding group (alert time). */
void itm_rmodel_add_alert(struct itm_rmodel *m, const struct itm_flow_rec *rec, uint32_t flag);
/* dst += src, two models of the same parts. 0 or ITM_ERR_NOMEM (dst then lacks part of src
 * and says so in nomem). */
int itm_rmodel_merge(struct itm_rmodel *dst, const struct itm_rmodel *src);

/* Entries sorted for output (arrays the caller frees with itm_free); NULL when empty or
 * out of memory (*n = 0). Components: database order, the unlabelled one last. Cells: rule
 * order, then roles, protocol and port; undocumented cells last, by flows. Groups: flag
 * bit, then flows (most first), then addresses. */
struct itm_rcomp **itm_rmodel_comps(const struct itm_rmodel *m, size_t *n);
struct itm_rcell **itm_rmodel_cells(const struct itm_rmodel *m, size_t *n);
struct itm_rgroup **itm_rmodel_groups(const struct itm_rmodel *m, size_t *n);
/* Whether the rule of this id carried any flow. */
const struct itm_rcomp *itm_rmodel_comp_find(const struct itm_rmodel *m, const char *id);

/* An output's hold on the model it reads: the one model that the report, the matrix and the
 * allow rules of a run share through ctx->shared, so that each ended flow is added once
 * for all three, or a model of its own (ctx->shared NULL, or the shared one could not be
 * made). */
struct itm_rmodel_ref {
    struct itm_rmodel *m;      /* the model to read */
    struct itm_out_shared *sh; /* NULL: m is own */
    struct itm_rmodel own;
};
/* full: the whole model the report needs (itm_rmodel_init), else the cells alone
 * (itm_rmodel_init_cells). A shared model is whole once any of its users wants it so, and
 * then that user adds the flows (alerts reach the report alone, so the one that adds the
 * findings' groups must add their flows too); else the first to open adds them. Outputs
 * open before the first flow; one that opens later gets a model of its own. */
void itm_rmodel_ref_open(struct itm_rmodel_ref *ref, const struct itm_output_ctx *ctx,
                         int full);
/* An ended flow, added when this output is the one that adds to its model: every user of a
 * shared model sees every flow, so one adds it for all. */
void itm_rmodel_ref_add_flow(struct itm_rmodel_ref *ref, const struct itm_sigdb *db,
                             const struct itm_flow_rec *rec);
/* Lets go of the model; the last user of a shared one frees it. */
void itm_rmodel_ref_close(struct itm_rmodel_ref *ref, const struct itm_output_ctx *ctx);

/* Roles as "a,b" or "unknown"; flag bits as "a,b" or "-". */
char *itm_fmt_flags(uint32_t flags, char *buf, size_t len);

/* ---- report-text.c: the text report's sections about rules ---- */

#define ITM_REPORT_WIDTH 100u

/* What one rendering of the report sees. day: itm_fmt_day of the capture's span. */
struct itm_rview {
    FILE *f;
    const struct itm_rmodel *m;
    const struct itm_stats *st;
    const struct itm_output_ctx *ctx;
    uint64_t day;
    int color;
};

/* A section title (bold on a terminal). */
void itm_report_heading(const struct itm_rview *v, const char *title);
/* cv, n: itm_rmodel_cells of v->m. */
void itm_report_matrix(const struct itm_rview *v, struct itm_rcell **cv, size_t n);
void itm_report_undocumented(const struct itm_rview *v, struct itm_rcell **cv, size_t n);
void itm_report_coverage(const struct itm_rview *v);
void itm_report_stale(const struct itm_rview *v);
void itm_report_findings(const struct itm_rview *v);

/* ---- shared by the report outputs ---- */

/* Documented rows an output writes for an observed cell: its rule (NULL when undocumented). */
const struct itm_rule *itm_rcell_rule(const struct itm_rmodel *m, const struct itm_rcell *c);

#endif
