/* test_classify.c: labelling with the real signature database, role learning, TFTP/PXE
 * expectations, limits and allocation failures (the findings are in test_classify_flags.c).
 * Flows are built by hand; payloads are real protocol bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/classify.h"

#include "classify-fixtures.h"

/* ---- payloads (more in classify-fixtures.h) ---- */

static const uint8_t mac1[6] = {0x00, 0x50, 0x56, 0x01, 0x02, 0x03};

static size_t dhcp_discover(uint8_t *b, size_t len, const uint8_t mac[6], int pxe)
{
    static const uint8_t tail[] = {0x63, 0x82, 0x53, 0x63, 53, 1, 1, 60, 9, 'P', 'X', 'E',
                                   'C',  'l',  'i',  'e',  'n', 't', 255};
    size_t n = 236 + sizeof(tail);

    assert_true(len >= n);
    memset(b, 0, n);
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    b[4] = 0x12;
    memcpy(b + 28, mac, 6);
    memcpy(b + 236, tail, sizeof(tail));
    if (!pxe)
        b[236 + 9] = 'X'; /* vendor class "XXEClient" */
    return n;
}

/* ---- labelling ---- */

static void test_ambiguous_443_unknown_hosts(void **state)
{
    struct fx f;
    struct itm_flow_rec r = flow(1, 6, "10.9.0.1", 50000, "10.9.0.2", 443);
    (void)state;

    fx_open(&f, NULL);
    assert_int_equal(life(&f, &r, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, r.label.rule), "sim-web");
    assert_int_equal(r.label.confidence, ITM_CONF_PORT);
    assert_int_equal(r.label.nalt, ITM_MAX_ALT);
    assert_string_equal(rid(&f, r.label.alt[0]), "ns-console");
    assert_string_equal(rid(&f, r.label.alt[1]), "agent-initial");
    assert_int_equal(r.label.client_roles, 0);
    fx_close(&f);
}

static void test_web_rule_chosen_by_roles(void **state)
{
    struct fx f;
    struct itm_flow_rec a = flow(1, 6, "10.1.16.21", 50000, "10.1.0.10", 443);
    struct itm_flow_rec p = flow(2, 6, "10.1.16.21", 50001, "10.1.0.30", 443);
    struct itm_flow_rec t = flow(3, 6, "10.1.0.20", 50002, "10.1.0.10", 80);
    struct itm_flow_rec h = flow(4, 6, "10.1.16.21", 50003, "10.1.0.10", 80);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &a, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, a.label.rule), "agent-initial");
    assert_int_equal(a.label.confidence, ITM_CONF_ROLE);
    assert_true(a.label.nalt > 0);
    assert_string_equal(rid(&f, a.label.alt[0]), "agent-policy");
    assert_int_equal(a.label.client_roles, RB(AGENT));
    assert_int_equal(a.label.server_roles, RB(NS));
    assert_int_equal(life(&f, &p, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, p.label.rule), "ps-http");
    assert_int_equal(p.label.nalt, 0);
    assert_int_equal(life(&f, &t, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, t.label.rule), "ts-http");
    /* an HTTP request confirms the web check, and its path picks the rule that names it:
     * the policy request is agent-policy's (win-agent-out names the same path), not the
     * first rule of the port */
    assert_int_equal(life(&f, &h, 1, http_altiris, strlen(http_altiris)), 0);
    assert_string_equal(rid(&f, h.label.rule), "agent-policy");
    assert_int_equal(h.label.confidence, ITM_CONF_PAYLOAD);
    assert_int_equal(h.label.insp.id, ITM_INSPECT_HTTP);
    assert_int_equal(h.label.nalt, 1);
    assert_string_equal(rid(&f, h.label.alt[0]), "win-agent-out");
    fx_close(&f);
}

/* Requests to the NS from one agent, told apart by their paths; a path no rule names
 * leaves the port's first rule, with every rule that fits as an alternative. */
static void test_web_rule_chosen_by_path(void **state)
{
    static const struct {
        const char *req, *rule;
        int nalt;
    } cases[] = {
        {"POST /Altiris/NS/Agent/CreateResource.aspx HTTP/1.1\r\n", "agent-initial", 2},
        {"POST /altiris/ns/agent/postevent.asp HTTP/1.1\r\n", "agent-policy", 1},
        {"GET /Altiris/ClientTaskServer/GetClientTaskServers.aspx HTTP/1.1\r\n", "cta-ts-list",
         0},
        /* through a proxy: absolute form */
        {"GET http://ns01:80/Altiris/ClientTaskServer/GetClientTaskServers.aspx HTTP/1.1\r\n",
         "cta-ts-list", 0},
        {"GET /Altiris/ClientTaskServerX HTTP/1.1\r\n", "agent-initial", ITM_MAX_ALT},
        {"GET /index.html HTTP/1.1\r\n", "agent-initial", ITM_MAX_ALT},
    };
    struct fx f;
    (void)state;

    fx_open(&f, base_site);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct itm_flow_rec h = flow(10 + i, 6, "10.1.16.21", (uint16_t)(50100 + i),
                                     "10.1.0.10", 80);
        assert_int_equal(life(&f, &h, 1, cases[i].req, strlen(cases[i].req)), 0);
        assert_string_equal(rid(&f, h.label.rule), cases[i].rule);
        assert_int_equal(h.label.nalt, cases[i].nalt);
        assert_int_equal(h.label.confidence, ITM_CONF_PAYLOAD);
    }
    fx_close(&f);
}

