/* gen-attacks.c: the "site" and "attacks" scenarios of itms-gen. attacks is the same site
 * with findings planted between its traffic groups; each planted flow is flagged in the
 * truth table with the finding it stands for, and nothing else is. */
#include <netinet/in.h>
#include <string.h>

#include "gen-site.h"

int gen_scenario_site(struct gen *g, FILE *site_out)
{
    struct gen_site *s = gen_site_new(g);

    if (!s)
        return -1;
    if (site_out)
        gen_site_write(site_out, "itms-gen site: a small ITMS 8.x site", NULL, NULL);
    gen_site_traffic(g, s);
    gen_site_free(s);
    return g->failed ? -1 : 0;
}

static void lateral(struct gen *g, const struct gen_site *s)
{
    /* X.224 Connection Request with an RDP negotiation request (TLS | CredSSP), and the
     * Connection Confirm selecting CredSSP (MS-RDPBCGR 2.2.1.1, 2.2.1.2). */
    static const uint8_t rdp_cr[19] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00,
                                       0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00};
    static const uint8_t rdp_cc[19] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
                                       0x00, 0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00};
    struct gen_conv cv = gen_cv(H("w2"), H("w6"), 445, NULL, NULL);

    cv.flags = GF_LATERAL;
    cv.note = "planted: agent to agent SMB (445 is documented only NS->agent and "
              "agent->package server)";
    gen_smb(g, &cv);
    cv = gen_cv(H("w3"), H("w7"), 3389, NULL, NULL);
    cv.flags = GF_LATERAL;
    cv.note = "planted: agent to agent RDP";
    gen_tcp_conv(g, &cv, rdp_cr, sizeof(rdp_cr), rdp_cc, sizeof(rdp_cc));
}

static void rogue_tickle(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w4"), H("w1"), 52028, "win-tickle-tcp", NULL);

    cv.flags = GF_ROLE_MISMATCH;
    cv.note = "planted: tickle sent by an agent, not by the NS or a task server";
    gen_msg(g, &cv, "TICKLE", 48, 8);
}

static void unknown_service(struct gen *g, const struct gen_site *s)
{
    static const char up[] = "NICK pc0105\r\nUSER pc0105 0 * :pc0105\r\nJOIN #ops\r\n";
    static const char down[] = ":irc.local 001 pc0105 :Welcome to the network\r\n";
    struct gen_conv cv = gen_cv(H("w5"), H("ts2"), 6667, NULL, NULL);

    cv.flags = GF_UNEXPECTED_PORT;
    cv.note = "planted: IRC service (tcp 6667) on a task server";
    gen_tcp_conv(g, &cv, up, sizeof(up) - 1, down, sizeof(down) - 1);
}

/* Ports a scanner tries that no ITMS rule documents for a Notification Server. */
static const uint16_t scan_ports[] = {
    7,    9,    13,   21,   23,   26,   37,   79,   81,   88,   106,  110,  111,  113,  119,
    143,  179,  199,  427,  465,  513,  514,  515,  543,  548,  554,  587,  631,  646,  873,
    990,  993,  995,  1110, 1720, 1723, 1755, 1900, 2049, 2121, 2717, 3000, 3128, 3306, 3389,
    3986, 4899, 5060, 5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6646, 8000, 8008, 8888,
};
#define NSCAN (sizeof(scan_ports) / sizeof(scan_ports[0]))

