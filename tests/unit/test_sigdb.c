/* test_sigdb.c: the signature database: every parser diagnostic with its position, file and
 * memory loads, the (protocol, port) index against a brute-force scan, port moves, the
 * printers, and clean failure at every allocation. */
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

static void test_minimal_rule(void **state)
{
    const char *text = HEAD TAIL "services = \"A;B\"\nnote = \"n \\\"q\\\"\"\n"
                                 "configurable = \"console\"\ncheck = http\n";
    struct msgs m;
    int err = -1;
    struct itm_sigdb *db = load_text(text, strlen(text), &m, &err);
    const struct itm_rule *r;
    (void)state;

    assert_non_null(db);
    assert_int_equal(err, ITM_OK);
    assert_int_equal(itm_sigdb_count(db), 1);
    r = itm_sigdb_rule(db, 0);
    assert_string_equal(r->id, "a");
    assert_string_equal(r->suite, "S");
    assert_string_equal(r->component, "C");
    assert_string_equal(r->services, "A;B");
    assert_string_equal(r->note, "n \"q\"");
    assert_string_equal(r->configurable, "console");
    assert_null(r->follows);
    assert_int_equal(r->protos, ITM_P_TCP);
    assert_int_equal(r->nranges, 1);
    assert_int_equal(r->ranges[0].lo, 80);
    assert_int_equal(r->client_roles, ITM_ROLE_BIT(ITM_ROLE_AGENT));
    assert_int_equal(r->server_roles, ITM_ROLE_BIT(ITM_ROLE_NS));
    assert_int_equal(r->flags, ITM_RF_CONFIGURABLE);
    assert_int_equal(r->inspect, ITM_INSPECT_HTTP);
    assert_int_equal(r->icmp_type, 0xff);
    assert_int_equal(r->line, 1);
    assert_int_equal(r->index, 0);
    assert_ptr_equal(itm_sigdb_find(db, "a"), r);
    assert_null(itm_sigdb_find(db, "b"));
    assert_null(itm_sigdb_rule(db, 1));
    itm_sigdb_free(db);
}

static void test_value_syntax(void **state)
{
    const char *text = "[rule]\nid = m\nsuite = S\ncomponent = C\nprotos = \"udp ; igmp\"\n"
                       "ports = \" 5 ; 10-20 \"\nclient = any\nserver = agent;ulm-agent\n"
                       "flags = multicast;one-way\ngroup = ff02::1\n"
                       "[rule]\nid = e\nsuite = S\ncomponent = C\nprotos = icmp\nicmp_type = 0\n"
                       "ports = -\nclient = agent\nserver = any\n";
    struct msgs m;
    int err;
    struct itm_sigdb *db = load_text(text, strlen(text), &m, &err);
    const struct itm_rule *r, *const *c;
    (void)state;

    assert_non_null(db);
    r = itm_sigdb_find(db, "m");
    assert_int_equal(r->protos, ITM_P_UDP | ITM_P_IGMP);
    assert_int_equal(r->nranges, 2);
    assert_int_equal(r->ranges[1].lo, 10);
    assert_int_equal(r->ranges[1].hi, 20);
    assert_int_equal(r->client_roles, ITM_ROLE_ANY);
    assert_int_equal(r->group.family, 6);
    assert_int_equal(r->group.a[0], 0xff);
    assert_int_equal(r->flags, ITM_RF_MULTICAST | ITM_RF_ONE_WAY);
    assert_string_equal(r->configurable, "");
    assert_int_equal(itm_sigdb_candidates(db, 2, 0, &c), 1);
    assert_ptr_equal(c[0], r);
    r = itm_sigdb_find(db, "e");
    assert_int_equal(r->icmp_type, 0);
    assert_int_equal(itm_sigdb_candidates(db, 58, 0, &c), 1);
    assert_ptr_equal(c[0], r);
    assert_int_equal(itm_sigdb_candidates(db, 47, 0, &c), 0);
    assert_null(c);
    itm_sigdb_free(db);
}

