/* test_report_model.c: the report aggregates (components, matrix cells, finding groups,
 * merges) and the outputs built on them (flow CSV, matrix CSV, text report, allow rules),
 * fed hand-made flow snapshots over a small database, site and classifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "itmscope/classify.h"
#include "itmscope/output.h"
#include "itmscope/site.h"
#include "report-int.h"

static const char sig_text[] =
    "[rule]\nid = web\nsuite = Alpha\ncomponent = Web\nprotos = tcp\nports = 80;443\n"
    "client = agent\nserver = notification-server\n"
    "[rule]\nid = dyn\nsuite = Alpha\ncomponent = Dyn\nprotos = tcp\nports = 49152-65535\n"
    "client = notification-server\nserver = agent\nflags = broad\n"
    "[rule]\nid = unused\nsuite = Beta\ncomponent = Never\nprotos = udp\nports = 9999\n"
    "client = agent\nserver = agent\n";
static const char site_text[] = "[roles]\n10.0.0.1 notification-server\n10.0.1.0/24 agent\n";

#define T0 (UINT64_C(1767603600) * 1000000000u) /* 2026-01-05T09:00:00Z */
#define SEC UINT64_C(1000000000)

struct fix {
    struct itm_sigdb *db;
    struct itm_site *site;
    struct itm_classifier *cls;
    struct itm_output_ctx ctx;
    const char *inputs[2];
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    struct itm_classify_limits lim;
    int err = 0;

    memset(&lim, 0, sizeof(lim));
    f->db = itm_sigdb_load_mem("t.sig", sig_text, strlen(sig_text), &d, &err);
    assert_non_null(f->db);
    f->site = itm_site_load_mem("t.site", site_text, strlen(site_text), &d, &err);
    assert_non_null(f->site);
    f->cls = itm_classifier_new(f->db, f->site, &lim, &err);
    assert_non_null(f->cls);
    f->inputs[0] = "test.pcap";
    f->ctx.db = f->db;
    f->ctx.cls = f->cls;
    f->ctx.inputs = f->inputs;
    f->ctx.linktype = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;

    itm_classifier_free(f->cls);
    itm_site_free(f->site);
    itm_sigdb_free(f->db);
    free(f);
    return 0;
}

static void ip4(struct itm_ip *ip, const char *s)
{
    assert_int_equal(itm_ip_parse(s, ip), 0);
}

/* A finished TCP flow: rule by id ("" for none), roles as the classifier would give. */
static struct itm_flow_rec flow(const struct fix *f, uint64_t id, const char *c, uint16_t cp,
                                const char *s, uint16_t sp, const char *rule, uint32_t flags)
{
    struct itm_flow_rec r;
    const struct itm_rule *ru = *rule ? itm_sigdb_find(f->db, rule) : NULL;

    memset(&r, 0, sizeof(r));
    r.id = id;
    ip4(&r.client, c);
    ip4(&r.server, s);
    r.client_port = cp;
    r.server_port = sp;
    r.ipproto = 6;
    r.pkts[0] = 4;
    r.pkts[1] = 3;
    r.bytes[0] = 400;
    r.bytes[1] = 300;
    r.first_ns = T0 + id * SEC;
    r.last_ns = r.first_ns + SEC / 2;
    r.end_reason = ITM_END_FIN;
    r.label.rule = ru ? ru->index : ITM_NO_RULE;
    r.label.confidence = ru ? ITM_CONF_ROLE : ITM_CONF_NONE;
    r.label.client_roles = ru ? ru->client_roles : 0;
    r.label.server_roles = ru ? ru->server_roles : 0;
    r.label.flags = flags;
    itm_classifier_roles_now(f->cls, &r); /* as the engine hands flows over */
    return r;
}