static void port_scan(struct gen *g, const struct gen_site *s)
{
    uint16_t order[NSCAN];
    uint16_t sport = (uint16_t)gen_range(g, 40000, 60000);
    const struct gen_host *scanner = H("scanner"), *ns = H("ns");

    memcpy(order, scan_ports, sizeof(order));
    for (size_t i = NSCAN - 1; i > 0; i--) {
        size_t j = gen_rand(g) % (i + 1);
        uint16_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    gen_wait(g, 50 * GEN_MS, 500 * GEN_MS);
    for (size_t i = 0; i < NSCAN && !g->failed; i++) {
        struct gen_tcp t;
        /* a scan is reported once per source and window, on the probe that reaches the
         * site file's scan_ports threshold; the probes around it are plain unanswered SYNs */
        size_t fid = gen_flow_new(g, IPPROTO_TCP, scanner, sport, ns, order[i], NULL, NULL,
                                  i + 1 == GEN_SCAN_PORTS ? GF_SCAN : 0);
        gen_flow_note(g, fid, "planted: SYN scan of the NS (%zu ports), closed port answers "
                              "RST",
                      NSCAN);
        gen_tcp_init(&t, g, fid, scanner, sport, ns, order[i]);
        t.win[0] = 1024;
        gen_tcp_seg(&t, GEN_C2S, TH_SYN, NULL, 0, 0);
        gen_wait(g, 150 * GEN_US, 400 * GEN_US);
        gen_tcp_seg(&t, GEN_S2C, TH_RST | TH_ACK, NULL, 0, 0);
        gen_wait(g, 300 * GEN_US, 3 * GEN_MS);
    }
}

static void wrong_group(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("ns"), H("badgroup"), 52029, "win-mtickle-udp", NULL);

    cv.flags = GF_WRONG_GROUP;
    cv.note = "planted: multicast tickle to 239.1.1.1, not the site's group 224.0.255.135";
    gen_udp_msg(g, &cv, "MTICKLE", 48, 0);
}

static void external(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w6"), H("outside"), 8443, NULL, NULL);

    cv.flags = GF_EXTERNAL;
    cv.note = "planted: agent to an external address (203.0.113.50:8443)";
    gen_tls(g, &cv, "update.example.net", 1200, 6000);
}

static void nonstandard(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w7"), H("ns"), 8080, "agent-policy",
                                "agent-initial,cta-ts-list,win-ns-web,win-agent-out");

    cv.flags = GF_NONSTANDARD;
    cv.note = "planted: agent HTTP to /Altiris/ on 8080; the site moves no rule to 8080";
    gen_http(g, &cv, "GET", "/Altiris/NS/Agent/GetClientPolicies.aspx", "ns01.itms.example:8080",
             UA_AGENT, 0, 2200);
}

static void payload_mismatch(struct gen *g, const struct gen_site *s)
{
    char c[128], d[128];
    struct gen_conv cv = gen_cv(H("w8"), H("ps"), 80, "ps-http", NULL);
    size_t nc = pl_ssh_banner(c, sizeof(c), "OpenSSH_9.6");
    size_t nd = pl_ssh_banner(d, sizeof(d), "OpenSSH_8.9p1 Ubuntu-3ubuntu0.10");

    cv.flags = GF_PAYLOAD_MISMATCH;
    cv.note = "planted: SSH on the package server's HTTP port";
    gen_tcp_conv(g, &cv, c, nc, d, nd);
}

int gen_scenario_attacks(struct gen *g, FILE *site_out)
{
    void (*const steps[])(struct gen *, const struct gen_site *) = {
        site_sim,     site_ns,       lateral,      site_tasks,   rogue_tickle,
        site_packages, port_scan,    site_agents,  wrong_group,  site_ulm,
        unknown_service, site_ipv6,  site_deploy,  external,     site_events,
        site_gateway, nonstandard,   site_monitor, site_misc,    payload_mismatch,
        site_background,
    };
    struct gen_site *s = gen_site_new(g);

    if (!s)
        return -1;
    if (!gen_site_add(s, "scanner", "10.1.7.66", 0) ||
        !gen_site_add(s, "outside", "203.0.113.50", 0) ||
        !gen_site_add(s, "badgroup", "239.1.1.1", 0)) {
        gen_site_free(s);
        gen_fail(g, "site table full");
        return -1;
    }
    if (site_out)
        gen_site_write(site_out, "itms-gen attacks: the site with planted findings", NULL, NULL);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !g->failed; i++)
        steps[i](g, s);
    gen_site_free(s);
    return g->failed ? -1 : 0;
}