static void test_line_diagnostics(void **state)
{
    (void)state;
    expect_msg(HEAD TAIL "colour = red\n", "t.sig:9:1: unknown key 'colour'");
    expect_msg(HEAD TAIL "note abc\n", "t.sig:9:6: expected '=' after key 'note'");
    expect_msg(HEAD TAIL "note =\n", "t.sig:9:1: missing value for key 'note'");
    expect_msg(HEAD TAIL "note = a b\n",
               "t.sig:9:10: unexpected text after the value of 'note'");
    expect_msg(HEAD TAIL "= 5\n", "t.sig:9:1: value without key");
    expect_msg(HEAD TAIL "\"x\" = 5\n", "t.sig:9:1: value without key");
    expect_msg(HEAD TAIL "note = \"abc\n", "t.sig:9:8: unterminated string");
    expect_msg(HEAD TAIL "id = b\n", "t.sig:9:1: duplicate key 'id' (first at line 2)");
    expect_msg("id = a\n" HEAD TAIL, "t.sig:1:1: key 'id' outside a [rule] section");
    expect_msg(HEAD TAIL "[rules]\nid = x\n", "t.sig:9:1: unknown section [rules]");
    expect_msg("[rule] x\nid = a\nsuite = S\ncomponent = C\n" TAIL,
               "t.sig:1:8: unexpected text after section header");
    expect_msg("", "t.sig: no rules");
    expect_msg("# only a comment\n", "t.sig: no rules");
}

static void test_value_diagnostics(void **state)
{
    const char *l567 = "client = agent\nserver = any\n";
    char text[512];
    (void)state;

    expect_msg(HEAD "protos = tcp\nports = 80;70000\nclient = agent\nserver = any\n",
               "t.sig:6:12: bad port '70000'");
    expect_msg(HEAD "protos = tcp\nports = 0\nclient = agent\nserver = any\n",
               "t.sig:6:9: bad port '0'");
    expect_msg(HEAD "protos = tcp\nports = 2000-1000\nclient = agent\nserver = any\n",
               "t.sig:6:9: reversed port range '2000-1000'");
    expect_msg(HEAD "protos = tcp\nports = 10-x\nclient = agent\nserver = any\n",
               "t.sig:6:9: bad port range '10-x'");
    expect_msg(HEAD "protos = tcp\nports = 1;2;3;4;5;6;7;8;9;10\nclient = agent\nserver = any\n",
               "t.sig:6:25: too many port ranges (at most 8)");
    expect_msg(HEAD "protos = tcp\nports = 80;;443\nclient = agent\nserver = any\n",
               "t.sig:6:12: empty list item");
    expect_msg(HEAD "protos = tcp;sctp\nports = 80\nclient = agent\nserver = any\n",
               "t.sig:5:14: unknown protocol 'sctp'");
    expect_msg(HEAD "protos = tcp\nports = 80\nclient = agent;boss\nserver = any\n",
               "t.sig:7:16: unknown role 'boss'");
    snprintf(text, sizeof(text), HEAD "protos = tcp\nports = 80\n%sflags = one-way;loud\n", l567);
    expect_msg(text, "t.sig:9:17: unknown flag 'loud'");
    expect_msg(HEAD TAIL "check = ftp\n", "t.sig:9:9: unknown check 'ftp'");
    expect_msg(HEAD TAIL "flags = multicast\ngroup = 224.0.0.300\n",
               "t.sig:10:9: bad group address '224.0.0.300'");
    expect_msg(HEAD TAIL "flags = multicast\ngroup = 10.0.0.1\n",
               "t.sig:10:9: group address '10.0.0.1' is not multicast");
    expect_msg("[rule]\nid = a/b\nsuite = S\ncomponent = C\n" TAIL, "t.sig:2:6: bad rule id 'a/b'");
    expect_msg("[rule]\nid = a\nsuite = \"\"\ncomponent = C\n" TAIL,
               "t.sig:3:10: empty value for key 'suite'");
    expect_msg(HEAD TAIL "configurable = yes\n",
               "t.sig:9:16: configurable takes 'no' or a quoted place where the port is set");
    expect_msg(HEAD "protos = icmp\nicmp_type = 300\nports = -\nclient = agent\nserver = any\n",
               "t.sig:6:13: bad icmp type '300'");
}

