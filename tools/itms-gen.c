/* itms-gen.c: command line of itms-gen, the synthetic ITMS 8.x traffic generator. It parses
 * arguments, opens the pcap writer and/or the injection interface, runs one scenario and
 * writes the truth table. It must never inject anywhere but the interface named by -i.
 *
 * itms-gen builds every frame with libnet (a LIBNET_NONE context: construction only, no
 * device, no privileges) and writes them with libpcap (pcap_open_dead + pcap_dump), or
 * injects them with libnet on -i IFACE at --rate packets per second. It is standalone: it
 * does not link libitmscope, so the captures it makes can check itmscope independently.
 *
 * Usage:
 *   itms-gen SCENARIO [-s SEED] [-w FILE.pcap] [--truth FILE.jsonl] [--site-out FILE]
 *            [-i IFACE [--rate PPS]] [--packets N] [--flows N] [--concurrent N]
 *
 * Scenarios:
 *   site     a small ITMS site: Notification Server (IPv4 and IPv6), child NS, two task
 *            servers, package server, Internet Gateway, PXE/TFTP server, SQL, domain
 *            controller, mail, DNS, WINS, Event Console, monitor and workflow servers,
 *            Windows agents (one subnet on 802.1Q VLAN 120, some IPv6), ULM agents, a PXE
 *            client, consoles, managed and network devices. At least one flow for every
 *            rule id of the ITMS 8.x ports table that appears on the wire (the host-local
 *            Event Console ports, ulm-src-ports and ppa-snmp-trap-extra do not), with
 *            payloads that dissect cleanly: HTTP to /Altiris/ paths, TLS 1.2 ClientHello with
 *            SNI, SMB2 negotiate, NetBIOS, DCE/RPC bind, TDS prelogin, LDAP/CLDAP, SMTP, DNS,
 *            DHCP/PXE with option 60, proxyDHCP on 4011, TFTP RRQ then DATA/ACK from a new
 *            server port, SNMP get/response and traps, SSH, Wake-on-LAN (UDP, and the
 *            table's TCP 50200), IGMPv2 joins of 224.0.255.135, tickles, ICMP echo.
 *   attacks  the same site plus planted findings: agent-to-agent SMB and RDP, a tickle
 *            from an agent, IRC on a task server, a 60-port SYN scan of the NS, a tickle to
 *            multicast group 239.1.1.1, an agent to 203.0.113.50:8443, agent HTTP to the NS
 *            on 8080, SSH on the package server's port 80.
 *   edge     IPv4 and IPv6 fragments in and out of order (first fragment last), frames cut
 *            by a 96-byte snap length and one cut inside its TCP header, QinQ (0x88a8 then
 *            0x8100), IPv6 hop-by-hop / destination options / fragment headers, a reused
 *            TCP 4-tuple, mid-stream starts from either side.
 *   bench    --packets (default 5000000) small packets in --flows distinct flows (default
 *            packets/25), at most --concurrent open at once (default 65536), ITMS-heavy
 *            port mix, about 10% IPv6. libnet builds two header templates per flow; packets
 *            patch them.
 *
 * Determinism: the output depends only on the scenario, the seed (-s, default 1) and the
 * sizing options. Randomness comes from a splitmix64 generator; timestamps start at
 * 2026-01-05T09:00:00Z and advance by simulated gaps. The wall clock is read only to pace
 * injection.
 *
 * --truth FILE writes one JSON object per flow, in the order of each flow's first packet:
 *   {"proto":"tcp","src_ip":"10.1.0.10","src_port":51234,"dest_ip":"10.1.0.21",
 *    "dest_port":50123,"rule":"ts-tickle","client_roles":["notification-server"],
 *    "server_roles":["task-server"],"flags":[],"pkts":9,"note":"..."}
 * src is the client: the SYN sender; else, when only one port is a documented listening
 * port, the other side (a mid-stream flow to port 80 whose first packet is the server's);
 * else the first sender (TFTP data: the server). "vlan":[outer,inner] appears for tagged
 * flows (one id for 802.1Q); "alt_rules" lists other table rows the same traffic also
 * fits where the table repeats a port for the same roles. rule is null when no row
 * explains the flow; flags lists only what the scenario planted. Roles are those the site
 * file declares for each address. ICMP echo: both ports are the echo id. pkts counts
 * frames in both directions (each IP fragment is a frame).
 *
 * --site-out FILE writes the matching site file (signatures/site-format.md).
 *
 * -i IFACE injects the frames on IFACE instead of (or as well as, with -w) writing them.
 * Only use it on a veth inside a network namespace made for the purpose. --rate PPS paces
 * injection (default 1000); it needs -i. Frames a scenario cuts short (edge) go out cut.
 * An interface that cannot be opened is an error.
 *
 * Exit status: 0 success, 1 failure while generating or writing, 2 bad arguments or an
 * interface that cannot be opened. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

struct opts {
    const char *scenario, *wfile, *truth, *site_out, *iface;
    uint64_t seed, rate, packets, flows, concurrent;
    int sized;
};

static const char usage_text[] =
    "usage: itms-gen SCENARIO [-s SEED] [-w FILE.pcap] [--truth FILE.jsonl] [--site-out FILE]\n"
    "                [-i IFACE [--rate PPS]] [--packets N] [--flows N] [--concurrent N]\n"
    "\n"
    "Generates Symantec ITMS 8.x traffic, deterministic for a given seed.\n"
    "\n"
    "scenarios:\n"
    "  site       a small ITMS site exercising every rule of the ITMS 8.x ports table\n"
    "  attacks    the site plus planted findings (lateral movement, scan, rogue tickle,\n"
    "             wrong multicast group, external peer, non-standard port, ...)\n"
    "  edge       fragments, truncated frames, QinQ, IPv6 extension headers, port reuse,\n"
    "             mid-stream starts\n"
    "  bench      large capture for throughput tests, sized by --packets/--flows/--concurrent\n"
    "\n"
    "options:\n"
    "  -s, --seed SEED         PRNG seed (default 1)\n"
    "  -w, --write FILE        write a pcap (Ethernet, microsecond timestamps); '-' = stdout\n"
    "      --truth FILE        write the truth table: one JSON object per flow\n"
    "      --site-out FILE     write the site file that declares the capture's hosts\n"
    "  -i, --interface IFACE   inject on IFACE (a veth in a test namespace only)\n"
    "      --rate PPS          injection rate in packets per second (default 1000)\n"
    "      --packets N         bench: packets in total (default 5000000)\n"
    "      --flows N           bench: distinct flows (default packets/25)\n"
    "      --concurrent N      bench: flows open at once (default 65536)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Timestamps start at 2026-01-05T09:00:00Z. Exit status: 0 ok, 1 failure, 2 usage.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("itms-gen: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try --help)\n", stderr);
    return 2;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

enum { OPT_TRUTH = 256, OPT_SITE, OPT_RATE, OPT_PACKETS, OPT_FLOWS, OPT_CONC };

static int parse_number_opt(int c, const char *arg, struct opts *o)
{
    switch (c) {
    case 's':
        return parse_u64(arg, 0, UINT64_MAX, &o->seed) ? usage_error("bad seed '%s'", arg) : 0;
    case OPT_RATE:
        return parse_u64(arg, 1, 100000000, &o->rate) ? usage_error("bad rate '%s'", arg) : 0;
    case OPT_PACKETS:
        o->sized = 1;
        return parse_u64(arg, 1, UINT64_C(10000000000), &o->packets)
                   ? usage_error("bad packet count '%s'", arg)
                   : 0;
    case OPT_FLOWS:
        o->sized = 1;
        return parse_u64(arg, 1, UINT64_C(10000000000), &o->flows)
                   ? usage_error("bad flow count '%s'", arg)
                   : 0;
    default:
        o->sized = 1;
        return parse_u64(arg, 1, 16777216, &o->concurrent)
                   ? usage_error("bad concurrency '%s'", arg)
                   : 0;
    }
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"write", required_argument, NULL, 'w'},
        {"truth", required_argument, NULL, OPT_TRUTH},
        {"site-out", required_argument, NULL, OPT_SITE},
        {"interface", required_argument, NULL, 'i'},
        {"rate", required_argument, NULL, OPT_RATE},
        {"packets", required_argument, NULL, OPT_PACKETS},
        {"flows", required_argument, NULL, OPT_FLOWS},
        {"concurrent", required_argument, NULL, OPT_CONC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:w:i:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o->wfile = optarg; break;
        case 'i': o->iface = optarg; break;
        case OPT_TRUTH: o->truth = optarg; break;
        case OPT_SITE: o->site_out = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        case '?': return usage_error("unknown option '%s'", argv[optind - 1]);
        default:
            if ((rc = parse_number_opt(c, optarg, o)) != 0)
                return rc;
        }
    }
    if (optind != argc - 1)
        return usage_error("%s", optind >= argc ? "missing SCENARIO" : "exactly one SCENARIO");
    o->scenario = argv[optind];
    return 0;
}

static int check_args(struct opts *o)
{
    static const char *const names[] = {"site", "attacks", "edge", "bench"};
    int known = 0;

    for (size_t i = 0; i < 4; i++)
        known |= strcmp(o->scenario, names[i]) == 0;
    if (!known)
        return usage_error("unknown scenario '%s' (site, attacks, edge or bench)", o->scenario);
    if (!o->wfile && !o->iface)
        return usage_error("%s", "nothing to do: give -w FILE.pcap and/or -i IFACE");
    if (o->rate && !o->iface)
        return usage_error("%s", "--rate needs -i IFACE");
    if (o->sized && strcmp(o->scenario, "bench") != 0)
        return usage_error("%s", "--packets, --flows and --concurrent apply to bench only");
    if (!o->flows)
        o->flows = o->packets / 25 ? o->packets / 25 : 1;
    if (o->flows > o->packets)
        return usage_error("%s", "--flows exceeds --packets (each flow needs a packet)");
    if (o->packets / o->flows >= UINT32_MAX / 2)
        return usage_error("%s", "too many packets per flow (use more --flows)");
    if (o->concurrent > o->flows)
        o->concurrent = o->flows;
    return 0;
}

static int open_outputs(struct gen *g, const struct opts *o)
{
    char errbuf[LIBNET_ERRBUF_SIZE];

    g->ln = libnet_init(LIBNET_NONE, NULL, errbuf);
    if (!g->ln) {
        fprintf(stderr, "itms-gen: libnet: %s\n", errbuf);
        return 1;
    }
    if (o->iface) {
        g->inj = libnet_init(LIBNET_LINK_ADV, o->iface, errbuf);
        if (!g->inj) {
            errbuf[strcspn(errbuf, "\r\n")] = 0;
            fprintf(stderr, "itms-gen: cannot open interface '%s' for injection: %s\n",
                    o->iface, errbuf);
            return 2;
        }
        g->rate_pps = o->rate ? o->rate : 1000;
    }
    if (o->wfile) {
        g->dead = pcap_open_dead(DLT_EN10MB, 65535);
        g->dump = g->dead ? pcap_dump_open(g->dead, o->wfile) : NULL;
        if (!g->dump) {
            fprintf(stderr, "itms-gen: cannot write '%s': %s\n", o->wfile,
                    g->dead ? pcap_geterr(g->dead) : "pcap_open_dead failed");
            return 1;
        }
    }
    return 0;
}

static int close_outputs(struct gen *g)
{
    int rc = 0;

    if (g->dump) {
        if (pcap_dump_flush(g->dump) != 0) {
            fprintf(stderr, "itms-gen: write error on the capture file\n");
            rc = 1;
        }
        pcap_dump_close(g->dump);
    }
    if (g->dead)
        pcap_close(g->dead);
    if (g->inj)
        libnet_destroy(g->inj);
    if (g->ln)
        libnet_destroy(g->ln);
    return rc;
}

static int run(struct gen *g, const struct opts *o)
{
    FILE *site = NULL;
    int rc;

    if (o->site_out && !(site = fopen(o->site_out, "w"))) {
        fprintf(stderr, "itms-gen: cannot write '%s': %s\n", o->site_out, strerror(errno));
        return 1;
    }
    if (strcmp(o->scenario, "site") == 0)
        rc = gen_scenario_site(g, site);
    else if (strcmp(o->scenario, "attacks") == 0)
        rc = gen_scenario_attacks(g, site);
    else if (strcmp(o->scenario, "edge") == 0)
        rc = gen_scenario_edge(g, site);
    else
        rc = gen_scenario_bench(g, site);
    if (site && fclose(site) != 0 && rc == 0) {
        fprintf(stderr, "itms-gen: write error on '%s'\n", o->site_out);
        return 1;
    }
    if (rc != 0 || g->failed) {
        fprintf(stderr, "itms-gen: %s: %s\n", o->scenario, g->err[0] ? g->err : "failed");
        return 1;
    }
    if (o->truth && gen_truth_write(g, o->truth) != 0) {
        fprintf(stderr, "itms-gen: cannot write '%s': %s\n", o->truth, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.seed = 1, .packets = 5000000, .concurrent = 65536};
    struct gen g;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if ((rc = check_args(&o)) != 0)
        return rc;
    memset(&g, 0, sizeof(g));
    g.rng = o.seed;
    g.record = o.truth != NULL;
    g.want_packets = o.packets;
    g.want_flows = o.flows;
    g.want_concurrent = o.concurrent;
    rc = open_outputs(&g, &o);
    if (rc == 0)
        rc = run(&g, &o);
    if (close_outputs(&g) != 0 && rc == 0)
        rc = 1;
    if (rc == 0 && g.record)
        fprintf(stderr, "itms-gen: %s: %" PRIu64 " frames, %" PRIu64 " bytes, %zu flows\n",
                o.scenario, g.frames, g.bytes, g.nflows);
    else if (rc == 0)
        fprintf(stderr, "itms-gen: %s: %" PRIu64 " frames, %" PRIu64 " bytes\n", o.scenario,
                g.frames, g.bytes);
    gen_flows_free(&g);
    return rc;
}