static void test_icmp_echo_to_package_server(void **state)
{
    struct fx f;
    struct itm_flow_rec r = flow(1, 1, "10.1.16.21", 7, "10.1.0.30", 7);
    struct itm_flow_rec u = flow(2, 1, "10.1.16.21", 0, "10.1.0.30", 0);
    (void)state;

    r.icmp_type = 8;
    u.icmp_type = 3;
    fx_open(&f, base_site);
    assert_int_equal(life(&f, &r, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, r.label.rule), "agent-ping");
    assert_int_equal(r.label.confidence, ITM_CONF_ROLE);
    assert_int_equal(life(&f, &u, 0, NULL, 0), 0);
    assert_int_equal(u.label.rule, ITM_NO_RULE);
    fx_close(&f);
}

/* ---- multicast ---- */

static void test_multicast_tickle_and_wrong_group(void **state)
{
    struct fx f;
    struct itm_flow_rec ok = flow(1, 17, "10.1.0.10", 40000, "224.0.255.135", 52029);
    struct itm_flow_rec bad = flow(2, 17, "10.1.0.10", 40001, "239.1.2.3", 52029);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &ok, 0, NULL, 0), 0); /* one-way: no answer, no finding */
    assert_string_equal(rid(&f, ok.label.rule), "win-mtickle-udp");
    assert_int_equal(ok.label.confidence, ITM_CONF_ROLE);
    assert_int_equal(ok.label.nalt, 1);
    assert_string_equal(rid(&f, ok.label.alt[0]), "ulm-mtickle-udp");
    assert_int_equal(life(&f, &bad, 0, NULL, 0), ITM_F_WRONG_GROUP);
    assert_string_equal(rid(&f, bad.label.rule), "win-mtickle-udp");
    assert_int_equal(bad.label.confidence, ITM_CONF_PORT);
    assert_string_equal(bad.label.reason, "tickle from 10.1.0.10 to group 239.1.2.3 on udp/52029; "
                                          "the tickle group is 224.0.255.135");
    fx_close(&f);
}

static void test_moved_tickle_group(void **state)
{
    char site[512];
    struct fx f;
    struct itm_flow_rec moved = flow(1, 17, "10.1.0.10", 40000, "239.9.9.9", 52029);
    struct itm_flow_rec old = flow(2, 17, "10.1.0.10", 40001, "224.0.255.135", 52029);
    (void)state;

    snprintf(site, sizeof(site), "%s[move]\nwin-mtickle-udp ports = 52029 group = 239.9.9.9\n",
             base_site);
    fx_open(&f, site);
    assert_int_equal(life(&f, &moved, 0, NULL, 0), 0);
    assert_string_equal(rid(&f, moved.label.rule), "win-mtickle-udp");
    assert_int_equal(life(&f, &old, 0, NULL, 0), ITM_F_WRONG_GROUP);
    fx_close(&f);
}