static void test_rule_diagnostics(void **state)
{
    static const char *const source_no_ports[] = {
        "t.sig:6:1: tcp and udp rules need ports (or flag dynamic)",
        "t.sig:9:1: flag source-port needs ports"};
    static const char *const follows_self[] = {"t.sig:9:1: key 'follows' needs flag followup",
                                               "t.sig:9:1: a rule cannot follow itself"};
    (void)state;
    expect_msg(HEAD "protos = tcp\nclient = agent\nserver = any\n",
               "t.sig:1:1: rule 'a' lacks required key 'ports'");
    expect_msg("[rule]\nsuite = S\ncomponent = C\n" TAIL,
               "t.sig:1:1: rule lacks required key 'id'");
    expect_msg(HEAD TAIL "icmp_type = 8\n", "t.sig:9:1: icmp_type needs protocol icmp");
    expect_msg(HEAD TAIL "flags = dynamic\n", "t.sig:6:1: a dynamic rule takes ports = -");
    expect_msg(HEAD "protos = tcp\nports = -\nclient = agent\nserver = any\n",
               "t.sig:6:1: tcp and udp rules need ports (or flag dynamic)");
    expect_msg(HEAD "protos = icmp\nports = 80\nclient = agent\nserver = any\n",
               "t.sig:6:1: ports need protocol tcp or udp");
    expect_msg(HEAD "protos = icmp\nports = -\nclient = agent\nserver = any\nflags = dynamic\n",
               "t.sig:9:1: flag dynamic needs protocol tcp or udp");
    expect_msg(HEAD TAIL "flags = broad\n", "t.sig:9:1: flag broad needs a port range");
    expect_msgs(HEAD "protos = tcp\nports = -\nclient = agent\nserver = any\nflags = source-port\n",
                source_no_ports, 2);
    expect_msg(HEAD TAIL "flags = followup\n", "t.sig:9:1: flag followup needs key 'follows'");
    expect_msgs(HEAD TAIL "follows = a\n", follows_self, 2);
    expect_msg(HEAD TAIL "group = 224.0.255.135\n", "t.sig:9:1: key 'group' needs flag multicast");
    expect_msg(HEAD TAIL "protos_extra = udp;tcp\n",
               "t.sig:9:1: protos_extra repeats a protocol of protos");
    expect_msg(HEAD TAIL "flags = followup\nfollows = zz\n",
               "t.sig:10:1: follows unknown rule 'zz'");
    expect_msg(HEAD TAIL "flags = followup\nfollows = a\n",
               "t.sig:10:1: a rule cannot follow itself");
    expect_msg(HEAD TAIL "\n[rule]\n  id = a\nsuite = S\ncomponent = C\n" TAIL,
               "t.sig:11:3: duplicate rule id 'a' (first at line 1)");
}

/* One broken line gives one message, the parser goes on, and the order is the file's. */
static void test_many_errors(void **state)
{
    const char *text = "[rule]\nid = a\nsuite = S\ncomponent = C\nprotos = tcp;xyz\n"
                       "ports = 99999\nclient = agent\nserver = nobody\nweird = 1\n"
                       "[rule]\nid = a\nsuite = S\ncomponent = C\n" TAIL;
    static const char *const want[] = {
        "t.sig:5:14: unknown protocol 'xyz'",
        "t.sig:6:9: bad port '99999'",
        "t.sig:8:10: unknown role 'nobody'",
        "t.sig:9:1: unknown key 'weird'",
        "t.sig:11:1: duplicate rule id 'a' (first at line 1)",
    };
    (void)state;
    expect_msgs(text, want, 5);
}

