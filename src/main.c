/* main.c: the itmscope command: options, loading the signature database and site, wiring
 * capture sources to the engine and outputs, signals, exit codes. The only file that
 * prints usage errors and calls exit(). Exit codes: 0 clean, 1 findings with
 * --fail-on-findings, 2 usage or input error. */
#include <getopt.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "itm-config.h"
#include "itm-limits.h"
#include "itmscope/capture.h"
#include "itmscope/cli.h"
#include "itmscope/engine.h"
#include "itmscope/output.h"
#include "itmscope/privdrop.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

#include "cli-opts.h"

static volatile sig_atomic_t g_stop, g_reload, g_report;

/* The live capture, for on_signal: libpcap does not return on a signal by itself. */
static struct itm_capture *volatile g_live;

/* SIGINT/SIGTERM ask to stop, SIGHUP for a reload, SIGUSR1 for a report: the handler only
 * raises the flag and breaks a live capture's wait. Reload and report requests are served
 * between batches: breaking a quiet capture's wait means they do not wait for the next
 * packet. */
static void on_signal(int sig)
{
    if (sig == SIGHUP)
        g_reload = 1;
    else if (sig == SIGUSR1)
        g_report = 1;
    else
        g_stop = 1;
    if (g_live)
        itm_capture_breakloop(g_live);
}


static const char *default_sigfile(void)
{
    static const char *const cands[] = {ITM_SIGDIR_SOURCE "/itms.sig",
                                        ITM_SIGDIR_INSTALLED "/itms.sig"};
    const char *env = getenv("ITMSCOPE_SIGNATURES");
    struct stat st;

    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
        if (stat(cands[i], &st) == 0)
            return cands[i];
    return cands[1];
}

static struct itm_sigdb *load_sigdb(const char *path)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    int err = 0;
    struct itm_sigdb *db = itm_sigdb_load_file(path, &d, &err);

    /* an unreadable file was named in its one diagnostic; "rejected" would only add noise */
    if (!db && err != ITM_ERR_IO)
        fprintf(stderr, "itmscope: %s: signature database rejected (%u error%s)\n", path,
                d.errors, d.errors == 1 ? "" : "s");
    return db;
}

static struct itm_site *load_site(const char *path, struct itm_sigdb *db)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    int err = 0;
    struct itm_site *site;

    site = path ? itm_site_load_file(path, &d, &err) : itm_site_new_default(&err);
    if (!site) {
        if (path && err != ITM_ERR_IO)
            fprintf(stderr, "itmscope: %s: site file rejected (%u error%s)\n", path, d.errors,
                    d.errors == 1 ? "" : "s");
        else if (!path)
            fprintf(stderr, "itmscope: %s\n", itm_err_str(err));
        return NULL;
    }
    if (itm_site_apply_moves(site, db, &d) != 0) {
        fprintf(stderr, "itmscope: %s: site file rejected (%u error%s)\n", path, d.errors,
                d.errors == 1 ? "" : "s");
        itm_site_free(site);
        return NULL;
    }
    return site;
}

/* Opens every input once before any work, so a typo fails fast with nothing half done.
 * Records the first input's link type and snaplen for the outputs (-1/0: stdin, unknown). */
static void check_inputs(const struct opts *o, int *linktype, uint32_t *snaplen)
{
    char msg[1024];

    for (unsigned i = 0; i < o->ninputs; i++) {
        struct itm_capture *c;
        if (strcmp(o->inputs[i], "-") == 0)
            continue;
        c = itm_capture_open_file(o->inputs[i], &o->cap, msg, sizeof(msg));
        if (!c) {
            fprintf(stderr, "itmscope: %s\n", msg);
            exit(EXIT_USAGE);
        }
        if (i == 0) {
            *linktype = itm_capture_linktype(c);
            *snaplen = itm_capture_snaplen(c);
        }
        itm_capture_close(c);
    }
}

/* Knowledge replaced by SIGHUP: labels made before a reload may still name its rules, so
 * every database and site loaded stays until exit. */
struct kept {
    struct itm_sigdb *db;
    struct itm_site *site;
    struct kept *next;
};

/* What the hooks between capture batches need: signals, progress, live status lines. */
struct run_state {
    const struct opts *o;
    struct itm_engine *e;
    struct itm_output_ctx *octx;
    struct itm_capture *cur;
    struct kept *kept;
    int show_progress;
    struct itm_progress prog;
    time_t next_status;  /* live: the next status line and stats event are due then */
    time_t last_advance; /* live: the wall-clock second flows were last expired at */
    uint64_t last_pkts;  /* live: packets at the previous status line */
};

