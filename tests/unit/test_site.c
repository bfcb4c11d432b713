/* test_site.c: reading the site file: every diagnostic with its position, lexical corner
 * cases, the example file read from disk and from memory, and no leak on any allocation
 * failure. What a loaded site answers is tested in test_site_lookup.c. */
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

/* ---- diagnostics ---- */

struct bad_case {
    const char *text;
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    {"10.0.0.1 agent\n", "t.site:1:1: line outside any section"},
    {"[rolez]\n10.0.0.1 agent\n",
     "t.site:1:1: unknown section '[rolez]' (expected roles, local, move, policy or allow)"},
    {"[roles] agent\n", "t.site:1:9: unexpected text after section header"},
    {"[roles]\n10.0.0.1 agent wizard\n", "t.site:2:16: unknown role 'wizard'"},
    {"[roles]\n10.0.0.1 any\n", "t.site:2:10: unknown role 'any'"},
    {"[roles]\n10.0.0.256 agent\n", "t.site:2:1: bad address '10.0.0.256'"},
    {"[roles]\nagent 10.0.0.1\n", "t.site:2:1: bad address 'agent'"},
    {"[roles]\n/24 agent\n", "t.site:2:1: bad address ''"},
    {"[roles]\n10.1.1.0/33 agent\n", "t.site:2:10: bad prefix length '33' (0-32 for IPv4)"},
    {"[roles]\n10.1.1.0/ agent\n", "t.site:2:10: bad prefix length '' (0-32 for IPv4)"},
    {"[roles]\n10.1.1.0/2x agent\n", "t.site:2:10: bad prefix length '2x' (0-32 for IPv4)"},
    {"[roles]\n10.1.1.0/-8 agent\n", "t.site:2:10: bad prefix length '-8' (0-32 for IPv4)"},
    {"[roles]\n2001:db8::/129 agent\n", "t.site:2:12: bad prefix length '129' (0-128 for IPv6)"},
    {"[roles]\n10.1.1.5/24 agent\n",
     "t.site:2:1: host bits set in '10.1.1.5/24' (the network is 10.1.1.0/24)"},
    {"[roles]\n2001:db8:1::1/64 agent\n",
     "t.site:2:1: host bits set in '2001:db8:1::1/64' (the network is 2001:db8:1::/64)"},
    {"[roles]\n  10.0.0.1\n", "t.site:2:3: no role given for '10.0.0.1'"},
    {"[roles]\n10.0.0.1 = agent\n", "t.site:2:10: unexpected '=' in [roles]"},
    {"[roles]\n= agent\n", "t.site:2:1: expected an address or network"},
    {"[roles]\n10.0.0.1 agent\n10.0.0.1/32 ulm-agent\n",
     "t.site:3:1: duplicate entry for 10.0.0.1 (first on line 2)"},
    {"[roles]\n10.1.0.0/16 agent\n10.1.0.0/24 agent\n\n[roles]\n 10.1.0.0/16 sql-server\n",
     "t.site:6:2: duplicate entry for 10.1.0.0/16 (first on line 2)"},
    {"[roles]\n2001:db8::/32 agent\n2001:0db8:0::/32 agent\n",
     "t.site:3:1: duplicate entry for 2001:db8::/32 (first on line 2)"},
    {"[local]\n10.0.0.0/8 192.168.0.0/16\n", "t.site:2:12: expected one network per line"},
    {"[local]\n10.0.0.1/8\n",
     "t.site:2:1: host bits set in '10.0.0.1/8' (the network is 10.0.0.0/8)"},
    {"[local]\n= 10.0.0.0/8\n", "t.site:2:1: expected an address or network"},
    {"[move]\nns-console ports = 0\n", "t.site:2:20: bad port '0' (1-65535)"},
    {"[move]\nns-console ports = 80;70000\n", "t.site:2:23: bad port '70000' (1-65535)"},
    {"[move]\nns-console ports = 80;1024-x\n", "t.site:2:28: bad port 'x' (1-65535)"},
    {"[move]\nns-console ports = -80\n", "t.site:2:20: bad port '' (1-65535)"},
    {"[move]\nns-console ports = 2000-1000\n", "t.site:2:20: reversed port range '2000-1000'"},
    {"[move]\nns-console ports = 80;;443\n", "t.site:2:23: empty list item"},
    {"[move]\nns-console ports = 80;\n", "t.site:2:23: empty list item"},
    {"[move]\nns-console ports = \"80; ;443\"\n", "t.site:2:20: empty list item"},
    {"[move]\nns-console ports = \"80; x\"\n", "t.site:2:20: bad port 'x' (1-65535)"},
    {"[move]\nns-console ports = 1;2;3;4;5;6;7;8;9\n",
     "t.site:2:36: too many port ranges (at most 8)"},
    {"[move]\nns-console port = 80\n",
     "t.site:2:12: unknown key 'port' in [move] (expected ports or group)"},
    {"[move]\nns-console ports = 1 ports = 2\n", "t.site:2:22: duplicate key 'ports'"},
    {"[move]\nns-console\n",
     "t.site:2:1: nothing to move for 'ns-console' (give ports, group or both)"},
    {"[move]\n= ports\n", "t.site:2:1: expected a rule id"},
    {"[move]\nns-console ports 80\n", "t.site:2:18: expected '=' after 'ports'"},
    {"[move]\nns-console ports\n", "t.site:2:17: expected '=' after 'ports'"},
    {"[move]\nns-console ports =\n", "t.site:2:19: missing value for 'ports'"},
    {"[move]\nns-console ports = = 80\n", "t.site:2:19: missing value for 'ports'"},
    {"[move]\nns-console \"ports\" = 80\n", "t.site:2:12: expected 'key = value'"},
    {"[move]\nx ports = 1\nx ports = 2\n", "t.site:3:1: rule 'x' already moved on line 2"},
    {"[move]\nwin-mtickle-udp ports = 52029 group = 10.0.0.1\n",
     "t.site:2:39: '10.0.0.1' is not a multicast group"},
    {"[move]\nwin-mtickle-udp ports = 52029 group = 239.1.1.0/24\n",
     "t.site:2:39: bad address '239.1.1.0/24'"},
    {"[policy]\ncleartext = maybe\n", "t.site:2:13: bad boolean 'maybe' (on or off)"},
    {"[policy]\ninfer_roles = 1\n", "t.site:2:15: bad boolean '1' (on or off)"},
    {"[policy]\nscan_ports = -1\n", "t.site:2:14: bad number '-1' (negative)"},
    {"[policy]\nscan_ports = 99999999999\n", "t.site:2:14: bad number '99999999999' (too large)"},
    {"[policy]\nscan_hosts = 4294967296\n", "t.site:2:14: bad number '4294967296' (too large)"},
    {"[policy]\nscan_ports = 16x\n", "t.site:2:14: bad number '16x' (trailing characters)"},
    {"[policy]\nscan_ports = abc\n", "t.site:2:14: bad number 'abc'"},
    {"[policy]\nscan_ports = 0\n", "t.site:2:14: scan_ports must be between 1 and 65535"},
    {"[policy]\nscan_window = 86401\n", "t.site:2:15: scan_window must be between 1 and 86400"},
    {"[policy]\nscan_rate = 5\n", "t.site:2:1: unknown policy key 'scan_rate'"},
    {"[policy]\nscan_ports = 5\nscan_ports = 6\n",
     "t.site:3:1: policy key 'scan_ports' already set on line 2"},
    {"[policy]\nscan_ports = 5 scan_hosts = 6\n",
     "t.site:2:16: expected one 'key = value' per line"},
    {"[policy]\n= 5\n", "t.site:2:1: expected 'key = value'"},
    {"[policy]\ntickle_group = 10.0.0.1\n", "t.site:2:16: '10.0.0.1' is not a multicast group"},
    {"[policy]\ntickle_group = 224.0.0.300\n", "t.site:2:16: bad address '224.0.0.300'"},
    {"[allow]\nflag = lateral client = 10.0.0.0/8\n", "t.site:2:8: unknown flag 'lateral'"},
    {"[allow]\nflag = scan host = 10.0.0.1\n",
     "t.site:2:13: unknown key 'host' in [allow] (expected flag, client, server or rule)"},
    {"[allow]\nclient = 10.0.0.0/8\n",
     "t.site:2:1: no flag given (write flag = any to silence every flag)"},
    {"[allow]\nflag = scan client = 10.0.0.300\n", "t.site:2:22: bad address '10.0.0.300'"},
    {"[allow]\nflag = scan server = 10.1.1.1/24\n",
     "t.site:2:22: host bits set in '10.1.1.1/24' (the network is 10.1.1.0/24)"},
    {"[allow]\nflag = scan flag = external\n", "t.site:2:13: duplicate key 'flag'"},
    /* Lexical errors come from the shared tokenizer and drop the whole line. */
    {"[roles]\n\"10.0.0.1 agent\n", "t.site:2:1: unterminated string"},
    {"[roles]\n10.0.0.1 ag\xc3\xa9nt\n",
     "t.site:2:12: non-ASCII character outside a quoted string"},
    {"[roles\n", "t.site:1:1: section header without ']'"},
    {"[roles]\n10.0.0.1 agent]\n", "t.site:2:15: unexpected character ']'"},
};