static void test_lexer_errors_and_limits(void **state)
{
    static const char nul[] = "[rule]\nid = a\0b\n";
    const char *const want_nul[] = {"t.sig:2:7: NUL byte in text",
                                    "t.sig:1:1: rule lacks required key 'id'",
                                    "t.sig:1:1: rule lacks required key 'suite'",
                                    "t.sig:1:1: rule lacks required key 'component'",
                                    "t.sig:1:1: rule lacks required key 'protos'",
                                    "t.sig:1:1: rule lacks required key 'ports'",
                                    "t.sig:1:1: rule lacks required key 'client'",
                                    "t.sig:1:1: rule lacks required key 'server'"};
    size_t cap = 1100u * 120u, n = 0;
    char *big = malloc(cap);
    struct msgs m;
    int err;
    (void)state;

    assert_null(load_text(nul, sizeof(nul) - 1, &m, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_int_equal(m.n, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(m.text[i], want_nul[i]);

    assert_non_null(big);
    for (unsigned i = 0; i < 1025; i++)
        n += (size_t)snprintf(big + n, cap - n, "[rule]\nid = r%u\nsuite = S\ncomponent = C\n" TAIL,
                              i);
    assert_null(load_text(big, n, &m, &err));
    assert_int_equal(m.n, 1);
    assert_string_equal(m.text[0], "t.sig:8193:1: more than 1024 rules");
    free(big);
}

static void test_crlf(void **state)
{
    const char *text = "[rule]\r\nid = a\r\nsuite = S\r\ncomponent = C\r\nprotos = tcp\r\n"
                       "ports = 80\r\nclient = agent\r\nserver = any";
    struct msgs m;
    int err;
    struct itm_sigdb *db = load_text(text, strlen(text), &m, &err);
    (void)state;

    assert_non_null(db);
    assert_string_equal(itm_sigdb_rule(db, 0)->component, "C");
    assert_int_equal(itm_sigdb_rule(db, 0)->server_roles, ITM_ROLE_ANY);
    itm_sigdb_free(db);
}

/* Rules whose ranges cut the ports into many runs would need a huge index: refused. */
static void test_index_limit(void **state)
{
    size_t cap = 1024u * 200u, n = 0;
    char *big = malloc(cap);
    uint32_t seed = 12345;
    struct msgs m;
    int err;
    (void)state;

    assert_non_null(big);
    for (unsigned i = 0; i < 1024; i++) {
        n += (size_t)snprintf(big + n, cap - n,
                              "[rule]\nid = r%u\nsuite = S\ncomponent = C\nprotos = tcp\n"
                              "client = any\nserver = any\nflags = broad\nports = ", i);
        for (int k = 0; k < 8; k++) {
            unsigned lo, hi;
            seed = seed * 1103515245u + 12345u;
            lo = 1 + (seed >> 8) % 60000u;
            hi = lo + 1 + (seed >> 4) % 5000u;
            n += (size_t)snprintf(big + n, cap - n, "%s%u-%u", k ? ";" : "", lo, hi);
        }
        n += (size_t)snprintf(big + n, cap - n, "\n");
    }
    assert_null(load_text(big, n, &m, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.text[0], "t.sig: the port index would exceed 1048576 entries");
    free(big);
}

static void test_io_error(void **state)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};
    int err = 0;
    (void)state;

    memset(&m, 0, sizeof(m));
    assert_null(itm_sigdb_load_file(ITM_SRCDIR "/no/such.sig", &d, &err));
    assert_int_equal(err, ITM_ERR_IO);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.text[0], ITM_SRCDIR "/no/such.sig: No such file or directory");
    assert_null(itm_sigdb_load_mem("x", NULL, 3, NULL, &err));
    assert_int_equal(err, ITM_ERR_INVAL);
    /* without a diag sink errors must still reject the file */
    assert_null(itm_sigdb_load_mem("x", "[rule]\n", 7, NULL, &err));
    assert_int_equal(err, ITM_ERR_PARSE);
}

static struct itm_sigdb *load_itms(void)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    int err = -1;
    struct itm_sigdb *db = itm_sigdb_load_file(SIG_PATH, &d, &err);

    assert_non_null(db);
    assert_int_equal(err, ITM_OK);
    assert_int_equal(d.errors, 0);
    return db;
}

static void same_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void test_file_equals_memory(void **state)
{
    struct itm_sigdb *fdb = load_itms(), *mdb;
    FILE *f = fopen(SIG_PATH, "rb");
    char *buf = malloc(1u << 20);
    size_t len;
    int err;
    (void)state;

    assert_non_null(f);
    assert_non_null(buf);
    len = fread(buf, 1, 1u << 20, f);
    fclose(f);
    mdb = itm_sigdb_load_mem(SIG_PATH, buf, len, NULL, &err);
    free(buf); /* the database must not point into the caller's buffer */
    assert_non_null(mdb);
    assert_int_equal(itm_sigdb_count(fdb), itm_sigdb_count(mdb));
    for (size_t i = 0; i < itm_sigdb_count(fdb); i++) {
        const struct itm_rule *a = itm_sigdb_rule(fdb, i), *b = itm_sigdb_rule(mdb, i);
        same_str(a->id, b->id);
        same_str(a->suite, b->suite);
        same_str(a->component, b->component);
        same_str(a->services, b->services);
        same_str(a->configurable, b->configurable);
        same_str(a->note, b->note);
        same_str(a->follows, b->follows);
        assert_int_equal(a->protos, b->protos);
        assert_int_equal(a->protos_extra, b->protos_extra);
        assert_int_equal(a->icmp_type, b->icmp_type);
        assert_int_equal(a->inspect, b->inspect);
        assert_int_equal(a->nranges, b->nranges);
        assert_memory_equal(a->ranges, b->ranges, sizeof(a->ranges));
        assert_int_equal(a->client_roles, b->client_roles);
        assert_int_equal(a->server_roles, b->server_roles);
        assert_int_equal(a->flags, b->flags);
        assert_memory_equal(&a->group, &b->group, sizeof(a->group));
        assert_int_equal(a->index, b->index);
        assert_int_equal(a->line, b->line);
    }
    itm_sigdb_free(fdb);
    itm_sigdb_free(mdb);
}