static uint32_t igmp_join(struct fx *f, struct itm_flow_rec *r, const char *group)
{
    struct itm_pkt p = pkt_of(r, ITM_DIR_TOSERVER, NULL, 0);
    uint32_t raised;

    p.igmp_type = 0x16;
    p.igmp_group = ip(group);
    raised = ev_pkt(f, r, ITM_CE_NEW, ITM_DIR_TOSERVER, &p);
    return raised | ev(f, r, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
}

static void test_igmp_join_tickle_group(void **state)
{
    struct fx f;
    struct itm_flow_rec win = flow(1, 2, "10.1.16.21", 0, "224.0.255.135", 0);
    struct itm_flow_rec ulm = flow(2, 2, "10.1.32.21", 0, "224.0.255.135", 0);
    struct itm_flow_rec unk = flow(3, 2, "10.9.9.9", 0, "224.0.0.22", 0);
    struct itm_flow_rec other = flow(4, 2, "10.1.16.21", 0, "239.255.255.250", 0);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(igmp_join(&f, &win, "224.0.255.135"), 0);
    assert_string_equal(rid(&f, win.label.rule), "win-mtickle-udp");
    assert_int_equal(win.label.confidence, ITM_CONF_ROLE);
    assert_int_equal(win.label.nalt, 0);
    assert_int_equal(igmp_join(&f, &ulm, "224.0.255.135"), 0);
    assert_string_equal(rid(&f, ulm.label.rule), "ulm-mtickle-udp");
    /* an IGMPv3 report (to 224.0.0.22) from a host of unknown role: either agent */
    assert_int_equal(igmp_join(&f, &unk, "224.0.255.135"), 0);
    assert_string_equal(rid(&f, unk.label.rule), "win-mtickle-udp");
    assert_int_equal(unk.label.confidence, ITM_CONF_PORT);
    assert_int_equal(unk.label.nalt, 1);
    assert_string_equal(rid(&f, unk.label.alt[0]), "ulm-mtickle-udp");
    assert_int_equal(igmp_join(&f, &other, "239.255.255.250"), 0);
    assert_int_equal(other.label.rule, ITM_NO_RULE);
    fx_close(&f);
}

/* ---- role learning ---- */

static uint32_t roles(const struct fx *f, const char *addr)
{
    struct itm_ip a = ip(addr);
    return itm_classifier_roles_of(f->c, &a);
}

static void observe(struct fx *f, struct itm_flow_rec r)
{
    itm_classifier_observe(f->c, &r);
}

static void observe_tcp(struct fx *f, uint64_t id, const char *c, const char *s, uint16_t port)
{
    struct itm_flow_rec r = flow(id, 6, c, (uint16_t)(40000 + id), s, port);
    answer(&r);
    observe(f, r);
}

static void test_infer_notification_server(void **state)
{
    static const char *const agents[] = {"10.0.0.21", "10.0.0.22", "10.0.0.23"};
    struct fx f;
    (void)state;

    fx_open(&f, NULL);
    for (unsigned i = 0; i < 3; i++)
        observe_tcp(&f, 1 + i, "10.0.0.10", agents[i], 52028);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(roles(&f, agents[i]), RB(AGENT));
    observe_tcp(&f, 10, agents[0], "10.0.0.10", 443);
    observe_tcp(&f, 11, agents[1], "10.0.0.10", 443);
    /* tickles and two agents could be a task server's: not enough yet */
    assert_int_equal(roles(&f, "10.0.0.10") & RB(NS), 0);
    observe_tcp(&f, 12, agents[2], "10.0.0.10", 443);
    assert_true(roles(&f, "10.0.0.10") & RB(NS));
    fx_close(&f);
}

static void test_infer_ns_needs_freeze_when_agents_come_late(void **state)
{
    static const char *const agents[] = {"10.0.0.21", "10.0.0.22", "10.0.0.23"};
    struct fx f;
    (void)state;

    fx_open(&f, NULL);
    for (unsigned i = 0; i < 3; i++)
        observe_tcp(&f, 1 + i, agents[i], "10.0.0.10", 443);
    for (unsigned i = 0; i < 3; i++)
        observe_tcp(&f, 10 + i, "10.0.0.10", agents[i], 52028);
    assert_int_equal(roles(&f, "10.0.0.10") & RB(NS), 0);
    itm_classifier_freeze(&*f.c);
    assert_true(roles(&f, "10.0.0.10") & RB(NS));
    /* frozen: more traffic changes nothing */
    observe_tcp(&f, 20, "10.0.0.10", "10.0.0.99", 52028);
    assert_int_equal(roles(&f, "10.0.0.99"), 0);
    fx_close(&f);
}

static void test_infer_servers(void **state)
{
    struct fx f;
    struct itm_flow_rec r;
    struct itm_host_view v;
    (void)state;

    fx_open(&f, NULL);
    observe_tcp(&f, 1, "10.0.0.10", "10.0.0.20", 50123);         /* task server */
    r = flow(2, 17, "10.0.0.30", 40000, "224.5.5.5", 52030);     /* package multicast */
    observe(&f, r);
    r = flow(3, 17, "10.0.0.60", 2070, "10.0.0.40", 69);         /* TFTP: unanswered */
    observe(&f, r);
    observe_tcp(&f, 4, "10.0.0.77", "10.0.0.50", 8500);          /* event console */
    observe_tcp(&f, 5, "10.0.0.10", "10.0.0.70", 1433);          /* SQL */
    r = flow(6, 6, "10.0.0.10", 40006, "10.0.0.71", 1433);       /* refused: a lone RST */
    r.pkts[ITM_DIR_TOCLIENT] = 1;
    r.tcp_state = ITM_TCPS_RESET;
    observe(&f, r);
    observe_tcp(&f, 7, "10.0.0.10", "10.0.0.72", 389);
    observe_tcp(&f, 8, "10.0.0.10", "10.0.0.73", 25);
    r = flow(9, 17, "10.0.0.10", 40009, "10.0.0.74", 53);
    answer(&r);
    observe(&f, r);
    observe_tcp(&f, 10, "10.0.0.21", "10.0.0.22", 56118);        /* peer to peer */
    observe_tcp(&f, 11, "10.0.0.20", "10.0.0.23", 50124);        /* client task agent */
    r = flow(12, 17, "10.0.0.61", 68, "10.0.0.40", 4011);        /* proxyDHCP */
    observe(&f, r);

    assert_int_equal(roles(&f, "10.0.0.20"), RB(TASK_SERVER));
    assert_int_equal(roles(&f, "10.0.0.30"), RB(PACKAGE_SERVER));
    assert_int_equal(roles(&f, "10.0.0.40"), RB(DEPLOYMENT));
    assert_int_equal(roles(&f, "10.0.0.60"), RB(PXE_CLIENT));
    assert_int_equal(roles(&f, "10.0.0.61"), RB(PXE_CLIENT));
    assert_int_equal(roles(&f, "10.0.0.50"), RB(EVENT_CONSOLE));
    assert_int_equal(roles(&f, "10.0.0.77"), 0);
    assert_int_equal(roles(&f, "10.0.0.70"), RB(SQL));
    assert_int_equal(roles(&f, "10.0.0.71"), 0);
    assert_int_equal(roles(&f, "10.0.0.72"), RB(DC));
    assert_int_equal(roles(&f, "10.0.0.73"), RB(MAIL));
    assert_int_equal(roles(&f, "10.0.0.74"), RB(DNS));
    assert_int_equal(roles(&f, "10.0.0.21"), RB(AGENT));
    assert_int_equal(roles(&f, "10.0.0.22"), RB(AGENT));
    assert_int_equal(roles(&f, "10.0.0.23"), RB(AGENT));
    /* one flow toward a task server and one tickle of it do not make the NS */
    assert_int_equal(roles(&f, "10.0.0.10"), 0);
    assert_int_equal(roles(&f, "224.5.5.5"), 0);

    for (size_t i = 0; i < itm_classifier_host_count(f.c); i++) {
        assert_int_equal(itm_classifier_host(f.c, i, &v), 0);
        if (itm_ip_parse("10.0.0.40", &r.server) == 0 && !memcmp(v.ip.a, r.server.a, 4)) {
            assert_int_equal(v.evidence[ITM_ROLE_DEPLOYMENT], 2);
            assert_int_equal(v.flows_server, 2);
            assert_int_equal(v.inferred, RB(DEPLOYMENT));
            assert_int_equal(v.declared, 0);
        }
    }
    assert_int_equal(itm_classifier_host(f.c, itm_classifier_host_count(f.c), &v),
                     ITM_ERR_NOTFOUND);
    fx_close(&f);
}

/* A host that shows more kinds of evidence than its record keeps inline (four) moves its
 * counts to a full array halfway through: every count must survive the move and go on. */
static void test_host_many_kinds_of_evidence(void **state)
{
    static const struct {
        uint8_t proto;
        uint16_t port;
        unsigned times;
    } seen[] = {
        {6, 1433, 1}, {6, 389, 2}, {6, 25, 3}, {17, 53, 4}, {6, 52028, 5}, {6, 4726, 6},
    };
    struct fx f;
    struct itm_host_view v;
    struct itm_ip host = ip("10.0.0.90");
    uint64_t id = 1;
    int found = 0;
    (void)state;

    fx_open(&f, NULL);
    /* round-robin, so that the move happens while every count is under way */
    for (unsigned round = 0; round < 6; round++)
        for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
            struct itm_flow_rec r;
            if (round >= seen[i].times)
                continue;
            r = flow(id, seen[i].proto, "10.0.0.10", (uint16_t)(40000 + id), "10.0.0.90",
                     seen[i].port);
            id++;
            answer(&r);
            observe(&f, r);
        }
    for (size_t i = 0; i < itm_classifier_host_count(f.c); i++) {
        assert_int_equal(itm_classifier_host(f.c, i, &v), 0);
        if (memcmp(v.ip.a, host.a, 4) != 0)
            continue;
        found = 1;
        assert_int_equal(v.evidence[ITM_ROLE_SQL], 1);
        assert_int_equal(v.evidence[ITM_ROLE_DC], 2);
        assert_int_equal(v.evidence[ITM_ROLE_MAIL], 3);
        assert_int_equal(v.evidence[ITM_ROLE_DNS], 4);
        assert_int_equal(v.evidence[ITM_ROLE_AGENT], 5);
        assert_int_equal(v.evidence[ITM_ROLE_NS], 6);
        assert_int_equal(v.flows_server, 21);
        /* the CEM listener makes the NS; the evidence roles come with it */
        assert_true(v.inferred & RB(NS));
        assert_true(v.inferred & RB(SQL));
        assert_true(v.inferred & RB(AGENT));
    }
    assert_true(found);
    fx_close(&f);
}