static void reload(struct run_state *rs)
{
    struct itm_sigdb *db = load_sigdb(rs->o->sigfile ? rs->o->sigfile : default_sigfile());
    struct itm_site *site = db ? load_site(rs->o->site, db) : NULL;
    struct kept *k = site ? calloc(1, sizeof(*k)) : NULL;
    struct itm_output *rules;

    if (!k) {
        fprintf(stderr, "itmscope: reload refused: the signatures and site in force stay\n");
        itm_site_free(site);
        itm_sigdb_free(db);
        return;
    }
    k->db = db;
    k->site = site;
    k->next = rs->kept;
    rs->kept = k;
    itm_engine_reload(rs->e, db, site);
    rs->octx->db = db;
    rules = itm_engine_output(rs->e, &itm_out_rules);
    if (rules)
        itm_out_rules_set_site(rules, site);
    fprintf(stderr, "itmscope: reloaded %zu signatures%s%s\n", itm_sigdb_count(db),
            rs->o->site ? " and " : "", rs->o->site ? rs->o->site : "");
}

/* The kernel's counters of the live capture, into the engine's stats. */
static void pull_kernel_stats(struct run_state *rs)
{
    uint64_t recv, drop, ifdrop;

    if (rs->cur && itm_capture_stats(rs->cur, &recv, &drop, &ifdrop) == 0)
        itm_engine_set_kernel_stats(rs->e, recv, drop, ifdrop);
}

static void report_now(struct run_state *rs)
{
    struct itm_output *rep = itm_engine_output(rs->e, &itm_out_report);

    if (!rep) {
        fprintf(stderr, "itmscope: SIGUSR1: no report is being written (see --report)\n");
        return;
    }
    pull_kernel_stats(rs);
    itm_engine_peek_flows(rs->e, itm_out_report_peek_flow, rep);
    if (itm_out_report_write_now(rep, itm_engine_stats(rs->e)) != 0)
        fprintf(stderr, "itmscope: error writing the report\n");
}

/* Signals that ask for work between batches (the handlers only raise flags). */
static void handle_requests(struct run_state *rs)
{
    if (g_reload) {
        g_reload = 0;
        reload(rs);
    }
    if (g_report) {
        g_report = 0;
        report_now(rs);
    }
}

static int file_tick(void *ctx)
{
    struct run_state *rs = ctx;
    uint64_t done, total;

    handle_requests(rs);
    if (rs->show_progress && itm_progress_due(&rs->prog)) {
        itm_capture_progress(rs->cur, &done, &total);
        itm_progress_draw(&rs->prog, done, total, itm_engine_stats(rs->e)->packets);
    }
    return g_stop != 0;
}

static void free_kept(struct run_state *rs)
{
    while (rs->kept) {
        struct kept *k = rs->kept;
        rs->kept = k->next;
        itm_site_free(k->site);
        itm_sigdb_free(k->db);
        free(k);
    }
}

