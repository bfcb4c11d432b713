/* out-report.c: the audit report for people: what was captured, which ITMS components
 * talked, hosts and roles, the firewall matrix, documented rules never seen, coverage and
 * findings. Written at the end (and on demand), sorted and aligned for a 100-column
 * terminal; it aggregates const snapshots and never writes anything per packet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itm-limits.h"
#include "report-int.h"

#define REPORT_WIDTH 100u
/* Rows a section shows before it points to the machine-readable outputs. */
#define REPORT_MAX_UNDOC 40u
#define REPORT_MAX_GROUPS 50u
#define REPORT_MAX_HOSTS 64u

struct itm_output {
    FILE *f;
    int is_stdout, color, failed;
    const struct itm_output_ctx *ctx;
    struct itm_rmodel m;
    struct itm_rmodel peek;  /* open flows for a report written while running */
    int peeking;
    struct itm_stats st;
};

/* What one rendering sees. */
struct rview {
    FILE *f;
    const struct itm_rmodel *m;
    const struct itm_stats *st;
    const struct itm_output_ctx *ctx;
    uint64_t day;
    int color;
};

static const char *const flag_about[ITM_F_COUNT_BITS] = {
    "a host with an ITMS role used a port no rule explains",
    "a documented port was used between the wrong roles",
    "agent to agent on an administration protocol",
    "one source reached many ports or hosts",
    "multicast tickle port sent to another group",
    "an ITMS host talked to a non-local address, undocumented",
    "an ITMS protocol was recognised on an undocumented port",
    "agent or console HTTP where HTTPS is required",
    "a documented port carried something else",
    "traffic contradicts a declared role",
};

static void heading(const struct rview *v, const char *title)
{
    if (v->color)
        fprintf(v->f, "\n\033[1m%s\033[0m\n", title);
    else
        fprintf(v->f, "\n%s\n", title);
}

/* ---- capture summary ---- */

static uint64_t decode_problems(const struct itm_stats *st)
{
    return st->by_status[ITM_DEC_TRUNCATED] + st->by_status[ITM_DEC_INVALID] +
           st->by_status[ITM_DEC_UNSUPPORTED];
}

static void summary_inputs(const struct rview *v)
{
    const char *const *in = v->ctx->inputs;
    char clean[256];

    fprintf(v->f, "  %-12s", v->st->live ? "interface" : "inputs");
    for (size_t i = 0; in && in[i]; i++)
        fprintf(v->f, "%s%s", i ? ", " : "", itm_fmt_clean(in[i], clean, sizeof(clean)));
    fputc('\n', v->f);
}

static void summary_kernel(const struct rview *v)
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

static void summary_flows(const struct rview *v)
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

