/* out-report.c: the audit report for people: what was captured, which ITMS components
 * talked, hosts and roles, the firewall matrix, documented rules never seen, coverage and
 * findings. Written at the end (and on demand), sorted and aligned for a 100-column
 * terminal; it aggregates const snapshots and never writes anything per packet. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itm-limits.h"
#include "out-file.h"
#include "report-int.h"

/* Hosts listed one by one at most; past it, plain agents are only counted. */
#define REPORT_MAX_HOSTS 64u

struct itm_output {
    struct itm_out_file file; /* first: see out-file.h */
    int color;
    int rewrite;             /* a regular file: each report replaces the previous one */
    const struct itm_output_ctx *ctx;
    struct itm_rmodel_ref mr; /* the model of ended flows, shared with the matrix and rules */
    struct itm_rmodel peek;  /* open flows for a report written while running */
    int peeking;
    struct itm_stats st;
};


/* ---- capture summary ---- */

static uint64_t decode_problems(const struct itm_stats *st)
{
    return st->by_status[ITM_DEC_TRUNCATED] + st->by_status[ITM_DEC_INVALID] +
           st->by_status[ITM_DEC_UNSUPPORTED];
}

static void summary_inputs(const struct itm_rview *v)
{
    const char *const *in = v->ctx->inputs;
    char clean[256];

    fprintf(v->f, "  %-12s", v->st->live ? "interface" : "inputs");
    for (size_t i = 0; in && in[i]; i++)
        fprintf(v->f, "%s%s", i ? ", " : "", itm_fmt_clean(in[i], clean, sizeof(clean)));
    fputc('\n', v->f);
}

static void summary_kernel(const struct itm_rview *v)
{
    const struct itm_stats *st = v->st;
    char a[32], b[32], c[32], pct[16];
    uint64_t seen = st->kernel_recv + st->kernel_drop;

    fprintf(v->f, "  %-12s%s received, %s dropped (%s), %s dropped by the interface\n",
            "kernel", itm_fmt_count(st->kernel_recv, a, sizeof(a)),
            itm_fmt_count(st->kernel_drop, b, sizeof(b)),
            itm_fmt_pct(st->kernel_drop, seen, pct, sizeof(pct)),
            itm_fmt_count(st->iface_drop, c, sizeof(c)));
    if (seen && (st->kernel_drop + st->iface_drop) * 1000u > seen * ITM_REPORT_DROP_WARN_PERMILLE)
        fprintf(v->f, "  warning: packets were dropped: rules listed as never seen may have been "
                      "missed,\n  so findings based on absent traffic are unreliable.\n");
}

static void summary_flows(const struct itm_rview *v)
{
    const struct itm_stats *st = v->st;
    char a[32], b[32], c[32], d[32], e[32];

    fprintf(v->f, "  %-12s%s, %s without a rule, %s flagged", "flows",
            itm_fmt_count(v->m->total.flows, a, sizeof(a)),
            itm_fmt_count(v->m->unlabelled.flows, b, sizeof(b)),
            itm_fmt_count(v->m->total.flagged, c, sizeof(c)));
    if (st->flows_evicted || st->flows_expired)
        fprintf(v->f, "; %s idle, %s evicted (table full)",
                itm_fmt_count(st->flows_expired, d, sizeof(d)),
                itm_fmt_count(st->flows_evicted, e, sizeof(e)));
    fputc('\n', v->f);
}

