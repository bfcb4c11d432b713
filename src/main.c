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
#include "itmscope/privdrop.h"
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
    const char *report, *csv, *pcap, *matrix, *rules;
    int packets;
    uint32_t rotate;
    char json_rotating[4200]; /* "SECONDS:FILE" for the rotating JSON output */
    const char *site;
    const char *sigfile;
    const char *check_sigs;
    const char *user, *chroot_dir; /* live as root: privileges to drop to */
    int list_sigs, roles, one_pass, quiet, fail_on_findings;
    uint32_t stats_interval;
    struct itm_capture_cfg cap;
    struct itm_engine_cfg eng;
};

static volatile sig_atomic_t g_stop, g_reload, g_report;

/* The live capture, for on_stop: libpcap does not return on a signal by itself. */
static struct itm_capture *volatile g_live;

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_live)
        itm_capture_breakloop(g_live);
}

/* Reload and report requests are served between batches: break out of a quiet capture's
 * wait so that they do not wait for the next packet. */
static void on_hup(int sig)
{
    (void)sig;
    g_reload = 1;
    if (g_live)
        itm_capture_breakloop(g_live);
}

static void on_usr1(int sig)
{
    (void)sig;
    g_report = 1;
    if (g_live)
        itm_capture_breakloop(g_live);
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
        "  -u USER              live, started as root: once the capture and outputs are open,\n"
        "                       run as USER (default nobody) with no capabilities\n"
        "  --chroot DIR         live, started as root: also confine to DIR\n"
        "Knowledge:\n"
        "  --signatures FILE    signature database (default: the bundled itms.sig)\n"
        "  -S, --site FILE      site file: roles, local networks, port moves, policy\n"
        "  --check-signatures FILE  validate a signature database and print a summary\n"
        "  --list-signatures    print the rules as a table\n"
        "Output:\n"
        "  --json FILE          JSON Lines events (flow, alert, stats); '-' for stdout\n"
        "  --rotate SECONDS     with --json FILE: one file per period, FILE.YYYYmmddTHHMMSSZ\n"
        "  --report FILE        the audit report ('-': stdout, the default when no other\n"
        "                       output is asked for)\n"
        "  --matrix FILE        the firewall matrix as CSV\n"
        "  --rules nft|iptables print candidate allow rules for the documented traffic seen\n"
        "  --csv FILE           one CSV row per flow (the JSON flow event's fields)\n"
        "  -w FILE              evidence pcap: every packet of the flagged flows\n"
        "  --packets            one line per packet (a live capture's default output)\n"
        "  --roles              print every host's declared and inferred roles\n"
        "  --fail-on-findings   exit 1 when any flow was flagged\n"
        "  -q                   quiet: no default report or packet lines, no status line,\n"
        "                       no progress bar\n"
        "Tracking:\n"
        "  --max-flows N        flows tracked at once (default %u); the oldest is evicted\n"
        "  --max-frags N        fragmented datagrams tracked at once (default %u)\n"
        "  --max-expectations N pending TFTP/PXE expectations (default %u)\n"
        "  --max-hosts N        hosts the role learner tracks (default %u)\n"
        "  --max-scan-sources N sources tracked for scan detection (default %u)\n"
        "  --timeout SPEC       idle timeouts, e.g. tcp=600,tcp-closed=10,udp=120,icmp=60,other=120\n"
        "  --vlan-in-key        the outer VLAN id is part of the flow key\n"
        "  --one-pass           offline: label in one pass (roles refine as they are learned)\n"
        "  --stats-interval N   live: status line and stats event every N seconds (default 10)\n"
        "  --seed N             hash seed (default: random)\n"
        "  -V, --version        print the version\n\n"
        "Signals: SIGINT/SIGTERM stop and write every output; SIGHUP reloads the signatures\n"
        "and the site file (a file with errors is refused, the old one stays); SIGUSR1\n"
        "writes the report so far.\n"
        "Exit status: 0 clean, 1 findings (with --fail-on-findings), 2 usage or input error.\n",
        ITM_DEFAULT_SNAPLEN, ITM_DEFAULT_BUFFER_MB, ITM_DEFAULT_MAX_FLOWS, ITM_MAX_FRAG_DATAGRAMS,
        ITM_MAX_EXPECTATIONS, ITM_MAX_HOSTS, ITM_MAX_SCAN_SOURCES);
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
    OPT_REPORT,
    OPT_CSV,
    OPT_MATRIX,
    OPT_RULES,
    OPT_PACKETS,
    OPT_ROTATE,
    OPT_CHROOT,
    OPT_MAX_FRAGS,
    OPT_MAX_EXPECT,
    OPT_MAX_HOSTS,
    OPT_MAX_SCAN,
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
        {"report", required_argument, NULL, OPT_REPORT},
        {"csv", required_argument, NULL, OPT_CSV},
        {"matrix", required_argument, NULL, OPT_MATRIX},
        {"rules", required_argument, NULL, OPT_RULES},
        {"packets", no_argument, NULL, OPT_PACKETS},
        {"rotate", required_argument, NULL, OPT_ROTATE},
        {"user", required_argument, NULL, 'u'},
        {"chroot", required_argument, NULL, OPT_CHROOT},
        {"max-frags", required_argument, NULL, OPT_MAX_FRAGS},
        {"max-expectations", required_argument, NULL, OPT_MAX_EXPECT},
        {"max-hosts", required_argument, NULL, OPT_MAX_HOSTS},
        {"max-scan-sources", required_argument, NULL, OPT_MAX_SCAN},
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
    while ((c = getopt_long(argc, argv, ":r:i:f:ps:B:S:qhVw:u:", lopts, NULL)) != -1) {
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
        case OPT_REPORT:
            o->report = optarg;
            break;
        case OPT_CSV:
            o->csv = optarg;
            break;
        case 'w':
            o->pcap = optarg;
            break;
        case OPT_MATRIX:
            o->matrix = optarg;
            break;
        case OPT_RULES:
            if (strcmp(optarg, "nft") != 0 && strcmp(optarg, "iptables") != 0)
                die_usage("--rules takes nft or iptables");
            o->rules = optarg;
            break;
        case OPT_PACKETS:
            o->packets = 1;
            break;
        case OPT_ROTATE:
            if (itm_parse_u32("--rotate", optarg, 1, 86400u * 366u, &o->rotate, msg, sizeof(msg)))
                die_usage(msg);
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
        case 'u':
            o->user = optarg;
            break;
        case OPT_CHROOT:
            o->chroot_dir = optarg;
            break;
        case OPT_MAX_FRAGS:
            if (itm_parse_u32("--max-frags", optarg, 1, ITM_MAX_MAX_FLOWS, &o->eng.max_frags, msg,
                              sizeof(msg)))
                die_usage(msg);
            break;
        case OPT_MAX_EXPECT:
            if (itm_parse_u32("--max-expectations", optarg, 1, ITM_MAX_MAX_FLOWS,
                              &o->eng.cls.max_expectations, msg, sizeof(msg)))
                die_usage(msg);
            break;
        case OPT_MAX_HOSTS:
            if (itm_parse_u32("--max-hosts", optarg, 1, ITM_MAX_MAX_FLOWS, &o->eng.cls.max_hosts,
                              msg, sizeof(msg)))
                die_usage(msg);
            break;
        case OPT_MAX_SCAN:
            if (itm_parse_u32("--max-scan-sources", optarg, 1, ITM_MAX_MAX_FLOWS,
                              &o->eng.cls.max_scan_sources, msg, sizeof(msg)))
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
    /* offline runs reopen their files for the second pass: there is no point to drop at */
    if ((o->user || o->chroot_dir) && !o->iface)
        die_usage("-u and --chroot apply to live capture (-i)");
    if (o->rotate && (!o->json || strcmp(o->json, "-") == 0))
        die_usage("--rotate needs --json FILE");
    if (o->rotate && (size_t)snprintf(o->json_rotating, sizeof(o->json_rotating), "%u:%s",
                                      o->rotate, o->json) >= sizeof(o->json_rotating))
        die_usage("--json: file name too long");
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

/* What the hooks between capture batches need: signals, progress. */
struct run_state {
    const struct opts *o;
    struct itm_engine *e;
    struct itm_output_ctx *octx;
    struct itm_capture *cur;
    struct kept *kept;
    int show_progress;
    struct itm_progress prog;
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

static void report_now(struct run_state *rs)
{
    struct itm_output *rep = itm_engine_output(rs->e, &itm_out_report);
    uint64_t recv, drop, ifdrop;

    if (!rep) {
        fprintf(stderr, "itmscope: SIGUSR1: no report is being written (see --report)\n");
        return;
    }
    if (rs->cur && itm_capture_stats(rs->cur, &recv, &drop, &ifdrop) == 0)
        itm_engine_set_kernel_stats(rs->e, recv, drop, ifdrop);
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

struct live_ctx {
    struct itm_engine *e;
    struct itm_capture *cap;
    struct run_state *rs;
    const struct opts *o;
    time_t next;
    time_t last_advance;
    uint64_t last_pkts;
};

static int live_tick(void *ctx)
{
    struct live_ctx *lc = ctx;
    uint64_t recv = 0, drop = 0, ifdrop = 0;
    time_t now = time(NULL);

    if (g_stop)
        return 1;
    handle_requests(lc->rs);
    if (now != lc->last_advance) {
        struct timespec ts;
        /* a quiet interface delivers no packet time: let the wall clock expire flows */
        clock_gettime(CLOCK_REALTIME, &ts);
        itm_engine_advance(lc->e, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
        lc->last_advance = now;
    }
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
    struct live_ctx lc;
    uint64_t recv = 0, drop = 0, ifdrop = 0;
    int end;

    memset(&lc, 0, sizeof(lc));
    lc.e = e;
    lc.cap = c;
    lc.rs = rs;
    rs->cur = c;
    lc.o = o;
    lc.next = time(NULL) + (time_t)o->stats_interval;
    /* a break for SIGHUP/SIGUSR1 was served by the tick: capture goes on */
    do
        end = itm_capture_run(c, e, &g_stop, live_tick, &lc, msg, sizeof(msg));
    while (end == ITM_CAP_STOPPED && !g_stop);
    if (itm_capture_stats(c, &recv, &drop, &ifdrop) == 0)
        itm_engine_set_kernel_stats(e, recv, drop, ifdrop);
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
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_usr1;
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
    struct itm_engine *e;
    struct itm_output_ctx octx;
    struct itm_capture *live = NULL;
    struct run_state rs;
    char msg[1024];
    int err = 0, rc = 0, end_rc, linktype = -1;
    uint32_t snaplen = 0;

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
        itm_capture_close(live);
        rc = EXIT_USAGE;
        goto out;
    }
    memset(&octx, 0, sizeof(octx));
    octx.db = db;
    octx.cls = itm_engine_classifier(e);
    octx.inputs = o.iface ? (const char *const[]){o.iface, NULL} : o.inputs;
    octx.linktype = linktype;
    octx.snaplen = snaplen;
    if (add_outputs(&o, e, &octx, site) != 0) {
        itm_engine_free(e);
        itm_capture_close(live);
        rc = EXIT_USAGE;
        goto out;
    }
    memset(&rs, 0, sizeof(rs));
    rs.o = &o;
    rs.e = e;
    rs.octx = &octx;
    rs.show_progress = !o.quiet && isatty(STDERR_FILENO);
    if (o.iface && drop_privileges(&o) != 0) {
        itm_engine_free(e);
        itm_capture_close(live);
        rc = EXIT_USAGE;
        goto out;
    }
    g_live = live;
    install_signals();
    if (o.iface) {
        rc = run_live(&o, e, live, &rs);
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
    itm_engine_free(e);
    free_kept(&rs);
out:
    itm_site_free(site);
    itm_sigdb_free(db);
    return rc;
}
