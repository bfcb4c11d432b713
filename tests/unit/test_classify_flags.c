/* test_classify_flags.c: the classifier's findings with the real signature database: role
 * mismatch and contradiction, lateral movement, scans, external and unexpected ports, moved
 * ports, cleartext, payload mismatch; each raised where it must be and not where it must not. */
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

static const char http_plain[] = "GET /index.html HTTP/1.1\r\nHost: intranet\r\n\r\n";

static size_t smb2_negotiate(uint8_t *b)
{
    memset(b, 0, 68);
    b[3] = 64;
    b[4] = 0xfe;
    memcpy(b + 5, "SMB", 3);
    b[8] = 64;
    return 68;
}

/* ---- findings ---- */

static void test_role_contradiction(void **state)
{
    static const char site[] = "[roles]\n10.1.0.10 notification-server\n10.1.0.31 agent\n"
                               "10.1.0.20 task-server\n10.1.0.21 task-server\n10.1.16.40 agent\n";
    struct fx f;
    struct itm_flow_rec bad = flow(1, 6, "10.1.0.10", 40000, "10.1.0.31", 50123);
    struct itm_flow_rec ts = flow(2, 6, "10.1.0.20", 40001, "10.1.0.21", 50124);
    struct itm_flow_rec good = flow(3, 6, "10.1.0.10", 40002, "10.1.0.20", 50123);
    struct itm_flow_rec tftp = flow(4, 17, "10.1.40.9", 2070, "10.1.16.40", 69);
    struct itm_host_view v;
    (void)state;

    fx_open(&f, site);
    /* the NS tickles a declared agent on the task server port: wrong roles at once, and a
     * contradiction once the host answers, since only a task server listens there */
    assert_int_equal(ev(&f, &bad, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0), ITM_F_ROLE_MISMATCH);
    answer(&bad);
    assert_int_equal(ev(&f, &bad, ITM_CE_REPLY, ITM_DIR_TOCLIENT, NULL, 0),
                     ITM_F_ROLE_CONTRADICTION);
    assert_non_null(strstr(bad.label.reason, "ts-tickle is notification-server -> task-server"));
    /* a task server listening on the agent port runs an agent the site did not declare */
    assert_int_equal(life(&f, &ts, 1, NULL, 0), ITM_F_ROLE_CONTRADICTION | ITM_F_ROLE_MISMATCH);
    assert_non_null(strstr(ts.label.reason, "cta-tickle is task-server -> agent"));
    /* below 1024 only the contradiction speaks */
    assert_int_equal(life(&f, &tftp, 0, tftp_rrq, sizeof(tftp_rrq)), ITM_F_ROLE_CONTRADICTION);
    assert_string_equal(tftp.label.reason,
                        "10.1.16.40 declared agent but serves udp/69 (deployment-server)");
    assert_int_equal(life(&f, &good, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, good.label.rule), "ts-tickle");
    itm_classifier_observe(f.c, &bad);
    itm_classifier_observe(f.c, &good);
    assert_int_equal(itm_classifier_host(f.c, 1, &v), 0); /* 10.1.0.20 */
    assert_int_equal(v.contradictions, 0);
    assert_int_equal(itm_classifier_host(f.c, 2, &v), 0); /* 10.1.0.31 */
    assert_int_equal(v.ip.a[3], 31);
    assert_int_equal(v.contradictions, 1);
    assert_int_equal(v.declared, RB(AGENT));
    fx_close(&f);
}

