/* gen-site.c: the simulated ITMS 8.x site of itms-gen (hosts, roles, VLAN, IPv6) and the
 * site file that declares it, plus the server-side traffic of the "site" scenario.
 * The site file written here must describe exactly the hosts the scenarios use. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gen-site.h"

#define R(x) GR_BIT(GR_##x)

struct site_def {
    const char *name, *addr;
    uint32_t roles;
    const char *twin; /* an IPv4 host whose MAC this IPv6 address shares */
    uint16_t vlan;
};

static const struct site_def defs[] = {
    {"ns", "10.1.0.10", R(NS), NULL, 0},
    {"ns6", "2001:db8:1::10", R(NS), "ns", 0},
    {"ns2", "10.2.0.10", R(NS), NULL, 0},
    {"sim", "10.1.0.11", R(SIM), NULL, 0},
    {"ts1", "10.1.0.21", R(TS), NULL, 0},
    {"ts2", "10.1.0.22", R(TS), NULL, 0},
    {"mail", "10.1.0.25", R(MAIL), NULL, 0},
    {"ps", "10.1.0.30", R(PS), NULL, 0},
    {"ps6", "2001:db8:1::30", R(PS), "ps", 0},
    {"deploy", "10.1.0.40", R(DEPLOY), NULL, 0},
    {"file", "10.1.0.45", R(FILE), NULL, 0},
    {"sql", "10.1.0.50", R(SQL), NULL, 0},
    {"dns", "10.1.0.53", R(DNS), NULL, 0},
    {"dc", "10.1.0.60", R(DC), NULL, 0},
    {"wins", "10.1.0.61", R(WINS), NULL, 0},
    {"ec", "10.1.0.70", R(EC), NULL, 0},
    {"mon", "10.1.0.80", R(MON), NULL, 0},
    {"wf", "10.1.0.90", R(WF), NULL, 0},
    {"data", "10.1.0.95", R(DATA), NULL, 0},
    {"mdm", "10.1.0.96", R(MDM), NULL, 0},
    {"w1", "10.1.1.21", R(AGENT), NULL, 0},
    {"w2", "10.1.1.22", R(AGENT), NULL, 0},
    {"w3", "10.1.1.23", R(AGENT), NULL, 0},
    {"w4", "10.1.1.24", R(AGENT), NULL, 0},
    {"w5", "10.1.1.25", R(AGENT), NULL, 0},
    {"w6", "10.1.1.26", R(AGENT), NULL, 0},
    {"w7", "10.1.1.27", R(AGENT), NULL, 0},
    {"w8", "10.1.1.28", R(AGENT), NULL, 0},
    {"wbcast", "10.1.1.255", R(AGENT), NULL, 0},
    {"w1v6", "2001:db8:1:1::21", R(AGENT), "w1", 0},
    {"w2v6", "2001:db8:1:1::22", R(AGENT), "w2", 0},
    {"v1", "10.1.2.21", R(AGENT), NULL, 120},
    {"v2", "10.1.2.22", R(AGENT), NULL, 120},
    {"v3", "10.1.2.23", R(AGENT), NULL, 120},
    {"v4", "10.1.2.24", R(AGENT), NULL, 120},
    {"u1", "10.1.3.21", R(ULM), NULL, 0},
    {"u2", "10.1.3.22", R(ULM), NULL, 0},
    {"u3", "10.1.3.23", R(ULM), NULL, 0},
    {"u4", "10.1.3.24", R(ULM), NULL, 0},
    {"u1v6", "2001:db8:1:3::21", R(ULM), "u1", 0},
    {"pxe", "10.1.4.101", R(PXE), NULL, 0},
    {"console", "10.1.5.10", R(CONSOLE), NULL, 0},
    {"ipad", "10.1.5.20", R(CONSOLE), NULL, 0},
    {"amt", "10.1.8.10", R(MANAGED), NULL, 0},
    {"bmc", "10.1.8.11", R(MANAGED), NULL, 0},
    {"esx", "10.1.8.20", R(MANAGED), NULL, 0},
    {"hyperv", "10.1.8.21", R(MANAGED), NULL, 0},
    {"emc", "10.1.8.30", R(MANAGED), NULL, 0},
    {"switch", "10.1.9.1", R(NETDEV), NULL, 0},
    {"router", "10.1.9.2", R(NETDEV), NULL, 0},
    {"gw", "192.0.2.10", R(GW), NULL, 0},
    {"vendor", "198.51.100.20", R(VENDOR), NULL, 0},
    {"apns", "198.51.100.30", R(VENDOR), NULL, 0},
    {"cem", "198.51.100.77", R(AGENT), NULL, 0},
    /* addresses that are not machines: no roles are declared for them */
    {"zero", "0.0.0.0", 0, "pxe", 0},
    {"bcast", "255.255.255.255", 0, NULL, 0},
    {"tgroup", "224.0.255.135", 0, NULL, 0},
    {"pgroup", "239.255.52.30", 0, NULL, 0},
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* [roles] lines: single servers, then the client networks. */
static const char *const site_roles_text =
    "[roles]\n"
    "10.1.0.10           notification-server\n"
    "2001:db8:1::10      notification-server\n"
    "10.2.0.10           notification-server   # child NS in the hierarchy\n"
    "10.1.0.11           sim-host\n"
    "10.1.0.21           task-server\n"
    "10.1.0.22           task-server\n"
    "10.1.0.25           mail-server\n"
    "10.1.0.30           package-server\n"
    "2001:db8:1::30      package-server\n"
    "10.1.0.40           deployment-server     # PXE, proxyDHCP and TFTP\n"
    "10.1.0.45           file-server\n"
    "10.1.0.50           sql-server\n"
    "10.1.0.53           dns-server\n"
    "10.1.0.60           domain-controller\n"
    "10.1.0.61           wins-server\n"
    "10.1.0.70           event-console\n"
    "10.1.0.80           monitor-server\n"
    "10.1.0.90           workflow-server\n"
    "10.1.0.95           data-source\n"
    "10.1.0.96           mdm-server\n"
    "10.1.1.0/24         agent\n"
    "10.1.2.0/24         agent                 # VLAN 120\n"
    "2001:db8:1:1::/64   agent\n"
    "10.1.3.0/24         ulm-agent\n"
    "2001:db8:1:3::/64   ulm-agent\n"
    "10.1.4.0/24         pxe-client\n"
    "10.1.5.0/24         console\n"
    "10.1.8.0/24         managed-device        # AMT, BMC, ESX, Hyper-V, storage\n"
    "10.1.9.0/24         network-device\n"
    "192.0.2.10          internet-gateway\n"
    "198.51.100.20       vendor-site\n"
    "198.51.100.30       vendor-site           # Apple push service\n"
    "198.51.100.77       agent                 # cloud-enabled agent on the Internet\n";

static const char *const site_local_text =
    "[local]\n"
    "10.0.0.0/8\n"
    "192.0.2.0/24        # the DMZ of the Internet Gateway\n"
    "2001:db8::/32\n"
    "224.0.0.0/4\n"
    "ff00::/8\n"
    "0.0.0.0/8           # DHCP before a lease\n"
    "255.255.255.255/32\n";

struct gen_site *gen_site_new(struct gen *g)
{
    struct gen_site *s = calloc(1, sizeof(*s));

    if (!s) {
        gen_fail(g, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < NDEFS && i < GEN_SITE_MAX; i++) {
        struct gen_host *h = &s->h[i];
        if (gen_host_init(h, defs[i].addr, defs[i].roles) < 0) {
            gen_fail(g, "bad site address %s", defs[i].addr);
            free(s);
            return NULL;
        }
        s->name[i] = defs[i].name;
        if (defs[i].vlan)
            gen_host_vlan(h, defs[i].vlan, 0);
        s->n++;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (defs[i].twin) {
            const struct gen_host *t = gen_site_host(s, defs[i].twin);
            if (t) {
                memcpy(s->h[i].mac, t->mac, 6);
                s->h[i].unixlike = t->unixlike;
                s->h[i].ttl = t->ttl;
            }
        }
    }
    return s;
}

void gen_site_free(struct gen_site *s)
{
    free(s);
}

const struct gen_host *gen_site_host(const struct gen_site *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return &s->h[i];
    return NULL;
}

struct gen_host *gen_site_add(struct gen_site *s, const char *name, const char *addr,
                              uint32_t roles)
{
    struct gen_host *h;

    if (s->n >= GEN_SITE_MAX)
        return NULL;
    h = &s->h[s->n];
    if (gen_host_init(h, addr, roles) < 0)
        return NULL;
    s->name[s->n++] = name;
    return h;
}

void gen_site_write(FILE *out, const char *title, const char *extra_roles,
                    const char *extra_policy)
{
    fprintf(out, "# %s\n# Written by itms-gen --site-out: the hosts and roles of the capture.\n\n",
            title);
    fputs(site_roles_text, out);
    if (extra_roles)
        fputs(extra_roles, out);
    fputc('\n', out);
    fputs(site_local_text, out);
    fprintf(out, "\n[policy]\nscan_ports   = %d\nscan_window  = 60\ntickle_group = 224.0.255.135\n",
            GEN_SCAN_PORTS);
    if (extra_policy)
        fputs(extra_policy, out);
}

/* ---- server-side traffic ---- */

void site_sim(struct gen *g, const struct gen_site *s)
{
    uint8_t q[512], a[512];
    static const uint8_t sql_ip[4] = {10, 1, 0, 50};
    struct gen_conv cv = gen_cv(H("sim"), H("dns"), 53, "sim-dns", NULL);
    uint16_t id = (uint16_t)gen_rand(g);
    size_t nq = pl_dns(g, q, sizeof(q), id, "sql01.itms.example", NULL, 0);
    size_t na = pl_dns(g, a, sizeof(a), id, "sql01.itms.example", sql_ip, 0);

    gen_udp_conv(g, &cv, q, nq, a, na);
    cv = gen_cv(H("sim"), H("vendor"), 443, "sim-web", NULL);
    gen_tls(g, &cv, "www.solutionsam.com", 420, 4000);
    cv = gen_cv(H("sim"), H("sql"), 1434, "sim-sql-browser", NULL);
    gen_udp_conv(g, &cv, q, pl_ssrp(q, sizeof(q), 0, NULL), a,
                 pl_ssrp(a, sizeof(a), 1, "SQL01"));
    cv = gen_cv(H("sim"), H("sql"), 1433, "sim-sql", NULL);
    gen_tcp_conv(g, &cv, q, pl_tds_prelogin(q, sizeof(q), 0), a, pl_tds_prelogin(a, sizeof(a), 1));
}

static void smtp_session(struct gen *g, const struct gen_site *s)
{
    static const char *const lines[][2] = {
        {NULL, "220 mail.itms.example ESMTP ready\r\n"},
        {"EHLO ns01.itms.example\r\n",
         "250-mail.itms.example\r\n250-SIZE 36700160\r\n250 8BITMIME\r\n"},
        {"MAIL FROM:<itms@itms.example>\r\n", "250 2.1.0 Sender OK\r\n"},
        {"RCPT TO:<helpdesk@itms.example>\r\n", "250 2.1.5 Recipient OK\r\n"},
        {"DATA\r\n", "354 Start mail input; end with <CRLF>.<CRLF>\r\n"},
        {"From: itms@itms.example\r\nTo: helpdesk@itms.example\r\nSubject: Automation "
         "policy: low disk space on PC-0101\r\n\r\nFree space on C: is below 10%.\r\n.\r\n",
         "250 2.6.0 Queued mail for delivery\r\n"},
        {"QUIT\r\n", "221 2.0.0 Service closing transmission channel\r\n"},
    };
    struct gen_tcp t;
    uint16_t cport = gen_eport(g, H("ns"));
    size_t fid;

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("ns"), cport, H("mail"), 25, "ns-smtp", NULL, 0);
    gen_flow_note(g, fid, "notification mail: banner, EHLO, MAIL, RCPT, DATA, QUIT");
    gen_tcp_init(&t, g, fid, H("ns"), cport, H("mail"), 25);
    gen_tcp_open(&t);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        if (lines[i][0])
            gen_tcp_send(&t, GEN_C2S, (const uint8_t *)lines[i][0], strlen(lines[i][0]));
        gen_tcp_send(&t, GEN_S2C, (const uint8_t *)lines[i][1], strlen(lines[i][1]));
    }
    gen_tcp_close(&t, GEN_S2C);
}

