/* gen-site-clients.c: client-side traffic of the itms-gen "site" scenario: Windows, ULM,
 * VLAN and IPv6 agents, PXE boot, Event Console, Internet Gateway, monitoring and the rest.
 * Every flow here is legitimate ITMS (or plain infrastructure) traffic: no findings. */
#include <netinet/in.h>
#include <string.h>

#include "gen-site.h"

static const char *const agent_ns_alt = "agent-initial,cta-ts-list,win-ns-web,win-agent-out";

/* The agents' multicast subscription: IGMPv2 join of the tickle group. The table has no
 * IGMP row; the join belongs to the multicast tickle rule it makes work. */
static void igmp_join(struct gen *g, const struct gen_host *h, const struct gen_host *group)
{
    int ulm = (h->roles & GR_BIT(GR_ULM)) != 0;
    struct gen_pkt p;
    size_t fid;

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_IGMP, h, 0, group, 0, ulm ? "ulm-mtickle-udp" : "win-mtickle-udp",
                       ulm ? "win-mtickle-udp" : "ulm-mtickle-udp", 0);
    gen_flow_note(g, fid, "IGMPv2 membership report for the tickle group 224.0.255.135 (no "
                          "IGMP row in the table; it is how the agent receives multicast "
                          "tickles)");
    memset(&p, 0, sizeof(p));
    p.src = h;
    p.dst = group;
    p.proto = IPPROTO_IGMP;
    p.icmp_type = 0x16;
    gen_emit(g, fid, &p);
}

static void ssh_session(struct gen *g, const struct gen_conv *cv, const char *client_soft)
{
    uint8_t b[1024];
    char banner[128];
    struct gen_tcp t;
    uint16_t cport = gen_eport(g, cv->c);
    size_t fid;
    struct gbuf e = {b, 0, sizeof(b)};

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, cv->c, cport, cv->s, cv->port, cv->rule, cv->alt, 0);
    gen_flow_note(g, fid, "SSH: banners, KEXINIT, ECDH, NEWKEYS, then encrypted packets");
    gen_tcp_init(&t, g, fid, cv->c, cport, cv->s, cv->port);
    gen_tcp_open(&t);
    gen_tcp_send(&t, GEN_S2C, (const uint8_t *)banner,
                 pl_ssh_banner(banner, sizeof(banner), "OpenSSH_8.9p1 Ubuntu-3ubuntu0.10"));
    gen_tcp_send(&t, GEN_C2S, (const uint8_t *)banner,
                 pl_ssh_banner(banner, sizeof(banner), client_soft));
    gen_tcp_send(&t, GEN_C2S, b, pl_ssh_kexinit(g, b, sizeof(b)));
    gen_tcp_send(&t, GEN_S2C, b, pl_ssh_kexinit(g, b, sizeof(b)));
    gen_tcp_send(&t, GEN_C2S, b, pl_ssh_kex(g, b, sizeof(b), 0));
    gen_tcp_send(&t, GEN_S2C, b, pl_ssh_kex(g, b, sizeof(b), 1));
    gen_tcp_send(&t, GEN_C2S, b, pl_ssh_newkeys(g, b, sizeof(b)));
    for (int i = 0; i < 3; i++) {
        e.len = 0;
        gb_fill(&e, g, 64 + 48 * (size_t)i);
        gen_tcp_send(&t, GEN_C2S, b, e.len);
        e.len = 0;
        gb_fill(&e, g, 96);
        gen_tcp_send(&t, GEN_S2C, b, e.len);
    }
    gen_tcp_close(&t, GEN_C2S);
}

