/* test_sigdb_coverage.c: signatures/itms.sig against its source, the ITMS 8.x ports table
 * (tests/data/itms-8x-ports.csv): one rule per row, same id, order, suite, component,
 * protocols, ports, services and configurability, and no rule without a row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/sigdb.h"

#define CSV_PATH ITM_SRCDIR "/tests/data/itms-8x-ports.csv"
#define SIG_PATH ITM_SRCDIR "/signatures/itms.sig"
#define NFIELDS 9
#define MAX_ROWS 200

enum { F_ID, F_SUITE, F_COMPONENT, F_PROTO, F_DIRECTION, F_PORTS, F_SERVICE, F_CONF, F_WHERE };

struct row {
    char *f[NFIELDS];
};

struct table {
    char *text; /* the file, cut into fields in place */
    struct row rows[MAX_ROWS];
    size_t n;
};

/* Splits one line at commas; the table has no quoted fields. Returns the field count. */
static int split(char *line, struct row *r)
{
    int n = 0;
    char *p = line;

    for (;;) {
        char *comma = strchr(p, ',');
        if (n < NFIELDS)
            r->f[n] = p;
        n++;
        if (!comma)
            return n;
        *comma = '\0';
        p = comma + 1;
    }
}

static void read_table(struct table *t)
{
    FILE *f = fopen(CSV_PATH, "rb");
    size_t len;
    char *line, *save = NULL;
    int header = 1;

    assert_non_null(f);
    t->text = calloc(1, 1u << 20);
    assert_non_null(t->text);
    len = fread(t->text, 1, (1u << 20) - 1, f);
    fclose(f);
    assert_true(len > 0);
    t->n = 0;
    for (line = strtok_r(t->text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        struct row r;
        assert_int_equal(split(line, &r), NFIELDS);
        if (header) {
            assert_string_equal(r.f[F_ID], "id");
            assert_string_equal(r.f[F_WHERE], "where");
            header = 0;
            continue;
        }
        assert_true(t->n < MAX_ROWS);
        t->rows[t->n++] = r;
    }
}

static struct itm_sigdb *load_db(void)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    int err = -1;
    struct itm_sigdb *db = itm_sigdb_load_file(SIG_PATH, &d, &err);

    assert_non_null(db);
    assert_int_equal(err, ITM_OK);
    return db;
}

/* "tcp", "udp", "tcp+udp", "icmp(type 8)". */
static void check_proto(const struct itm_rule *r, const char *proto)
{
    unsigned want = 0;
    const char *p = proto;

    while (*p) {
        size_t n = strcspn(p, "+");
        if (n == 3 && strncmp(p, "tcp", 3) == 0) {
            want |= ITM_P_TCP;
        } else if (n == 3 && strncmp(p, "udp", 3) == 0) {
            want |= ITM_P_UDP;
        } else if (strncmp(p, "icmp(type ", 10) == 0) {
            want |= ITM_P_ICMP;
            assert_int_equal(r->icmp_type, atoi(p + 10));
        } else {
            fail_msg("%s: unexpected protocol '%s' in the table", r->id, proto);
        }
        p += n;
        if (*p == '+')
            p++;
    }
    if (r->protos != want)
        fail_msg("%s: protos 0x%x, table says %s", r->id, r->protos, proto);
}

/* "80;443", "1024-65535 (source)", "4726 (system-defined source)", "-", "random". */
static void check_ports(const struct itm_rule *r, const char *ports)
{
    char buf[128];
    char *note, *item, *save = NULL;
    unsigned n = 0;

    snprintf(buf, sizeof(buf), "%s", ports);
    note = strstr(buf, " (");
    if (note) {
        *note = '\0';
        /* only a bare "(source)" says the numbers are the client's source ports */
        assert_int_equal(!!(r->flags & ITM_RF_SOURCE_PORT), strcmp(note + 1, "(source)") == 0);
    } else {
        assert_false(r->flags & ITM_RF_SOURCE_PORT);
    }
    if (strcmp(buf, "-") == 0 || strcmp(buf, "random") == 0) {
        assert_int_equal(r->nranges, 0);
        assert_int_equal(!!(r->flags & ITM_RF_DYNAMIC), strcmp(buf, "random") == 0);
        return;
    }
    assert_false(r->flags & ITM_RF_DYNAMIC);
    for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *dash = strchr(item, '-');
        long lo = strtol(item, NULL, 10), hi = dash ? strtol(dash + 1, NULL, 10) : lo;
        assert_true(n < r->nranges);
        if (r->ranges[n].lo != lo || r->ranges[n].hi != hi)
            fail_msg("%s: range %u is %u-%u, table says %ld-%ld", r->id, n, r->ranges[n].lo,
                     r->ranges[n].hi, lo, hi);
        n++;
    }
    assert_int_equal(n, r->nranges);
}

static void check_row(const struct itm_sigdb *db, const struct row *row, size_t i)
{
    const struct itm_rule *r = itm_sigdb_find(db, row->f[F_ID]);

    if (!r)
        fail_msg("table row %zu (%s) has no rule", i + 1, row->f[F_ID]);
    assert_int_equal(r->index, i);
    assert_string_equal(r->suite, row->f[F_SUITE]);
    assert_string_equal(r->component, row->f[F_COMPONENT]);
    assert_string_equal(r->services, row->f[F_SERVICE]);
    check_proto(r, row->f[F_PROTO]);
    check_ports(r, row->f[F_PORTS]);
    if (strcmp(row->f[F_CONF], "yes") == 0) {
        assert_true(r->flags & ITM_RF_CONFIGURABLE);
        assert_true(r->configurable[0] != '\0');
    } else {
        assert_string_equal(row->f[F_CONF], "no");
        assert_false(r->flags & ITM_RF_CONFIGURABLE);
        assert_string_equal(r->configurable, "");
    }
    /* a row without direction is host-local traffic or a broad range, never a plain port */
    if (strcmp(row->f[F_DIRECTION], "-") == 0)
        assert_true(r->flags & (ITM_RF_LOCAL | ITM_RF_BROAD));
    assert_true(r->client_roles != 0);
    assert_true(r->server_roles != 0);
}

static void test_every_row_is_a_rule(void **state)
{
    struct table *t = calloc(1, sizeof(*t));
    struct itm_sigdb *db = load_db();
    (void)state;

    assert_non_null(t);
    read_table(t);
    assert_int_equal(t->n, 101);
    for (size_t i = 0; i < t->n; i++)
        check_row(db, &t->rows[i], i);
    free(t->text);
    free(t);
    itm_sigdb_free(db);
}

static void test_every_rule_has_a_row(void **state)
{
    struct table *t = calloc(1, sizeof(*t));
    struct itm_sigdb *db = load_db();
    (void)state;

    assert_non_null(t);
    read_table(t);
    assert_int_equal(itm_sigdb_count(db), 101);
    for (size_t i = 0; i < itm_sigdb_count(db); i++) {
        const struct itm_rule *r = itm_sigdb_rule(db, i);
        size_t k = 0;
        while (k < t->n && strcmp(t->rows[k].f[F_ID], r->id) != 0)
            k++;
        if (k == t->n)
            fail_msg("rule %s (line %u) has no table row", r->id, r->line);
        assert_int_equal(k, i);
    }
    free(t->text);
    free(t);
    itm_sigdb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_is_a_rule),
        cmocka_unit_test(test_every_rule_has_a_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