static void test_infer_off_and_declared_win(void **state)
{
    static const char site[] = "[roles]\n10.0.0.20 package-server\n[policy]\ninfer_roles = off\n";
    struct fx f;
    (void)state;

    fx_open(&f, site);
    observe_tcp(&f, 1, "10.0.0.10", "10.0.0.20", 50123);
    observe_tcp(&f, 2, "10.0.0.10", "10.0.0.21", 50123);
    assert_int_equal(roles(&f, "10.0.0.20"), RB(PACKAGE_SERVER));
    assert_int_equal(roles(&f, "10.0.0.21"), 0);
    fx_close(&f);
}

static void test_roles_table_print(void **state)
{
    struct fx f;
    char *buf = NULL;
    size_t len = 0;
    FILE *out;
    const char *a, *b;
    (void)state;

    fx_open(&f, base_site);
    observe_tcp(&f, 1, "10.1.0.10", "10.1.16.22", 52028);
    observe_tcp(&f, 2, "10.1.0.10", "10.1.0.9", 52028);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    itm_classifier_print_roles(f.c, out);
    fclose(out);
    assert_non_null(strstr(buf, "address"));
    assert_non_null(strstr(buf, "notification-server(d)"));
    assert_non_null(strstr(buf, "agent(i)"));
    assert_non_null(strstr(buf, "agent=1"));
    /* address order, whatever the hash order */
    a = strstr(buf, "10.1.0.9 ");
    b = strstr(buf, "10.1.0.10 ");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    assert_true(b < strstr(buf, "10.1.16.22 "));
    free(buf);
    fx_close(&f);
}

/* ---- expectations ---- */

static void test_tftp_expectation(void **state)
{
    struct fx f;
    struct itm_flow_rec req = flow(7, 17, "10.1.40.50", 2070, "10.1.0.40", 69);
    struct itm_flow_rec data = flow(8, 17, "10.1.0.40", 49200, "10.1.40.50", 2070);
    struct itm_flow_rec other = flow(9, 17, "10.1.0.40", 49201, "10.1.40.51", 2071);
    struct itm_classify_stats st;
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &req, 0, tftp_rrq, sizeof(tftp_rrq)), 0);
    assert_string_equal(rid(&f, req.label.rule), "ds-tftp");
    assert_int_equal(req.label.insp.subtype, 1);
    assert_string_equal(req.label.insp.text, "pxelinux.0");
    assert_int_equal(life(&f, &data, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, data.label.rule), "ds-tftp-data");
    assert_int_equal(data.label.related_id, 7);
    assert_int_equal(data.label.confidence, ITM_CONF_RELATED);
    assert_int_equal(life(&f, &other, 1, NULL, 0) & ~ITM_F_UNEXPECTED_PORT, 0);
    assert_string_not_equal(rid(&f, other.label.rule), "ds-tftp-data");
    assert_int_equal(other.label.related_id, 0);
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.expect_created, 1);
    assert_int_equal(st.expect_matched, 1);
    fx_close(&f);
}