void site_agents(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w1"), H("ns"), 80, "agent-policy", agent_ns_alt);

    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/PostEvent.asp", "ns01.itms.example", UA_AGENT,
             1800, 120);
    cv.c = H("w2");
    cv.port = 443;
    gen_tls(g, &cv, "ns01.itms.example", 2200, 900);
    cv = gen_cv(H("w3"), H("ns"), 80, "agent-initial",
                "agent-policy,cta-ts-list,win-ns-web,win-agent-out");
    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/CreateResource.aspx", "ns01.itms.example",
             UA_AGENT, 900, 300);
    cv = gen_cv(H("w7"), H("ns"), 80, "win-agent-out",
                "agent-initial,agent-policy,cta-ts-list,win-ns-web");
    gen_http(g, &cv, "GET", "/Altiris/NS/Agent/GetClientPolicies.aspx", "ns01.itms.example",
             UA_AGENT, 0, 3500);
    cv = gen_cv(H("w8"), H("ns"), 443, "win-ns-web",
                "agent-initial,agent-policy,cta-ts-list,win-agent-out");
    gen_tls(g, &cv, "ns01.itms.example", 600, 1800);
    cv = gen_cv(H("ns"), H("w1"), 52028, "win-tickle-tcp", NULL);
    gen_msg(g, &cv, "TICKLE", 48, 8);
    cv = gen_cv(H("ns"), H("w2"), 52028, "win-tickle-udp", NULL);
    gen_udp_msg(g, &cv, "TICKLE", 48, 0);
    cv = gen_cv(H("ns"), H("w3"), 52029, "win-mtickle-tcp", NULL);
    gen_msg(g, &cv, "MTICKLE", 48, 8);
    igmp_join(g, H("w1"), H("tgroup"));
    igmp_join(g, H("w2"), H("tgroup"));
    igmp_join(g, H("w3"), H("tgroup"));
    cv = gen_cv(H("ns"), H("tgroup"), 52029, "win-mtickle-udp", "ulm-mtickle-udp");
    cv.note = "multicast tickle to the default group 224.0.255.135";
    gen_udp_msg(g, &cv, "MTICKLE", 48, 0);
    cv = gen_cv(H("w4"), H("w5"), 56118, "win-p2p", NULL);
    cv.note = "peer-to-peer download from another agent's local HTTP server";
    gen_http(g, &cv, "GET", "/{4f6c9d1e}/cache/setup.msi", "pc-0105", UA_AGENT, 0, 2500);
    cv = gen_cv(H("w5"), H("w6"), 56118, "win-p2p", NULL);
    cv.note = "peer-to-peer query over UDP";
    gen_udp_msg(g, &cv, "P2P-QUERY", 40, 60);
    /* the VLAN 120 subnet */
    cv = gen_cv(H("v1"), H("ns"), 443, "agent-policy", agent_ns_alt);
    gen_tls(g, &cv, "ns01.itms.example", 1500, 700);
    cv = gen_cv(H("v2"), H("ps"), 80, "ps-http", NULL);
    gen_http(g, &cv, "GET", "/Altiris/PS/Share/{9a02be77}/cache/update.msp", "ps01.itms.example",
             UA_AGENT, 0, 2000);
    cv = gen_cv(H("ns"), H("v3"), 52028, "win-tickle-udp", NULL);
    gen_udp_msg(g, &cv, "TICKLE", 48, 0);
    cv = gen_cv(H("ts1"), H("v4"), 50124, "cta-tickle", NULL);
    gen_msg(g, &cv, "CTA-TICKLE", 40, 16);
}

void site_ulm(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("u1"), H("ns"), 443, "ulm-agent-ns", "ulm-ns-web");

    gen_tls(g, &cv, "ns01.itms.example", 1300, 800);
    cv.c = H("u2");
    cv.port = 80;
    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/PostEvent.asp", "ns01.itms.example", UA_ULM,
             1200, 120);
    cv = gen_cv(H("u3"), H("ns"), 443, "ulm-ns-web", "ulm-agent-ns");
    gen_tls(g, &cv, "ns01.itms.example", 500, 2400);
    cv = gen_cv(H("u3"), H("ps"), 80, "ulm-agent-ps-ts", NULL);
    gen_http(g, &cv, "GET", "/Altiris/PS/Share/{77d1c3aa}/cache/agent.rpm", "ps01.itms.example",
             UA_ULM, 0, 2500);
    cv = gen_cv(H("u4"), H("ts2"), 443, "ulm-agent-ps-ts", NULL);
    gen_tls(g, &cv, "ts02.itms.example", 700, 1100);
    cv = gen_cv(H("ns"), H("u1"), 22, "ulm-push-ssh", "ppa-ssh");
    ssh_session(g, &cv, "OpenSSH_for_Windows_9.5");
    cv = gen_cv(H("ns"), H("u2"), 52028, "ulm-tickle-tcp", NULL);
    gen_msg(g, &cv, "TICKLE", 48, 8);
    cv = gen_cv(H("ns"), H("u3"), 52028, "ulm-tickle-udp", NULL);
    gen_udp_msg(g, &cv, "TICKLE", 48, 0);
    igmp_join(g, H("u1"), H("tgroup"));
    igmp_join(g, H("u2"), H("tgroup"));
    cv = gen_cv(H("ns"), H("tgroup"), 52029, "ulm-mtickle-udp", "win-mtickle-udp");
    cv.note = "multicast tickle for the ULM agents (same group, same port as Windows)";
    gen_udp_msg(g, &cv, "MTICKLE", 48, 0);
}