/* The index's contract written out as a plain scan over every rule. */
static size_t brute(const struct itm_sigdb *db, unsigned pbit, uint16_t port,
                    const struct itm_rule **out, int *server)
{
    size_t n = 0, count = itm_sigdb_count(db);

    *server = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < count; i++) {
            const struct itm_rule *r = itm_sigdb_rule(db, i);
            int spec = 0, broad = 0;
            if ((r->flags & ITM_RF_DYNAMIC) || !((r->protos | r->protos_extra) & pbit))
                continue;
            for (unsigned k = 0; k < r->nranges; k++) {
                if (port < r->ranges[k].lo || port > r->ranges[k].hi)
                    continue;
                if ((r->flags & ITM_RF_BROAD) && r->ranges[k].lo < r->ranges[k].hi)
                    broad = 1;
                else
                    spec = 1;
            }
            if (pass == 0 && spec) {
                out[n++] = r;
                if (!(r->flags & ITM_RF_SOURCE_PORT))
                    *server = 1;
            } else if (pass == 1 && !spec && broad) {
                out[n++] = r;
            }
        }
    }
    return n;
}

static void check_all_ports(const struct itm_sigdb *db)
{
    static const struct {
        uint8_t ipproto;
        unsigned pbit;
    } protos[] = {{6, ITM_P_TCP}, {17, ITM_P_UDP}};
    const struct itm_rule *want[1200];

    for (size_t p = 0; p < 2; p++) {
        for (uint32_t port = 0; port < 65536u; port++) {
            const struct itm_rule *const *got;
            int server;
            size_t nw = brute(db, protos[p].pbit, (uint16_t)port, want, &server);
            size_t ng = itm_sigdb_candidates(db, protos[p].ipproto, (uint16_t)port, &got);
            assert_int_equal(ng, nw);
            for (size_t k = 0; k < nw; k++)
                assert_ptr_equal(got[k], want[k]);
            assert_int_equal(itm_sigdb_is_server_port(db, protos[p].ipproto, (uint16_t)port),
                             server);
        }
    }
}

static void expect_ids(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port,
                       const char *const *ids, size_t n, size_t nspecific)
{
    const struct itm_rule *const *c;
    size_t got = itm_sigdb_candidates(db, ipproto, port, &c);

    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c[i]->id, ids[i]);
        assert_int_equal(itm_rule_port_is_broad(c[i], port), i >= nspecific);
    }
}

static void test_candidates(void **state)
{
    struct itm_sigdb *db = load_itms();
    static const char *const p50123[] = {"ts-tickle", "ns-data-connector", "disc-rpc-wmi",
                                         "ulm-src-ports", "ppa-wmi-dyn"};
    static const char *const p135[] = {"disc-rpc-wmi", "ps-rpc", "ppa-wmi", "vmm-hyperv"};
    static const char *const p52029u[] = {"win-mtickle-udp", "ulm-mtickle-udp",
                                          "ns-data-connector", "ds-tftp-data",
                                          "ppa-snmp-trap-extra", "ppa-wmi-dyn"};
    const struct itm_rule *const *c;
    size_t n;
    (void)state;

    n = itm_sigdb_candidates(db, 6, 443, &c);
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        assert_false(itm_rule_port_is_broad(c[i], 443));
        if (i)
            assert_true(c[i - 1]->index < c[i]->index);
    }
    expect_ids(db, 6, 50123, p50123, 5, 1);
    expect_ids(db, 6, 50000, p50123 + 1, 4, 0);
    expect_ids(db, 6, 135, p135, 4, 4);
    expect_ids(db, 17, 52029, p52029u, 6, 2);
    assert_int_equal(itm_sigdb_candidates(db, 17, 50200, &c), 5);
    assert_string_equal(c[0]->id, "wol");
    assert_int_equal(itm_sigdb_candidates(db, 1, 0, &c), 1);
    assert_string_equal(c[0]->id, "agent-ping");
    assert_int_equal(itm_sigdb_candidates(db, 58, 1234, &c), 1);
    assert_int_equal(itm_sigdb_candidates(db, 2, 0, &c), 0);
    assert_int_equal(itm_sigdb_candidates(db, 6, 0, &c), 0);
    assert_null(c);
    check_all_ports(db);
    itm_sigdb_free(db);
}