static void test_pxe_chain(void **state)
{
    struct fx f;
    struct itm_flow_rec dhcp = flow(1, 17, "0.0.0.0", 68, "255.255.255.255", 67);
    struct itm_flow_rec proxy = flow(2, 17, "10.1.40.50", 68, "10.1.0.40", 4011);
    struct itm_flow_rec tftp = flow(3, 17, "10.1.40.50", 2070, "10.1.0.40", 69);
    struct itm_flow_rec data = flow(4, 17, "10.1.0.40", 49200, "10.1.40.50", 2070);
    struct itm_flow_rec tcp = flow(5, 6, "10.1.40.50", 50001, "10.1.0.40", 4433);
    struct itm_flow_rec late = flow_at(6, 6, "10.1.40.50", 50002, "10.1.0.40", 4433,
                                       tcp.first_ns + 200 * SEC);
    struct itm_flow_rec other = flow(7, 17, "10.1.40.60", 68, "10.1.0.40", 4011);
    struct itm_pkt p;
    uint8_t b[300];
    size_t n = dhcp_discover(b, sizeof(b), mac1, 1);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &dhcp, 0, b, n), 0);
    assert_string_equal(rid(&f, dhcp.label.rule), "ds-pxe");
    assert_true(dhcp.label.insp.flags & ITM_ID_PXECLIENT);
    p = pkt_of(&proxy, ITM_DIR_TOSERVER, NULL, 0);
    p.has_mac = 1;
    memcpy(p.mac_src, mac1, 6);
    ev_pkt(&f, &proxy, ITM_CE_NEW, ITM_DIR_TOSERVER, &p);
    ev(&f, &proxy, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
    assert_string_equal(rid(&f, proxy.label.rule), "ds-pxe");
    assert_int_equal(proxy.label.related_id, 1);
    assert_int_equal(proxy.label.confidence, ITM_CONF_RELATED);
    assert_int_equal(life(&f, &tftp, 0, tftp_rrq, sizeof(tftp_rrq)), 0);
    assert_string_equal(rid(&f, tftp.label.rule), "ds-tftp");
    assert_int_equal(tftp.label.related_id, 2);
    assert_int_equal(life(&f, &data, 1, NULL, 0), 0);
    assert_int_equal(data.label.related_id, 3);
    assert_int_equal(life(&f, &tcp, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, tcp.label.rule), "ds-pxe-tcp");
    assert_int_equal(tcp.label.related_id, 3);
    /* past the expectation timeout the chain is gone */
    assert_int_equal(life(&f, &late, 1, NULL, 0), 0);
    assert_int_equal(late.label.related_id, 0);
    assert_int_equal(late.label.confidence, ITM_CONF_PORT);
    /* another client's proxyDHCP with no DHCP before it starts its own chain */
    assert_int_equal(life(&f, &other, 1, NULL, 0), 0);
    assert_int_equal(other.label.related_id, 0);
    fx_close(&f);
}

static void test_dhcp_without_pxe_starts_nothing(void **state)
{
    struct fx f;
    struct itm_flow_rec dhcp = flow(1, 17, "0.0.0.0", 68, "255.255.255.255", 67);
    struct itm_flow_rec proxy = flow(2, 17, "10.1.40.50", 68, "10.1.0.40", 4011);
    struct itm_pkt p;
    uint8_t b[300];
    size_t n = dhcp_discover(b, sizeof(b), mac1, 0);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &dhcp, 0, b, n), 0);
    assert_int_equal(dhcp.label.insp.flags & ITM_ID_PXECLIENT, 0);
    p = pkt_of(&proxy, ITM_DIR_TOSERVER, NULL, 0);
    p.has_mac = 1;
    memcpy(p.mac_src, mac1, 6);
    ev_pkt(&f, &proxy, ITM_CE_NEW, ITM_DIR_TOSERVER, &p);
    assert_int_equal(proxy.label.related_id, 0);
    fx_close(&f);
}

static void test_broad_ranges_need_a_role(void **state)
{
    struct fx f;
    struct itm_flow_rec u = flow(1, 6, "10.9.0.1", 50000, "10.9.0.2", 40000);
    struct itm_flow_rec ns = flow(2, 6, "10.1.0.10", 50001, "10.9.0.2", 40000);
    struct itm_flow_rec v6 = flow(3, 58, "2001:db8::21", 9, "2001:db8::30", 9);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &u, 1, NULL, 0), 0);
    assert_int_equal(u.label.rule, ITM_NO_RULE);
    assert_int_equal(life(&f, &ns, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, ns.label.rule), "ns-data-connector");
    assert_int_equal(ns.label.confidence, ITM_CONF_PORT);
    v6.icmp_type = 128; /* ICMPv6 echo request */
    assert_int_equal(life(&f, &v6, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, v6.label.rule), "agent-ping");
    fx_close(&f);
}

static void test_traps_make_event_console_unless_manager(void **state)
{
    struct fx f;
    struct itm_flow_rec r;
    (void)state;

    fx_open(&f, NULL);
    r = flow(1, 17, "10.0.9.1", 40000, "10.0.0.50", 162);
    observe(&f, r);
    r = flow(2, 17, "10.0.9.1", 40001, "10.0.0.80", 162);
    observe(&f, r);
    r = flow(3, 17, "10.0.0.80", 40002, "10.0.9.1", 161); /* it polls devices */
    answer(&r);
    observe(&f, r);
    assert_int_equal(roles(&f, "10.0.0.50"), RB(EVENT_CONSOLE));
    assert_int_equal(roles(&f, "10.0.0.80"), 0);
    fx_close(&f);
}

static void test_reload_without_site_uses_defaults(void **state)
{
    struct fx f;
    (void)state;

    fx_open(&f, base_site);
    observe_tcp(&f, 1, "10.1.0.10", "10.9.0.20", 50123);
    assert_int_equal(roles(&f, "10.1.0.10"), RB(NS));
    itm_classifier_reload(f.c, f.db, NULL);
    assert_int_equal(roles(&f, "10.1.0.10"), 0);
    assert_int_equal(roles(&f, "10.9.0.20"), RB(TASK_SERVER));
    fx_close(&f);
}

/* ---- limits ---- */

static void test_host_table_full(void **state)
{
    struct itm_classify_limits lim = {3, 0, 0, 0};
    struct itm_classify_stats st;
    struct fx f;
    char a[32];
    (void)state;

    fx_open_lim(&f, NULL, &lim);
    for (unsigned i = 1; i <= 5; i++) {
        snprintf(a, sizeof(a), "10.0.0.%u", i);
        observe_tcp(&f, i, "10.0.0.100", a, 52028);
    }
    assert_int_equal(itm_classifier_host_count(f.c), 3);
    assert_int_equal(roles(&f, "10.0.0.1"), RB(AGENT));
    assert_int_equal(roles(&f, "10.0.0.2"), RB(AGENT));
    assert_int_equal(roles(&f, "10.0.0.3"), 0); /* the third slot went to 10.0.0.100 */
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.hosts_dropped, 3);
    fx_close(&f);
}