void site_ipv6(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w1v6"), H("ns6"), 443, "agent-policy", agent_ns_alt);

    gen_tls(g, &cv, "ns01.itms.example", 1600, 900);
    cv.c = H("w2v6");
    cv.port = 80;
    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/PostEvent.asp", "ns01.itms.example", UA_AGENT,
             1400, 120);
    cv = gen_cv(H("ns6"), H("w1v6"), 52028, "win-tickle-udp", NULL);
    gen_udp_msg(g, &cv, "TICKLE", 48, 0);
    gen_ping(g, H("w2v6"), H("ps6"), "agent-ping", 2);
    cv = gen_cv(H("u1v6"), H("ns6"), 443, "ulm-agent-ns", "ulm-ns-web");
    gen_tls(g, &cv, "ns01.itms.example", 900, 700);
}

static void dhcp_emit(struct gen *g, size_t fid, const struct gen_host *src, uint16_t sport,
                      const struct gen_host *dst, uint16_t dport, const struct gen_dhcp *d)
{
    uint8_t b[600];
    struct gen_pkt p;

    memset(&p, 0, sizeof(p));
    p.src = src;
    p.dst = dst;
    p.proto = IPPROTO_UDP;
    p.sport = sport;
    p.dport = dport;
    p.data = b;
    p.len = pl_dhcp(g, b, sizeof(b), d);
    gen_emit(g, fid, &p);
    gen_wait(g, 300 * GEN_US, 4 * GEN_MS);
}

/* DHCP with the PXE server on the DHCP server's machine (so proxyDHCP runs on 4011). */
static void pxe_dhcp(struct gen *g, const struct gen_site *s)
{
    static const char boot[] = "Boot/x64/bootmgfw.efi";
    const struct gen_host *pxe = H("pxe"), *dep = H("deploy");
    struct gen_dhcp d;
    size_t up, down, proxy;

    memset(&d, 0, sizeof(d));
    d.xid = (uint32_t)gen_rand(g);
    d.mac = pxe->mac;
    memcpy(d.yiaddr, pxe->ip.a, 4);
    memcpy(d.siaddr, dep->ip.a, 4);
    d.bootfile = boot;
    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    up = gen_flow_new(g, IPPROTO_UDP, H("zero"), 68, H("bcast"), 67, "ds-pxe", NULL, 0);
    gen_flow_note(g, up, "DHCPDISCOVER and DHCPREQUEST, option 60 PXEClient:Arch:00007");
    d.msgtype = 1;
    dhcp_emit(g, up, H("zero"), 68, H("bcast"), 67, &d);
    down = gen_flow_new(g, IPPROTO_UDP, dep, 67, H("bcast"), 68, "ds-pxe", NULL, 0);
    gen_flow_note(g, down, "DHCPOFFER and DHCPACK broadcast by the deployment server; "
                           "first sender is the server (no listening side to orient by)");
    d.msgtype = 2;
    dhcp_emit(g, down, dep, 67, H("bcast"), 68, &d);
    d.msgtype = 3;
    dhcp_emit(g, up, H("zero"), 68, H("bcast"), 67, &d);
    d.msgtype = 5;
    dhcp_emit(g, down, dep, 67, H("bcast"), 68, &d);
    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    proxy = gen_flow_new(g, IPPROTO_UDP, pxe, 68, dep, 4011, "ds-pxe", NULL, 0);
    gen_flow_note(g, proxy, "proxyDHCP request and boot file reply on 4011");
    d.proxy = 1;
    memcpy(d.ciaddr, pxe->ip.a, 4);
    d.msgtype = 3;
    dhcp_emit(g, proxy, pxe, 68, dep, 4011, &d);
    d.msgtype = 5;
    dhcp_emit(g, proxy, dep, 4011, pxe, 68, &d);
}