static void ns_directory(struct gen *g, const struct gen_site *s)
{
    uint8_t q[1024], a[1024];
    size_t nq, na;
    struct gen_conv cv = gen_cv(H("ns"), H("dc"), 389, "ns-ldap", NULL);
    struct gen_tcp t;
    uint16_t cport = gen_eport(g, H("ns"));
    size_t fid;

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("ns"), cport, H("dc"), 389, "ns-ldap", NULL, 0);
    gen_flow_note(g, fid, "AD import: anonymous bind, subtree search");
    gen_tcp_init(&t, g, fid, H("ns"), cport, H("dc"), 389);
    gen_tcp_open(&t);
    gen_tcp_send(&t, GEN_C2S, q, pl_ldap_bind(q, sizeof(q), 1, "", 0));
    gen_tcp_send(&t, GEN_S2C, a, pl_ldap_bind(a, sizeof(a), 1, "", 1));
    gen_tcp_send(&t, GEN_C2S, q, pl_ldap_search(q, sizeof(q), 2, 0));
    gen_tcp_send(&t, GEN_S2C, a, pl_ldap_search(a, sizeof(a), 2, 1));
    gen_tcp_close(&t, GEN_C2S);

    cv.note = "connectionless LDAP search";
    nq = pl_ldap_search(q, sizeof(q), 3, 0);
    na = pl_ldap_search(a, sizeof(a), 3, 1);
    gen_udp_conv(g, &cv, q, nq, a, na);

    cv = gen_cv(H("ns"), H("wins"), 137, "ns-wins", "disc-netbios-udp");
    cv.cport = 137;
    nq = pl_nbns_query(q, sizeof(q), 0x7a01, "PC-0101", 0);
    na = pl_nbns_answer(a, sizeof(a), 0x7a01, "PC-0101", 0, H("w1")->ip.a, NULL);
    gen_udp_conv(g, &cv, q, nq, a, na);
}