static void sec_summary(const struct rview *v)
{
    const struct itm_stats *st = v->st;
    char t1[40], t2[40], d[32], a[32], b[32], c[32], e[32], g[32];

    heading(v, "Capture");
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

static void comp_row(const struct rview *v, struct itm_table *t, const char *name,
                     const struct itm_rcomp *c)
{
    char fl[32], by[32], cl[32], sv[32], t1[24], t2[24];
    const char *cells[7] = {name,
                            itm_fmt_count(c->sum.flows, fl, sizeof(fl)),
                            itm_fmt_bytes(c->sum.bytes, by, sizeof(by)),
                            itm_fmt_count(c->clients, cl, sizeof(cl)),
                            itm_fmt_count(c->servers, sv, sizeof(sv)),
                            itm_fmt_clock(c->sum.first_ns, v->day, t1, sizeof(t1)),
                            itm_fmt_clock(c->sum.last_ns, v->day, t2, sizeof(t2))};

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

static void sec_components(const struct rview *v)
{
    static const struct itm_tcol cols[] = {
        {"component", ITM_TB_LEFT, 1},  {"flows", ITM_TB_RIGHT, 0}, {"bytes", ITM_TB_RIGHT, 0},
        {"clients", ITM_TB_RIGHT, 0},   {"servers", ITM_TB_RIGHT, 0},
        {"first", ITM_TB_LEFT, 0},      {"last", ITM_TB_LEFT, 0},
    };
    size_t n;
    struct itm_rcomp **cv = itm_rmodel_comps(v->m, &n);
    const char *suite = NULL;
    struct itm_table t;
    char name[256];

    heading(v, "Components (flows each documented rule explains, by suite)");
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
    itm_table_print(&t, v->f, 4, REPORT_WIDTH);
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

static void sec_hosts(const struct rview *v)
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

    heading(v, "Hosts and roles (declared in the site file, inferred from traffic)");
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
        itm_table_print(&t, v->f, 2, REPORT_WIDTH);
    else
        fprintf(v->f, "  no host holds a role\n");
    itm_table_free(&t);
    if (agents)
        fprintf(v->f, "  and %s agents whose traffic agrees with their role (itmscope --roles "
                      "lists every host)\n",
                itm_fmt_count(agents, a, sizeof(a)));
}

/* ---- firewall matrix ---- */

static void cell_row(struct itm_table *t, const struct itm_rcell *c, const struct itm_rule *r)
{
    char cr[200], sr[200], svc[40], fl[32], fg[32];
    const char *cells[6] = {itm_roles_format(c->k.croles, cr, sizeof(cr)),
                            itm_roles_format(c->k.sroles, sr, sizeof(sr)),
                            itm_fmt_service(c->k.proto, c->k.icmp_type, c->k.sport, c->k.lo,
                                            c->k.hi, svc, sizeof(svc)),
                            r ? r->id : "-",
                            itm_fmt_count(c->sum.flows, fl, sizeof(fl)),
                            itm_fmt_count(c->sum.flagged, fg, sizeof(fg))};

    itm_table_add(t, cells);
}

static const struct itm_tcol matrix_cols[] = {
    {"client role", ITM_TB_LEFT, 1}, {"server role", ITM_TB_LEFT, 1},
    {"service", ITM_TB_LEFT, 0},     {"rule", ITM_TB_LEFT, 1},
    {"flows", ITM_TB_RIGHT, 0},      {"flagged", ITM_TB_RIGHT, 0},
};

static void sec_matrix(const struct rview *v, struct itm_rcell **cv, size_t n)
{
    struct itm_table t;
    size_t shown = 0;

    heading(v, "Firewall matrix (traffic seen, and the documented rule that explains it)");
    itm_table_init(&t, matrix_cols, 6);
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_rcell_rule(v->m, cv[i]);
        if (!r)
            continue;
        cell_row(&t, cv[i], r);
        shown++;
    }
    if (shown)
        itm_table_print(&t, v->f, 2, REPORT_WIDTH);
    else
        fprintf(v->f, "  no documented traffic\n");
    itm_table_free(&t);
}

static void sec_undocumented(const struct rview *v, struct itm_rcell **cv, size_t n)
{
    struct itm_table t;
    size_t shown = 0, more = 0;
    uint64_t more_flows = 0;
    char a[32], b[32];

    heading(v, "Traffic no rule documents (most flows first)");
    itm_table_init(&t, matrix_cols, 6);
    for (size_t i = 0; i < n; i++) {
        if (itm_rcell_rule(v->m, cv[i]))
            continue;
        if (shown >= REPORT_MAX_UNDOC) {
            more++;
            more_flows += cv[i]->sum.flows;
            continue;
        }
        cell_row(&t, cv[i], NULL);
        shown++;
    }
    if (shown)
        itm_table_print(&t, v->f, 2, REPORT_WIDTH);
    else
        fprintf(v->f, "  none: every flow seen is documented\n");
    itm_table_free(&t);
    if (more)
        fprintf(v->f, "  and %s more cells with %s flows (--matrix FILE lists them all)\n",
                itm_fmt_count(more, a, sizeof(a)), itm_fmt_count(more_flows, b, sizeof(b)));
}

/* ---- documented rules: coverage and never seen ---- */

static int rule_seen(const struct rview *v, const struct itm_rule *r)
{
    const struct itm_rcomp *c = itm_rmodel_comp_find(v->m, r->id);

    return c && c->sum.flows > 0;
}

static void stale_row(struct itm_table *t, const struct itm_rule *r)
{
    char pr[64], po[128], svc[220], cr[200], sr[200], who[420];
    const char *cells[3];

    snprintf(svc, sizeof(svc), "%s %s", itm_rule_protos_format(r, pr, sizeof(pr)),
             itm_rule_ports_format(r, po, sizeof(po)));
    snprintf(who, sizeof(who), (r->flags & ITM_RF_LOCAL) ? "%s, on the host itself%.0s"
                                                         : "%s -> %s",
             r->client_roles == ITM_ROLE_ANY ? "any" : itm_roles_format(r->client_roles, cr,
                                                                         sizeof(cr)),
             r->server_roles == ITM_ROLE_ANY ? "any" : itm_roles_format(r->server_roles, sr,
                                                                         sizeof(sr)));
    cells[0] = r->id;
    cells[1] = svc;
    cells[2] = who;
    itm_table_add(t, cells);
}

static void sec_stale(const struct rview *v)
{
    static const struct itm_tcol cols[] = {
        {"rule", ITM_TB_LEFT, 0},
        {"service", ITM_TB_LEFT, 1},
        {"client -> server", ITM_TB_LEFT, 3},
    };
    const struct itm_sigdb *db = v->ctx->db;
    size_t n = db ? itm_sigdb_count(db) : 0, unseen = 0;
    const char *suite = NULL;
    struct itm_table t;

    heading(v, "Documented rules never seen (candidate stale firewall rules)");
    itm_table_init(&t, cols, 3);
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_sigdb_rule(db, i);
        if (!r || rule_seen(v, r))
            continue;
        if (!suite || strcmp(suite, r->suite) != 0)
            itm_table_add_span(&t, r->suite);
        suite = r->suite;
        stale_row(&t, r);
        unseen++;
    }
    if (unseen)
        itm_table_print(&t, v->f, 4, REPORT_WIDTH);
    else
        fprintf(v->f, "  none: every documented rule carried traffic\n");
    itm_table_free(&t);
    if (unseen)
        fprintf(v->f, "  host-local rules never cross the network; the others are worth a look "
                      "before\n  their firewall rules are removed (a quiet day is not proof).\n");
}