static void pxe_tftp(struct gen *g, const struct gen_site *s)
{
    const struct gen_host *pxe = H("pxe"), *dep = H("deploy");
    uint16_t cport = (uint16_t)gen_range(g, 1024, 2047);
    uint16_t dport = (uint16_t)gen_range(g, 50000, 50100);
    uint8_t b[600];
    struct gen_pkt p;
    size_t fid, left = 1700;

    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, pxe, cport, dep, 69, "ds-tftp", NULL, 0);
    gen_flow_note(g, fid, "TFTP RRQ Boot/x64/bootmgfw.efi; the server answers from a new port");
    memset(&p, 0, sizeof(p));
    p.proto = IPPROTO_UDP;
    p.src = pxe;
    p.dst = dep;
    p.sport = cport;
    p.dport = 69;
    p.data = b;
    p.len = pl_tftp_rrq(b, sizeof(b), "Boot/x64/bootmgfw.efi");
    gen_emit(g, fid, &p);
    gen_wait(g, 400 * GEN_US, 2 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, dep, dport, pxe, cport, "ds-tftp-data", NULL, 0);
    gen_flow_note(g, fid, "TFTP DATA/ACK answering the RRQ from the server's new port %u; "
                          "both ports are in 1024-65535, so the client is the first sender: "
                          "the server (DATA 1)",
                  dport);
    for (uint16_t blk = 1; !g->failed; blk++) {
        size_t n = left < 512 ? left : 512;
        p.src = dep;
        p.dst = pxe;
        p.sport = dport;
        p.dport = cport;
        p.len = pl_tftp_data(g, b, sizeof(b), blk, n);
        gen_emit(g, fid, &p);
        gen_wait(g, 200 * GEN_US, 900 * GEN_US);
        p.src = pxe;
        p.dst = dep;
        p.sport = cport;
        p.dport = dport;
        p.len = pl_tftp_ack(b, sizeof(b), blk);
        gen_emit(g, fid, &p);
        gen_wait(g, 100 * GEN_US, 600 * GEN_US);
        left -= n;
        if (n < 512)
            break;
    }
}

void site_deploy(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv;

    pxe_dhcp(g, s);
    pxe_tftp(g, s);
    cv = gen_cv(H("pxe"), H("deploy"), 4433, "ds-pxe-tcp", NULL);
    gen_msg(g, &cv, "PXE-SESSION", 300, 2400);
    cv = gen_cv(H("pxe"), H("ps"), 80, "ds-imaging", NULL);
    gen_http(g, &cv, "GET", "/Altiris/PS/Share/{c31f0a52}/image/disk0.img", "ps01.itms.example",
             UA_AGENT, 0, 3500);
    cv = gen_cv(H("pxe"), H("ns"), 443, "ds-imaging", NULL);
    gen_tls(g, &cv, "ns01.itms.example", 600, 900);
}

static void snmp_trap(struct gen *g, const struct gen_host *from, const struct gen_host *to,
                      const char *rule, const char *alt)
{
    uint8_t b[512];
    struct gen_conv cv = gen_cv(from, to, 162, rule, alt);
    cv.note = "SNMPv2c trap linkDown, one-way";
    gen_udp_conv(g, &cv, b, pl_snmp(b, sizeof(b), 0xa7, (uint32_t)gen_rand(g) & 0x7fffffff,
                                    "itms-traps", NULL),
                 NULL, 0);
}

static void snmp_get(struct gen *g, const struct gen_host *from, const struct gen_host *to,
                     const char *rule, const char *alt, const char *descr)
{
    uint8_t q[512], a[3000];
    uint32_t id = (uint32_t)gen_rand(g) & 0x7fffffff;
    struct gen_conv cv = gen_cv(from, to, 161, rule, alt);
    gen_udp_conv(g, &cv, q, pl_snmp(q, sizeof(q), 0xa0, id, "public", NULL), a,
                 pl_snmp(a, sizeof(a), 0xa2, id, "public", descr));
}