static void sec_summary(const struct itm_rview *v)
{
    const struct itm_stats *st = v->st;
    char t1[40], t2[40], d[32], a[32], b[32], c[32], e[32], g[32];

    itm_report_heading(v, "Capture");
    summary_inputs(v);
    if (st->packets)
        fprintf(v->f, "  %-12s%s to %s (%s)\n", "time span",
                itm_format_ts(st->first_ns, t1, sizeof(t1)),
                itm_format_ts(st->last_ns, t2, sizeof(t2)),
                itm_fmt_duration(st->last_ns - st->first_ns, d, sizeof(d)));
    fprintf(v->f, "  %-12s%s packets, %s\n", "traffic", itm_fmt_count(st->packets, a, sizeof(a)),
            itm_fmt_bytes(st->bytes, b, sizeof(b)));
    fprintf(v->f, "  %-12s%s not IP, %s truncated, %s invalid, %s unsupported link type",
            "decode", itm_fmt_count(st->by_status[ITM_DEC_NON_IP], a, sizeof(a)),
            itm_fmt_count(st->by_status[ITM_DEC_TRUNCATED], b, sizeof(b)),
            itm_fmt_count(st->by_status[ITM_DEC_INVALID], c, sizeof(c)),
            itm_fmt_count(st->by_status[ITM_DEC_UNSUPPORTED], e, sizeof(e)));
    if (decode_problems(st))
        fprintf(v->f, " (%s of packets)",
                itm_fmt_pct(decode_problems(st), st->packets, g, sizeof(g)));
    fputc('\n', v->f);
    summary_flows(v);
    if (st->live)
        summary_kernel(v);
    if (v->m->nomem || v->m->cells_dropped || v->m->groups_dropped || v->m->members_dropped)
        fprintf(v->f, "  note: report tables were full (%s cells, %s finding updates, %s host "
                      "counts left out)%s\n",
                itm_fmt_count(v->m->cells_dropped, a, sizeof(a)),
                itm_fmt_count(v->m->groups_dropped, b, sizeof(b)),
                itm_fmt_count(v->m->members_dropped, c, sizeof(c)),
                v->m->nomem ? "; memory ran out" : "");
}

/* ---- components ---- */

static void comp_row(const struct itm_rview *v, struct itm_table *t, const char *name,
                     const struct itm_rcomp *c)
{
    char fl[32], pk[32], by[32], hosts[48], t1[24], t2[24];
    const char *cells[7] = {name,
                            itm_fmt_count(c->sum.flows, fl, sizeof(fl)),
                            itm_fmt_count(c->sum.pkts, pk, sizeof(pk)),
                            itm_fmt_bytes(c->sum.bytes, by, sizeof(by)),
                            hosts,
                            itm_fmt_clock(c->sum.first_ns, v->day, t1, sizeof(t1)),
                            itm_fmt_clock(c->sum.last_ns, v->day, t2, sizeof(t2))};

    snprintf(hosts, sizeof(hosts), "%llu/%llu", (unsigned long long)c->clients,
             (unsigned long long)c->servers);
    itm_table_add(t, cells);
}

/* A component's name, with its rule id when another rule seen has the same name (the TCP
 * and UDP rows of one component). */
static const char *comp_name(struct itm_rcomp *const *cv, size_t n, size_t i, char *buf,
                             size_t len)
{
    const struct itm_rule *r = cv[i]->rule;

    for (size_t j = 0; j < n; j++)
        if (j != i && cv[j]->rule && strcmp(cv[j]->rule->component, r->component) == 0) {
            snprintf(buf, len, "%s [%s]", r->component, r->id);
            return buf;
        }
    return r->component;
}

static void sec_components(const struct itm_rview *v)
{
    static const struct itm_tcol cols[] = {
        {"component", ITM_TB_LEFT, 1},  {"flows", ITM_TB_RIGHT, 0},
        {"packets", ITM_TB_RIGHT, 0},   {"bytes", ITM_TB_RIGHT, 0},
        {"hosts c/s", ITM_TB_RIGHT, 0}, {"first", ITM_TB_LEFT, 0},
        {"last", ITM_TB_LEFT, 0},
    };
    size_t n;
    struct itm_rcomp **cv = itm_rmodel_comps(v->m, &n);
    const char *suite = NULL;
    struct itm_table t;
    char name[256];

    itm_report_heading(v, "Components (flows each documented rule explains, by suite)");
    if (!n) {
        fprintf(v->f, "  no flows\n");
        return;
    }
    itm_table_init(&t, cols, 7);
    for (size_t i = 0; i < n; i++) {
        const char *s = cv[i]->rule ? cv[i]->rule->suite : "Not documented";
        if (!suite || strcmp(s, suite) != 0)
            itm_table_add_span(&t, s);
        suite = s;
        comp_row(v, &t, cv[i]->rule ? comp_name(cv, n, i, name, sizeof(name)) : "no rule",
                 cv[i]);
    }
    itm_table_print(&t, v->f, 4, ITM_REPORT_WIDTH);
    itm_table_free(&t);
    itm_free(cv);
}