static void coverage_row(struct itm_table *t, const char *suite, size_t total, size_t seen)
{
    char a[32], b[32], c[16];
    const char *cells[4] = {suite, itm_fmt_count(total, a, sizeof(a)),
                            itm_fmt_count(seen, b, sizeof(b)), itm_fmt_pct(seen, total, c, 16)};

    itm_table_add(t, cells);
}

/* 1 when a rule before index i belongs to the same suite (its row was written). */
static int suite_done(const struct itm_sigdb *db, size_t i)
{
    const char *suite = itm_sigdb_rule(db, i)->suite;

    for (size_t j = 0; j < i; j++)
        if (strcmp(itm_sigdb_rule(db, j)->suite, suite) == 0)
            return 1;
    return 0;
}

static void sec_coverage(const struct rview *v)
{
    static const struct itm_tcol cols[] = {
        {"suite", ITM_TB_LEFT, 1},
        {"rules", ITM_TB_RIGHT, 0},
        {"seen", ITM_TB_RIGHT, 0},
        {"coverage", ITM_TB_RIGHT, 0},
    };
    const struct itm_sigdb *db = v->ctx->db;
    size_t n = db ? itm_sigdb_count(db) : 0, all = 0, all_seen = 0;
    struct itm_table t;

    heading(v, "Coverage (documented rules observed, per suite)");
    itm_table_init(&t, cols, 4);
    for (size_t i = 0; i < n; i++) {
        const char *suite = itm_sigdb_rule(db, i)->suite;
        size_t total = 0, seen = 0;
        if (suite_done(db, i))
            continue;
        for (size_t j = i; j < n; j++) {
            const struct itm_rule *r = itm_sigdb_rule(db, j);
            if (strcmp(r->suite, suite) == 0) {
                total++;
                seen += (size_t)rule_seen(v, r);
            }
        }
        coverage_row(&t, suite, total, seen);
        all += total;
        all_seen += seen;
    }
    coverage_row(&t, "all suites", all, all_seen);
    itm_table_print(&t, v->f, 2, REPORT_WIDTH);
    itm_table_free(&t);
}

/* ---- findings ---- */