static void ns_discovery(struct gen *g, const struct gen_site *s)
{
    uint8_t q[512], a[512];
    static const uint8_t pc_ip[4] = {10, 1, 1, 23};
    uint16_t id = (uint16_t)gen_rand(g);
    struct gen_conv cv = gen_cv(H("ns"), H("dns"), 53, "disc-dns", NULL);
    size_t nq = pl_dns(g, q, sizeof(q), id, "pc-0103.itms.example", NULL, 0);
    size_t na = pl_dns(g, a, sizeof(a), id, "pc-0103.itms.example", pc_ip, 0);

    gen_udp_conv(g, &cv, q, nq, a, na);
    nq = pl_dns(g, q, sizeof(q), (uint16_t)(id + 1), "pc-0104.itms.example", NULL, 1);
    na = pl_dns(g, a, sizeof(a), (uint16_t)(id + 1), "pc-0104.itms.example", pc_ip, 1);
    cv.note = "DNS over TCP";
    gen_tcp_conv(g, &cv, q, nq, a, na);

    cv = gen_cv(H("ns"), H("w3"), 137, "disc-netbios-udp", NULL);
    cv.cport = 137;
    cv.note = "NBSTAT node status query";
    nq = pl_nbns_query(q, sizeof(q), 0x7a02, "PC-0103", 1);
    na = pl_nbns_answer(a, sizeof(a), 0x7a02, "PC-0103", 1, NULL, H("w3")->mac);
    gen_udp_conv(g, &cv, q, nq, a, na);

    cv = gen_cv(H("ns"), H("w3"), 139, "disc-netbios-tcp", NULL);
    gen_tcp_conv(g, &cv, q, pl_nbss_request(q, sizeof(q), "PC-0103", "NS01"), a,
                 pl_nbss_positive(a, sizeof(a)));
    cv = gen_cv(H("ns"), H("w3"), 135, "disc-rpc-wmi", "ppa-wmi");
    gen_tcp_conv(g, &cv, q, pl_dcerpc_bind(q, sizeof(q), 1, 0), a,
                 pl_dcerpc_bind(a, sizeof(a), 1, 1));
    cv = gen_cv(H("ns"), H("w3"), 49671, "disc-rpc-wmi", "ppa-wmi-dyn");
    cv.note = "WMI on the port the endpoint mapper handed out";
    gen_tcp_conv(g, &cv, q, pl_dcerpc_bind(q, sizeof(q), 2, 0), a,
                 pl_dcerpc_bind(a, sizeof(a), 2, 1));
}