/* Six flows: three web (two cells), two in one broad dynamic cell, one lateral. */
static void feed(const struct fix *f, struct itm_rmodel *m)
{
    struct itm_flow_rec v[6] = {
        flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0),
        flow(f, 2, "10.0.1.6", 50001, "10.0.0.1", 443, "web", 0),
        flow(f, 3, "10.0.1.5", 50002, "10.0.0.1", 80, "web", 0),
        flow(f, 4, "10.0.0.1", 50003, "10.0.1.5", 50555, "dyn", 0),
        flow(f, 5, "10.0.0.1", 50004, "10.0.1.6", 60001, "dyn", 0),
        flow(f, 6, "10.0.1.5", 50005, "10.0.1.6", 3389, "", ITM_F_LATERAL),
    };

    snprintf(v[5].label.reason, sizeof(v[5].label.reason), "agent to agent on tcp/3389, \"rdp\"");
    for (int i = 0; i < 6; i++)
        itm_rmodel_add_flow(m, f->db, &v[i]);
}

/* A cells-only model (the matrix's and the rules') has the full model's component sums and
 * cells, in the same order, and none of its distinct hosts or finding groups. */
static void test_cells_only(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel full, part;
    struct itm_rcomp **ca, **cb;
    struct itm_rcell **ea, **eb;
    size_t na, nb;

    itm_rmodel_init(&full);
    itm_rmodel_init_cells(&part);
    feed(f, &full);
    feed(f, &part);
    ca = itm_rmodel_comps(&full, &na);
    cb = itm_rmodel_comps(&part, &nb);
    assert_int_equal(na, 3);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(cb[i]->id, ca[i]->id);
        assert_memory_equal(&cb[i]->sum, &ca[i]->sum, sizeof(ca[i]->sum));
        assert_true(ca[i]->clients > 0);
        assert_int_equal(cb[i]->clients, 0);
        assert_int_equal(cb[i]->servers, 0);
    }
    ea = itm_rmodel_cells(&full, &na);
    eb = itm_rmodel_cells(&part, &nb);
    assert_int_equal(na, 4);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_memory_equal(&eb[i]->k, &ea[i]->k, sizeof(ea[i]->k));
        assert_memory_equal(&eb[i]->sum, &ea[i]->sum, sizeof(ea[i]->sum));
        assert_int_equal(eb[i]->families, ea[i]->families);
    }
    assert_int_equal(full.ngroups, 1);
    assert_int_equal(part.ngroups, 0);
    assert_true(full.nmembers > 0);
    assert_int_equal(part.nmembers, 0);
    for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++)
        assert_int_equal(part.flags_flows[b], 0);
    assert_int_equal(full.flags_flows[__builtin_ctz(ITM_F_LATERAL)], 1);
    assert_memory_equal(&part.total, &full.total, sizeof(full.total));
    itm_free(ca);
    itm_free(cb);
    itm_free(ea);
    itm_free(eb);
    itm_rmodel_free(&full);
    itm_rmodel_free(&part);
}

static void test_components(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel m;
    struct itm_rcomp **cv;
    size_t n;

    itm_rmodel_init(&m);
    feed(f, &m);
    assert_int_equal(m.total.flows, 6);
    assert_int_equal(m.total.pkts, 42);
    assert_int_equal(m.unlabelled.flows, 1);
    assert_int_equal(m.total.flagged, 1);
    cv = itm_rmodel_comps(&m, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cv[0]->id, "web");
    assert_int_equal(cv[0]->sum.flows, 3);
    assert_int_equal(cv[0]->clients, 2);
    assert_int_equal(cv[0]->servers, 1);
    assert_int_equal(cv[0]->sum.first_ns, T0 + SEC);
    assert_int_equal(cv[0]->sum.last_ns, T0 + 3 * SEC + SEC / 2);
    assert_string_equal(cv[1]->id, "dyn");
    assert_int_equal(cv[1]->servers, 2);
    assert_string_equal(cv[2]->id, "");
    assert_null(cv[2]->rule);
    assert_null(itm_rmodel_comp_find(&m, "unused"));
    assert_non_null(itm_rmodel_comp_find(&m, "dyn"));
    itm_free(cv);
    itm_rmodel_free(&m);
}

