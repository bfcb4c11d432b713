/* test_site_lookup.c: what a loaded site answers: longest-prefix role lookups, role entries,
 * locality, policy and allowlist; and its [move] lines applied to a signature database,
 * including refusals and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/flow.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

#include "site-fixtures.h"

/* ---- lookups ---- */

static void test_roles_v4_longest_prefix(void **state)
{
    const char *text = "[roles]\n"
                       "0.0.0.0/0        vendor-site\n"
                       "10.1.0.0/16      agent\n"
                       "10.1.1.0/24      ulm-agent\n"
                       "10.1.1.50        task-server package-server\n"
                       "10.1.1.128/25    console\n"
                       "10.1.0.10        notification-server\n";
    struct msgs m;
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    (void)state;

    assert_non_null(s);
    assert_int_equal(roles_of(s, "10.1.1.50"), R(TASK_SERVER) | R(PACKAGE_SERVER));
    assert_int_equal(roles_of(s, "10.1.1.49"), R(ULM_AGENT));
    assert_int_equal(roles_of(s, "10.1.1.0"), R(ULM_AGENT));
    assert_int_equal(roles_of(s, "10.1.1.127"), R(ULM_AGENT));
    assert_int_equal(roles_of(s, "10.1.1.128"), R(CONSOLE));
    assert_int_equal(roles_of(s, "10.1.1.255"), R(CONSOLE));
    assert_int_equal(roles_of(s, "10.1.2.1"), R(AGENT));
    assert_int_equal(roles_of(s, "10.1.0.10"), R(NS));
    assert_int_equal(roles_of(s, "10.1.0.11"), R(AGENT));
    assert_int_equal(roles_of(s, "10.2.0.1"), R(VENDOR));
    assert_int_equal(roles_of(s, "192.0.2.1"), R(VENDOR));
    /* An IPv4 default route says nothing about IPv6. */
    assert_int_equal(roles_of(s, "2001:db8::1"), 0);
    {
        struct itm_ip none;
        memset(&none, 0, sizeof(none));
        assert_int_equal(itm_site_roles(s, &none), 0);
        assert_int_equal(itm_site_roles(s, NULL), 0);
    }
    {
        /* Only the first four bytes of an IPv4 address are read. */
        struct itm_ip a = ip("10.1.0.10");
        memset(a.a + 4, 0xaa, 12);
        assert_int_equal(itm_site_roles(s, &a), R(NS));
    }
    itm_site_free(s);
}

static void test_roles_v6_longest_prefix(void **state)
{
    const char *text = "[roles]\n"
                       "2001:db8:1::/48       agent\n"
                       "2001:db8:1:20::/64    agent ulm-agent\n"
                       "2001:db8:1:20::10     task-server\n"
                       "2001:db8:1:20:8000::/65 console\n"
                       "10.1.0.10             notification-server\n"
                       "::ffff:10.1.0.11      sql-server\n";
    struct msgs m;
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    (void)state;

    assert_non_null(s);
    assert_int_equal(roles_of(s, "2001:db8:1:20::10"), R(TASK_SERVER));
    assert_int_equal(roles_of(s, "2001:db8:1:20::11"), R(AGENT) | R(ULM_AGENT));
    assert_int_equal(roles_of(s, "2001:db8:1:20:7fff:ffff:ffff:ffff"), R(AGENT) | R(ULM_AGENT));
    assert_int_equal(roles_of(s, "2001:db8:1:20:8000::1"), R(CONSOLE));
    assert_int_equal(roles_of(s, "2001:db8:1:ffff::1"), R(AGENT));
    assert_int_equal(roles_of(s, "2001:db8:2::1"), 0);
    /* Families never mix: the v4 entry does not answer for its v4-mapped form. */
    assert_int_equal(roles_of(s, "::ffff:10.1.0.10"), 0);
    assert_int_equal(roles_of(s, "10.1.0.10"), R(NS));
    assert_int_equal(roles_of(s, "::ffff:10.1.0.11"), R(SQL));
    itm_site_free(s);
}

