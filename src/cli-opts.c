/* cli-opts.c: the itmscope command's options and usage text. Every value is checked
 * strictly (itm_parse_*) and every problem is one line naming the option; nothing here
 * touches captures, files or the engine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-opts.h"
#include "itm-config.h"
#include "itm-limits.h"
#include "itmscope/cli.h"

void die_usage(const char *msg)
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
        "  --no-read-thread     offline: read files on the pipeline's thread (by default a\n"
        "                       second CPU, when there is one, reads while the first works)\n"
        "  --no-output-thread   write outputs on the pipeline's thread (by default, once\n"
        "                       16384 flows have been written, a second CPU writes them)\n"
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
    OPT_NO_READ_THREAD,
    OPT_NO_OUTPUT_THREAD,
};

void parse_opts(int argc, char **argv, struct opts *o)
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
        {"no-read-thread", no_argument, NULL, OPT_NO_READ_THREAD},
        {"no-output-thread", no_argument, NULL, OPT_NO_OUTPUT_THREAD},
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
        case OPT_NO_READ_THREAD:
            o->cap.no_read_thread = 1;
            break;
        case OPT_NO_OUTPUT_THREAD:
            o->eng.no_output_thread = 1;
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
