/* main.c: the itmscope command: options, loading the signature database and site, wiring
 * capture sources to the engine and outputs, signals, exit codes. The only file that
 * prints usage errors and calls exit(). Exit codes: 0 clean, 1 findings with
 * --fail-on-findings, 2 usage or input error. */
#include <getopt.h>
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
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define MAX_INPUTS 64

struct opts {
    const char *inputs[MAX_INPUTS + 1];
    unsigned ninputs;
    const char *iface;
    const char *json;
    const char *site;
    const char *sigfile;
    const char *check_sigs;
    int list_sigs, roles, one_pass, quiet, fail_on_findings;
    uint32_t stats_interval;
    struct itm_capture_cfg cap;
    struct itm_engine_cfg eng;
};

static volatile sig_atomic_t g_stop;

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void die_usage(const char *msg)
{
    fprintf(stderr, "itmscope: %s\n", msg);
    fprintf(stderr, "Try 'itmscope --help' for more information.\n");
    exit(EXIT_USAGE);
}

static void usage(void)
{
    printf(
        "Usage: itmscope [OPTIONS] -r FILE [-r FILE...] | -i IFACE\n"
        "Labels traffic with the Symantec ITMS 8.x component that explains it, and flags\n"
        "what no documented component explains.\n\n"
        "Input:\n"
        "  -r FILE              read a pcap/pcapng file ('-' for stdin); repeatable, in order\n"
        "  -i IFACE             capture live on an interface\n"
        "  -f EXPR              BPF filter (tcpdump syntax), files and live\n"
        "  -p                   live: do not put the interface in promiscuous mode\n"
        "  -s SNAPLEN           live: bytes captured per packet (default %u)\n"
        "  -B MB                live: kernel buffer size in MiB (default %u)\n"
        "Knowledge:\n"
        "  --signatures FILE    signature database (default: the bundled itms.sig)\n"
        "  -S, --site FILE      site file: roles, local networks, port moves, policy\n"
        "  --check-signatures FILE  validate a signature database and print a summary\n"
        "  --list-signatures    print the rules as a table\n"
        "Output:\n"
        "  --json FILE          JSON Lines events (flow, alert, stats); '-' for stdout\n"
        "  --roles              print every host's declared and inferred roles\n"
        "  --fail-on-findings   exit 1 when any flow was flagged\n"
        "  -q                   quiet: no summary, no live status line\n"
        "Tracking:\n"
        "  --max-flows N        flows tracked at once (default %u); the oldest is evicted\n"
        "  --timeout SPEC       idle timeouts, e.g. tcp=600,tcp-closed=10,udp=120,icmp=60,other=120\n"
        "  --vlan-in-key        the outer VLAN id is part of the flow key\n"
        "  --one-pass           offline: label in one pass (roles refine as they are learned)\n"
        "  --stats-interval N   live: status line and stats event every N seconds (default 10)\n"
        "  --seed N             hash seed (default: random)\n"
        "  -V, --version        print the version\n\n"
        "Exit status: 0 clean, 1 findings (with --fail-on-findings), 2 usage or input error.\n",
        ITM_DEFAULT_SNAPLEN, ITM_DEFAULT_BUFFER_MB, ITM_DEFAULT_MAX_FLOWS);
}

enum {
    OPT_JSON = 256,
    OPT_SIGNATURES,
    OPT_CHECK_SIGS,
    OPT_LIST_SIGS,
    OPT_ROLES,
    OPT_MAX_FLOWS,
    OPT_TIMEOUT,
    OPT_VLAN_KEY,
    OPT_ONE_PASS,
    OPT_SEED,
    OPT_FAIL,
    OPT_STATS_INTERVAL,
};