static void test_each_diagnostic(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct msgs m;
        int err = 0;
        struct itm_site *s = load(bad_cases[i].text, &m, &err);
        if (s || m.n != 1 || strcmp(m.line[0], bad_cases[i].msg) != 0)
            print_error("case %zu: %s\n  got %u message(s), first: %s\n", i, bad_cases[i].text,
                        m.n, m.n ? m.line[0] : "(none)");
        assert_null(s);
        assert_int_equal(err, ITM_ERR_PARSE);
        assert_int_equal(m.n, 1);
        assert_string_equal(m.line[0], bad_cases[i].msg);
    }
}

/* All errors are reported, in line order, and counted by diag; the file is still refused. */
static void test_many_errors(void **state)
{
    const char *text = "[roles]\n"
                       "10.0.0.1 agent\n"
                       "10.0.0.2 wizard\n"
                       "10.0.0.1 agent\n"
                       "[policy]\n"
                       "cleartext = perhaps\n"
                       "[nope]\n"
                       "this line is ignored\n";
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 0;
    (void)state;

    memset(&m, 0, sizeof(m));
    assert_null(itm_site_load_mem("t.site", text, strlen(text), &d, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_int_equal(m.n, 4);
    assert_int_equal(d.errors, 4);
    assert_string_equal(m.line[0], "t.site:3:10: unknown role 'wizard'");
    assert_string_equal(m.line[1], "t.site:6:13: bad boolean 'perhaps' (on or off)");
    assert_string_equal(m.line[2], "t.site:7:1: unknown section '[nope]' (expected roles, local, "
                                   "move, policy or allow)");
    assert_string_equal(m.line[3], "t.site:4:1: duplicate entry for 10.0.0.1 (first on line 2)");

    /* Without a callback errors are still counted and still reject the file. */
    assert_null(itm_site_load_mem("t.site", "[roles]\n1.2.3.4 x\n", 18, NULL, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_null(itm_site_load_mem("t.site", "[roles]\n\"x\n", 11, NULL, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
}

/* ---- lexical corner cases ---- */

static void test_crlf_and_final_newline(void **state)
{
    const char *lf = "[roles]\n10.1.0.10 notification-server\n10.1.1.0/24 agent\n"
                     "[policy]\nscan_ports = 7\n";
    const char *crlf = "[roles]\r\n10.1.0.10 notification-server\r\n10.1.1.0/24 agent\r\n"
                       "[policy]\r\nscan_ports = 7\r\n";
    const char *bare = "[roles]\n10.1.0.10 notification-server\n10.1.1.0/24 agent\n"
                       "[policy]\nscan_ports = 7";
    const char *texts[] = {lf, crlf, bare};
    struct msgs m;
    int err = 1;
    (void)state;

    for (int i = 0; i < 3; i++) {
        struct itm_site *s = load(texts[i], &m, &err);
        assert_non_null(s);
        assert_int_equal(err, 0);
        assert_int_equal(m.n, 0);
        assert_int_equal(itm_site_role_count(s), 2);
        assert_int_equal(roles_of(s, "10.1.0.10"), R(NS));
        assert_int_equal(roles_of(s, "10.1.1.99"), R(AGENT));
        assert_int_equal(itm_site_policy(s)->scan_ports, 7);
        itm_site_free(s);
    }
    /* CR does not shift columns. */
    assert_null(load("[roles]\r\n10.0.0.1 nobody\r\n", &m, &err));
    assert_string_equal(m.line[0], "t.site:2:10: unknown role 'nobody'");
    /* An empty file, or comments only, is a valid empty site. */
    {
        struct itm_site *s = load("# nothing here\r\n\n   \n", &m, &err);
        assert_non_null(s);
        assert_int_equal(itm_site_role_count(s), 0);
        itm_site_free(s);
        s = load("", &m, &err);
        assert_non_null(s);
        itm_site_free(s);
    }
}

static void test_quoted_strings(void **state)
{
    const char *text = "[roles]\n"
                       "\"10.1.0.20\" \"task-server\" package-server # quoted values\n"
                       "[allow]\n"
                       "flag = \"external\" rule = \"r\xc3\xa8gle \\\"sp\xc3\xa9" "ciale\\\"\"\n";
    struct itm_ip a = ip("10.1.0.20"), b = ip("192.0.2.1");
    struct msgs m;
    int err = 1;
    struct itm_site *s;
    (void)state;

    s = load(text, &m, &err);
    assert_non_null(s);
    assert_int_equal(m.n, 0);
    assert_int_equal(roles_of(s, "10.1.0.20"), R(TASK_SERVER) | R(PACKAGE_SERVER));
    assert_true(itm_site_allowed(s, ITM_F_EXTERNAL, &a, &b, "r\xc3\xa8gle \"sp\xc3\xa9" "ciale\""));
    assert_false(itm_site_allowed(s, ITM_F_EXTERNAL, &a, &b, "regle \"speciale\""));
    itm_site_free(s);

    /* UTF-8 inside a string survives into the message intact. */
    assert_null(load("[roles]\n10.0.0.1 \"agent\xc3\xa9\"\n", &m, &err));
    assert_string_equal(m.line[0], "t.site:2:10: unknown role 'agent\xc3\xa9'");
    /* A string key is not a key. */
    assert_null(load("[policy]\n\"cleartext\" = on\n", &m, &err));
    assert_string_equal(m.line[0], "t.site:2:1: expected 'key = value'");
}

static void test_long_lines(void **state)
{
    /* 4096 characters is the longest legal line; one more is refused at column 4097. */
    size_t head = strlen("[roles]\n");
    char *text = malloc(head + 4097 + 1 + 1);
    struct msgs m;
    int err = 0;
    struct itm_site *s;
    (void)state;

    assert_non_null(text);
    memcpy(text, "[roles]\n", head);
    memset(text + head, ' ', 4096);
    memcpy(text + head, "10.0.0.1", 8);
    memcpy(text + head + 4096 - 5, "agent", 5);
    text[head + 4096] = '\n';
    s = load_len(text, head + 4097, &m, &err);
    assert_non_null(s);
    assert_int_equal(roles_of(s, "10.0.0.1"), R(AGENT));
    itm_site_free(s);

    memcpy(text + head + 4096 - 5, " agent", 6);
    text[head + 4097] = '\n';
    assert_null(load_len(text, head + 4098, &m, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.line[0], "t.site:2:4097: line longer than 4096 characters");
    free(text);
}

static void test_too_many_items(void **state)
{
    char text[1024] = "[roles]\n10.0.0.1";
    struct msgs m;
    int err = 0;
    size_t col;
    (void)state;

    for (int i = 0; i < 63; i++)
        strcat(text, " agent");
    col = strlen(text) - strlen("[roles]\n") + 2;
    {
        struct itm_site *s = load(text, &m, &err);
        assert_non_null(s); /* 64 items: at the limit */
        itm_site_free(s);
    }
    strcat(text, " agent agent");
    assert_null(load(text, &m, &err));
    assert_int_equal(m.n, 1);
    {
        char want[128];
        snprintf(want, sizeof(want), "t.site:2:%zu: too many items on one line (more than 64)",
                 col);
        assert_string_equal(m.line[0], want);
    }
}

static void test_nul_byte(void **state)
{
    static const char text[] = "[roles]\n10.0.0.1 ag\0ent\n10.0.0.2 agent\n";
    struct msgs m;
    int err = 0;
    (void)state;

    assert_null(load_len(text, sizeof(text) - 1, &m, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.line[0], "t.site:2:12: NUL byte in text");
}

/* ---- files ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void assert_same_site(const struct itm_site *a, const struct itm_site *b)
{
    static const char *const probes[] = {"10.1.0.10", "10.1.16.25", "10.1.17.3", "10.1.32.9",
                                         "2001:db8:1:20::5", "192.0.2.1", "224.0.255.135",
                                         "172.16.0.1", "10.9.0.5"};
    assert_int_equal(itm_site_role_count(a), itm_site_role_count(b));
    for (size_t i = 0; i < itm_site_role_count(a); i++) {
        struct itm_ip x, y;
        unsigned px = 0, py = 0;
        uint32_t rx = 0, ry = 0;
        assert_int_equal(itm_site_role_entry(a, i, &x, &px, &rx), 0);
        assert_int_equal(itm_site_role_entry(b, i, &y, &py, &ry), 0);
        assert_memory_equal(&x, &y, sizeof(x));
        assert_int_equal(px, py);
        assert_int_equal(rx, ry);
    }
    assert_memory_equal(itm_site_policy(a), itm_site_policy(b), sizeof(struct itm_policy));
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        struct itm_ip p = ip(probes[i]), q = ip("10.1.16.200");
        assert_int_equal(itm_site_roles(a, &p), itm_site_roles(b, &p));
        assert_int_equal(itm_site_is_local(a, &p), itm_site_is_local(b, &p));
        assert_int_equal(itm_site_allowed(a, ITM_F_LATERAL, &p, &q, NULL),
                         itm_site_allowed(b, ITM_F_LATERAL, &p, &q, NULL));
    }
}

static void test_example_file(void **state)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 1;
    size_t len = 0;
    char *buf = slurp(EXAMPLE, &len);
    struct itm_site *f, *mem;
    struct itm_ip ws = ip("10.1.16.25"), pc = ip("10.1.17.3");
    (void)state;

    memset(&m, 0, sizeof(m));
    f = itm_site_load_file(EXAMPLE, &d, &err);
    if (!f)
        fail_msg("%s", m.n ? m.line[0] : "no message");
    assert_int_equal(err, 0);
    mem = itm_site_load_mem(EXAMPLE, buf, len, &d, &err);
    assert_non_null(mem);
    assert_int_equal(m.n, 0);
    assert_same_site(f, mem);

    /* What the sample says about its own site. */
    assert_int_equal(roles_of(f, "10.1.0.10"), R(NS));
    assert_int_equal(roles_of(f, "10.1.0.21"), R(TASK_SERVER) | R(PACKAGE_SERVER));
    assert_int_equal(roles_of(f, "10.1.16.25"), R(AGENT) | R(CONSOLE));
    assert_int_equal(roles_of(f, "10.1.17.3"), R(AGENT));
    assert_int_equal(roles_of(f, "2001:db8:1:20::5"), R(AGENT) | R(ULM_AGENT));
    assert_true(local(f, "224.0.255.135"));
    assert_false(local(f, "192.168.1.1"));
    assert_int_equal(itm_site_policy(f)->cleartext, 1);
    assert_true(itm_site_allowed(f, ITM_F_LATERAL, &ws, &pc, NULL));
    assert_false(itm_site_allowed(f, ITM_F_LATERAL, &pc, &ws, NULL));
    itm_site_free(f);
    itm_site_free(mem);
    free(buf);

    memset(&m, 0, sizeof(m));
    assert_null(itm_site_load_file("/nonexistent/site.conf", &d, &err));
    assert_int_equal(err, ITM_ERR_IO);
    assert_string_equal(m.line[0], "/nonexistent/site.conf: No such file or directory");
}

/* ---- allocation failures ---- */

static const char rich[] = "[roles]\n"
                           "10.1.0.10 notification-server\n10.1.0.20 task-server\n"
                           "10.1.1.0/24 agent\n10.1.2.0/24 agent\n10.1.3.0/24 agent\n"
                           "10.1.4.0/24 agent\n10.1.5.0/24 agent\n10.1.6.0/24 agent\n"
                           "10.1.7.0/24 agent\n10.1.8.0/24 agent\n2001:db8:1::/64 agent\n"
                           "[local]\n10.0.0.0/8\n2001:db8::/32\n"
                           "[move]\nns-console ports = 8443\nwin-mtickle-udp ports = 52029 "
                           "group = 239.255.1.1\n"
                           "[policy]\nscan_ports = 20\n"
                           "[allow]\nflag = external rule = mdm\nflag = scan rule = x\n";

static struct itm_site *load_rich(int *err)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    struct itm_site *s;

    memset(&m, 0, sizeof(m));
    s = itm_site_load_mem("t.site", rich, sizeof(rich) - 1, &d, err);
    if (!s)
        assert_string_equal(m.line[0], "t.site: out of memory");
    return s;
}

static struct itm_site *load_bad(int *err)
{
    return itm_site_load_mem("t.site", "[roles]\n1.1.1.1 agent\n2.2.2.2 nobody\n", 37, NULL, err);
}

static struct itm_site *load_example(int *err)
{
    return itm_site_load_file(EXAMPLE, NULL, err);
}

/* Fails the n-th allocation for n = 0, 1, ... until fn gets through; returns fn's last err
 * and how many allocations that took. ASan reports anything a failed attempt leaked. */
static int alloc_loop(struct itm_site *(*fn)(int *), long *allocs)
{
    struct itm_site *s = NULL;
    int err = 0;
    long n;

    for (n = 0; n < 10000; n++) {
        itm_alloc_fail_after(n);
        s = fn(&err);
        itm_alloc_fail_after(-1);
        itm_site_free(s);
        if (err != ITM_ERR_NOMEM)
            break;
        assert_null(s);
    }
    *allocs = n;
    return err;
}

static void test_alloc_failures(void **state)
{
    long n = 0;
    (void)state;

    assert_int_equal(alloc_loop(load_rich, &n), 0);
    assert_true(n > 10);
    /* A failure while a bad file is read is out of memory, never a half-made site. */
    assert_int_equal(alloc_loop(load_bad, &n), ITM_ERR_PARSE);
    assert_true(n > 2);
    assert_int_equal(alloc_loop(load_example, &n), 0);
    assert_true(n > 10);
    assert_int_equal(alloc_loop(itm_site_new_default, &n), 0);
    assert_true(n > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_diagnostic),
        cmocka_unit_test(test_many_errors),
        cmocka_unit_test(test_crlf_and_final_newline),
        cmocka_unit_test(test_quoted_strings),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_too_many_items),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
