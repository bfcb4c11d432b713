/* test_out_json.c: the JSON output's lines, written through its plug-in interface. A flow
 * line is pinned whole; a label's members, written the first time and copied after, read
 * the same on every event and follow the database in force (a reload brings another); names,
 * roles, flags, alternatives and the header's variants (IPv6, ICMP, VLAN) come out as the
 * schema in README.md says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "itmscope/output.h"
#include "itmscope/sigdb.h"

/* Rule a's component has a quote and a backslash, its suite a non-ASCII byte sequence
 * (UTF-8, written as it is); rule b is plain. */
static const char sig1[] = "[rule]\nid = a\nsuite = \"S \\\\ \xc3\xa9\"\n"
                           "component = \"C \\\"q\\\" x\"\n"
                           "protos = tcp\nports = 80\nclient = agent\n"
                           "server = notification-server\n"
                           "[rule]\nid = b\nsuite = T\ncomponent = D\n"
                           "protos = tcp\nports = 443\nclient = agent\n"
                           "server = notification-server\n";
/* The same ids, other texts: what a reload brings. */
static const char sig2[] = "[rule]\nid = a\nsuite = S2\ncomponent = C2\n"
                           "protos = tcp\nports = 80\nclient = agent\n"
                           "server = notification-server\n"
                           "[rule]\nid = b\nsuite = T2\ncomponent = D2\n"
                           "protos = tcp\nports = 443\nclient = agent\n"
                           "server = notification-server\n";

static struct itm_sigdb *load(const char *text)
{
    int err = 0;
    struct itm_sigdb *db = itm_sigdb_load_mem("t.sig", text, strlen(text), NULL, &err);

    assert_non_null(db);
    assert_int_equal(itm_sigdb_count(db), 2);
    return db;
}

static struct itm_flow_rec tcp_flow(void)
{
    struct itm_flow_rec r;

    memset(&r, 0, sizeof(r));
    r.id = 42;
    r.client.family = 4;
    memcpy(r.client.a, "\x0a\x01\x00\x0a", 4);
    r.server.family = 4;
    memcpy(r.server.a, "\xc0\xa8\x64\xfe", 4);
    r.client_port = 49152;
    r.server_port = 80;
    r.ipproto = 6;
    r.tcp_state = ITM_TCPS_CLOSED;
    r.end_reason = ITM_END_FIN;
    r.pkts[ITM_DIR_TOSERVER] = 4;
    r.pkts[ITM_DIR_TOCLIENT] = 3;
    r.bytes[ITM_DIR_TOSERVER] = 216;
    r.bytes[ITM_DIR_TOCLIENT] = 18446744073709551615u;
    r.first_ns = UINT64_C(1767603600000000000); /* 2026-01-05T09:00:00Z */
    r.last_ns = r.first_ns + 1500018000u;
    r.label.rule = 0;
    r.label.confidence = ITM_CONF_PORT;
    return r;
}

/* The lines written to a file, read back: at most 16 of up to 4 KiB. */
struct lines {
    char v[16][4096];
    int n;
};

static void read_lines(const char *path, struct lines *l)
{
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    memset(l, 0, sizeof(*l));
    while (l->n < 16 && fgets(l->v[l->n], sizeof(l->v[0]), f)) {
        l->v[l->n][strcspn(l->v[l->n], "\n")] = '\0';
        l->n++;
    }
    fclose(f);
}

static void contains(const char *line, const char *piece)
{
    if (!strstr(line, piece))
        fail_msg("missing %s\n  in %s", piece, line);
}