static void test_cells(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel m;
    struct itm_rcell **cv;
    size_t n;
    const uint32_t agent = ITM_ROLE_BIT(ITM_ROLE_AGENT), ns = ITM_ROLE_BIT(ITM_ROLE_NS);

    itm_rmodel_init(&m);
    feed(f, &m);
    cv = itm_rmodel_cells(&m, &n);
    assert_int_equal(n, 4);
    /* web: port 80 before 443 */
    assert_string_equal(itm_rcell_rule(&m, cv[0])->id, "web");
    assert_int_equal(cv[0]->k.lo, 80);
    assert_int_equal(cv[0]->sum.flows, 1);
    assert_int_equal(cv[1]->k.lo, 443);
    assert_int_equal(cv[1]->sum.flows, 2);
    assert_int_equal(cv[1]->k.croles, agent);
    assert_int_equal(cv[1]->k.sroles, ns);
    /* dyn: both flows in the documented range, one cell */
    assert_string_equal(itm_rcell_rule(&m, cv[2])->id, "dyn");
    assert_int_equal(cv[2]->k.lo, 49152);
    assert_int_equal(cv[2]->k.hi, 65535);
    assert_int_equal(cv[2]->sum.flows, 2);
    assert_int_equal(cv[2]->families, 1);
    /* undocumented: roles from the site through the classifier */
    assert_null(itm_rcell_rule(&m, cv[3]));
    assert_int_equal(cv[3]->k.lo, 3389);
    assert_int_equal(cv[3]->k.croles, agent);
    assert_int_equal(cv[3]->k.sroles, agent);
    assert_int_equal(cv[3]->sum.flagged, 1);
    itm_free(cv);
    itm_rmodel_free(&m);
}

static void test_scan_group(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel m;
    struct itm_rgroup **gv;
    size_t n;
    char host[32];

    itm_rmodel_init(&m);
    for (unsigned i = 0; i < 12; i++) {
        struct itm_flow_rec r;
        snprintf(host, sizeof(host), "10.0.1.%u", 10 + i % 3);
        r = flow(f, 100 + i, "10.0.9.9", 40000, host, (uint16_t)(20 + i), "", ITM_F_SCAN);
        itm_rmodel_add_flow(&m, f->db, &r);
    }
    gv = itm_rmodel_groups(&m, &n);
    assert_int_equal(n, 1);
    assert_int_equal(gv[0]->k.flag, ITM_F_SCAN);
    assert_int_equal(gv[0]->k.server.family, 0);
    assert_int_equal(gv[0]->sum.flows, 12);
    assert_int_equal(gv[0]->nservers, 3);
    assert_int_equal(gv[0]->nserver_shown, 3);
    assert_int_equal(gv[0]->nports, 12);
    assert_int_equal(gv[0]->nport_shown, ITM_RGROUP_PORTS);
    assert_int_equal(gv[0]->nids, ITM_RGROUP_IDS);
    assert_int_equal(gv[0]->ids[0], 100);
    assert_int_equal(m.flags_flows[3], 12);
    itm_free(gv);
    itm_rmodel_free(&m);
}

static void test_reasons(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel m;
    struct itm_flow_rec r = flow(f, 7, "10.0.1.5", 1, "10.0.1.6", 445, "", ITM_F_LATERAL);
    struct itm_rgroup **gv;
    size_t n;

    itm_rmodel_init(&m);
    snprintf(r.label.reason, sizeof(r.label.reason), "first flag's reason");
    itm_rmodel_add_alert(&m, &r, ITM_F_LATERAL);
    /* a second flag later: the label's reason is not about it */
    r.label.flags |= ITM_F_EXTERNAL;
    itm_rmodel_add_alert(&m, &r, ITM_F_EXTERNAL);
    itm_rmodel_add_flow(&m, f->db, &r);
    gv = itm_rmodel_groups(&m, &n);
    assert_int_equal(n, 2);
    assert_int_equal(gv[0]->k.flag, ITM_F_LATERAL);
    assert_string_equal(gv[0]->reason, "first flag's reason");
    assert_int_equal(gv[1]->k.flag, ITM_F_EXTERNAL);
    assert_string_equal(gv[1]->reason, "");
    itm_free(gv);
    itm_rmodel_free(&m);
}