static void test_server_ports(void **state)
{
    struct itm_sigdb *db = load_itms();
    (void)state;

    assert_true(itm_sigdb_is_server_port(db, 6, 50123));
    assert_true(itm_sigdb_is_server_port(db, 6, 135));
    assert_true(itm_sigdb_is_server_port(db, 17, 52029));
    assert_true(itm_sigdb_is_server_port(db, 17, 69));
    assert_true(itm_sigdb_is_server_port(db, 17, 50200)); /* the marked UDP form of wol */
    assert_false(itm_sigdb_is_server_port(db, 6, 50000)); /* only broad ranges */
    assert_false(itm_sigdb_is_server_port(db, 6, 1024));
    assert_false(itm_sigdb_is_server_port(db, 1, 0));
    assert_false(itm_sigdb_is_server_port(NULL, 6, 80));
    itm_sigdb_free(db);
}

static void test_rule_helpers(void **state)
{
    struct itm_sigdb *db = load_itms();
    const struct itm_rule *r;
    char buf[64];
    (void)state;

    r = itm_sigdb_find(db, "disc-rpc-wmi");
    assert_false(itm_rule_port_is_broad(r, 135));
    assert_true(itm_rule_port_is_broad(r, 50000));
    assert_false(itm_rule_port_is_broad(r, 80));
    assert_string_equal(itm_rule_ports_format(r, buf, sizeof(buf)), "135;49152-65535");
    assert_string_equal(itm_rule_ports_format(r, buf, 6), "135;4");
    assert_string_equal(itm_rule_protos_format(r, buf, sizeof(buf)), "tcp");
    r = itm_sigdb_find(db, "wol");
    assert_string_equal(itm_rule_protos_format(r, buf, sizeof(buf)), "tcp+udp*");
    assert_int_equal(itm_rule_inspect_for(r, 17, 50200), ITM_INSPECT_WOL);
    assert_int_equal(itm_rule_inspect_for(r, 6, 50200), ITM_INSPECT_WOL);
    r = itm_sigdb_find(db, "agent-ping");
    assert_string_equal(itm_rule_protos_format(r, buf, sizeof(buf)), "icmp(type 8)");
    assert_string_equal(itm_rule_ports_format(r, buf, sizeof(buf)), "-");
    r = itm_sigdb_find(db, "ds-pxe");
    assert_string_equal(itm_rule_ports_format(r, buf, sizeof(buf)), "67;68;4011");
    assert_int_equal(itm_rule_inspect_for(r, 17, 4011), ITM_INSPECT_DHCP);
    r = itm_sigdb_find(db, "agent-policy");
    assert_int_equal(itm_rule_inspect_for(r, 6, 80), ITM_INSPECT_HTTP);
    assert_int_equal(itm_rule_inspect_for(r, 6, 443), ITM_INSPECT_TLS);
    assert_int_equal(itm_rule_inspect_for(r, 17, 80), ITM_INSPECT_NONE);
    r = itm_sigdb_find(db, "ppa-wsman");
    assert_int_equal(itm_rule_inspect_for(r, 6, 623), ITM_INSPECT_HTTP);
    assert_int_equal(itm_rule_inspect_for(r, 6, 664), ITM_INSPECT_TLS);
    r = itm_sigdb_find(db, "win-p2p");
    assert_int_equal(itm_rule_inspect_for(r, 6, 56118), ITM_INSPECT_HTTP);
    assert_int_equal(itm_rule_inspect_for(r, 17, 56118), ITM_INSPECT_NONE);
    r = itm_sigdb_find(db, "sim-dns");
    assert_int_equal(itm_rule_inspect_for(r, 6, 53), ITM_INSPECT_DNS);
    r = itm_sigdb_find(db, "ds-tftp-data");
    assert_string_equal(r->follows, "ds-tftp");
    assert_true(r->flags & ITM_RF_FOLLOWUP);
    assert_null(itm_sigdb_find(db, "nope"));
    assert_null(itm_sigdb_find(NULL, "wol"));
    assert_int_equal(itm_sigdb_count(NULL), 0);
    itm_sigdb_free(db);
}