void site_events(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("ns"), H("ec"), 8500, "ec-alert-receiver", NULL);

    gen_msg(g, &cv, "EC-ALERT", 600, 20);
    cv = gen_cv(H("mon"), H("ec"), 8501, "ec-alert-engine", NULL);
    gen_msg(g, &cv, "EC-ALERT", 500, 20);
    cv = gen_cv(H("ns"), H("ec"), 8502, "ec-refresh-receiver", NULL);
    gen_msg(g, &cv, "EC-REFRESH", 60, 200);
    cv = gen_cv(H("ns"), H("ec"), 8503, "ec-refresh-engine", NULL);
    gen_msg(g, &cv, "EC-REFRESH", 60, 200);
    snmp_trap(g, H("switch"), H("ec"), "ec-snmp-trap", NULL);
}

void site_gateway(struct gen *g, const struct gen_site *s)
{
    uint8_t q[256], a[256];
    struct gen_conv cv = gen_cv(H("cem"), H("gw"), 443, "gw-in", NULL);

    cv.note = "cloud-enabled agent on the Internet";
    gen_tls(g, &cv, "gw.itms.example", 2000, 1500);
    cv = gen_cv(H("gw"), H("ns"), 4726, "gw-out", "ns-cem");
    gen_tls(g, &cv, "ns01.itms.example", 2100, 1500);
    cv = gen_cv(H("gw"), H("ns"), 4726, "ns-cem", "gw-out");
    gen_tls(g, &cv, "ns01.itms.example", 900, 600);
    cv = gen_cv(H("gw"), H("wins"), 137, "gw-netbios", NULL);
    cv.cport = 137;
    gen_udp_conv(g, &cv, q, pl_nbns_query(q, sizeof(q), 0x1e01, "NS01", 0), a,
                 pl_nbns_answer(a, sizeof(a), 0x1e01, "NS01", 0, H("ns")->ip.a, NULL));
}

static void monitor_ppa(struct gen *g, const struct gen_site *s)
{
    uint8_t q[256], a[256];
    struct gen_conv cv = gen_cv(H("mon"), H("bmc"), 623, "ppa-asf-rmcp", NULL);

    gen_udp_conv(g, &cv, q, pl_rmcp_ping(q, sizeof(q), 0), a, pl_rmcp_ping(a, sizeof(a), 1));
    cv = gen_cv(H("mon"), H("bmc"), 664, "ppa-asf-rsp", NULL);
    gen_udp_msg(g, &cv, "RSP", 60, 60);
    cv = gen_cv(H("mon"), H("emc"), 443, "ppa-emc", "ppa-vmware");
    gen_tls(g, &cv, "emc01.itms.example", 700, 2500);
    cv = gen_cv(H("mon"), H("switch"), 80, "ppa-http", NULL);
    gen_http(g, &cv, "GET", "/status", "10.1.9.1", UA_SERVER, 0, 900);
    cv = gen_cv(H("mon"), H("bmc"), 623, "ppa-ipmi", "ppa-wsman");
    gen_msg(g, &cv, "IPMI", 40, 60);
    snmp_get(g, H("mon"), H("switch"), "ppa-snmp", NULL, "Access switch, 48 ports");
    snmp_trap(g, H("bmc"), H("mon"), "ppa-snmp-trap", "nd-snmp-trap");
    cv = gen_cv(H("mon"), H("switch"), 22, "ppa-ssh", NULL);
    ssh_session(g, &cv, "libssh_0.10.6");
    cv = gen_cv(H("mon"), H("esx"), 80, "ppa-vmware", "ppa-http");
    gen_http(g, &cv, "POST", "/sdk", "esx01.itms.example", UA_SERVER, 600, 1800);
    cv = gen_cv(H("mon"), H("w7"), 135, "ppa-wmi", NULL);
    gen_tcp_conv(g, &cv, q, pl_dcerpc_bind(q, sizeof(q), 1, 0), a,
                 pl_dcerpc_bind(a, sizeof(a), 1, 1));
    cv = gen_cv(H("mon"), H("bmc"), 664, "ppa-wsman", NULL);
    cv.note = "WS-Management over TLS (664 is its secure port)";
    gen_tls(g, &cv, "bmc01.itms.example", 700, 1200);
    cv = gen_cv(H("mon"), H("w7"), 1026, "ppa-wmi-dyn-old", NULL);
    gen_msg(g, &cv, "WMI", 200, 400);
    cv = gen_cv(H("mon"), H("w7"), 49668, "ppa-wmi-dyn", NULL);
    gen_msg(g, &cv, "WMI", 200, 400);
}

