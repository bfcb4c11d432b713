/* out-csv.c: one RFC 4180 row per finished flow, with the fields of the JSON flow event
 * under their JSON paths ("flow.pkts_toserver", "itms.rule"), lists joined with ';'. It
 * sees const snapshots only and writes nothing but its own file. */
#include <errno.h>
#include <string.h>

#include "jsonw.h"
#include "out-file.h"
#include "report-int.h"

struct itm_output {
    struct itm_out_file file; /* first: see out-file.h */
    const struct itm_output_ctx *ctx;
};

static const char *const csv_head[] = {
    "timestamp",          "flow_id",           "proto",
    "src_ip",             "src_port",          "dest_ip",
    "dest_port",          "icmp_type",         "icmp_code",
    "icmp_id",            "vlan",              "flow.pkts_toserver",
    "flow.pkts_toclient", "flow.bytes_toserver", "flow.bytes_toclient",
    "flow.start",         "flow.end",          "flow.age",
    "flow.state",         "flow.reason",       "flow.alerted",
    "itms.rule",          "itms.component",    "itms.suite",
    "itms.confidence",    "itms.alternatives", "itms.related_flow_id",
    "itms.check.name",    "itms.check.verdict", "itms.check.detail",
    "itms.check.detail2", "roles.client",      "roles.server",
    "flags",              "reason",
};
#define CSV_COLS (sizeof(csv_head) / sizeof(csv_head[0]))

/* Text for every column of one row; numbers live in num[]. */
struct csv_row {
    const char *cell[CSV_COLS];
    char num[16][24];
    char ts[2][40], ip[2][64], pn[16];
    char vlan[16], alts[200], croles[400], sroles[400], flags[200];
};

static void put_row(struct itm_output *o, const char *const *cells)
{
    if (itm_csv_row(o->file.f, cells, CSV_COLS) != 0)
        o->file.failed = 1;
}

static const char *num(struct csv_row *r, unsigned slot, uint64_t v)
{
    snprintf(r->num[slot], sizeof(r->num[slot]), "%llu", (unsigned long long)v);
    return r->num[slot];
}