/* ---- hosts and roles ---- */

/* "task-server (12 flows)": the inferred roles and the flows behind the strongest one,
 * named when it is not among them. */
static char *inferred_text(const struct itm_host_view *h, char *buf, size_t len)
{
    char roles[200];
    int best = -1;

    if (!h->inferred) {
        snprintf(buf, len, "-");
        return buf;
    }
    for (int r = 1; r < ITM_ROLE_COUNT; r++)
        if (h->evidence[r] && (best < 0 || h->evidence[r] > h->evidence[best]))
            best = r;
    itm_roles_format(h->inferred, roles, sizeof(roles));
    if (best < 0)
        snprintf(buf, len, "%s", roles);
    else
        snprintf(buf, len, "%s (%s%s%u flow%s)", roles,
                 (h->inferred & ITM_ROLE_BIT(best)) ? "" : itm_role_name((enum itm_role)best),
                 (h->inferred & ITM_ROLE_BIT(best)) ? "" : ": ", h->evidence[best],
                 h->evidence[best] == 1 ? "" : "s");
    return buf;
}

static int host_is_plain_agent(const struct itm_host_view *h)
{
    uint32_t plain = ITM_ROLE_BIT(ITM_ROLE_AGENT) | ITM_ROLE_BIT(ITM_ROLE_ULM_AGENT) |
                     ITM_ROLE_BIT(ITM_ROLE_PXE_CLIENT);
    uint32_t roles = h->declared | h->inferred;

    return !h->contradictions && !(roles & ~plain) &&
           (!h->declared || !h->inferred || (h->inferred & ~h->declared) == 0);
}

static void host_row(struct itm_table *t, const struct itm_host_view *h)
{
    char ip[64], dec[200], inf[300], fl[64], ct[32];
    const char *cells[5] = {itm_ip_format(&h->ip, ip, sizeof(ip)),
                            h->declared ? itm_roles_format(h->declared, dec, sizeof(dec)) : "-",
                            inferred_text(h, inf, sizeof(inf)), fl,
                            itm_fmt_count(h->contradictions, ct, sizeof(ct))};

    snprintf(fl, sizeof(fl), "%llu/%llu", (unsigned long long)h->flows_client,
             (unsigned long long)h->flows_server);
    itm_table_add(t, cells);
}

static void sec_hosts(const struct itm_rview *v)
{
    static const struct itm_tcol cols[] = {
        {"host", ITM_TB_LEFT, 0},
        {"declared", ITM_TB_LEFT, 1},
        {"inferred (strongest evidence)", ITM_TB_LEFT, 1},
        {"flows c/s", ITM_TB_RIGHT, 0},
        {"contradictions", ITM_TB_RIGHT, 0},
    };
    const struct itm_classifier *cls = v->ctx->cls;
    size_t n = cls ? itm_classifier_host_count(cls) : 0, agents = 0, listed = 0;
    struct itm_host_view h;
    struct itm_table t;
    char a[32];

    itm_report_heading(v, "Hosts and roles (declared in the site file, inferred from traffic)");
    itm_table_init(&t, cols, 5);
    for (size_t i = 0; i < n; i++) {
        if (itm_classifier_host(cls, i, &h) != 0 || !(h.declared | h.inferred | h.contradictions))
            continue;
        if (n > REPORT_MAX_HOSTS && host_is_plain_agent(&h)) {
            agents++;
            continue;
        }
        host_row(&t, &h);
        listed++;
    }
    if (listed)
        itm_table_print(&t, v->f, 2, ITM_REPORT_WIDTH);
    else
        fprintf(v->f, "  no host holds a role\n");
    itm_table_free(&t);
    if (agents)
        fprintf(v->f, "  and %s agents whose traffic agrees with their role (itmscope --roles "
                      "lists every host)\n",
                itm_fmt_count(agents, a, sizeof(a)));
}