static void parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option lopts[] = {
        {"json", required_argument, NULL, OPT_JSON},
        {"signatures", required_argument, NULL, OPT_SIGNATURES},
        {"check-signatures", required_argument, NULL, OPT_CHECK_SIGS},
        {"list-signatures", no_argument, NULL, OPT_LIST_SIGS},
        {"site", required_argument, NULL, 'S'},
        {"roles", no_argument, NULL, OPT_ROLES},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"vlan-in-key", no_argument, NULL, OPT_VLAN_KEY},
        {"one-pass", no_argument, NULL, OPT_ONE_PASS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"fail-on-findings", no_argument, NULL, OPT_FAIL},
        {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    char msg[512];
    uint64_t seed;
    int c;

    memset(o, 0, sizeof(*o));
    o->cap.promisc = 1;
    o->cap.immediate = 1;
    o->stats_interval = 10;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:i:f:ps:B:S:qhV", lopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->ninputs >= MAX_INPUTS)
                die_usage("too many -r inputs (at most 64)");
            o->inputs[o->ninputs++] = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'f':
            o->cap.filter = optarg;
            break;
        case 'p':
            o->cap.promisc = 0;
            break;
        case 's':
            if (itm_parse_u32("-s", optarg, 64, 262144, &o->cap.snaplen, msg, sizeof(msg)))
                die_usage(msg);
            break;
        case 'B':
            if (itm_parse_u32("-B", optarg, 1, 4096, &o->cap.buffer_mb, msg, sizeof(msg)))
                die_usage(msg);
            break;
        case 'S':
            o->site = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            usage();
            exit(0);
        case 'V':
            printf("itmscope %s\n", ITM_VERSION);
            exit(0);
        case OPT_JSON:
            o->json = optarg;
            break;
        case OPT_SIGNATURES:
            o->sigfile = optarg;
            break;
        case OPT_CHECK_SIGS:
            o->check_sigs = optarg;
            break;
        case OPT_LIST_SIGS:
            o->list_sigs = 1;
            break;
        case OPT_ROLES:
            o->roles = 1;
            break;
        case OPT_MAX_FLOWS:
            if (itm_parse_u32("--max-flows", optarg, 1, ITM_MAX_MAX_FLOWS, &o->eng.max_flows, msg,
                              sizeof(msg)))
                die_usage(msg);
            break;
        case OPT_TIMEOUT:
            if (itm_parse_timeouts(optarg, o->eng.timeout_s, msg, sizeof(msg)))
                die_usage(msg);
            break;
        case OPT_VLAN_KEY:
            o->eng.vlan_in_key = 1;
            break;
        case OPT_ONE_PASS:
            o->one_pass = 1;
            break;
        case OPT_SEED:
            if (itm_parse_u64("--seed", optarg, 0, UINT64_MAX, &seed, msg, sizeof(msg)))
                die_usage(msg);
            o->eng.seed[0] = seed;
            o->eng.seed[1] = seed ^ UINT64_C(0x5bd1e9955bd1e995);
            break;
        case OPT_FAIL:
            o->fail_on_findings = 1;
            break;
        case OPT_STATS_INTERVAL:
            if (itm_parse_u32("--stats-interval", optarg, 1, 86400, &o->stats_interval, msg,
                              sizeof(msg)))
                die_usage(msg);
            break;
        case ':':
            snprintf(msg, sizeof(msg), "option '%s' needs a value", argv[optind - 1]);
            die_usage(msg);
            break;
        default:
            snprintf(msg, sizeof(msg), "unknown option '%s'", argv[optind - 1]);
            die_usage(msg);
        }
    }
    if (optind < argc) {
        snprintf(msg, sizeof(msg), "unexpected argument '%s' (files are given with -r)",
                 argv[optind]);
        die_usage(msg);
    }
    if (o->iface && o->ninputs)
        die_usage("-i and -r cannot be used together");
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

    if (!db)
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
        if (path)
            fprintf(stderr, "itmscope: %s: site file rejected (%u error%s)\n", path, d.errors,
                    d.errors == 1 ? "" : "s");
        else
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