static void test_role_mismatch(void **state)
{
    struct fx f;
    struct itm_flow_rec tickle = flow(1, 6, "10.1.16.21", 40000, "10.1.16.22", 52028);
    struct itm_flow_rec cta = flow(2, 6, "10.1.16.21", 40001, "10.1.0.20", 50124);
    struct itm_flow_rec ns = flow(3, 6, "10.1.0.10", 40002, "10.1.16.22", 52028);
    struct itm_flow_rec ts = flow(4, 6, "10.1.0.20", 40003, "10.1.16.22", 52028);
    struct itm_flow_rec ts2 = flow(5, 6, "10.1.0.20", 40004, "10.1.16.22", 50124);
    struct itm_flow_rec dns = flow(6, 17, "10.1.16.21", 40005, "10.1.0.50", 53);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &tickle, 1, NULL, 0), ITM_F_ROLE_MISMATCH);
    assert_string_equal(tickle.label.reason,
                        "agent 10.1.16.21 -> agent 10.1.16.22 on tcp/52028: win-tickle-tcp is "
                        "notification-server,task-server -> agent");
    assert_string_equal(rid(&f, tickle.label.rule), "win-tickle-tcp");
    assert_int_equal(tickle.label.confidence, ITM_CONF_PORT);
    assert_int_equal(life(&f, &cta, 0, NULL, 0), ITM_F_ROLE_MISMATCH);
    assert_string_equal(cta.label.reason, "agent 10.1.16.21 -> task-server 10.1.0.20 on tcp/50124: "
                                          "cta-tickle is task-server -> agent");
    assert_int_equal(life(&f, &ns, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, ns.label.rule), "win-tickle-tcp");
    assert_int_equal(ns.label.confidence, ITM_CONF_ROLE);
    assert_int_equal(life(&f, &ts, 1, NULL, 0), 0);
    assert_int_equal(life(&f, &ts2, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, ts2.label.rule), "cta-tickle");
    /* a shared port (DNS) used by other roles is not ITMS traffic, not a finding */
    assert_int_equal(life(&f, &dns, 1, NULL, 0), 0);
    assert_int_equal(dns.label.rule, ITM_NO_RULE);
    fx_close(&f);
}

static void test_lateral_movement(void **state)
{
    char site[512];
    struct fx f;
    struct itm_flow_rec smb = flow(1, 6, "10.1.16.21", 40000, "10.1.16.22", 445);
    struct itm_flow_rec rdp = flow(2, 6, "10.1.16.21", 40001, "10.1.16.22", 3389);
    struct itm_flow_rec p2p = flow(3, 6, "10.1.16.21", 40002, "10.1.16.22", 56118);
    struct itm_flow_rec ps = flow(4, 6, "10.1.16.21", 40003, "10.1.0.30", 445);
    struct itm_flow_rec adm = flow(5, 6, "10.1.16.25", 40004, "10.1.16.22", 445);
    struct itm_flow_rec ns = flow(6, 6, "10.1.0.10", 40005, "10.1.16.22", 445);
    (void)state;

    snprintf(site, sizeof(site), "%s[allow]\nflag = lateral_movement client = 10.1.16.25\n",
             base_site);
    fx_open(&f, site);
    assert_int_equal(life(&f, &smb, 1, NULL, 0), ITM_F_LATERAL);
    assert_string_equal(smb.label.reason, "agent 10.1.16.21 -> agent 10.1.16.22 on tcp/445 (SMB)");
    assert_int_equal(life(&f, &rdp, 1, NULL, 0), ITM_F_LATERAL);
    assert_non_null(strstr(rdp.label.reason, "(RDP)"));
    assert_int_equal(life(&f, &p2p, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, p2p.label.rule), "win-p2p");
    assert_int_equal(life(&f, &ps, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, ps.label.rule), "ps-unc");
    assert_int_equal(life(&f, &adm, 1, NULL, 0), 0); /* allowed by the site */
    assert_int_equal(life(&f, &ns, 1, NULL, 0), 0);
    assert_string_equal(rid(&f, ns.label.rule), "ns-push-smb");
    fx_close(&f);
}