/* ---- rendering ---- */

static void render(FILE *f, const struct itm_rmodel *m, const struct itm_stats *st,
                   const struct itm_output_ctx *ctx, int color, int final)
{
    struct itm_rview v = {f, m, st, ctx, itm_fmt_day(st->first_ns, st->last_ns), color};
    struct itm_rcell **cv;
    size_t n;

    fprintf(f, "itmscope %s report%s\n", "audit", final ? "" : " (while running: open flows "
                                                              "are counted as they stand)");
    sec_summary(&v);
    sec_components(&v);
    sec_hosts(&v);
    cv = itm_rmodel_cells(m, &n);
    itm_report_matrix(&v, cv, n);
    itm_report_undocumented(&v, cv, n);
    itm_free(cv);
    itm_report_coverage(&v);
    itm_report_stale(&v);
    itm_report_findings(&v);
}

/* Writes a report: a file is rewritten whole, stdout gets one more report. */
static int write_report(struct itm_output *o, const struct itm_rmodel *m,
                        const struct itm_stats *st, int final)
{
    if (o->rewrite) {
        rewind(o->file.f);
        if (ftruncate(fileno(o->file.f), 0) != 0)
            o->file.failed = 1;
    }
    render(o->file.f, m, st, o->ctx, o->color, final);
    if (fflush(o->file.f) != 0 || ferror(o->file.f))
        o->file.failed = 1;
    return o->file.failed ? ITM_ERR_IO : ITM_OK;
}

static int report_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    int rc;
    struct itm_output *o = itm_out_file_new(sizeof(*o), arg, "w", 0, &rc);
    const char *nc = getenv("NO_COLOR");
    struct stat st;

    if (!o)
        return rc;
    if (o->file.is_stdout)
        o->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    else /* a pipe or a device cannot be rewound: reports follow one another there */
        o->rewrite = fstat(fileno(o->file.f), &st) == 0 && S_ISREG(st.st_mode);
    o->ctx = ctx;
    itm_rmodel_ref_open(&o->mr, ctx, 1);
    itm_rmodel_init(&o->peek);
    for (unsigned i = 0; i < 8; i++)
        o->st.link_types[i] = -1;
    *out = o;
    return ITM_OK;
}

static void report_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    itm_rmodel_ref_add_flow(&o->mr, o->ctx->db, rec);
}

static void report_alert(struct itm_output *o, const struct itm_flow_rec *rec, uint32_t flag,
                         uint64_t ts_ns)
{
    (void)ts_ns;
    itm_rmodel_add_alert(o->mr.m, rec, flag);
}

static void report_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns,
                         int final)
{
    (void)ts_ns;
    (void)final;
    o->st = *st;
}

static int report_close(struct itm_output *o)
{
    write_report(o, o->mr.m, &o->st, 1); /* a failure is kept in o->file.failed */
    itm_rmodel_ref_close(&o->mr, o->ctx);
    itm_rmodel_free(&o->peek);
    return itm_out_file_close(o);
}

void itm_out_report_peek_flow(void *out, const struct itm_flow_rec *rec)
{
    struct itm_output *o = out;

    o->peeking = 1;
    itm_rmodel_add_flow(&o->peek, o->ctx->db, rec);
}

int itm_out_report_write_now(struct itm_output *o, const struct itm_stats *st)
{
    struct itm_rmodel snap;
    int rc;

    itm_rmodel_init(&snap);
    itm_rmodel_merge(&snap, o->mr.m);
    if (o->peeking)
        itm_rmodel_merge(&snap, &o->peek);
    rc = write_report(o, &snap, st, 0);
    itm_rmodel_free(&snap);
    itm_rmodel_free(&o->peek);
    itm_rmodel_init(&o->peek);
    o->peeking = 0;
    return rc;
}

const struct itm_output_ops itm_out_report = {
    .name = "report",
    .open = report_open,
    .packet = NULL,
    .flow = report_flow,
    .alert = report_alert,
    .stats = report_stats,
    .close = report_close,
    .counts_roles = 1,
};