static void ns_push(struct gen *g, const struct gen_site *s)
{
    uint8_t q[512];
    struct gen_conv cv = gen_cv(H("ns"), H("w4"), 138, "ns-push-netlogon", "disc-netbios-udp");
    size_t nq = pl_nbdgm_netlogon(q, sizeof(q), 0x3c01, H("ns")->ip.a, "NS01", "ITMS");

    cv.cport = 138;
    gen_udp_conv(g, &cv, q, nq, NULL, 0);
    cv = gen_cv(H("ns"), H("w4"), 445, "ns-push-smb", "win-push");
    cv.note = "agent push install: SMB2 negotiate";
    gen_smb(g, &cv);
    cv = gen_cv(H("ns"), H("w5"), 445, "win-push", "ns-push-smb");
    cv.note = "the agent side of the push install (the table lists it twice)";
    gen_smb(g, &cv);
}

void site_ns(struct gen *g, const struct gen_site *s)
{
    uint8_t q[512], a[512];
    static const char *const web_alt = "activity-center,ftsp,ipad-tablet";
    struct gen_conv cv = gen_cv(H("console"), H("ns"), 80, "ns-console", web_alt);

    gen_http(g, &cv, "GET", "/Altiris/Console/Default.aspx", "ns01.itms.example", UA_BROWSER,
             0, 2400);
    cv.port = 443;
    gen_tls(g, &cv, "ns01.itms.example", 900, 2500);
    cv = gen_cv(H("ns"), H("ns2"), 443, "ns-hierarchy", NULL);
    gen_tls(g, &cv, "ns02.itms.example", 3000, 1200);
    cv.port = 80;
    gen_http(g, &cv, "POST", "/Altiris/NS/Hierarchy/Replication.aspx", "ns02.itms.example",
             UA_SERVER, 1800, 300);
    cv = gen_cv(H("ns"), H("sql"), 1433, "ns-sql", NULL);
    gen_tcp_conv(g, &cv, q, pl_tds_prelogin(q, sizeof(q), 0), a, pl_tds_prelogin(a, sizeof(a), 1));
    cv = gen_cv(H("ns"), H("sql"), 1434, "ns-sql-browser", NULL);
    gen_udp_conv(g, &cv, q, pl_ssrp(q, sizeof(q), 0, NULL), a, pl_ssrp(a, sizeof(a), 1, "SQL01"));
    ns_directory(g, s);
    smtp_session(g, s);
    cv = gen_cv(H("ns"), H("data"), 5432, "ns-data-connector", NULL);
    cv.note = "Data Connector source (PostgreSQL driver)";
    gen_tcp_conv(g, &cv, q, pl_pgsql_startup(q, sizeof(q), 0), a,
                 pl_pgsql_startup(a, sizeof(a), 1));
    cv = gen_cv(H("ns"), H("file"), 445, "ns-unc-packages", NULL);
    gen_smb(g, &cv);
    ns_discovery(g, s);
    cv = gen_cv(H("console"), H("ns"), 9988, "ns-service-framework", NULL);
    cv.note = "NSDiag to the Service Framework";
    gen_msg(g, &cv, "SVCFRAMEWORK", 120, 400);
    ns_push(g, s);
}