static void test_merge(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel a, b, snap;
    struct itm_flow_rec r = flow(f, 9, "10.0.1.7", 1, "10.0.0.1", 443, "web", 0);
    struct itm_rcomp **cv;
    struct itm_rcell **ev;
    size_t n;

    itm_rmodel_init(&a);
    itm_rmodel_init(&b);
    itm_rmodel_init(&snap);
    feed(f, &a);
    feed(f, &b); /* the same hosts again: distinct counts must not double */
    itm_rmodel_add_flow(&b, f->db, &r);
    assert_int_equal(itm_rmodel_merge(&snap, &a), 0);
    assert_int_equal(itm_rmodel_merge(&snap, &b), 0);
    assert_int_equal(snap.total.flows, 13);
    cv = itm_rmodel_comps(&snap, &n);
    assert_int_equal(n, 3);
    assert_int_equal(cv[0]->sum.flows, 7);
    assert_int_equal(cv[0]->clients, 3);
    assert_int_equal(cv[0]->servers, 1);
    itm_free(cv);
    ev = itm_rmodel_cells(&snap, &n);
    assert_int_equal(n, 4);
    assert_int_equal(ev[1]->sum.flows, 5);
    itm_free(ev);
    /* a model that ran out of memory passes that on: the merged report must say so */
    assert_int_equal(snap.nomem, 0);
    b.nomem = 1;
    assert_int_equal(itm_rmodel_merge(&snap, &b), ITM_ERR_NOMEM);
    assert_int_equal(snap.nomem, 1);
    itm_rmodel_free(&a);
    itm_rmodel_free(&b);
    itm_rmodel_free(&snap);
}

/* Distinct hosts counted through the member set as it grows: 40,000 clients of one
 * component (the index doubles from 1,024 slots to 65,536, the blocks hold 8,192 each), each
 * seen twice, in two orders; then a merge into an empty model, which takes them in the
 * order first seen; then allocation failures while it grows, which lose exactly the hosts
 * that needed room and say so. */
static void test_members(void **state)
{
    struct fix *f = *state;
    struct itm_rmodel m, snap;
    struct itm_rcomp **cv;
    size_t n;
    const uint32_t hosts = 40000;

    itm_rmodel_init(&m);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < hosts; i++) {
            uint32_t h = pass ? hosts - 1 - i : i;
            char ip[32];
            struct itm_flow_rec r;
            snprintf(ip, sizeof(ip), "10.%u.%u.%u", 1 + h / 65536, h / 256 % 256, h % 256);
            r = flow(f, 1 + h, ip, 1024, "10.0.0.1", 80, "web", 0);
            itm_rmodel_add_flow(&m, f->db, &r);
        }
    assert_int_equal(m.nomem, 0);
    /* one member a client, one for the server */
    assert_int_equal(m.nmembers, hosts + 1);
    cv = itm_rmodel_comps(&m, &n);
    assert_int_equal(n, 1);
    assert_int_equal(cv[0]->sum.flows, 2 * hosts);
    assert_int_equal(cv[0]->clients, hosts);
    assert_int_equal(cv[0]->servers, 1);
    itm_free(cv);

    itm_rmodel_init(&snap);
    assert_int_equal(itm_rmodel_merge(&snap, &m), 0);
    assert_int_equal(snap.nmembers, hosts + 1);
    cv = itm_rmodel_comps(&snap, &n);
    assert_int_equal(cv[0]->clients, hosts);
    assert_int_equal(cv[0]->servers, 1);
    itm_free(cv);
    itm_rmodel_free(&snap);
    itm_rmodel_free(&m);

    /* allocations fail from the n-th on, for every n up to past the last one the run
     * needs: the members that needed room are not counted, the model says it ran short,
     * every count it keeps is of members it holds, and nothing leaks (the ASan run) */
    for (long budget = 0, failed = 1; failed; budget++) {
        itm_rmodel_init(&m);
        itm_alloc_fail_after(budget);
        for (uint32_t h = 0; h < 20000; h++) {
            char ip[32];
            struct itm_flow_rec r;
            snprintf(ip, sizeof(ip), "10.%u.%u.%u", 1 + h / 65536, h / 256 % 256, h % 256);
            r = flow(f, 1 + h, ip, 1024, "10.0.0.1", 80, "web", 0);
            itm_rmodel_add_flow(&m, f->db, &r);
        }
        itm_alloc_fail_after(-1);
        failed = m.nomem;
        cv = itm_rmodel_comps(&m, &n); /* NULL when there are none */
        if (n == 1) {
            assert_int_equal(cv[0]->clients + cv[0]->servers, m.nmembers);
            if (failed)
                assert_true(cv[0]->clients < 20000);
            else
                assert_int_equal(cv[0]->clients, 20000);
        } else {
            assert_true(failed);
        }
        itm_free(cv);
        itm_rmodel_free(&m);
        assert_true(budget < 1000);
    }
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return buf;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/itm-test-%d-%s", P_tmpdir, (int)getpid(), name);
}

