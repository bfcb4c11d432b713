/* report-text.c: the report's sections about rules: the firewall matrix, traffic no rule
 * documents, coverage, documented rules never seen, and findings. Pure rendering of the
 * aggregates, sorted and aligned; it never prints wire text unescaped. */
#include <stdlib.h>
#include <string.h>

#include "report-int.h"

/* Rows a section shows before it points to the machine-readable outputs. */
#define REPORT_MAX_UNDOC 40u
#define REPORT_MAX_GROUPS 50u
/* Undocumented cells of one (roles, protocol) pair beyond this are one row: a port scan
 * is one line, not sixty. */
#define REPORT_UNDOC_COLLAPSE 3u

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

void itm_report_heading(const struct itm_rview *v, const char *title)
{
    if (v->color)
        fprintf(v->f, "\n\033[1m%s\033[0m\n", title);
    else
        fprintf(v->f, "\n%s\n", title);
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

void itm_report_matrix(const struct itm_rview *v, struct itm_rcell **cv, size_t n)
{
    struct itm_table t;
    size_t shown = 0;

    itm_report_heading(v,
                       "Firewall matrix (traffic seen, and the documented rule that explains it)");
    itm_table_init(&t, matrix_cols, 6);
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_rcell_rule(v->m, cv[i]);
        if (!r)
            continue;
        cell_row(&t, cv[i], r);
        shown++;
    }
    if (shown)
        itm_table_print(&t, v->f, 2, ITM_REPORT_WIDTH);
    else
        fprintf(v->f, "  no documented traffic\n");
    itm_table_free(&t);
}

/* A row of the undocumented-traffic table: one cell, or every cell of one (roles,
 * protocol) pair when there are many (a scan's ports). */
struct urow {
    const struct itm_rcell *first;
    size_t ncells;
    uint16_t lo, hi;
    uint64_t flows, flagged;
};

static int u32_order(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

static int undoc_pair_cmp(const struct itm_rcell *a, const struct itm_rcell *b)
{
    int c;

    if ((c = u32_order(a->k.croles, b->k.croles)) || (c = u32_order(a->k.sroles, b->k.sroles)) ||
        (c = u32_order(a->k.proto, b->k.proto)) || (c = u32_order(a->k.sport, b->k.sport)))
        return c;
    return 0;
}

static int undoc_cell_cmp(const void *x, const void *y)
{
    const struct itm_rcell *a = *(const struct itm_rcell *const *)x;
    const struct itm_rcell *b = *(const struct itm_rcell *const *)y;
    int c = undoc_pair_cmp(a, b);

    if (c)
        return c;
    if ((c = u32_order(a->k.lo, b->k.lo)) || (c = u32_order(a->k.hi, b->k.hi)))
        return c;
    return u32_order(a->k.icmp_type, b->k.icmp_type);
}

static int urow_cmp(const void *x, const void *y)
{
    const struct urow *a = x, *b = y;

    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    return undoc_cell_cmp(&a->first, &b->first);
}

/* Rows for the sorted undocumented cells u[0..n): returns how many were written to rows. */
static size_t undoc_rows(struct itm_rcell **u, size_t n, struct urow *rows)
{
    size_t nrows = 0;

    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && undoc_pair_cmp(u[i], u[j]) == 0)
            j++;
        for (size_t k = i; k < j; k++) {
            struct urow *r = &rows[nrows];
            if (k == i || j - i <= REPORT_UNDOC_COLLAPSE) {
                memset(r, 0, sizeof(*r));
                r->first = u[k];
                r->lo = u[k]->k.lo;
                nrows++;
            } else {
                r = &rows[nrows - 1];
            }
            r->ncells++;
            r->hi = u[k]->k.hi;
            r->flows += u[k]->sum.flows;
            r->flagged += u[k]->sum.flagged;
        }
        i = j;
    }
    return nrows;
}