static char *roles_list(uint32_t roles, char *buf, size_t len)
{
    size_t o = 0;

    buf[0] = '\0';
    for (int i = 1; i < ITM_ROLE_COUNT; i++) {
        int w;
        if (!(roles & ITM_ROLE_BIT(i)))
            continue;
        w = snprintf(buf + o, len - o, "%s%s", o ? ";" : "", itm_role_name((enum itm_role)i));
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

static void row_endpoints(struct csv_row *r, const struct itm_flow_rec *rec)
{
    int ports = rec->ipproto == 6 || rec->ipproto == 17;
    int icmp = rec->ipproto == 1 || rec->ipproto == 58;
    size_t o = 0;

    r->cell[0] = itm_format_ts(rec->last_ns, r->ts[0], sizeof(r->ts[0]));
    r->cell[1] = num(r, 0, rec->id);
    r->cell[2] = itm_ipproto_name(rec->ipproto, r->pn, sizeof(r->pn));
    r->cell[3] = itm_ip_format(&rec->client, r->ip[0], sizeof(r->ip[0]));
    r->cell[4] = ports ? num(r, 1, rec->client_port) : NULL;
    r->cell[5] = itm_ip_format(&rec->server, r->ip[1], sizeof(r->ip[1]));
    r->cell[6] = ports ? num(r, 2, rec->server_port) : NULL;
    r->cell[7] = icmp ? num(r, 3, rec->icmp_type) : NULL;
    r->cell[8] = icmp ? num(r, 4, rec->icmp_code) : NULL;
    r->cell[9] = icmp ? num(r, 5, rec->client_port) : NULL;
    r->vlan[0] = '\0';
    for (unsigned i = 0; i < rec->nvlan && i < 2; i++)
        o += (size_t)snprintf(r->vlan + o, sizeof(r->vlan) - o, "%s%u", i ? ";" : "",
                              rec->vlan[i]);
    r->cell[10] = r->vlan;
}

static void row_counters(struct csv_row *r, const struct itm_flow_rec *rec)
{
    /* the age as the JSON writes it (csv_json.py holds the two equal) */
    _Static_assert(sizeof(r->num[10]) >= JW_SECS_MAX, "a CSV number's room");
    *jw_put_secs(r->num[10], rec->last_ns - rec->first_ns) = '\0';
    r->cell[11] = num(r, 6, rec->pkts[ITM_DIR_TOSERVER]);
    r->cell[12] = num(r, 7, rec->pkts[ITM_DIR_TOCLIENT]);
    r->cell[13] = num(r, 8, rec->bytes[ITM_DIR_TOSERVER]);
    r->cell[14] = num(r, 9, rec->bytes[ITM_DIR_TOCLIENT]);
    r->cell[15] = itm_format_ts(rec->first_ns, r->ts[1], sizeof(r->ts[1]));
    r->cell[16] = r->cell[0]; /* the event time is the flow's last packet */
    r->cell[17] = r->num[10];
    r->cell[18] = rec->ipproto == 6 ? itm_tcp_state_name((enum itm_tcp_state)rec->tcp_state)
                                    : (rec->pkts[ITM_DIR_TOCLIENT] ? "established" : "new");
    r->cell[19] = itm_end_reason_name((enum itm_end_reason)rec->end_reason);
    r->cell[20] = rec->label.flags ? "true" : "false";
}

static void row_label(struct csv_row *r, const struct itm_flow_rec *rec, const struct itm_sigdb *db)
{
    static const char *const verdicts[] = {"unknown", "match", "mismatch"};
    const struct itm_label *l = &rec->label;
    const struct itm_rule *rule = l->rule != ITM_NO_RULE && db ? itm_sigdb_rule(db, l->rule) : NULL;
    size_t o = 0;

    r->cell[21] = rule ? rule->id : NULL;
    r->cell[22] = rule ? rule->component : NULL;
    r->cell[23] = rule ? rule->suite : NULL;
    r->cell[24] = itm_confidence_name((enum itm_confidence)l->confidence);
    r->alts[0] = '\0';
    for (unsigned i = 0; db && i < l->nalt && i < ITM_MAX_ALT; i++) {
        const struct itm_rule *alt = itm_sigdb_rule(db, l->alt[i]);
        if (alt)
            o += (size_t)snprintf(r->alts + o, sizeof(r->alts) - o, "%s%s", o ? ";" : "",
                                  alt->id);
        if (o >= sizeof(r->alts))
            break;
    }
    r->cell[25] = r->alts;
    r->cell[26] = l->related_id ? num(r, 11, l->related_id) : NULL;
    r->cell[27] = l->insp.id ? itm_inspect_name((enum itm_inspect_id)l->insp.id) : NULL;
    r->cell[28] = l->insp.id ? (l->insp.verdict < 3 ? verdicts[l->insp.verdict] : "unknown")
                             : NULL;
    r->cell[29] = l->insp.id ? l->insp.text : NULL;
    r->cell[30] = l->insp.id ? l->insp.text2 : NULL;
    r->cell[31] = roles_list(l->client_roles, r->croles, sizeof(r->croles));
    r->cell[32] = roles_list(l->server_roles, r->sroles, sizeof(r->sroles));
    itm_fmt_flags(l->flags, r->flags, sizeof(r->flags));
    for (char *p = r->flags; *p; p++)
        if (*p == ',')
            *p = ';';
    r->cell[33] = l->flags ? r->flags : NULL;
    r->cell[34] = l->reason[0] ? l->reason : NULL;
}

static int csv_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    int rc;
    struct itm_output *o = itm_out_file_new(sizeof(*o), arg, "w", 0, &rc);

    if (!o)
        return rc;
    o->ctx = ctx;
    put_row(o, csv_head);
    *out = o;
    return ITM_OK;
}

static void csv_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    struct csv_row r;

    row_endpoints(&r, rec);
    row_counters(&r, rec);
    row_label(&r, rec, o->ctx->db);
    put_row(o, r.cell);
}

static void csv_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns, int final)
{
    (void)st;
    (void)ts_ns;
    /* live: rows reach the file at each status tick, not only when the buffer fills */
    if (!final && fflush(o->file.f) != 0)
        o->file.failed = 1;
}

static int csv_close(struct itm_output *o)
{
    return itm_out_file_close(o);
}

const struct itm_output_ops itm_out_csv = {
    .name = "csv",
    .open = csv_open,
    .packet = NULL,
    .flow = csv_flow,
    .alert = NULL,
    .stats = csv_stats,
    .close = csv_close,
};