/* Feeds the six flows of feed() through a plug-in and closes it. */
static void run_plugin(struct fix *f, const struct itm_output_ops *ops, const char *arg)
{
    struct itm_output *o = NULL;
    struct itm_flow_rec v[2] = {flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0),
                                flow(f, 6, "10.0.1.5", 50005, "10.0.1.6", 3389, "",
                                     ITM_F_LATERAL | ITM_F_SCAN)};
    struct itm_stats st;

    memset(&st, 0, sizeof(st));
    st.packets = 14;
    st.first_ns = T0 + SEC;
    st.last_ns = T0 + 6 * SEC + SEC / 2;
    snprintf(v[1].label.reason, sizeof(v[1].label.reason), "agent to agent, \"rdp\"\x1b[2J");
    assert_int_equal(ops->open(&o, arg, &f->ctx), 0);
    if (ops->alert) {
        /* the first flag fired alone; the reason is about it */
        struct itm_flow_rec first = v[1];
        first.label.flags = ITM_F_LATERAL;
        ops->alert(o, &first, ITM_F_LATERAL, first.first_ns);
    }
    for (int i = 0; i < 2; i++)
        ops->flow(o, &v[i]);
    ops->stats(o, &st, st.last_ns, 1);
    assert_int_equal(ops->close(o), 0);
}

static void test_flow_csv(void **state)
{
    struct fix *f = *state;
    char path[256], *out, *row2;

    tmp_path(path, sizeof(path), "flows.csv");
    run_plugin(f, &itm_out_csv, path);
    out = slurp(path);
    assert_true(starts_with(out, "timestamp,flow_id,proto,src_ip,src_port,dest_ip,dest_port,"));
    row2 = strstr(out, "\r\n");
    assert_non_null(row2);
    assert_non_null(strstr(row2, ",1,TCP,10.0.1.5,50000,10.0.0.1,443,,,,,4,3,400,300,"));
    assert_non_null(strstr(row2, ",web,Web,Alpha,port+role,"));
    assert_non_null(strstr(row2, ",agent,notification-server,,\r\n"));
    /* flags joined with ';', the reason quoted with its quotes doubled, kept verbatim */
    assert_non_null(
        strstr(out, ",lateral_movement;scan,\"agent to agent, \"\"rdp\"\"\x1b[2J\"\r\n"));
    free(out);
    unlink(path);
}

static void test_matrix_csv(void **state)
{
    struct fix *f = *state;
    char path[256], *out;

    tmp_path(path, sizeof(path), "matrix.csv");
    run_plugin(f, &itm_out_matrix, path);
    out = slurp(path);
    assert_true(starts_with(out, "status,client_roles,server_roles,proto,port,port_side,rule,"));
    assert_non_null(strstr(out, "\r\nobserved,agent,notification-server,tcp,443,dst,web,Alpha,Web,"
                                "1,7,700,0,2026-01-05T09:00:01.000000Z,"));
    assert_non_null(strstr(out, "\r\nundocumented,agent,agent,tcp,3389,dst,,,,1,7,700,1,"));
    assert_non_null(strstr(out, "\r\nnot-seen,notification-server,agent,tcp,49152-65535,dst,dyn,"));
    assert_non_null(strstr(out, "\r\nnot-seen,agent,agent,udp,9999,dst,unused,Beta,Never,0,0,0,0"));
    assert_null(strstr(out, "not-seen,agent,notification-server,tcp,80;443"));
    free(out);
    unlink(path);
}