static void test_scan_ports_and_hosts(void **state)
{
    char site[512];
    struct fx f;
    struct itm_flow_rec r;
    uint32_t raised;
    uint64_t t = T0;
    char host[32];
    (void)state;

    snprintf(site, sizeof(site), "%s[policy]\nscan_ports = 4\nscan_hosts = 5\nscan_window = 10\n",
             base_site);
    fx_open(&f, site);
    for (uint16_t p = 1000; p < 1003; p++) {
        r = flow_at(p, 6, "10.2.0.9", 40000, "10.2.0.5", p, t += SEC);
        assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
    }
    r = flow_at(1003, 6, "10.2.0.9", 40000, "10.2.0.5", 1003, t += SEC);
    assert_int_equal(life(&f, &r, 0, NULL, 0), ITM_F_SCAN);
    assert_string_equal(r.label.reason, "10.2.0.9 reached 4 ports of 10.2.0.5 within 10 s");
    r = flow_at(1004, 6, "10.2.0.9", 40000, "10.2.0.5", 1004, t += SEC);
    assert_int_equal(life(&f, &r, 0, NULL, 0), 0); /* once per window */
    /* the same ports again in the next window count afresh */
    t += 10 * SEC;
    for (uint16_t p = 1000; p < 1004; p++) {
        r = flow_at(p, 6, "10.2.0.9", 40000, "10.2.0.5", p, t += SEC / 10);
        raised = life(&f, &r, 0, NULL, 0);
        assert_int_equal(raised, p == 1003 ? ITM_F_SCAN : 0);
    }
    /* horizontal: five hosts on one port */
    for (unsigned h = 1; h <= 5; h++) {
        snprintf(host, sizeof(host), "10.2.1.%u", h);
        r = flow_at(h, 6, "10.2.0.8", 40000, host, 3306, t += SEC / 10);
        raised = life(&f, &r, 0, NULL, 0);
        assert_int_equal(raised, h == 5 ? ITM_F_SCAN : 0);
    }
    assert_string_equal(r.label.reason, "10.2.0.8 reached 5 hosts on tcp/3306 within 10 s");
    /* the NS tickling its agents is documented traffic between known roles */
    for (unsigned h = 1; h <= 8; h++) {
        snprintf(host, sizeof(host), "10.1.16.%u", 100 + h);
        r = flow_at(h, 6, "10.1.0.10", 40000, host, 52028, t += SEC / 10);
        assert_int_equal(life(&f, &r, 1, NULL, 0), 0);
    }
    fx_close(&f);
}

static void test_scan_sources_bounded(void **state)
{
    static const char site[] = "[policy]\nscan_ports = 3\nscan_window = 60\n";
    struct itm_classify_limits lim = {0, 0, 0, 1};
    struct itm_classify_stats st;
    struct fx f;
    struct itm_flow_rec r;
    (void)state;

    fx_open_lim(&f, site, &lim);
    r = flow(1, 6, "10.2.0.9", 40000, "10.2.0.5", 1000);
    assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
    for (uint16_t p = 1000; p < 1003; p++) {
        r = flow(p, 6, "10.2.0.7", 40000, "10.2.0.5", p);
        assert_int_equal(life(&f, &r, 0, NULL, 0), 0); /* not tracked: table full */
    }
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.scan_dropped, 3);
    /* after the reset between passes there is room again */
    itm_classifier_reset_transient(f.c);
    for (uint16_t p = 1000; p < 1003; p++) {
        r = flow(p, 6, "10.2.0.7", 40000, "10.2.0.5", p);
        assert_int_equal(life(&f, &r, 0, NULL, 0), p == 1002 ? ITM_F_SCAN : 0);
    }
    fx_close(&f);
}

/* Sources coming and going by the thousand: the table fills, the oldest sources give way
 * once their windows are over (each taken out of the sources' index, whose later slots move
 * back), the index doubles on the way; the sources still tracked are found again, their
 * counts intact, and nothing is dropped. */
static void test_scan_sources_churn(void **state)
{
    static const char site[] = "[policy]\nscan_hosts = 3\nscan_window = 10\n";
    struct itm_classify_limits lim = {0, 0, 0, 2000};
    struct itm_classify_stats st;
    struct itm_flow_rec r;
    struct fx f;
    uint64_t t = T0, id = 1;
    char src[32], dst[32];
    (void)state;

    fx_open_lim(&f, site, &lim);
    /* a thousand sources whose windows will be over */
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(src, sizeof(src), "10.3.%u.%u", i / 250, i % 250 + 1);
        r = flow_at(id++, 6, src, 40000, "10.9.0.1", 3306, t += SEC / 10000);
        assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
    }
    t += 11 * SEC;
    /* a thousand that reach two hosts each, then a thousand newcomers that take the old
     * ones' places */
    for (unsigned h = 1; h <= 2; h++)
        for (unsigned i = 0; i < 1000; i++) {
            snprintf(src, sizeof(src), "10.4.%u.%u", i / 250, i % 250 + 1);
            snprintf(dst, sizeof(dst), "10.9.1.%u", h);
            r = flow_at(id++, 6, src, 40000, dst, 1433, t += SEC / 10000);
            assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
        }
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(src, sizeof(src), "10.5.%u.%u", i / 250, i % 250 + 1);
        r = flow_at(id++, 6, src, 40000, "10.9.0.1", 3306, t += SEC / 10000);
        assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
    }
    /* the third host of each: a scan, counted in the same window */
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(src, sizeof(src), "10.4.%u.%u", i / 250, i % 250 + 1);
        r = flow_at(id++, 6, src, 40000, "10.9.1.3", 1433, t += SEC / 10000);
        assert_int_equal(life(&f, &r, 0, NULL, 0), ITM_F_SCAN);
    }
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.scan_dropped, 0);
    /* the table is full of open windows now: a newcomer is not tracked */
    r = flow_at(id++, 6, "10.6.0.1", 40000, "10.9.0.1", 3306, t += SEC / 10000);
    assert_int_equal(life(&f, &r, 0, NULL, 0), 0);
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.scan_dropped, 1);
    fx_close(&f);
}