void site_monitor(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv;

    snmp_get(g, H("ns"), H("switch"), "nd-snmp", "ppa-snmp", "Access switch, 48 ports");
    snmp_get(g, H("ts1"), H("router"), "nd-snmp", "ppa-snmp", "Core router");
    snmp_trap(g, H("router"), H("ns"), "nd-snmp-trap", "ppa-snmp-trap");
    cv = gen_cv(H("ns"), H("w7"), 1011, "mon-metric", NULL);
    gen_msg(g, &cv, "METRIC", 80, 900);
    cv = gen_cv(H("mon"), H("bmc"), 7183, "mon-ppa-udp", NULL);
    cv.note = "agentless monitoring on a port PPA picked (dynamic: roles only)";
    gen_udp_msg(g, &cv, "PPA", 60, 120);
    cv = gen_cv(H("mon"), H("bmc"), 7070, "mon-ppa-tcp", NULL);
    cv.note = "agentless monitoring on a port PPA picked (dynamic: roles only)";
    gen_msg(g, &cv, "PPA", 60, 300);
    cv = gen_cv(H("ts1"), H("amt"), 16992, "ppa-amt-http", NULL);
    gen_http(g, &cv, "POST", "/wsman", "10.1.8.10:16992", UA_SERVER, 800, 1500);
    cv.port = 16993;
    cv.rule = "ppa-amt-https";
    gen_tls(g, &cv, "amt01.itms.example", 900, 1500);
    cv.port = 16994;
    cv.rule = "ppa-amt-redir";
    gen_msg(g, &cv, "SOL", 32, 32);
    cv.port = 16995;
    cv.rule = "ppa-amt-redir-tls";
    gen_tls(g, &cv, "amt01.itms.example", 400, 400);
    monitor_ppa(g, s);
}

/* Wake-on-LAN: the magic packet as a UDP datagram to the subnet broadcast, and the TCP
 * form the table lists, which a sleeping target never answers. */
static void wake_on_lan(struct gen *g, const struct gen_site *s)
{
    uint8_t b[128];
    struct gen_conv cv = gen_cv(H("ns"), H("wbcast"), 50200, "wol", NULL);
    struct gen_tcp t;
    uint16_t cport = gen_eport_win(g);
    uint32_t isn;
    size_t fid;

    cv.note = "magic packet for 10.1.1.28 to the subnet broadcast (UDP form)";
    gen_udp_conv(g, &cv, b, pl_wol(b, sizeof(b), H("w8")->mac), NULL, 0);
    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("ts1"), cport, H("w8"), 50200, "wol", NULL, 0);
    gen_flow_note(g, fid, "the table's TCP form: SYN and two retransmissions, no answer "
                          "from the sleeping target");
    gen_tcp_init(&t, g, fid, H("ts1"), cport, H("w8"), 50200);
    isn = t.nxt[0];
    for (int i = 0; i < 3; i++) {
        t.nxt[0] = isn; /* a retransmitted SYN repeats the sequence number */
        gen_tcp_seg(&t, GEN_C2S, TH_SYN, NULL, 0, 0);
        gen_wait(g, (uint64_t)(1000u << i) * GEN_MS, (uint64_t)(1000u << i) * GEN_MS);
    }
}