/* Where the column after `col` starts in a table line: the end of the run of spaces. */
static size_t column_start(const char *line, int col)
{
    size_t i = 0;

    for (int c = 0; c < col; c++) {
        while (line[i] && !(line[i] == ' ' && line[i + 1] == ' '))
            i++;
        while (line[i] == ' ')
            i++;
    }
    return i;
}

static void test_print(void **state)
{
    struct itm_sigdb *db = load_itms();
    char *text = NULL, *line, *save = NULL;
    size_t size = 0, pos_ports = 0;
    int lines = 0;
    FILE *out = open_memstream(&text, &size);
    (void)state;

    assert_non_null(out);
    itm_sigdb_print_table(db, out);
    fclose(out);
    assert_non_null(strstr(text, "CLIENT -> SERVER"));
    assert_non_null(strstr(text, "1024-65535 (source)"));
    assert_non_null(strstr(text, "random"));
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t p = column_start(line, 4);
        if (lines == 0)
            pos_ports = p;
        assert_int_equal(p, pos_ports);
        assert_non_null(strstr(line, " -> "));
        lines++;
    }
    assert_int_equal(lines, 102);
    free(text);

    text = NULL;
    out = open_memstream(&text, &size);
    itm_sigdb_print_summary(db, "itms.sig", out);
    fclose(out);
    assert_non_null(strstr(text, "itms.sig: 101 rules in 19 suites"));
    assert_non_null(strstr(text, "1 follow-up"));
    free(text);
    itm_sigdb_free(db);
}

static void move_refused(struct itm_sigdb *db, const char *id, const struct itm_port_range *pr,
                         unsigned n, const struct itm_ip *group, const char *want)
{
    struct msgs m;
    struct itm_diag d = {collect, &m, 0};

    memset(&m, 0, sizeof(m));
    assert_int_equal(itm_sigdb_move(db, id, pr, n, group, &d, "site.txt", 3, 5), ITM_ERR_PARSE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.text[0], want);
}

static int lists(const struct itm_sigdb *db, uint8_t ipproto, uint16_t port, const char *id)
{
    const struct itm_rule *const *c;
    size_t n = itm_sigdb_candidates(db, ipproto, port, &c);

    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i]->id, id) == 0)
            return 1;
    return 0;
}

static void test_move(void **state)
{
    struct itm_sigdb *db = load_itms();
    struct itm_port_range to = {50999, 50999}, rev = {600, 500}, nine[9];
    struct itm_ip grp, uni;
    const struct itm_rule *r = itm_sigdb_find(db, "ts-tickle");
    (void)state;

    for (int i = 0; i < 9; i++)
        nine[i] = (struct itm_port_range){(uint16_t)(100 + i), (uint16_t)(100 + i)};
    assert_int_equal(itm_sigdb_move(db, "ts-tickle", &to, 1, NULL, NULL, "s", 1, 1), 0);
    assert_int_equal(r->ranges[0].lo, 50999);
    assert_true(lists(db, 6, 50999, "ts-tickle"));
    assert_false(lists(db, 6, 50123, "ts-tickle"));
    assert_true(itm_sigdb_is_server_port(db, 6, 50999));
    assert_false(itm_sigdb_is_server_port(db, 6, 50123));

    move_refused(db, "ds-tftp", &to, 1, NULL, "site.txt:3:5: rule ds-tftp is not configurable");
    assert_true(lists(db, 17, 69, "ds-tftp"));
    move_refused(db, "nope", &to, 1, NULL, "site.txt:3:5: unknown rule nope");
    move_refused(db, "ts-tickle", &rev, 1, NULL,
                 "site.txt:3:5: bad port range 600-500 for rule ts-tickle");
    move_refused(db, "ts-tickle", NULL, 0, NULL,
                 "site.txt:3:5: nothing to move for rule ts-tickle");
    move_refused(db, "ts-tickle", nine, 9, NULL,
                 "site.txt:3:5: too many port ranges for rule ts-tickle (at most 8)");
    move_refused(db, "agent-ping", &to, 1, NULL,
                 "site.txt:3:5: rule agent-ping is not configurable");
    assert_int_equal(itm_ip_parse("239.1.2.3", &grp), 0);
    assert_int_equal(itm_ip_parse("10.1.2.3", &uni), 0);
    move_refused(db, "ts-tickle", NULL, 0, &grp,
                 "site.txt:3:5: rule ts-tickle has no multicast group");
    move_refused(db, "win-mtickle-udp", NULL, 0, &uni,
                 "site.txt:3:5: group 10.1.2.3 is not a multicast address");

    r = itm_sigdb_find(db, "win-mtickle-udp");
    assert_int_equal(itm_sigdb_move(db, "win-mtickle-udp", NULL, 0, &grp, NULL, "s", 1, 1), 0);
    assert_memory_equal(&r->group, &grp, sizeof(grp));
    assert_int_equal(r->ranges[0].lo, 52029);
    assert_int_equal(itm_sigdb_move(NULL, "x", NULL, 0, NULL, NULL, "s", 1, 1), ITM_ERR_INVAL);
    itm_sigdb_free(db);
}

