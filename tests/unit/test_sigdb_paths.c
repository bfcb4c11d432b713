/* test_sigdb_paths.c: the HTTP path prefixes of signature rules: every diagnostic of the
 * paths key, how a request target is matched against them, and the shipped database's
 * paths (each on a rule checked with http, each telling its rule apart). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/sigdb.h"
#include "sigtest.h"

#define SIG_PATH ITM_SRCDIR "/signatures/itms.sig"

static struct itm_sigdb *load_ok(const char *text)
{
    struct msgs m;
    int err = -1;
    struct itm_sigdb *db = load_text(text, strlen(text), &m, &err);

    for (int i = 0; i < m.n && i < MAX_MSGS; i++)
        print_error("got: %s\n", m.text[i]);
    assert_non_null(db);
    assert_int_equal(err, ITM_OK);
    return db;
}

static void test_paths_parsed(void **state)
{
    struct itm_sigdb *db;
    const struct itm_rule *r;
    (void)state;

    db = load_ok(HEAD TAIL "check = http\npaths = \" /Altiris/NS/ ; /sdk \"\n"
                 "\n[rule]\nid = b\nsuite = S\ncomponent = C\n" TAIL);
    r = itm_sigdb_find(db, "a");
    assert_string_equal(r->paths, "/Altiris/NS/;/sdk");
    assert_string_equal(itm_sigdb_find(db, "b")->paths, "");
    itm_sigdb_free(db);
}

static void test_paths_diagnostics(void **state)
{
    char text[1024];
    static const char *const two[] = {"t.sig:10:9: path 'x' does not start with '/'",
                                      "t.sig:10:11: empty list item"};
    (void)state;

    expect_msg(HEAD TAIL "paths = /Altiris/\n", "t.sig:9:1: key 'paths' needs check = http");
    expect_msg(HEAD TAIL "check = tls\npaths = /Altiris/\n",
               "t.sig:10:1: key 'paths' needs check = http");
    expect_msg(HEAD TAIL "check = http\npaths = Altiris/\n",
               "t.sig:10:9: path 'Altiris/' does not start with '/'");
    expect_msg(HEAD TAIL "check = http\npaths = \"/a;/b c\"\n",
               "t.sig:10:15: blank or non-ASCII byte in a path");
    expect_msg(HEAD TAIL "check = http\npaths = \"/\xc3\xa9\"\n",
               "t.sig:10:11: blank or non-ASCII byte in a path");
    expect_msgs(HEAD TAIL "check = http\npaths = x;;/a\n", two, 2);
    snprintf(text, sizeof(text), HEAD TAIL "check = http\npaths = /%065d\n", 0);
    expect_msg(text, "t.sig:10:9: path longer than 64 bytes");
    expect_msg(HEAD TAIL "check = http\npaths = /1;/2;/3;/4;/5;/6;/7;/8;/9;/10\n",
               "t.sig:10:33: too many paths (at most 8)");
    expect_msg(HEAD TAIL "check = http\npaths = /a\npaths = /b\n",
               "t.sig:11:1: duplicate key 'paths' (first at line 10)");
}

static void test_path_hint(void **state)
{
    static const struct {
        const char *target;
        int want;
    } cases[] = {
        {"/Altiris/NS/Agent/GetClientPolicies.aspx", 1},
        {"/ALTIRIS/ns/agent/x", 1},            /* IIS paths ignore case */
        {"/Altiris/NS/Agent/", 1},
        {"/Altiris/NS/Agent", 0},              /* a prefix of the prefix */
        {"/Altiris/NS/Agents/", 0},
        {"/sdk", 1},
        {"/sdkx", 1},                          /* a prefix, not a path segment */
        {"/index.html", 0},
        {"", 0},
        {"http://ns01:8080/Altiris/NS/Agent/PostEvent.asp", 1}, /* absolute form */
        {"HTTPS://ns01/sdk", 1},
        {"http://ns01", 0},
        {"/go?u=http://x/sdk", 0},             /* a scheme later in the target is a query */
    };
    struct itm_sigdb *db = load_ok(HEAD TAIL "check = http\npaths = /Altiris/NS/Agent/;/sdk\n"
                                   "\n[rule]\nid = b\nsuite = S\ncomponent = C\n" TAIL);
    const struct itm_rule *r = itm_sigdb_find(db, "a"), *none = itm_sigdb_find(db, "b");
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (itm_rule_path_hint(r, cases[i].target) != cases[i].want)
            print_error("target '%s'\n", cases[i].target);
        assert_int_equal(itm_rule_path_hint(r, cases[i].target), cases[i].want);
    }
    assert_int_equal(itm_rule_path_hint(r, NULL), 0);
    assert_int_equal(itm_rule_path_hint(none, "/Altiris/NS/Agent/x"), -1);
    itm_sigdb_free(db);
}