/* Every line within 100 columns and free of trailing blanks and raw escapes. */
static void check_text(const char *out)
{
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(nl - p <= 100);
        assert_true(nl == p || nl[-1] != ' ');
        for (const char *q = p; q < nl; q++)
            assert_true(*q >= 0x20 && *q < 0x7f);
        p = nl + 1;
    }
}

static void test_report_text(void **state)
{
    struct fix *f = *state;
    char path[256], *out;

    tmp_path(path, sizeof(path), "report.txt");
    run_plugin(f, &itm_out_report, path);
    out = slurp(path);
    check_text(out);
    assert_non_null(strstr(out, "\n  inputs      test.pcap\n"));
    assert_non_null(strstr(out, "\n  traffic     14 packets, 0 B\n"));
    assert_non_null(strstr(out, "\n  flows       2, 1 without a rule, 1 flagged\n"));
    assert_non_null(strstr(out, "\n  Alpha\n    Web "));
    assert_non_null(strstr(out, "\n  Alpha           2     1       50%\n"));
    assert_non_null(strstr(out, "\n  Beta            1     0        0%\n"));
    assert_non_null(strstr(out, "\n  all suites      3     1       33%\n"));
    assert_non_null(strstr(out, "\n  Beta\n    unused  udp 9999         agent -> agent\n"));
    assert_non_null(strstr(out, "\n  lateral_movement (flows: 1, groups: 1)"));
    assert_non_null(strstr(out, "\n    10.0.1.5 -> 10.0.1.6  tcp/3389  1 flow, 7 packets, "
                                "first 09:00:06\n"));
    /* the reason came from the wire: its escape sequence is shown, not sent */
    assert_non_null(strstr(out, "why: agent to agent, \"rdp\"\\x1b[2J\n"));
    assert_non_null(strstr(out, "      flow ids: 6\n"));
    /* the second flag has no reason of its own: its description stands in */
    assert_non_null(strstr(out, "why: one source reached many ports or hosts\n"));
    free(out);
    unlink(path);
}

static void test_report_while_running(void **state)
{
    struct fix *f = *state;
    char path[256], *out;
    struct itm_output *o = NULL;
    struct itm_flow_rec done = flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0);
    struct itm_flow_rec open = flow(f, 2, "10.0.1.6", 50001, "10.0.0.1", 80, "web", 0);
    struct itm_stats st;

    memset(&st, 0, sizeof(st));
    tmp_path(path, sizeof(path), "report-now.txt");
    assert_int_equal(itm_out_report.open(&o, path, &f->ctx), 0);
    itm_out_report.flow(o, &done);
    itm_out_report_peek_flow(o, &open);
    assert_int_equal(itm_out_report_write_now(o, &st), 0);
    out = slurp(path);
    assert_non_null(strstr(out, "(while running"));
    assert_non_null(strstr(out, "\n  flows       2, 0 without a rule, 0 flagged\n"));
    free(out);
    /* the open flow was counted for that report only; the final one rewrites the file */
    assert_int_equal(itm_out_report.close(o), 0);
    out = slurp(path);
    assert_null(strstr(out, "(while running"));
    assert_non_null(strstr(out, "\n  flows       1, 0 without a rule, 0 flagged\n"));
    assert_int_equal(strstr(out, "itmscope audit report"), out);
    assert_null(strstr(out + 1, "itmscope audit report"));
    free(out);
    unlink(path);
}

/* The rules plug-in prints on stdout: catch it in a file. */
static char *rules_output(struct fix *f, const char *fmt)
{
    char path[256];
    struct itm_output *o = NULL;
    struct itm_flow_rec v[3] = {flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0),
                                flow(f, 2, "10.0.1.5", 50001, "10.0.0.1", 80, "web", 0),
                                flow(f, 3, "10.0.0.1", 50002, "10.0.1.5", 50555, "dyn", 0)};
    struct itm_stats st;
    int saved, fd;
    char *out;

    memset(&st, 0, sizeof(st));
    tmp_path(path, sizeof(path), "rules.txt");
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    assert_int_equal(itm_out_rules.open(&o, fmt, &f->ctx), 0);
    itm_out_rules_set_site(o, f->site);
    for (int i = 0; i < 3; i++)
        itm_out_rules.flow(o, &v[i]);
    itm_out_rules.stats(o, &st, 0, 1);
    assert_int_equal(itm_out_rules.close(o), 0);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    out = slurp(path);
    unlink(path);
    return out;
}

