/* out-matrix.c: the firewall matrix as CSV (RFC 4180) for spreadsheets and scripts: one
 * row per observed (client role, server role, protocol, port, rule) cell, then one per
 * documented rule never seen. Written at close from the shared aggregates; it never
 * reorders by hash and never writes anything per packet. */
#include <errno.h>
#include <string.h>

#include "out-file.h"
#include "report-int.h"

struct itm_output {
    struct itm_out_file file; /* first: see out-file.h */
    const struct itm_output_ctx *ctx;
    struct itm_rmodel_ref mr; /* cells, shared with the report and the rules */
};

static const char *const matrix_head[] = {
    "status",     "client_roles", "server_roles", "proto",    "port",      "port_side",
    "rule",       "suite",        "component",    "flows",    "packets",   "bytes",
    "flagged",    "first_seen",   "last_seen",    "ip_versions",
};
#define MATRIX_COLS (sizeof(matrix_head) / sizeof(matrix_head[0]))

/* Role sets as "agent;console" (lists inside CSV fields use ';'), "any", or "unknown". */
static char *roles_field(uint32_t roles, char *buf, size_t len)
{
    if (roles == ITM_ROLE_ANY) {
        snprintf(buf, len, "any");
        return buf;
    }
    itm_roles_format(roles, buf, len);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = ';';
    return buf;
}

static void put_row(struct itm_output *o, const char *const *cells)
{
    if (itm_csv_row(o->file.f, cells, MATRIX_COLS) != 0)
        o->file.failed = 1;
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
        return "icmp";
    case 58:
        return "icmp6";
    case 2:
        return "igmp";
    default:
        snprintf(buf, len, "ip-%u", proto);
        return buf;
    }
}

static void put_cell(struct itm_output *o, const struct itm_rcell *c)
{
    const struct itm_rule *r = itm_rcell_rule(o->mr.m, c);
    char cr[200], sr[200], pn[16], port[16], fl[24], pk[24], by[24], fg[24], t1[40], t2[40];
    const char *side = c->k.sport ? "src" : "dst";
    const char *cells[MATRIX_COLS];

    if (c->k.proto == 6 || c->k.proto == 17) {
        if (c->k.lo == c->k.hi)
            snprintf(port, sizeof(port), "%u", c->k.lo);
        else
            snprintf(port, sizeof(port), "%u-%u", c->k.lo, c->k.hi);
    } else if (c->k.proto == 1 || c->k.proto == 58) {
        snprintf(port, sizeof(port), "%u", c->k.icmp_type);
        side = "icmp_type";
    } else {
        port[0] = '\0';
        side = "";
    }
    snprintf(fl, sizeof(fl), "%llu", (unsigned long long)c->sum.flows);
    snprintf(pk, sizeof(pk), "%llu", (unsigned long long)c->sum.pkts);
    snprintf(by, sizeof(by), "%llu", (unsigned long long)c->sum.bytes);
    snprintf(fg, sizeof(fg), "%llu", (unsigned long long)c->sum.flagged);
    cells[0] = r ? "observed" : "undocumented";
    cells[1] = roles_field(c->k.croles, cr, sizeof(cr));
    cells[2] = roles_field(c->k.sroles, sr, sizeof(sr));
    cells[3] = proto_name(c->k.proto, pn, sizeof(pn));
    cells[4] = port;
    cells[5] = side;
    cells[6] = r ? r->id : "";
    cells[7] = r ? r->suite : "";
    cells[8] = r ? r->component : "";
    cells[9] = fl;
    cells[10] = pk;
    cells[11] = by;
    cells[12] = fg;
    cells[13] = itm_format_ts(c->sum.first_ns, t1, sizeof(t1));
    cells[14] = itm_format_ts(c->sum.last_ns, t2, sizeof(t2));
    cells[15] = c->families == 3 ? "4;6" : (c->families == 2 ? "6" : "4");
    put_row(o, cells);
}

static void put_unseen(struct itm_output *o, const struct itm_rule *r)
{
    char cr[200], sr[200], pr[64], po[128];
    const char *cells[MATRIX_COLS] = {
        "not-seen", roles_field(r->client_roles, cr, sizeof(cr)),
        roles_field(r->server_roles, sr, sizeof(sr)), itm_rule_protos_format(r, pr, sizeof(pr)),
        itm_rule_ports_format(r, po, sizeof(po)), (r->flags & ITM_RF_SOURCE_PORT) ? "src" : "dst",
        r->id, r->suite, r->component, "0", "0", "0", "0", "", "", ""};

    put_row(o, cells);
}

static void write_matrix(struct itm_output *o)
{
    const struct itm_sigdb *db = o->ctx->db;
    struct itm_rcell **cv;
    size_t n;

    put_row(o, matrix_head);
    cv = itm_rmodel_cells(o->mr.m, &n);
    for (size_t i = 0; i < n; i++)
        put_cell(o, cv[i]);
    itm_free(cv);
    for (size_t i = 0; db && i < itm_sigdb_count(db); i++) {
        const struct itm_rule *r = itm_sigdb_rule(db, i);
        const struct itm_rcomp *c = r ? itm_rmodel_comp_find(o->mr.m, r->id) : NULL;
        if (r && (!c || !c->sum.flows))
            put_unseen(o, r);
    }
}

static int matrix_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    int rc;
    struct itm_output *o = itm_out_file_new(sizeof(*o), arg, "w", 0, &rc);

    if (!o)
        return rc;
    o->ctx = ctx;
    itm_rmodel_ref_open(&o->mr, ctx, 0);
    *out = o;
    return ITM_OK;
}

static void matrix_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    itm_rmodel_ref_add_flow(&o->mr, o->ctx->db, rec);
}

static void matrix_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns,
                         int final)
{
    (void)o;
    (void)st;
    (void)ts_ns;
    (void)final;
}

static int matrix_close(struct itm_output *o)
{
    write_matrix(o);
    itm_rmodel_ref_close(&o->mr, o->ctx);
    return itm_out_file_close(o);
}

const struct itm_output_ops itm_out_matrix = {
    .name = "matrix",
    .open = matrix_open,
    .packet = NULL,
    .flow = matrix_flow,
    .alert = NULL,
    .stats = matrix_stats,
    .close = matrix_close,
    .counts_roles = 1,
};