/* Opens every input once before any work, so a typo fails fast with nothing half done. */
static void check_inputs(const struct opts *o)
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
        itm_capture_close(c);
    }
}

struct live_ctx {
    struct itm_engine *e;
    struct itm_capture *cap;
    const struct opts *o;
    time_t next;
    uint64_t last_pkts;
};

static int live_tick(void *ctx)
{
    struct live_ctx *lc = ctx;
    uint64_t recv = 0, drop = 0, ifdrop = 0;
    time_t now = time(NULL);

    if (g_stop)
        return 1;
    if (now < lc->next)
        return 0;
    if (itm_capture_stats(lc->cap, &recv, &drop, &ifdrop) == 0)
        itm_engine_set_kernel_stats(lc->e, recv, drop, ifdrop);
    {
        const struct itm_stats *st = itm_engine_stats(lc->e);
        if (!lc->o->quiet)
            fprintf(stderr,
                    "itmscope: %llu pkts (%llu/s), %llu flows, %llu alerts, %llu kernel drops\n",
                    (unsigned long long)st->packets,
                    (unsigned long long)((st->packets - lc->last_pkts) / lc->o->stats_interval),
                    (unsigned long long)(st->flows_created - st->flows_ended),
                    (unsigned long long)st->alerts, (unsigned long long)st->kernel_drop);
        lc->last_pkts = st->packets;
    }
    itm_engine_emit_stats(lc->e, (uint64_t)now * 1000000000u);
    lc->next = now + (time_t)lc->o->stats_interval;
    return 0;
}

/* Runs every file through the engine. Returns 0, or EXIT_USAGE when a file failed. */
static int run_files(const struct opts *o, struct itm_engine *e, int report)
{
    char msg[1024];
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
        end = itm_capture_run(c, e, &g_stop, NULL, NULL, msg, sizeof(msg));
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

static int run_live(const struct opts *o, struct itm_engine *e)
{
    char msg[1024];
    struct live_ctx lc;
    struct itm_capture *c = itm_capture_open_live(o->iface, &o->cap, msg, sizeof(msg));
    uint64_t recv = 0, drop = 0, ifdrop = 0;
    int end;

    if (!c) {
        fprintf(stderr, "itmscope: %s\n", msg);
        return EXIT_USAGE;
    }
    memset(&lc, 0, sizeof(lc));
    lc.e = e;
    lc.cap = c;
    lc.o = o;
    lc.next = time(NULL) + (time_t)o->stats_interval;
    end = itm_capture_run(c, e, &g_stop, live_tick, &lc, msg, sizeof(msg));
    if (itm_capture_stats(c, &recv, &drop, &ifdrop) == 0)
        itm_engine_set_kernel_stats(e, recv, drop, ifdrop);
    itm_capture_close(c);
    if (end == ITM_CAP_ERROR) {
        fprintf(stderr, "itmscope: %s\n", msg);
        return EXIT_USAGE;
    }
    return 0;
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
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    struct opts o;
    struct itm_sigdb *db;
    struct itm_site *site = NULL;
    struct itm_engine *e;
    struct itm_output_ctx octx;
    int err = 0, rc = 0, end_rc;

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
    check_inputs(&o);
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
    octx.linktype = -1;
    if (o.json && itm_engine_add_output(e, &itm_out_json, o.json, &octx) != 0) {
        itm_engine_free(e);
        rc = EXIT_USAGE;
        goto out;
    }
    install_signals();
    if (o.iface) {
        rc = run_live(&o, e);
    } else {
        if (!o.one_pass && all_seekable(&o) && itm_site_policy(site)->infer_roles) {
            itm_engine_set_observe_only(e, 1);
            run_files(&o, e, 0);
            itm_engine_end_pass(e);
        }
        rc = run_files(&o, e, 1);
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
    itm_engine_free(e);
out:
    itm_site_free(site);
    itm_sigdb_free(db);
    return rc;
}