static void group_hosts(const struct itm_rgroup *g, char *buf, size_t len)
{
    char c[64], s[64];
    size_t o;

    itm_ip_format(&g->k.client, c, sizeof(c));
    if (g->k.flag != ITM_F_SCAN || g->nservers == 1) {
        snprintf(buf, len, "%s -> %s", c,
                 itm_ip_format(g->k.flag == ITM_F_SCAN ? &g->servers[0] : &g->k.server, s,
                               sizeof(s)));
        return;
    }
    o = (size_t)snprintf(buf, len, "%s -> %llu hosts (", c, (unsigned long long)g->nservers);
    for (unsigned i = 0; i < g->nserver_shown && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
                              itm_ip_format(&g->servers[i], s, sizeof(s)));
    if (o < len)
        snprintf(buf + o, len - o, "%s)", g->nservers > g->nserver_shown ? ", ..." : "");
}

static int u16_cmp(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void group_service(const struct itm_rgroup *g, char *buf, size_t len)
{
    uint16_t ports[ITM_RGROUP_PORTS];
    size_t o;

    if (g->k.proto != 6 && g->k.proto != 17) {
        itm_fmt_service(g->k.proto, 0xff, 0, 0, 0, buf, len);
        return;
    }
    memcpy(ports, g->ports, sizeof(ports));
    qsort(ports, g->nport_shown, sizeof(ports[0]), u16_cmp);
    o = (size_t)snprintf(buf, len, "%s/", g->k.proto == 6 ? "tcp" : "udp");
    for (unsigned i = 0; i < g->nport_shown && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", ports[i]);
    if (g->nports > g->nport_shown && o < len)
        snprintf(buf + o, len - o, " (%llu ports in all)", (unsigned long long)g->nports);
}

static int id_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void group_print(const struct rview *v, const struct itm_rgroup *g)
{
    char hosts[400], svc[160], fl[32], pk[32], t1[24], why[400];
    uint64_t ids[ITM_RGROUP_IDS];
    unsigned b = 0;

    while (b < ITM_F_COUNT_BITS && g->k.flag != (1u << b))
        b++;
    group_hosts(g, hosts, sizeof(hosts));
    group_service(g, svc, sizeof(svc));
    fprintf(v->f, "    %s  %s%s%s flow%s, %s packets, first %s\n", hosts,
            g->nports > 1 ? "" : svc, g->nports > 1 ? "" : "  ",
            itm_fmt_count(g->sum.flows, fl, sizeof(fl)), g->sum.flows == 1 ? "" : "s",
            itm_fmt_count(g->sum.pkts, pk, sizeof(pk)),
            itm_fmt_clock(g->sum.first_ns, v->day, t1, sizeof(t1)));
    if (g->nports > 1)
        itm_put_wrapped(v->f, 6, "ports: ", svc, REPORT_WIDTH);
    itm_put_wrapped(v->f, 6, "why: ",
                    g->reason[0] ? itm_fmt_clean(g->reason, why, sizeof(why))
                                 : (b < ITM_F_COUNT_BITS ? flag_about[b] : "-"),
                    REPORT_WIDTH);
    memcpy(ids, g->ids, sizeof(ids));
    qsort(ids, g->nids, sizeof(ids[0]), id_cmp);
    fprintf(v->f, "      flow ids:");
    for (unsigned i = 0; i < g->nids; i++)
        fprintf(v->f, " %llu", (unsigned long long)ids[i]);
    if (g->sum.flows > g->nids)
        fprintf(v->f, " (+%llu more)", (unsigned long long)(g->sum.flows - g->nids));
    fputc('\n', v->f);
}

static void sec_findings(const struct rview *v)
{
    size_t n, i = 0;
    struct itm_rgroup **gv = itm_rmodel_groups(v->m, &n);
    char a[32], b[32];

    heading(v, "Findings (flagged flows by flag; flow ids refer to the JSON events)");
    if (!n)
        fprintf(v->f, "  none\n");
    while (i < n) {
        uint32_t flag = gv[i]->k.flag;
        size_t first = i, shown = 0;
        unsigned bit = 0;
        while (bit < ITM_F_COUNT_BITS && flag != (1u << bit))
            bit++;
        while (i < n && gv[i]->k.flag == flag)
            i++;
        fprintf(v->f, "  %s (flows: %s, groups: %s): %s\n", itm_flag_name(flag),
                itm_fmt_count(bit < ITM_F_COUNT_BITS ? v->m->flags_flows[bit] : 0, a, sizeof(a)),
                itm_fmt_count(i - first, b, sizeof(b)),
                bit < ITM_F_COUNT_BITS ? flag_about[bit] : "");
        for (size_t j = first; j < i && shown < REPORT_MAX_GROUPS; j++, shown++)
            group_print(v, gv[j]);
        if (i - first > shown)
            fprintf(v->f, "    and %s more groups (the JSON alert events list them all)\n",
                    itm_fmt_count(i - first - shown, a, sizeof(a)));
    }
    itm_free(gv);
}

/* ---- rendering ---- */

static void render(FILE *f, const struct itm_rmodel *m, const struct itm_stats *st,
                   const struct itm_output_ctx *ctx, int color, int final)
{
    struct rview v = {f, m, st, ctx, itm_fmt_day(st->first_ns, st->last_ns), color};
    struct itm_rcell **cv;
    size_t n;

    fprintf(f, "itmscope %s report%s\n", "audit", final ? "" : " (while running: open flows "
                                                              "are counted as they stand)");
    sec_summary(&v);
    sec_components(&v);
    sec_hosts(&v);
    cv = itm_rmodel_cells(m, &n);
    sec_matrix(&v, cv, n);
    sec_undocumented(&v, cv, n);
    itm_free(cv);
    sec_coverage(&v);
    sec_stale(&v);
    sec_findings(&v);
}

/* Writes a report: a file is rewritten whole, stdout gets one more report. */
static int write_report(struct itm_output *o, const struct itm_rmodel *m,
                        const struct itm_stats *st, int final)
{
    if (!o->is_stdout) {
        rewind(o->f);
        if (ftruncate(fileno(o->f), 0) != 0)
            o->failed = 1;
    }
    render(o->f, m, st, o->ctx, o->color, final);
    if (fflush(o->f) != 0 || ferror(o->f))
        o->failed = 1;
    return o->failed ? ITM_ERR_IO : ITM_OK;
}

static int report_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    struct itm_output *o = itm_calloc(1, sizeof(*o));
    const char *nc = getenv("NO_COLOR");

    if (!o) {
        fprintf(stderr, "itmscope: %s: out of memory\n", arg);
        return ITM_ERR_NOMEM;
    }
    if (strcmp(arg, "-") == 0) {
        o->f = stdout;
        o->is_stdout = 1;
        o->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    } else {
        o->f = fopen(arg, "w");
        if (!o->f) {
            fprintf(stderr, "itmscope: %s: %s\n", arg, strerror(errno));
            itm_free(o);
            return ITM_ERR_IO;
        }
    }
    o->ctx = ctx;
    itm_rmodel_init(&o->m);
    itm_rmodel_init(&o->peek);
    for (unsigned i = 0; i < 8; i++)
        o->st.link_types[i] = -1;
    *out = o;
    return ITM_OK;
}

static void report_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    itm_rmodel_add_flow(&o->m, o->ctx->db, o->ctx->cls, rec);
}

static void report_alert(struct itm_output *o, const struct itm_flow_rec *rec, uint32_t flag,
                         uint64_t ts_ns)
{
    (void)ts_ns;
    itm_rmodel_add_alert(&o->m, rec, flag);
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
    int rc = write_report(o, &o->m, &o->st, 1);

    if (!o->is_stdout && fclose(o->f) != 0)
        rc = ITM_ERR_IO;
    itm_rmodel_free(&o->m);
    itm_rmodel_free(&o->peek);
    itm_free(o);
    return rc;
}

void itm_out_report_peek_flow(void *out, const struct itm_flow_rec *rec)
{
    struct itm_output *o = out;

    o->peeking = 1;
    itm_rmodel_add_flow(&o->peek, o->ctx->db, o->ctx->cls, rec);
}

int itm_out_report_write_now(struct itm_output *o, const struct itm_stats *st)
{
    struct itm_rmodel snap;
    int rc;

    itm_rmodel_init(&snap);
    itm_rmodel_merge(&snap, &o->m);
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
};