void site_tasks(struct gen *g, const struct gen_site *s)
{
    static const char *const ns_alt = "agent-initial,agent-policy,win-ns-web,win-agent-out";
    struct gen_conv cv = gen_cv(H("ts1"), H("ns"), 443, "ts-http", NULL);

    gen_tls(g, &cv, "ns01.itms.example", 1400, 2000);
    cv = gen_cv(H("ts2"), H("ns"), 80, "ts-http", NULL);
    gen_http(g, &cv, "POST", "/Altiris/ClientTaskServer/TaskResult.aspx", "ns01.itms.example",
             UA_SERVER, 1500, 200);
    cv = gen_cv(H("ns"), H("ts1"), 50123, "ts-tickle", NULL);
    gen_msg(g, &cv, "TS-TICKLE", 40, 16);
    cv.s = H("ts2");
    gen_msg(g, &cv, "TS-TICKLE", 40, 16);
    cv = gen_cv(H("w1"), H("ns"), 80, "cta-ts-list", ns_alt);
    gen_http(g, &cv, "GET", "/Altiris/ClientTaskServer/GetClientTaskServers.aspx",
             "ns01.itms.example", UA_AGENT, 0, 700);
    cv = gen_cv(H("w1"), H("ts1"), 80, "cta-tasks", NULL);
    gen_http(g, &cv, "GET", "/Altiris/ClientTaskServer/GetClientTask.aspx", "ts01.itms.example",
             UA_AGENT, 0, 1100);
    cv = gen_cv(H("w2"), H("ts2"), 443, "cta-tasks", NULL);
    gen_tls(g, &cv, "ts02.itms.example", 800, 1600);
    cv = gen_cv(H("ts1"), H("w1"), 50124, "cta-tickle", NULL);
    gen_msg(g, &cv, "CTA-TICKLE", 40, 16);
    cv = gen_cv(H("ts2"), H("w2"), 50124, "cta-tickle", NULL);
    gen_msg(g, &cv, "CTA-TICKLE", 40, 16);
}