static void test_external_and_unexpected(void **state)
{
    struct fx f;
    struct itm_flow_rec ext = flow(1, 6, "10.1.16.21", 40000, "8.8.8.8", 8443);
    struct itm_flow_rec web = flow(2, 6, "10.1.16.21", 40001, "8.8.8.8", 443);
    struct itm_flow_rec unx = flow(3, 6, "10.1.16.21", 40002, "10.1.0.99", 3306);
    struct itm_flow_rec none = flow(4, 6, "10.2.0.1", 40003, "10.2.0.2", 3306);
    struct itm_flow_rec ssdp = flow(5, 17, "10.1.16.21", 40004, "239.255.255.250", 1900);
    uint32_t raised;
    (void)state;

    fx_open(&f, base_site);
    /* nothing until the flow ends: a payload check might still explain it */
    assert_int_equal(ev(&f, &ext, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0), 0);
    raised = ev(&f, &ext, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
    assert_int_equal(raised, ITM_F_EXTERNAL);
    assert_string_equal(ext.label.reason, "agent 10.1.16.21 -> host 8.8.8.8 on tcp/8443: non-local "
                                          "peer, no rule explains it");
    assert_int_equal(life(&f, &web, 1, NULL, 0), 0);
    assert_int_equal(life(&f, &unx, 1, NULL, 0), ITM_F_UNEXPECTED_PORT);
    assert_string_equal(unx.label.reason, "agent 10.1.16.21 -> host 10.1.0.99 on tcp/3306: no "
                                          "rule explains it");
    assert_int_equal(life(&f, &none, 1, NULL, 0), 0);
    assert_int_equal(life(&f, &ssdp, 0, NULL, 0), 0);
    fx_close(&f);
}

static void test_nonstandard_port(void **state)
{
    struct fx f;
    struct itm_flow_rec alt = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 8080);
    struct itm_flow_rec plain = flow(2, 6, "10.1.16.21", 40001, "10.1.0.10", 8080);
    struct itm_flow_rec smb = flow(3, 6, "10.1.16.21", 40002, "10.1.0.30", 8445);
    uint8_t b[68];
    size_t n = smb2_negotiate(b);
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(life(&f, &alt, 1, http_altiris, strlen(http_altiris)),
                     ITM_F_NONSTANDARD_PORT);
    assert_string_equal(alt.label.reason, "http /Altiris/ on tcp/8080 (10.1.16.21 -> 10.1.0.10): "
                                          "move agent-initial to port 8080 in the site file");
    assert_string_equal(rid(&f, alt.label.rule), "agent-initial");
    assert_int_equal(life(&f, &plain, 1, http_plain, strlen(http_plain)), ITM_F_UNEXPECTED_PORT);
    assert_int_equal(life(&f, &smb, 1, b, n), ITM_F_NONSTANDARD_PORT);
    assert_non_null(strstr(smb.label.reason, "ps-unc, whose port cannot be moved"));
    fx_close(&f);
}

static void test_moved_port_is_standard(void **state)
{
    char site[512];
    struct fx f;
    struct itm_flow_rec alt = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 8080);
    (void)state;

    snprintf(site, sizeof(site), "%s[move]\nagent-initial ports = 8080\n", base_site);
    fx_open(&f, site);
    assert_int_equal(life(&f, &alt, 1, http_altiris, strlen(http_altiris)), 0);
    assert_string_equal(rid(&f, alt.label.rule), "agent-initial");
    assert_int_equal(alt.label.confidence, ITM_CONF_PAYLOAD);
    fx_close(&f);
}