static void test_role_entries(void **state)
{
    const char *text = "[roles]\n10.1.1.0/24 agent\n10.1.0.10 notification-server\n"
                       "2001:db8:1::/64 agent ulm-agent\n";
    struct msgs m;
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    struct itm_ip a, want;
    unsigned plen = 0;
    uint32_t roles = 0;
    (void)state;

    assert_non_null(s);
    assert_int_equal(itm_site_role_count(s), 3);
    /* File order, network addresses as written. */
    assert_int_equal(itm_site_role_entry(s, 0, &a, &plen, &roles), 0);
    want = ip("10.1.1.0");
    assert_memory_equal(&a, &want, sizeof(a));
    assert_int_equal(plen, 24);
    assert_int_equal(roles, R(AGENT));
    assert_int_equal(itm_site_role_entry(s, 1, &a, &plen, &roles), 0);
    want = ip("10.1.0.10");
    assert_memory_equal(&a, &want, sizeof(a));
    assert_int_equal(plen, 32);
    assert_int_equal(itm_site_role_entry(s, 2, &a, &plen, &roles), 0);
    want = ip("2001:db8:1::");
    assert_memory_equal(&a, &want, sizeof(a));
    assert_int_equal(plen, 64);
    assert_int_equal(roles, R(AGENT) | R(ULM_AGENT));
    assert_int_equal(itm_site_role_entry(s, 3, &a, &plen, &roles), ITM_ERR_NOTFOUND);
    assert_int_equal(itm_site_role_entry(s, 0, NULL, NULL, NULL), 0);
    itm_site_free(s);
}

static void check_default_locality(const struct itm_site *s)
{
    static const char *const local_addrs[] = {
        "10.0.0.1",    "10.255.255.255", "172.16.0.1",      "172.31.255.255", "192.168.1.1",
        "100.64.0.1",  "100.127.255.255", "127.0.0.1",      "169.254.10.1",   "224.0.255.135",
        "239.255.255.250", "0.0.0.0",   "255.255.255.255", "fc00::1",        "fd12:3456::1",
        "fe80::1",     "febf::1",       "ff02::1",         "::1",            "::",
    };
    static const char *const external_addrs[] = {
        "8.8.8.8",  "172.15.255.255", "172.32.0.0", "192.169.0.1", "100.63.255.255",
        "100.128.0.0", "198.51.100.7", "240.0.0.1", "11.0.0.1",   "2001:db8::1",
        "fec0::1",  "fe00::1",        "::2",        "2606:4700::1",
    };
    for (size_t i = 0; i < sizeof(local_addrs) / sizeof(local_addrs[0]); i++)
        if (!local(s, local_addrs[i]))
            fail_msg("%s should be local", local_addrs[i]);
    for (size_t i = 0; i < sizeof(external_addrs) / sizeof(external_addrs[0]); i++)
        if (local(s, external_addrs[i]))
            fail_msg("%s should be external", external_addrs[i]);
}

static void test_default_locality(void **state)
{
    struct msgs m;
    int err = 1;
    struct itm_site *s = itm_site_new_default(&err);
    (void)state;

    assert_non_null(s);
    assert_int_equal(err, 0);
    check_default_locality(s);
    assert_int_equal(itm_site_role_count(s), 0);
    assert_int_equal(roles_of(s, "10.0.0.1"), 0);
    itm_site_free(s);

    /* A file without [local] entries gets the same defaults. */
    s = load("[roles]\n10.0.0.1 agent\n[local]\n", &m, &err);
    assert_non_null(s);
    check_default_locality(s);
    itm_site_free(s);
}

static void test_local_section(void **state)
{
    const char *text = "[local]\n10.0.0.0/8\n2001:db8::/32\n192.0.2.7\n";
    struct msgs m;
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    (void)state;

    assert_non_null(s);
    assert_true(local(s, "10.200.3.4"));
    assert_true(local(s, "2001:db8:ffff::1"));
    assert_true(local(s, "192.0.2.7"));
    /* Listed networks replace the defaults entirely. */
    assert_false(local(s, "192.0.2.8"));
    assert_false(local(s, "192.168.1.1"));
    assert_true(local(s, "224.0.255.135")); /* never external */
    assert_true(local(s, "fe80::1"));
    assert_false(local(s, "2001:db9::1"));
    itm_site_free(s);
}