static void urow_print(struct itm_table *t, const struct urow *r)
{
    const struct itm_rcell *c = r->first;
    char cr[200], sr[200], svc[64], fl[32], fg[32];
    size_t o;
    const char *cells[6] = {itm_roles_format(c->k.croles, cr, sizeof(cr)),
                            itm_roles_format(c->k.sroles, sr, sizeof(sr)), svc, "-",
                            itm_fmt_count(r->flows, fl, sizeof(fl)),
                            itm_fmt_count(r->flagged, fg, sizeof(fg))};

    if (r->ncells == 1) {
        itm_fmt_service(c->k.proto, c->k.icmp_type, c->k.sport, c->k.lo, c->k.hi, svc,
                        sizeof(svc));
    } else {
        itm_fmt_service(c->k.proto, 0xff, c->k.sport, r->lo, r->hi, svc, sizeof(svc));
        o = strlen(svc);
        snprintf(svc + o, sizeof(svc) - o, " (%zu %s)", r->ncells,
                 c->k.proto == 6 || c->k.proto == 17 ? "ports" : "types");
    }
    itm_table_add(t, cells);
}

void itm_report_undocumented(const struct itm_rview *v, struct itm_rcell **cv, size_t n)
{
    struct itm_rcell **u = itm_calloc(n ? n : 1, sizeof(*u));
    struct urow *rows = itm_calloc(n ? n : 1, sizeof(*rows));
    size_t nu = 0, nrows, shown;
    uint64_t more_flows = 0;
    struct itm_table t;
    char a[32], b[32];

    itm_report_heading(v, "Traffic no rule documents (most flows first)");
    if (!u || !rows) {
        fprintf(v->f, "  (out of memory)\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!itm_rcell_rule(v->m, cv[i]))
            u[nu++] = cv[i];
    qsort(u, nu, sizeof(*u), undoc_cell_cmp);
    nrows = undoc_rows(u, nu, rows);
    qsort(rows, nrows, sizeof(*rows), urow_cmp);
    shown = nrows < REPORT_MAX_UNDOC ? nrows : REPORT_MAX_UNDOC;
    itm_table_init(&t, matrix_cols, 6);
    for (size_t i = 0; i < nrows; i++)
        if (i < shown)
            urow_print(&t, &rows[i]);
        else
            more_flows += rows[i].flows;
    if (shown)
        itm_table_print(&t, v->f, 2, ITM_REPORT_WIDTH);
    else
        fprintf(v->f, "  none: every flow seen is documented\n");
    itm_table_free(&t);
    if (nrows > shown)
        fprintf(v->f, "  and %s more rows with %s flows (--matrix FILE lists every cell)\n",
                itm_fmt_count(nrows - shown, a, sizeof(a)),
                itm_fmt_count(more_flows, b, sizeof(b)));
out:
    itm_free(u);
    itm_free(rows);
}

/* ---- documented rules: coverage and never seen ---- */

static int rule_seen(const struct itm_rview *v, const struct itm_rule *r)
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

void itm_report_stale(const struct itm_rview *v)
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

    itm_report_heading(v, "Documented rules never seen (candidate stale firewall rules)");
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
        itm_table_print(&t, v->f, 4, ITM_REPORT_WIDTH);
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

void itm_report_coverage(const struct itm_rview *v)
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

    itm_report_heading(v, "Coverage (documented rules observed, per suite)");
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
    itm_table_print(&t, v->f, 2, ITM_REPORT_WIDTH);
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

static void group_print(const struct itm_rview *v, const struct itm_rgroup *g)
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
        itm_put_wrapped(v->f, 6, "ports: ", svc, ITM_REPORT_WIDTH);
    itm_put_wrapped(v->f, 6, "why: ",
                    g->reason[0] ? itm_fmt_clean(g->reason, why, sizeof(why))
                                 : (b < ITM_F_COUNT_BITS ? flag_about[b] : "-"),
                    ITM_REPORT_WIDTH);
    memcpy(ids, g->ids, sizeof(ids));
    qsort(ids, g->nids, sizeof(ids[0]), id_cmp);
    fprintf(v->f, "      flow ids:");
    for (unsigned i = 0; i < g->nids; i++)
        fprintf(v->f, " %llu", (unsigned long long)ids[i]);
    if (g->sum.flows > g->nids)
        fprintf(v->f, " (+%llu more)", (unsigned long long)(g->sum.flows - g->nids));
    fputc('\n', v->f);
}

void itm_report_findings(const struct itm_rview *v)
{
    size_t n, i = 0;
    struct itm_rgroup **gv = itm_rmodel_groups(v->m, &n);
    char a[32], b[32];

    itm_report_heading(v, "Findings (flagged flows by flag; flow ids refer to the JSON events)");
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