static void test_rules(void **state)
{
    struct fix *f = *state;
    struct itm_output *o = NULL;
    char *out = rules_output(f, "nft");

    assert_non_null(strstr(out, "table inet itmscope {\n"));
    assert_non_null(strstr(out, "    set agent_v4 {\n        type ipv4_addr\n        flags "
                                "interval\n        auto-merge\n"
                                "        elements = { 10.0.1.0/24 }\n"));
    assert_non_null(strstr(out, "        ip saddr @agent_v4 ip daddr @notification_server_v4 "
                                "tcp dport { 80, 443 } accept\n"));
    assert_non_null(strstr(out, "        ip saddr @notification_server_v4 ip daddr @agent_v4 "
                                "tcp dport 49152-65535 accept\n"));
    assert_null(strstr(out, "ip6 "));
    free(out);
    out = rules_output(f, "iptables");
    assert_non_null(strstr(out, "ipset create itms-agent-v4 hash:net family inet -exist\n"
                                "ipset add itms-agent-v4 10.0.1.0/24 -exist\n"));
    assert_non_null(strstr(out, "iptables -A ITMS-ALLOW -p tcp -m set --match-set itms-agent-v4 "
                                "src -m set --match-set itms-notification-server-v4 dst -m "
                                "multiport --dports 80,443 -j ACCEPT\n"));
    assert_non_null(strstr(out, "--dports 49152:65535 -j ACCEPT\n"));
    free(out);
    assert_int_equal(itm_out_rules.open(&o, "pf", &f->ctx), ITM_ERR_INVAL);
}

/* The report, the matrix and the rules share one model through ctx->shared: whole once the
 * report joins, each flow added once (by the report, whose alerts add the findings'
 * groups), freed by the last to close; an output that joins after the first flow keeps a
 * model of its own, as one does without ctx->shared. */
static void test_shared_refs(void **state)
{
    struct fix *f = *state;
    struct itm_out_shared *sh = NULL;
    struct itm_output_ctx ctx = f->ctx;
    struct itm_rmodel_ref cells, whole, rules, late;
    struct itm_flow_rec r = flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0);

    ctx.shared = &sh;
    itm_rmodel_ref_open(&cells, &ctx, 0);
    assert_non_null(sh);
    assert_int_equal(cells.m->cells_only, 1);
    itm_rmodel_ref_open(&whole, &ctx, 1);
    itm_rmodel_ref_open(&rules, &ctx, 0);
    assert_ptr_equal(whole.m, cells.m);
    assert_ptr_equal(rules.m, cells.m);
    assert_int_equal(cells.m->cells_only, 0);
    /* every output sees every flow; the model counts each once */
    itm_rmodel_ref_add_flow(&cells, f->db, &r);
    itm_rmodel_ref_add_flow(&whole, f->db, &r);
    itm_rmodel_ref_add_flow(&rules, f->db, &r);
    assert_int_equal(whole.m->total.flows, 1);
    assert_true(whole.m->nmembers > 0); /* added whole: by the report's hold */
    itm_rmodel_ref_open(&late, &ctx, 0);
    assert_ptr_not_equal(late.m, whole.m);
    assert_null(late.sh);
    itm_rmodel_ref_add_flow(&late, f->db, &r);
    assert_int_equal(late.m->total.flows, 1);
    itm_rmodel_ref_close(&late, &ctx);
    itm_rmodel_ref_close(&whole, &ctx);
    assert_non_null(sh);
    itm_rmodel_ref_close(&cells, &ctx);
    assert_non_null(sh);
    itm_rmodel_ref_close(&rules, &ctx);
    assert_null(sh);
    /* without a place to share, each keeps its own */
    ctx.shared = NULL;
    itm_rmodel_ref_open(&cells, &ctx, 0);
    itm_rmodel_ref_open(&whole, &ctx, 1);
    assert_ptr_not_equal(cells.m, whole.m);
    itm_rmodel_ref_add_flow(&cells, f->db, &r);
    itm_rmodel_ref_add_flow(&whole, f->db, &r);
    assert_int_equal(cells.m->total.flows, 1);
    assert_int_equal(whole.m->total.flows, 1);
    itm_rmodel_ref_close(&cells, &ctx);
    itm_rmodel_ref_close(&whole, &ctx);
}