static void test_cleartext(void **state)
{
    char site[512];
    struct fx f;
    struct itm_flow_rec h = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 80);
    struct itm_flow_rec s = flow(2, 6, "10.1.16.21", 40001, "10.1.0.10", 443);
    struct itm_flow_rec t = flow(3, 6, "10.1.0.20", 40002, "10.1.0.10", 80);
    (void)state;

    snprintf(site, sizeof(site), "%s[policy]\ncleartext = on\n", base_site);
    fx_open(&f, site);
    assert_int_equal(ev(&f, &h, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0), ITM_F_CLEARTEXT);
    assert_string_equal(h.label.reason, "agent 10.1.16.21 -> notification-server 10.1.0.10 on "
                                        "tcp/80: plain HTTP (agent-initial), HTTPS required");
    assert_int_equal(life(&f, &s, 1, NULL, 0), 0);
    assert_int_equal(life(&f, &t, 1, NULL, 0), 0); /* task server, not an agent */
    fx_close(&f);

    fx_open(&f, base_site); /* cleartext off by default */
    h = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 80);
    assert_int_equal(life(&f, &h, 1, http_altiris, strlen(http_altiris)), 0);
    fx_close(&f);
}

static void test_payload_mismatch(void **state)
{
    struct fx f;
    struct itm_flow_rec r = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 80);
    struct itm_classify_stats st;
    (void)state;

    fx_open(&f, base_site);
    assert_int_equal(ev(&f, &r, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0), 0);
    assert_int_equal(r.label.confidence, ITM_CONF_ROLE);
    assert_int_equal(ev(&f, &r, ITM_CE_PAYLOAD, ITM_DIR_TOSERVER, ssh_banner, strlen(ssh_banner)),
                     ITM_F_PAYLOAD_MISMATCH);
    assert_int_equal(r.label.confidence, ITM_CONF_PORT);
    assert_string_equal(r.label.reason, "tcp/80 carries ssh, not http as agent-initial expects");
    assert_int_equal(ev(&f, &r, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0), 0);
    assert_int_equal(r.label.confidence, ITM_CONF_PORT);
    itm_classifier_stats(f.c, &st);
    assert_int_equal(st.payload_checks, 1);
    assert_int_equal(st.payload_mismatch, 1);
    fx_close(&f);
}

/* ---- findings that must not be raised ---- */

static void test_midstream_gives_no_mismatch(void **state)
{
    struct fx f;
    struct itm_flow_rec r = flow(1, 6, "10.1.16.21", 40000, "10.1.0.10", 80);
    (void)state;

    r.orient = 1; /* first seen mid-stream, client chosen by the listening port */
    r.tcp_state = ITM_TCPS_MIDSTREAM;
    fx_open(&f, base_site);
    assert_int_equal(life(&f, &r, 1, ssh_banner, strlen(ssh_banner)), 0);
    assert_string_equal(rid(&f, r.label.rule), "agent-initial");
    assert_int_equal(r.label.insp.verdict, ITM_V_UNKNOWN);
    assert_int_equal(r.label.confidence, ITM_CONF_ROLE);
    fx_close(&f);
}

static void test_refused_port_is_not_unexpected(void **state)
{
    struct fx f;
    struct itm_flow_rec r = flow(1, 6, "10.1.16.21", 40000, "10.1.0.99", 3306);
    (void)state;

    fx_open(&f, base_site);
    ev(&f, &r, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0);
    r.pkts[ITM_DIR_TOCLIENT] = 1;
    r.tcp_state = ITM_TCPS_RESET;
    assert_int_equal(ev(&f, &r, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0), 0);
    itm_classifier_observe(f.c, &r);
    /* and the closed address gets no slot in the host table */
    assert_int_equal(itm_classifier_host_count(f.c), 1);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_contradiction),
        cmocka_unit_test(test_role_mismatch),
        cmocka_unit_test(test_lateral_movement),
        cmocka_unit_test(test_scan_ports_and_hosts),
        cmocka_unit_test(test_scan_sources_bounded),
        cmocka_unit_test(test_scan_sources_churn),
        cmocka_unit_test(test_external_and_unexpected),
        cmocka_unit_test(test_nonstandard_port),
        cmocka_unit_test(test_moved_port_is_standard),
        cmocka_unit_test(test_cleartext),
        cmocka_unit_test(test_payload_mismatch),
        cmocka_unit_test(test_midstream_gives_no_mismatch),
        cmocka_unit_test(test_refused_port_is_not_unexpected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