static void test_policy(void **state)
{
    const char *text = "[policy]\n"
                       "cleartext    = on      # on|off\n"
                       "scan_ports   = 65535\n"
                       "scan_hosts   = 1\n"
                       "scan_window  = 86400   # seconds of packet time\n"
                       "tickle_group = ff05::1:3\n"
                       "infer_roles  = off\n";
    struct msgs m;
    int err = 1;
    struct itm_site *s = itm_site_new_default(&err);
    const struct itm_policy *p;
    struct itm_ip g = ip("224.0.255.135");
    (void)state;

    p = itm_site_policy(s);
    assert_int_equal(p->cleartext, 0);
    assert_int_equal(p->scan_ports, 16);
    assert_int_equal(p->scan_hosts, 32);
    assert_int_equal(p->scan_window_s, 60);
    assert_memory_equal(&p->tickle_group, &g, sizeof(g));
    assert_int_equal(p->infer_roles, 1);
    itm_site_free(s);

    /* Keys left out keep their defaults. */
    s = load("[policy]\nscan_hosts = 100\n", &m, &err);
    p = itm_site_policy(s);
    assert_int_equal(p->scan_hosts, 100);
    assert_int_equal(p->scan_ports, 16);
    assert_int_equal(p->infer_roles, 1);
    assert_memory_equal(&p->tickle_group, &g, sizeof(g));
    itm_site_free(s);

    s = load(text, &m, &err);
    assert_non_null(s);
    p = itm_site_policy(s);
    g = ip("ff05::1:3");
    assert_int_equal(p->cleartext, 1);
    assert_int_equal(p->scan_ports, 65535);
    assert_int_equal(p->scan_hosts, 1);
    assert_int_equal(p->scan_window_s, 86400);
    assert_memory_equal(&p->tickle_group, &g, sizeof(g));
    assert_int_equal(p->infer_roles, 0);
    itm_site_free(s);
}

static void test_allow(void **state)
{
    const char *text = "[allow]\n"
                       "flag = lateral_movement   client = 10.1.1.0/24   server = 10.1.1.50\n"
                       "flag = external           rule = mdm\n"
                       "flag = any                server = 2001:db8:9::/48\n"
                       "flag = scan               client = 10.9.0.5\n";
    struct itm_ip c1 = ip("10.1.1.7"), c2 = ip("10.1.2.7"), s50 = ip("10.1.1.50"),
                  s51 = ip("10.1.1.51"), ext = ip("198.51.100.1"), v6 = ip("2001:db8:9:1::5"),
                  gw = ip("10.9.0.5");
    struct msgs m;
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    (void)state;

    assert_non_null(s);
    assert_true(itm_site_allowed(s, ITM_F_LATERAL, &c1, &s50, NULL));
    assert_true(itm_site_allowed(s, ITM_F_LATERAL, &c1, &s50, "win-agent-out"));
    assert_false(itm_site_allowed(s, ITM_F_LATERAL, &c2, &s50, NULL));
    assert_false(itm_site_allowed(s, ITM_F_LATERAL, &c1, &s51, NULL));
    assert_false(itm_site_allowed(s, ITM_F_SCAN, &c1, &s50, NULL));
    /* The rule key needs that rule: unlabelled flows and other rules do not match. */
    assert_true(itm_site_allowed(s, ITM_F_EXTERNAL, &c2, &ext, "mdm"));
    assert_false(itm_site_allowed(s, ITM_F_EXTERNAL, &c2, &ext, "mdm2"));
    assert_false(itm_site_allowed(s, ITM_F_EXTERNAL, &c2, &ext, NULL));
    assert_false(itm_site_allowed(s, ITM_F_ROLE_MISMATCH, &c2, &ext, "mdm"));
    /* "any" covers every flag; an address key never matches the other family. */
    assert_true(itm_site_allowed(s, ITM_F_CLEARTEXT, &c1, &v6, NULL));
    assert_true(itm_site_allowed(s, ITM_F_ROLE_CONTRADICTION, &gw, &v6, "x"));
    assert_false(itm_site_allowed(s, ITM_F_CLEARTEXT, &v6, &c1, NULL));
    assert_true(itm_site_allowed(s, ITM_F_SCAN, &gw, &ext, NULL));
    assert_false(itm_site_allowed(s, ITM_F_SCAN, &ext, &gw, NULL));
    assert_false(itm_site_allowed(s, 0, &gw, &ext, NULL));
    itm_site_free(s);

    s = itm_site_new_default(&err);
    assert_false(itm_site_allowed(s, ITM_F_SCAN, &gw, &ext, NULL));
    itm_site_free(s);
}