/* Thousands of hosts, IPv4 and IPv6, through several doublings of the host table: each
 * keeps its learned roles and its counts, an address never seen has none, the view lists
 * every host once in address order, and freezing keeps what was learned. */
static void test_host_table_grows(void **state)
{
    enum { N = 5000 };
    struct itm_host_view v, prev;
    struct fx f;
    char a[64];
    (void)state;

    fx_open(&f, NULL);
    for (unsigned i = 0; i < N; i++) {
        if (i % 2)
            snprintf(a, sizeof(a), "10.%u.%u.%u", 40 + i / 65536, (i / 256) % 256, i % 256);
        else
            snprintf(a, sizeof(a), "2001:db8::%x:%x", i / 65536, i % 65536);
        observe_tcp(&f, i + 1, "10.0.0.100", a, 52028); /* a tickle: the server is an agent */
    }
    assert_int_equal(itm_classifier_host_count(f.c), N + 1);
    for (unsigned i = 0; i < N; i++) {
        if (i % 2)
            snprintf(a, sizeof(a), "10.%u.%u.%u", 40 + i / 65536, (i / 256) % 256, i % 256);
        else
            snprintf(a, sizeof(a), "2001:db8::%x:%x", i / 65536, i % 65536);
        assert_int_equal(roles(&f, a), RB(AGENT));
    }
    assert_int_equal(roles(&f, "10.39.0.1"), 0);
    assert_int_equal(roles(&f, "2001:db8::1:0"), 0);
    for (size_t i = 0; i < itm_classifier_host_count(f.c); i++) {
        assert_int_equal(itm_classifier_host(f.c, i, &v), 0);
        assert_int_equal(v.flows_client + v.flows_server, v.ip.a[0] == 10 && v.ip.a[3] == 100
                                                              ? (uint64_t)N : 1u);
        if (i > 0)
            assert_true(itm_ip_cmp(&prev.ip, &v.ip) < 0);
        prev = v;
    }
    itm_classifier_freeze(f.c);
    assert_int_equal(roles(&f, "10.40.0.1"), RB(AGENT));
    assert_int_equal(roles(&f, "2001:db8::0:2"), RB(AGENT));
    fx_close(&f);
}

/* Allocations that fail while the host table would grow drop the hosts that needed one,
 * counted, and keep every other. The slots double from 1,024 to 2,048 at the 769th host
 * and to 4,096 at the 1,537th: 10.0.0.100 is the first host, so the agent 10.50.5.255
 * (i = 1,535) is the 1,537th, and with every allocation failing from i = 1,500 to 1,599,
 * the agents from it to i = 1,599 are dropped (65), those before it in that range kept. */
static void test_host_table_grow_fails(void **state)
{
    struct itm_classify_stats st;
    struct fx f;
    char a[32];
    (void)state;

    fx_open(&f, NULL);
    for (unsigned i = 0; i < 2000; i++) {
        snprintf(a, sizeof(a), "10.50.%u.%u", i / 256, i % 256);
        if (i >= 1500 && i < 1600)
            itm_alloc_fail_after(0); /* every allocation fails */
        observe_tcp(&f, i + 1, "10.0.0.100", a, 52028);
        itm_alloc_fail_after(-1);
    }
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.hosts_dropped, 65);
    assert_int_equal(itm_classifier_host_count(f.c), 2001 - 65);
    assert_int_equal(roles(&f, "10.50.0.1"), RB(AGENT));
    assert_int_equal(roles(&f, "10.50.5.254"), RB(AGENT)); /* i = 1,534: needed nothing */
    assert_int_equal(roles(&f, "10.50.5.255"), 0);         /* i = 1,535: the table was full */
    assert_int_equal(roles(&f, "10.50.6.63"), 0);          /* i = 1,599 */
    assert_int_equal(roles(&f, "10.50.6.64"), RB(AGENT));  /* i = 1,600: the table grew */
    assert_int_equal(roles(&f, "10.50.7.207"), RB(AGENT)); /* the last */
    fx_close(&f);
}

static void test_expectations_full_and_expire(void **state)
{
    struct itm_classify_limits lim = {0, 2, 5, 0};
    struct itm_classify_stats st;
    struct fx f;
    struct itm_flow_rec r;
    (void)state;

    fx_open_lim(&f, base_site, &lim);
    for (uint16_t i = 0; i < 3; i++) {
        r = flow(i + 1, 17, "10.1.40.50", (uint16_t)(2000 + i), "10.1.0.40", 69);
        life(&f, &r, 0, tftp_rrq, sizeof(tftp_rrq));
    }
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.expect_created, 2);
    assert_int_equal(st.expect_dropped, 1);
    /* the third request found no room: its transfer stays unrelated */
    r = flow(10, 17, "10.1.0.40", 49000, "10.1.40.50", 2002);
    life(&f, &r, 1, NULL, 0);
    assert_int_equal(r.label.related_id, 0);
    r = flow(11, 17, "10.1.0.40", 49001, "10.1.40.50", 2000);
    life(&f, &r, 1, NULL, 0);
    assert_int_equal(r.label.related_id, 1);
    /* six seconds later the other one has expired */
    r = flow_at(12, 17, "10.1.0.40", 49002, "10.1.40.50", 2001, T0 + 6 * SEC);
    life(&f, &r, 1, NULL, 0);
    assert_int_equal(r.label.related_id, 0);
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.expect_matched, 1);
    assert_int_equal(st.expect_expired, 1);
    fx_close(&f);
}