void site_packages(struct gen *g, const struct gen_site *s)
{
    uint8_t q[512], a[512], blk[1400];
    struct gen_conv cv = gen_cv(H("w2"), H("ps"), 80, "ps-http", NULL);

    gen_http(g, &cv, "GET", "/Altiris/PS/Share/{4f6c9d1e}/cache/setup.msi", "ps01.itms.example",
             UA_AGENT, 0, 3000);
    cv = gen_cv(H("w3"), H("ps"), 443, "ps-http", NULL);
    gen_tls(g, &cv, "ps01.itms.example", 500, 3000);
    cv = gen_cv(H("w4"), H("ps"), 445, "ps-unc", NULL);
    gen_smb(g, &cv);
    cv = gen_cv(H("ps"), H("ns"), 445, "ps-to-ns-unc", NULL);
    gen_smb(g, &cv);
    cv = gen_cv(H("ps"), H("w5"), 52030, "ps-multicast-tcp", NULL);
    gen_msg(g, &cv, "PKG-MCAST-SESSION", 200, 40);
    site_pkg_multicast(g, s, blk, sizeof(blk));
    cv = gen_cv(H("w5"), H("ps"), 135, "ps-rpc", NULL);
    gen_tcp_conv(g, &cv, q, pl_dcerpc_bind(q, sizeof(q), 1, 0), a,
                 pl_dcerpc_bind(a, sizeof(a), 1, 1));
    cv = gen_cv(H("w6"), H("ps"), 139, "ps-netbios-ssn", NULL);
    gen_tcp_conv(g, &cv, q, pl_nbss_request(q, sizeof(q), "PS01", "PC-0106"), a,
                 pl_nbss_positive(a, sizeof(a)));
    cv = gen_cv(H("w6"), H("ps"), 137, "ps-netbios-ns", NULL);
    cv.cport = 137;
    gen_udp_conv(g, &cv, q, pl_nbns_query(q, sizeof(q), 0x5d11, "PS01", 0), a,
                 pl_nbns_answer(a, sizeof(a), 0x5d11, "PS01", 0, H("ps")->ip.a, NULL));
    gen_ping(g, H("w1"), H("ps"), "agent-ping", 2);
}

/* Package multicast: one sender, datagrams to a group, no replies. */
void site_pkg_multicast(struct gen *g, const struct gen_site *s, uint8_t *blk, size_t cap)
{
    struct gen_pkt p;
    uint16_t sport = gen_eport_win(g);
    size_t fid;

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, H("ps"), sport, H("pgroup"), 52030, "ps-multicast-udp",
                       NULL, 0);
    gen_flow_note(g, fid, "package multicast to group 239.255.52.30, one-way");
    memset(&p, 0, sizeof(p));
    p.src = H("ps");
    p.dst = H("pgroup");
    p.proto = IPPROTO_UDP;
    p.sport = sport;
    p.dport = 52030;
    for (int i = 0; i < 4 && !g->failed; i++) {
        p.data = blk;
        p.len = pl_itms_msg(g, blk, cap, "PKG-MCAST-DATA", 1000);
        gen_emit(g, fid, &p);
        gen_wait(g, 2 * GEN_MS, 6 * GEN_MS);
    }
}