static int live_tick(void *ctx)
{
    struct run_state *rs = ctx;
    time_t now = time(NULL);

    if (g_stop)
        return 1;
    handle_requests(rs);
    if (now != rs->last_advance) {
        struct timespec ts;
        /* a quiet interface delivers no packet time: let the wall clock expire flows */
        clock_gettime(CLOCK_REALTIME, &ts);
        itm_engine_advance(rs->e, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
        rs->last_advance = now;
    }
    if (now < rs->next_status)
        return 0;
    pull_kernel_stats(rs);
    {
        const struct itm_stats *st = itm_engine_stats(rs->e);
        if (!rs->o->quiet)
            fprintf(stderr,
                    "itmscope: %llu pkts (%llu/s), %llu flows, %llu alerts, %llu kernel drops\n",
                    (unsigned long long)st->packets,
                    (unsigned long long)((st->packets - rs->last_pkts) / rs->o->stats_interval),
                    (unsigned long long)(st->flows_created - st->flows_ended),
                    (unsigned long long)st->alerts, (unsigned long long)st->kernel_drop);
        rs->last_pkts = st->packets;
    }
    itm_engine_emit_stats(rs->e, (uint64_t)now * 1000000000u);
    rs->next_status = now + (time_t)rs->o->stats_interval;
    return 0;
}

/* Runs every file through the engine. Returns 0, or EXIT_USAGE when a file failed. */
static int run_files(const struct opts *o, struct itm_engine *e, int report, struct run_state *rs)
{
    char msg[1024], label[64];
    int rc = 0;

    for (unsigned i = 0; i < o->ninputs && !g_stop; i++) {
        struct itm_capture *c = itm_capture_open_file(o->inputs[i], &o->cap, msg, sizeof(msg));
        int end;
        if (!c) {
            if (report)
                fprintf(stderr, "itmscope: %s\n", msg);
            rc = EXIT_USAGE;
            continue;
        }
        snprintf(label, sizeof(label), "%s%u/%u", report ? "" : "learning roles: ", i + 1,
                 o->ninputs);
        rs->cur = c;
        itm_progress_start(&rs->prog, stderr, label, itm_engine_stats(e)->packets);
        end = itm_capture_run(c, e, &g_stop, file_tick, rs, msg, sizeof(msg));
        itm_progress_end(&rs->prog);
        rs->cur = NULL;
        if (report && end == ITM_CAP_TRUNCATED)
            fprintf(stderr, "itmscope: warning: %s (the records before it were read)\n", msg);
        if (end == ITM_CAP_ERROR) {
            if (report)
                fprintf(stderr, "itmscope: %s\n", msg);
            rc = EXIT_USAGE;
        }
        itm_capture_close(c);
    }
    return rc;
}

/* c: the live capture, opened before the outputs (they take its link type); closed here. */
static int run_live(const struct opts *o, struct itm_engine *e, struct itm_capture *c,
                    struct run_state *rs)
{
    char msg[1024];
    int end;

    rs->cur = c;
    rs->next_status = time(NULL) + (time_t)o->stats_interval;
    /* a break for SIGHUP/SIGUSR1 was served by the tick: capture goes on */
    do
        end = itm_capture_run(c, e, &g_stop, live_tick, rs, msg, sizeof(msg));
    while (end == ITM_CAP_STOPPED && !g_stop);
    pull_kernel_stats(rs);
    rs->cur = NULL;
    g_live = NULL;
    itm_capture_close(c);
    if (end == ITM_CAP_ERROR) {
        fprintf(stderr, "itmscope: %s\n", msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* Live capture: the capture handle and every output file are open, so root is no longer
 * needed (docs/hardening.md). 0, or -1 after saying why; the caller must then exit. */
static int drop_privileges(const struct opts *o)
{
#ifdef ITM_HAVE_CAPNG
    char msg[512];

    if (itm_privdrop(o->user, o->chroot_dir, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "itmscope: %s\n", msg);
        return -1;
    }
    return 0;
#else
    if (o->user || o->chroot_dir) {
        fprintf(stderr, "itmscope: -u/--chroot: built without libcap-ng, cannot drop privileges\n");
        return -1;
    }
    if (geteuid() == 0)
        fprintf(stderr, "itmscope: warning: built without libcap-ng: capturing as root\n");
    return 0;
#endif
}

static int all_seekable(const struct opts *o)
{
    struct stat st;

    for (unsigned i = 0; i < o->ninputs; i++)
        if (strcmp(o->inputs[i], "-") == 0 || stat(o->inputs[i], &st) != 0 ||
            !S_ISREG(st.st_mode))
            return 0;
    return 1;
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

static int is_stdout(const char *arg)
{
    return arg && strcmp(arg, "-") == 0;
}

/* Adds the outputs asked for. While no other output claims stdout (and without -q), the
 * report goes there, after packet lines when live. 0, or -1 when one failed to open (it
 * said why). */
static int add_outputs(const struct opts *o, struct itm_engine *e,
                       const struct itm_output_ctx *octx, const struct itm_site *site)
{
    int claimed = is_stdout(o->json) || is_stdout(o->csv) || is_stdout(o->pcap) ||
                  is_stdout(o->matrix) || is_stdout(o->report) || o->rules || o->packets ||
                  o->roles;
    int fill = !claimed && !o->quiet;
    const char *report = o->report ? o->report : (fill ? "-" : NULL);
    const struct {
        const struct itm_output_ops *ops;
        const char *arg;
    } want[] = {
        {&itm_out_packets, o->packets || (o->iface && fill) ? "-" : NULL},
        {o->rotate ? &itm_out_json_rotating : &itm_out_json,
         o->rotate ? o->json_rotating : o->json},
        {&itm_out_csv, o->csv},
        {&itm_out_pcap, o->pcap},
        {&itm_out_matrix, o->matrix},
        {&itm_out_rules, o->rules},
        {&itm_out_report, report},
    };

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (want[i].arg && itm_engine_add_output(e, want[i].ops, want[i].arg, octx) != 0)
            return -1;
    if (o->rules)
        itm_out_rules_set_site(itm_engine_output(e, &itm_out_rules), site);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct itm_sigdb *db;
    struct itm_site *site = NULL;
    struct itm_engine *e = NULL;
    struct itm_output_ctx octx;
    struct itm_out_shared *shared = NULL; /* the report outputs' one model (octx.shared) */
    struct itm_capture *live = NULL;
    struct run_state rs;
    char msg[1024];
    int err = 0, rc = 0, end_rc, linktype = -1;
    uint32_t snaplen = 0;

    memset(&rs, 0, sizeof(rs));
#if defined(__GLIBC__)
    /* One heap for every thread: the outputs' thread builds the report's model, and an
     * arena of its own held about 6 MB more at a million flows, for no speed measured
     * (docs/performance.md). */
    mallopt(M_ARENA_MAX, 1);
#endif
    parse_opts(argc, argv, &o);
    if (o.check_sigs) {
        db = load_sigdb(o.check_sigs);
        if (!db)
            return EXIT_USAGE;
        itm_sigdb_print_summary(db, o.check_sigs, stdout);
        itm_sigdb_free(db);
        return 0;
    }
    db = load_sigdb(o.sigfile ? o.sigfile : default_sigfile());
    if (!db)
        return EXIT_USAGE;
    site = load_site(o.site, db);
    if (!site) {
        itm_sigdb_free(db);
        return EXIT_USAGE;
    }
    if (o.list_sigs) {
        itm_sigdb_print_table(db, stdout);
        goto out;
    }
    if (!o.iface && !o.ninputs)
        die_usage("nothing to read: give -r FILE or -i IFACE");
    check_inputs(&o, &linktype, &snaplen);
    if (o.iface) {
        live = itm_capture_open_live(o.iface, &o.cap, msg, sizeof(msg));
        if (!live) {
            fprintf(stderr, "itmscope: %s\n", msg);
            rc = EXIT_USAGE;
            goto out;
        }
        linktype = itm_capture_linktype(live);
        snaplen = itm_capture_snaplen(live);
    }
    e = itm_engine_new(&o.eng, db, site, &err);
    if (!e) {
        fprintf(stderr, "itmscope: %s\n", itm_err_str(err));
        rc = EXIT_USAGE;
        goto out;
    }
    memset(&octx, 0, sizeof(octx));
    octx.db = db;
    octx.cls = itm_engine_classifier(e);
    octx.inputs = o.iface ? (const char *const[]){o.iface, NULL} : o.inputs;
    octx.linktype = linktype;
    octx.snaplen = snaplen;
    octx.shared = &shared;
    if (add_outputs(&o, e, &octx, site) != 0 || (o.iface && drop_privileges(&o) != 0)) {
        rc = EXIT_USAGE;
        goto out;
    }
    rs.o = &o;
    rs.e = e;
    rs.octx = &octx;
    rs.show_progress = !o.quiet && isatty(STDERR_FILENO);
    g_live = live;
    install_signals();
    if (o.iface) {
        rc = run_live(&o, e, live, &rs);
        live = NULL; /* run_live closed it */
    } else {
        if (!o.one_pass && all_seekable(&o) && itm_site_policy(site)->infer_roles) {
            itm_engine_set_observe_only(e, 1);
            run_files(&o, e, 0, &rs);
            itm_engine_end_pass(e);
        }
        rc = run_files(&o, e, 1, &rs);
    }
    end_rc = itm_engine_finish(e, g_stop && o.iface ? ITM_END_SHUTDOWN : ITM_END_EOF);
    if (end_rc != 0) {
        fprintf(stderr, "itmscope: error writing output\n");
        rc = EXIT_USAGE;
    }
    if (o.roles)
        itm_classifier_print_roles(itm_engine_classifier(e), stdout);
    if (rc == 0 && o.fail_on_findings && itm_engine_stats(e)->alerts > 0)
        rc = EXIT_FINDINGS;
out:
    /* the engine first: it may still use the databases and sites kept across reloads */
    itm_engine_free(e);
    itm_capture_close(live);
    free_kept(&rs);
    itm_site_free(site);
    itm_sigdb_free(db);
    return rc;
}