static void test_reload_keeps_learned_roles(void **state)
{
    struct fx f;
    struct itm_site *s2;
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    static const char site2[] = "[roles]\n10.0.0.30 package-server\n";
    struct itm_flow_rec r = flow(5, 6, "10.0.0.10", 40000, "10.0.0.30", 445);
    int err;
    (void)state;

    fx_open(&f, NULL);
    observe_tcp(&f, 1, "10.0.0.10", "10.0.0.20", 50123);
    s2 = itm_site_load_mem("s2", site2, strlen(site2), &d, &err);
    assert_non_null(s2);
    itm_classifier_reload(f.c, f.db, s2);
    assert_int_equal(roles(&f, "10.0.0.20"), RB(TASK_SERVER));
    assert_int_equal(roles(&f, "10.0.0.30"), RB(PACKAGE_SERVER));
    life(&f, &r, 1, NULL, 0);
    assert_string_equal(rid(&f, r.label.rule), "ps-unc");
    itm_classifier_free(f.c);
    f.c = NULL;
    itm_site_free(s2);
    fx_close(&f);
}

/* What a port says of roles is kept per port between flows; a reload that moves a rule must
 * forget it. ns-cem moved from 4726 to 4999: a listener on 4999 is now the NS, one on
 * 4726 no longer is. */
static void test_reload_forgets_port_facts(void **state)
{
    struct fx f;
    struct itm_sigdb *db2;
    struct itm_site *s2;
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    static const char site2[] = "[move]\nns-cem ports = 4999\n";
    int err;
    (void)state;

    fx_open(&f, NULL);
    observe_tcp(&f, 1, "10.0.0.11", "10.0.0.20", 4726);
    observe_tcp(&f, 2, "10.0.0.11", "10.0.0.21", 4999);
    assert_true(roles(&f, "10.0.0.20") & RB(NS));
    assert_int_equal(roles(&f, "10.0.0.21") & RB(NS), 0);
    db2 = itm_sigdb_load_file(SIG, &d, &err);
    assert_non_null(db2);
    s2 = itm_site_load_mem("s2", site2, strlen(site2), &d, &err);
    assert_non_null(s2);
    assert_int_equal(itm_site_apply_moves(s2, db2, &d), 0);
    itm_classifier_reload(f.c, db2, s2);
    observe_tcp(&f, 3, "10.0.0.11", "10.0.0.30", 4726);
    observe_tcp(&f, 4, "10.0.0.11", "10.0.0.31", 4999);
    assert_int_equal(roles(&f, "10.0.0.30") & RB(NS), 0);
    assert_true(roles(&f, "10.0.0.31") & RB(NS));
    itm_classifier_free(f.c);
    f.c = NULL;
    itm_site_free(s2);
    itm_sigdb_free(db2);
    fx_close(&f);
}

/* A flow's later events keep the roles its previous event found unless some roles were
 * learned since it began: a flow open while its server turned out to be a task server must
 * see the new role at its end. */