/* ---- moves ---- */

static const char sigs[] = "[rule]\n"
                           "id = ns-console\n"
                           "suite = \"Notification Server\"\n"
                           "component = \"Symantec Management Console\"\n"
                           "protos = tcp\n"
                           "ports = 443\n"
                           "client = console\n"
                           "server = notification-server\n"
                           "configurable = \"IIS site bindings\"\n"
                           "\n"
                           "[rule]\n"
                           "id = ns-sql\n"
                           "suite = \"Notification Server\"\n"
                           "component = \"CMDB database\"\n"
                           "protos = tcp\n"
                           "ports = 1433\n"
                           "client = notification-server\n"
                           "server = sql-server\n"
                           "\n"
                           "[rule]\n"
                           "id = ts-mtickle\n"
                           "suite = \"Task Management\"\n"
                           "component = \"Task Server multicast tickle\"\n"
                           "protos = udp\n"
                           "ports = 50124\n"
                           "client = task-server\n"
                           "server = agent\n"
                           "flags = multicast;one-way\n"
                           "group = 224.0.255.135\n"
                           "configurable = \"Task Server settings\"\n";

static struct itm_sigdb *load_sigs(void)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 1;
    struct itm_sigdb *db;

    memset(&m, 0, sizeof(m));
    db = itm_sigdb_load_mem("t.sig", sigs, sizeof(sigs) - 1, &d, &err);
    if (!db)
        fail_msg("signatures refused: %s", m.n ? m.line[0] : "(no message)");
    return db;
}

static int has_candidate(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port,
                         const char *id)
{
    const struct itm_rule *const *c = NULL;
    size_t n = itm_sigdb_candidates(db, ipproto, port, &c);
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i]->id, id) == 0)
            return 1;
    return 0;
}

static void test_apply_moves(void **state)
{
    const char *text = "[move]\n"
                       "ns-console   ports = \"8443; 9000-9010\"\n"
                       "ts-mtickle   group = 239.255.1.1\n";
    struct itm_sigdb *db = load_sigs();
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    const struct itm_rule *r;
    struct itm_ip g = ip("239.255.1.1");
    (void)state;

    assert_non_null(s);
    assert_int_equal(itm_site_apply_moves(s, db, &d), 0);
    assert_int_equal(m.n, 0);
    r = itm_sigdb_find(db, "ns-console");
    assert_non_null(r);
    assert_int_equal(r->nranges, 2);
    assert_int_equal(r->ranges[0].lo, 8443);
    assert_int_equal(r->ranges[1].lo, 9000);
    assert_int_equal(r->ranges[1].hi, 9010);
    assert_true(has_candidate(db, 6, 9005, "ns-console"));
    assert_false(has_candidate(db, 6, 443, "ns-console"));
    /* A group-only move keeps the ports. */
    r = itm_sigdb_find(db, "ts-mtickle");
    assert_memory_equal(&r->group, &g, sizeof(g));
    assert_int_equal(r->ranges[0].lo, 50124);
    itm_site_free(s);

    /* No [move] section: nothing changes. */
    s = itm_site_new_default(&err);
    assert_int_equal(itm_site_apply_moves(s, db, &d), 0);
    assert_int_equal(itm_site_apply_moves(s, NULL, &d), ITM_ERR_INVAL);
    itm_site_free(s);
    itm_sigdb_free(db);
}