static void test_move_without_ports(void **state)
{
    static const char text[] = HEAD "protos = icmp\nports = -\nclient = agent\nserver = any\n"
                                    "configurable = \"console\"\n";
    struct itm_port_range to = {7, 7};
    struct msgs m;
    int err;
    struct itm_sigdb *db = load_text(text, sizeof(text) - 1, &m, &err);
    (void)state;

    assert_non_null(db);
    move_refused(db, "a", &to, 1, NULL, "site.txt:3:5: rule a has no fixed ports to move");
    itm_sigdb_free(db);
}

/* Every allocation may fail: the load returns NULL with ITM_ERR_NOMEM and leaks nothing
 * (ASan checks the leaks); a failed move leaves the database as it was. */
static void test_alloc_failures(void **state)
{
    static const char bad[] = HEAD "protos = tcp;xyz\nports = 80\nclient = a\nserver = any\n";
    struct itm_sigdb *db = NULL;
    struct itm_port_range web[2] = {{8080, 8080}, {8443, 8443}};
    long n;
    int err, rc;
    (void)state;

    for (n = 0; n < 10000 && !db; n++) {
        itm_alloc_fail_after(n);
        db = itm_sigdb_load_file(SIG_PATH, NULL, &err);
        itm_alloc_fail_after(-1);
        if (!db)
            assert_int_equal(err, ITM_ERR_NOMEM);
    }
    assert_non_null(db);
    assert_true(n > 5);
    for (n = 0;; n++) {
        itm_alloc_fail_after(n);
        rc = itm_sigdb_move(db, "agent-policy", web, 2, NULL, NULL, "s", 1, 1);
        itm_alloc_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, ITM_ERR_NOMEM);
        assert_true(lists(db, 6, 80, "agent-policy"));
        assert_false(lists(db, 6, 8080, "agent-policy"));
    }
    assert_true(lists(db, 6, 8443, "agent-policy"));
    assert_false(lists(db, 6, 443, "agent-policy"));
    itm_sigdb_free(db);

    for (n = 0; n < 1000; n++) {
        itm_alloc_fail_after(n);
        db = itm_sigdb_load_mem("t.sig", bad, sizeof(bad) - 1, NULL, &err);
        itm_alloc_fail_after(-1);
        assert_null(db);
        if (err == ITM_ERR_PARSE)
            break;
        assert_int_equal(err, ITM_ERR_NOMEM);
    }
    assert_int_equal(err, ITM_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_rule),
        cmocka_unit_test(test_value_syntax),
        cmocka_unit_test(test_line_diagnostics),
        cmocka_unit_test(test_value_diagnostics),
        cmocka_unit_test(test_rule_diagnostics),
        cmocka_unit_test(test_many_errors),
        cmocka_unit_test(test_lexer_errors_and_limits),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_index_limit),
        cmocka_unit_test(test_io_error),
        cmocka_unit_test(test_file_equals_memory),
        cmocka_unit_test(test_candidates),
        cmocka_unit_test(test_server_ports),
        cmocka_unit_test(test_rule_helpers),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_move_without_ports),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