void site_misc(struct gen *g, const struct gen_site *s)
{
    uint8_t q[256], a[256];
    struct gen_conv cv = gen_cv(H("console"), H("wf"), 80, "wf-server", NULL);

    gen_http(g, &cv, "GET", "/ProcessManager/Default.aspx", "wf01.itms.example", UA_BROWSER, 0,
             3000);
    cv = gen_cv(H("ns"), H("wf"), 443, "wf-server", NULL);
    gen_tls(g, &cv, "wf01.itms.example", 800, 600);
    cv = gen_cv(H("console"), H("wf"), 11434, "wf-extensions", NULL);
    cv.note = "publishing a project from Workflow Designer";
    gen_http(g, &cv, "POST", "/ServerExtensions/Publish", "wf01.itms.example:11434", UA_SERVER,
             2500, 200);
    cv = gen_cv(H("console"), H("wf"), 11436, "wf-enterprise", NULL);
    gen_msg(g, &cv, "WF-ENTERPRISE", 300, 300);
    cv = gen_cv(H("ns"), H("esx"), 443, "vmm-vmware", "ppa-vmware,ppa-emc");
    gen_tls(g, &cv, "esx01.itms.example", 900, 1500);
    cv = gen_cv(H("ns"), H("hyperv"), 135, "vmm-hyperv", "ppa-wmi,disc-rpc-wmi");
    gen_tcp_conv(g, &cv, q, pl_dcerpc_bind(q, sizeof(q), 1, 0), a,
                 pl_dcerpc_bind(a, sizeof(a), 1, 1));
    wake_on_lan(g, s);
    cv = gen_cv(H("mdm"), H("ns"), 443, "mdm", NULL);
    gen_tls(g, &cv, "ns01.itms.example", 700, 500);
    cv = gen_cv(H("u4"), H("mdm"), 443, "mdm", NULL);
    cv.note = "a Mac enrolled in MDM";
    gen_tls(g, &cv, "mdm.itms.example", 500, 900);
    cv = gen_cv(H("mdm"), H("apns"), 443, "mdm", NULL);
    cv.note = "MDM server to the Apple push service";
    gen_tls(g, &cv, "api.push.apple.com", 400, 300);
    cv = gen_cv(H("console"), H("ns"), 80, "activity-center",
                "ns-console,ftsp,ipad-tablet");
    gen_http(g, &cv, "GET", "/Altiris/ActivityCenter/Default.aspx", "ns01.itms.example",
             UA_BROWSER, 0, 2000);
    cv = gen_cv(H("console"), H("ns"), 80, "ftsp", "ns-console,activity-center,ipad-tablet");
    gen_http(g, &cv, "GET", "/Altiris/NS/FirstTimeSetupPortal.aspx", "ns01.itms.example",
             UA_BROWSER, 0, 2000);
    cv = gen_cv(H("ipad"), H("ns"), 443, "ipad-tablet", "ns-console,activity-center,ftsp");
    gen_tls(g, &cv, "ns01.itms.example", 600, 1400);
}

/* Ordinary lookups every network has. The ITMS table has no row for agents resolving
 * names, so these carry no rule; nothing about them is a finding either. */
void site_background(struct gen *g, const struct gen_site *s)
{
    uint8_t q[256], a[256];
    static const uint8_t ns_ip[4] = {10, 1, 0, 10};
    const char *who[2] = {"w5", "u3"};

    for (int i = 0; i < 2; i++) {
        uint16_t id = (uint16_t)gen_rand(g);
        struct gen_conv cv = gen_cv(H(who[i]), H("dns"), 53, NULL, NULL);
        size_t nq = pl_dns(g, q, sizeof(q), id, "ns01.itms.example", NULL, 0);
        size_t na = pl_dns(g, a, sizeof(a), id, "ns01.itms.example", ns_ip, 0);
        cv.note = "client name lookup: not a row of the ITMS table";
        gen_udp_conv(g, &cv, q, nq, a, na);
    }
}

void gen_site_traffic(struct gen *g, const struct gen_site *s)
{
    void (*const groups[])(struct gen *, const struct gen_site *) = {
        site_sim,    site_ns,     site_tasks,   site_packages, site_agents,
        site_ulm,    site_ipv6,   site_deploy,  site_events,   site_gateway,
        site_monitor, site_misc,  site_background,
    };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]) && !g->failed; i++)
        groups[i](g, s);
}