/* Refusals come from the database but point at the site file's lines; every line is tried. */
static void test_apply_moves_refused(void **state)
{
    const char *text = "[move]\n"
                       "ns-sql       ports = 1533\n"
                       "no-such-rule ports = 1\n"
                       "  ns-console group = 239.1.1.1\n"
                       "ts-mtickle   ports = 52029\n";
    struct itm_sigdb *db = load_sigs();
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 1;
    struct itm_site *s = load(text, &m, &err);
    (void)state;

    assert_non_null(s);
    memset(&m, 0, sizeof(m));
    assert_int_equal(itm_site_apply_moves(s, db, &d), ITM_ERR_PARSE);
    assert_int_equal(m.n, 3);
    assert_int_equal(d.errors, 3);
    assert_true(strncmp(m.line[0], "t.site:2:1: ", 12) == 0);
    assert_non_null(strstr(m.line[0], "ns-sql"));
    assert_true(strncmp(m.line[1], "t.site:3:1: ", 12) == 0);
    assert_non_null(strstr(m.line[1], "no-such-rule"));
    assert_true(strncmp(m.line[2], "t.site:4:3: ", 12) == 0);
    assert_non_null(strstr(m.line[2], "ns-console"));
    assert_int_equal(itm_sigdb_find(db, "ns-sql")->ranges[0].lo, 1433);
    assert_int_equal(itm_sigdb_find(db, "ns-console")->ranges[0].lo, 443);
    assert_int_equal(itm_sigdb_find(db, "ts-mtickle")->ranges[0].lo, 52029);
    itm_site_free(s);
    itm_sigdb_free(db);
}

static void test_apply_moves_alloc_failures(void **state)
{
    struct msgs m;
    int err = 1, rc = ITM_ERR_NOMEM;
    struct itm_site *s = load("[move]\nns-console ports = 8443\nts-mtickle ports = 52029\n", &m,
                              &err);
    (void)state;

    assert_non_null(s);
    for (long n = 0; n < 1000 && rc == ITM_ERR_NOMEM; n++) {
        struct itm_sigdb *db = load_sigs();
        itm_alloc_fail_after(n);
        rc = itm_site_apply_moves(s, db, NULL);
        itm_alloc_fail_after(-1);
        assert_true(rc == 0 || rc == ITM_ERR_NOMEM);
        if (rc == 0)
            assert_true(has_candidate(db, 17, 52029, "ts-mtickle"));
        itm_sigdb_free(db);
    }
    assert_int_equal(rc, 0);
    itm_site_free(s);
}

/* The sample's [move] lines must name configurable rules of the shipped signature file. */
static void test_example_moves_real_signatures(void **state)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 1;
    struct itm_sigdb *db;
    struct itm_site *s;
    (void)state;

    memset(&m, 0, sizeof(m));
    db = itm_sigdb_load_file(ITM_SRCDIR "/signatures/itms.sig", &d, &err);
    if (!db || itm_sigdb_count(db) == 0) {
        itm_sigdb_free(db);
        skip(); /* the signature file is not there yet, or is checked by its own test */
    }
    s = itm_site_load_file(EXAMPLE, &d, &err);
    assert_non_null(s);
    assert_int_equal(itm_site_apply_moves(s, db, &d), 0);
    assert_int_equal(m.n, 0);
    itm_site_free(s);
    itm_sigdb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_v4_longest_prefix),
        cmocka_unit_test(test_roles_v6_longest_prefix),
        cmocka_unit_test(test_role_entries),
        cmocka_unit_test(test_default_locality),
        cmocka_unit_test(test_local_section),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_allow),
        cmocka_unit_test(test_apply_moves),
        cmocka_unit_test(test_apply_moves_refused),
        cmocka_unit_test(test_apply_moves_alloc_failures),
        cmocka_unit_test(test_example_moves_real_signatures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