static void test_lines(void **state)
{
    char path[] = "/tmp/itm-out-json-XXXXXX";
    struct itm_sigdb *db1 = load(sig1), *db2 = load(sig2);
    struct itm_output_ctx ctx = {db1, NULL, NULL, 1, 262144, NULL};
    struct itm_output *o = NULL;
    struct itm_flow_rec r = tcp_flow(), r6, none;
    struct lines l;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(itm_out_json.open(&o, path, &ctx), 0);

    r.label.nalt = 1;
    r.label.alt[0] = 1;
    itm_out_json.flow(o, &r);                  /* 0: rule a, its texts made */
    itm_out_json.flow(o, &r);                  /* 1: the same, from the texts kept */

    none = r;
    none.label.rule = ITM_NO_RULE;
    none.label.nalt = 0;
    none.label.confidence = ITM_CONF_NONE;
    itm_out_json.flow(o, &none);               /* 2: nothing explains it */

    r6 = r;
    r6.client.family = r6.server.family = 6;
    memcpy(r6.client.a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    memcpy(r6.server.a, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
    r6.ipproto = 58;
    r6.icmp_type = 128;
    r6.icmp_code = 0;
    r6.client_port = 7;
    r6.nvlan = 2;
    r6.vlan[0] = 10;
    r6.vlan[1] = 4094;
    r6.label.rule = 1;
    r6.label.nalt = 0;
    r6.label.client_roles = ITM_ROLE_BIT(ITM_ROLE_AGENT) | ITM_ROLE_BIT(ITM_ROLE_CONSOLE);
    r6.label.flags = ITM_F_LATERAL | ITM_F_SCAN | ITM_F_ROLE_CONTRADICTION;
    snprintf(r6.label.reason, sizeof(r6.label.reason), "why \"not\"");
    itm_out_json.flow(o, &r6);                 /* 3: IPv6 ICMP, roles, flags */
    itm_out_json.alert(o, &r6, ITM_F_SCAN, r6.first_ns); /* 4 */

    ctx.db = db2;                              /* a reload */
    itm_out_json.flow(o, &r);                  /* 5: rule a of db2 */
    ctx.db = db1;                              /* and back (both stay loaded) */
    itm_out_json.flow(o, &r);                  /* 6 */
    {
        /* labels kept whole: the same rule with roles and flags, twice, then other flags
         * and other roles (each its own text), then the first again */
        struct itm_flow_rec a = r, b, c;
        a.label.client_roles = ITM_ROLE_BIT(ITM_ROLE_NS);
        a.label.server_roles = ITM_ROLE_BIT(ITM_ROLE_AGENT);
        a.label.flags = ITM_F_CLEARTEXT;
        b = a;
        b.label.flags = ITM_F_EXTERNAL | ITM_F_CLEARTEXT;
        c = a;
        c.label.server_roles = ITM_ROLE_BIT(ITM_ROLE_ULM_AGENT);
        itm_out_json.flow(o, &a);              /* 7 */
        itm_out_json.flow(o, &a);              /* 8 */
        itm_out_json.flow(o, &b);              /* 9 */
        itm_out_json.flow(o, &c);              /* 10 */
        itm_out_json.flow(o, &a);              /* 11 */
    }
    assert_int_equal(itm_out_json.close(o), 0);

    read_lines(path, &l);
    unlink(path);
    assert_int_equal(l.n, 12);
    assert_string_equal(
        l.v[0],
        "{\"timestamp\":\"2026-01-05T09:00:01.500018Z\",\"flow_id\":42,\"event_type\":\"flow\","
        "\"proto\":\"TCP\",\"src_ip\":\"10.1.0.10\",\"src_port\":49152,"
        "\"dest_ip\":\"192.168.100.254\",\"dest_port\":80,\"flow\":{\"pkts_toserver\":4,"
        "\"pkts_toclient\":3,\"bytes_toserver\":216,\"bytes_toclient\":18446744073709551615,"
        "\"start\":\"2026-01-05T09:00:00.000000Z\",\"end\":\"2026-01-05T09:00:01.500018Z\","
        "\"age\":1.500018,\"state\":\"closed\",\"reason\":\"fin\",\"alerted\":false},"
        "\"itms\":{\"rule\":\"a\",\"component\":\"C \\\"q\\\" x\",\"suite\":\"S \\\\ \xc3\xa9\","
        "\"confidence\":\"port\",\"alternatives\":[\"b\"]},"
        "\"roles\":{\"client\":[],\"server\":[]},\"flags\":[]}");
    assert_string_equal(l.v[1], l.v[0]);
    contains(l.v[2], "\"itms\":{\"rule\":null,\"component\":null,\"suite\":null,"
                     "\"confidence\":\"none\"}");
    contains(l.v[3], "\"proto\":\"IPv6-ICMP\",\"src_ip\":\"2001:db8::1\","
                     "\"dest_ip\":\"fe80::2\",\"icmp_type\":128,\"icmp_code\":0,"
                     "\"icmp_id\":7,\"vlan\":[10,4094],\"flow\":{");
    contains(l.v[3], "\"itms\":{\"rule\":\"b\",\"component\":\"D\",\"suite\":\"T\","
                     "\"confidence\":\"port\"},\"roles\":{\"client\":[\"agent\",\"console\"],"
                     "\"server\":[]},\"flags\":[\"lateral_movement\",\"scan\","
                     "\"role_contradiction\"],\"reason\":\"why \\\"not\\\"\"}");
    contains(l.v[3], "\"state\":\"established\",\"reason\":\"fin\",\"alerted\":true}");
    contains(l.v[4], "{\"timestamp\":\"2026-01-05T09:00:00.000000Z\",\"flow_id\":42,"
                     "\"event_type\":\"alert\",\"proto\":\"IPv6-ICMP\"");
    contains(l.v[4], "\"alert\":{\"signature\":\"scan\",\"category\":\"itms-policy\","
                     "\"reason\":\"why \\\"not\\\"\"},\"itms\":{\"rule\":\"b\"");
    contains(l.v[5], "\"itms\":{\"rule\":\"a\",\"component\":\"C2\",\"suite\":\"S2\","
                     "\"confidence\":\"port\",\"alternatives\":[\"b\"]}");
    assert_string_equal(l.v[6], l.v[0]);
    contains(l.v[7], "\"alternatives\":[\"b\"]},\"roles\":{\"client\":"
                     "[\"notification-server\"],\"server\":[\"agent\"]},"
                     "\"flags\":[\"cleartext\"]}");
    assert_string_equal(l.v[8], l.v[7]);
    contains(l.v[9], "\"server\":[\"agent\"]},\"flags\":[\"external\",\"cleartext\"]}");
    contains(l.v[10], "\"server\":[\"ulm-agent\"]},\"flags\":[\"cleartext\"]}");
    assert_string_equal(l.v[11], l.v[7]);
    itm_sigdb_free(db1);
    itm_sigdb_free(db2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