static void test_roles_learned_during_a_flow(void **state)
{
    struct fx f;
    struct itm_flow_rec open = flow(1, 6, "10.0.0.10", 40001, "10.0.0.20", 50123);
    struct itm_flow_rec later;
    (void)state;

    fx_open(&f, NULL);
    ev(&f, &open, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0);
    assert_int_equal(open.label.server_roles, 0);
    observe_tcp(&f, 2, "10.0.0.11", "10.0.0.20", 50123); /* a task server after all */
    assert_int_equal(roles(&f, "10.0.0.20"), RB(TASK_SERVER));
    answer(&open);
    ev(&f, &open, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
    assert_int_equal(open.label.server_roles, RB(TASK_SERVER));
    /* a flow that began after the change keeps what its first event found */
    later = flow(3, 6, "10.0.0.12", 40003, "10.0.0.20", 50123);
    ev(&f, &later, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0);
    answer(&later);
    ev(&f, &later, ITM_CE_REPLY, ITM_DIR_TOCLIENT, NULL, 0);
    ev(&f, &later, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
    assert_int_equal(later.label.server_roles, RB(TASK_SERVER));
    fx_close(&f);
}

/* Labels are kept between flows by what they depend on: a classifier that has seen hundreds
 * of flows must label each one exactly as a fresh classifier does. Roles come from the
 * site only (nothing is observed), and the PXE and TFTP ports, whose expectations link
 * flows on purpose, are left out; scan windows are per run, so the scan flag is not
 * compared. */
static void test_label_memo_matches_fresh(void **state)
{
    static const char *const hosts[] = {"10.1.0.10", "10.1.0.20", "10.1.0.30", "10.1.0.50",
                                        "10.1.16.5", "10.1.16.25", "10.1.32.7", "10.9.9.9",
                                        "127.0.0.1"};
    static const uint16_t ports[] = {443, 80, 4726, 50123, 50124, 52028, 52029, 52030, 56118,
                                     8500, 162, 445, 1433, 389, 53, 3389, 135, 12345, 50000,
                                     60000, 1024, 161, 22, 64522, 64524};
    static const uint16_t cports[] = {40000, 51515, 1025, 500, 53, 443, 80, 162, 61000};
    struct fx longlived;
    uint32_t seed = 12345;
    (void)state;

    fx_open(&longlived, base_site);
    for (int i = 0; i < 600; i++) {
        struct itm_flow_rec a, b;
        struct fx fresh;
        const char *cl, *sv;
        uint8_t proto;
        uint16_t sp, cp;
        int answered, which;
        const void *pl = NULL;
        size_t n = 0;
        uint8_t smb[68];

        seed = seed * 1103515245u + 12345u;
        cl = hosts[(seed >> 8) % (sizeof(hosts) / sizeof(hosts[0]))];
        sv = hosts[(seed >> 16) % (sizeof(hosts) / sizeof(hosts[0]))];
        seed = seed * 1103515245u + 12345u;
        proto = (seed >> 8) & 1 ? 6 : 17;
        sp = ports[(seed >> 10) % (sizeof(ports) / sizeof(ports[0]))];
        cp = cports[(seed >> 18) % (sizeof(cports) / sizeof(cports[0]))];
        answered = (seed >> 26) & 1;
        which = (seed >> 27) & 3;
        if ((seed >> 30) & 1)
            sv = cl; /* a host talking to itself: the Event Console's local rules */
        if (i < 2) {
            /* the same inputs but for being local: a local rule only fits the first */
            proto = 17;
            sp = 64522;
            cl = "10.9.9.9";
            sv = i == 0 ? "10.9.9.9" : "10.8.8.8";
        } else if (i < 4) {
            /* the same inputs but for the payload: only SMB proposes a rule (ns-push-smb) */
            proto = 6;
            sp = 12345;
            cl = "10.1.0.10";
            sv = "10.1.16.5";
            which = i == 2 ? 2 : 3;
            answered = 1;
        }
        a = flow((uint64_t)i + 1, proto, cl, cp, sv, sp);
        if ((seed >> 29) & 1)
            a.orient = 2; /* first seen mid-stream: may be read the other way round */
        if (proto == 6 && which == 1) {
            pl = http_altiris;
            n = strlen(http_altiris);
        } else if (proto == 6 && which == 2) {
            pl = ssh_banner;
            n = strlen(ssh_banner);
        } else if (proto == 6 && which == 3) {
            /* an SMB2 negotiate: SMB away from 445 is proposed the SMB rule */
            memset(smb, 0, sizeof(smb));
            smb[3] = 64;
            smb[4] = 0xfe;
            memcpy(smb + 5, "SMB", 3);
            smb[8] = 64;
            pl = smb;
            n = sizeof(smb);
        }
        b = a;
        life(&longlived, &a, answered, pl, n);
        fx_open(&fresh, base_site);
        life(&fresh, &b, answered, pl, n);
        assert_int_equal(a.label.rule, b.label.rule);
        assert_int_equal(a.label.confidence, b.label.confidence);
        assert_int_equal(a.label.nalt, b.label.nalt);
        assert_memory_equal(a.label.alt, b.label.alt, a.label.nalt * sizeof(a.label.alt[0]));
        assert_int_equal(a.label.flags & ~ITM_F_SCAN, b.label.flags & ~ITM_F_SCAN);
        fx_close(&fresh);
    }
    fx_close(&longlived);
}

/* Every allocation may fail: the classifier either is not made or keeps working, and
 * nothing leaks (the sanitizer build checks). */
static void test_allocation_failures(void **state)
{
    struct itm_sigdb *db;
    struct itm_diag d = {NULL, NULL, 0};
    int err, made = 0;
    (void)state;

    db = itm_sigdb_load_file(SIG, &d, &err);
    assert_non_null(db);
    for (long n = 0; n < 80; n++) {
        struct itm_classifier *c;
        struct itm_flow_rec r;
        struct itm_pkt p;

        itm_alloc_fail_after(n);
        c = itm_classifier_new(db, NULL, NULL, &err);
        if (!c) {
            itm_alloc_fail_after(-1);
            assert_int_equal(err, ITM_ERR_NOMEM);
            continue;
        }
        made++;
        for (uint16_t i = 0; i < 6; i++) {
            r = flow(i + 1, 17, "10.1.40.50", (uint16_t)(2000 + i), "10.2.0.40", 69);
            p = pkt_of(&r, ITM_DIR_TOSERVER, tftp_rrq, sizeof(tftp_rrq));
            itm_classify(c, &r, &p, ITM_CE_NEW, ITM_DIR_TOSERVER, &r.label);
            itm_classify(c, &r, &p, ITM_CE_PAYLOAD, ITM_DIR_TOSERVER, &r.label);
            answer(&r);
            itm_classifier_observe(c, &r);
        }
        itm_alloc_fail_after(-1);
        itm_classifier_freeze(c);
        itm_classifier_free(c);
    }
    assert_true(made > 0);
    itm_sigdb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ambiguous_443_unknown_hosts),
        cmocka_unit_test(test_web_rule_chosen_by_roles),
        cmocka_unit_test(test_web_rule_chosen_by_path),
        cmocka_unit_test(test_icmp_echo_to_package_server),
        cmocka_unit_test(test_multicast_tickle_and_wrong_group),
        cmocka_unit_test(test_moved_tickle_group),
        cmocka_unit_test(test_igmp_join_tickle_group),
        cmocka_unit_test(test_infer_notification_server),
        cmocka_unit_test(test_infer_ns_needs_freeze_when_agents_come_late),
        cmocka_unit_test(test_infer_servers),
        cmocka_unit_test(test_infer_off_and_declared_win),
        cmocka_unit_test(test_roles_table_print),
        cmocka_unit_test(test_tftp_expectation),
        cmocka_unit_test(test_pxe_chain),
        cmocka_unit_test(test_dhcp_without_pxe_starts_nothing),
        cmocka_unit_test(test_broad_ranges_need_a_role),
        cmocka_unit_test(test_traps_make_event_console_unless_manager),
        cmocka_unit_test(test_reload_without_site_uses_defaults),
        cmocka_unit_test(test_host_table_full),
        cmocka_unit_test(test_expectations_full_and_expire),
        cmocka_unit_test(test_reload_keeps_learned_roles),
        cmocka_unit_test(test_reload_forgets_port_facts),
        cmocka_unit_test(test_label_memo_matches_fresh),
        cmocka_unit_test(test_roles_learned_during_a_flow),
        cmocka_unit_test(test_host_many_kinds_of_evidence),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_host_table_grows),
        cmocka_unit_test(test_host_table_grow_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