/* The matrix and the report written from the shared model (as main opens them: the matrix
 * first) are byte for byte those written from models of their own. */
static void shared_pair(struct fix *f, int share, const char *mpath, const char *rpath)
{
    struct itm_out_shared *sh = NULL;
    struct itm_output_ctx ctx = f->ctx;
    struct itm_output *m = NULL, *r = NULL;
    struct itm_flow_rec v[3] = {flow(f, 1, "10.0.1.5", 50000, "10.0.0.1", 443, "web", 0),
                                flow(f, 4, "10.0.0.1", 50003, "10.0.1.5", 50555, "dyn", 0),
                                flow(f, 6, "10.0.1.5", 50005, "10.0.1.6", 3389, "",
                                     ITM_F_LATERAL)};
    struct itm_stats st;

    memset(&st, 0, sizeof(st));
    st.packets = 21;
    snprintf(v[2].label.reason, sizeof(v[2].label.reason), "agent to agent on tcp/3389");
    ctx.shared = share ? &sh : NULL;
    assert_int_equal(itm_out_matrix.open(&m, mpath, &ctx), 0);
    assert_int_equal(itm_out_report.open(&r, rpath, &ctx), 0);
    assert_true(share ? sh != NULL : sh == NULL);
    itm_out_report.alert(r, &v[2], ITM_F_LATERAL, v[2].first_ns);
    for (int i = 0; i < 3; i++) {
        itm_out_matrix.flow(m, &v[i]);
        itm_out_report.flow(r, &v[i]);
    }
    itm_out_matrix.stats(m, &st, 0, 1);
    itm_out_report.stats(r, &st, 0, 1);
    assert_int_equal(itm_out_matrix.close(m), 0);
    assert_int_equal(itm_out_report.close(r), 0);
    assert_null(sh);
}

static void test_shared_outputs(void **state)
{
    struct fix *f = *state;
    char m1[256], r1[256], m2[256], r2[256], *a, *b;

    tmp_path(m1, sizeof(m1), "own-matrix.csv");
    tmp_path(r1, sizeof(r1), "own-report.txt");
    tmp_path(m2, sizeof(m2), "shared-matrix.csv");
    tmp_path(r2, sizeof(r2), "shared-report.txt");
    shared_pair(f, 0, m1, r1);
    shared_pair(f, 1, m2, r2);
    a = slurp(m1);
    b = slurp(m2);
    assert_non_null(strstr(a, "\r\nundocumented,agent,agent,tcp,3389,dst,,,,1,7,700,1,"));
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = slurp(r1);
    b = slurp(r2);
    assert_non_null(strstr(a, "why: agent to agent on tcp/3389\n"));
    assert_non_null(strstr(a, "\n  flows       3, 1 without a rule, 1 flagged\n"));
    assert_string_equal(a, b);
    free(a);
    free(b);
    unlink(m1);
    unlink(r1);
    unlink(m2);
    unlink(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_components),  cmocka_unit_test(test_cells),
        cmocka_unit_test(test_cells_only),
        cmocka_unit_test(test_scan_group),  cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_merge),       cmocka_unit_test(test_members),
        cmocka_unit_test(test_flow_csv),
        cmocka_unit_test(test_matrix_csv),  cmocka_unit_test(test_report_text),
        cmocka_unit_test(test_report_while_running), cmocka_unit_test(test_rules),
        cmocka_unit_test(test_shared_refs), cmocka_unit_test(test_shared_outputs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