/* The shipped database: paths only on http-checked TCP rules, and the requests the ITMS
 * components make each fit the rule meant for them. */
static void test_shipped_paths(void **state)
{
    static const struct {
        const char *rule, *target;
    } fits[] = {
        {"agent-policy", "/Altiris/NS/Agent/GetClientPolicies.aspx"},
        {"agent-initial", "/Altiris/NS/Agent/CreateResource.aspx"},
        {"cta-ts-list", "/Altiris/ClientTaskServer/GetClientTaskServers.aspx"},
        {"cta-tasks", "/Altiris/ClientTaskServer/GetClientTask.aspx"},
        {"ps-http", "/Altiris/PS/Share/{4f6c9d1e}/cache/setup.msi"},
        {"activity-center", "/Altiris/ActivityCenter/Default.aspx"},
        {"ftsp", "/Altiris/NS/FirstTimeSetupPortal.aspx"},
        {"ns-console", "/Altiris/Console/Default.aspx"},
        {"ppa-vmware", "/sdk"},
        {"wf-server", "/ProcessManager/Default.aspx"},
    };
    int err;
    struct itm_sigdb *db = itm_sigdb_load_file(SIG_PATH, NULL, &err);
    size_t with = 0;
    (void)state;

    assert_non_null(db);
    for (size_t i = 0; i < itm_sigdb_count(db); i++) {
        const struct itm_rule *r = itm_sigdb_rule(db, i);
        if (!r->paths[0])
            continue;
        with++;
        assert_int_equal(r->inspect, ITM_INSPECT_HTTP);
        assert_true(r->protos & ITM_P_TCP);
    }
    assert_true(with >= sizeof(fits) / sizeof(fits[0]));
    {
        /* --check-signatures counts them */
        char *text = NULL, want[64];
        size_t size = 0;
        FILE *out = open_memstream(&text, &size);
        itm_sigdb_print_summary(db, "itms.sig", out);
        fclose(out);
        snprintf(want, sizeof(want), ", %zu of them with request paths.", with);
        assert_non_null(strstr(text, want));
        free(text);
    }
    for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
        const struct itm_rule *r = itm_sigdb_find(db, fits[i].rule);
        assert_non_null(r);
        assert_int_equal(itm_rule_path_hint(r, fits[i].target), 1);
    }
    /* the policy path is not the console's, nor the Task Server list the agent's */
    assert_int_equal(itm_rule_path_hint(itm_sigdb_find(db, "ns-console"),
                                        "/Altiris/NS/Agent/GetClientPolicies.aspx"), 0);
    assert_int_equal(itm_rule_path_hint(itm_sigdb_find(db, "agent-policy"),
                                        "/Altiris/ClientTaskServer/GetClientTaskServers.aspx"),
                     0);
    itm_sigdb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_parsed),
        cmocka_unit_test(test_paths_diagnostics),
        cmocka_unit_test(test_path_hint),
        cmocka_unit_test(test_shipped_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
