/* test_report_fmt.c: the report's text and CSV helpers: RFC 4180 quoting, human numbers and
 * times, escaping of wire text, aligned tables that fit 100 columns, wrapping, and the
 * progress bar's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/cli.h"
#include "report-int.h"

/* Runs fn into a memory stream and returns what it wrote (caller frees). */
struct mem {
    char *buf;
    size_t len;
    FILE *f;
};

static void mem_open(struct mem *m)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    assert_non_null(m->f);
}

static char *mem_close(struct mem *m)
{
    fclose(m->f);
    return m->buf;
}

static char *csv_of(const char *field)
{
    struct mem m;

    mem_open(&m);
    assert_int_equal(itm_csv_field(m.f, field), 0);
    return mem_close(&m);
}

static void expect_csv(const char *field, const char *want)
{
    char *got = csv_of(field);

    assert_string_equal(got, want);
    free(got);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    expect_csv("plain", "plain");
    expect_csv("", "");
    expect_csv(NULL, "");
    expect_csv("a,b", "\"a,b\"");
    expect_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_csv("\"", "\"\"\"\"");
    expect_csv("line1\nline2", "\"line1\nline2\"");
    expect_csv("cr\rhere", "\"cr\rhere\"");
    expect_csv(" lead", "\" lead\"");
    expect_csv("trail ", "\"trail \"");
    expect_csv("in side", "in side");
    expect_csv("semi;colon", "semi;colon");
}

/* A record written by itm_csv_row and parsed back per RFC 4180 gives the original fields. */
static void test_csv_roundtrip(void **state)
{
    const char *fields[] = {"a", "b,c", "\"q\"", "", "x\r\ny", " s "};
    struct mem m;
    char *out, *p, field[64];
    size_t nf = 0;
    (void)state;

    mem_open(&m);
    assert_int_equal(itm_csv_row(m.f, fields, 6), 0);
    out = mem_close(&m);
    assert_int_equal(out[strlen(out) - 2], '\r');
    p = out;
    for (;;) {
        size_t o = 0;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '"' && p[1] == '"')
                    field[o++] = *p++;
                else if (*p == '"')
                    break;
                else
                    field[o++] = *p;
            }
            p++;
        } else {
            while (*p != ',' && *p != '\r')
                field[o++] = *p++;
        }
        field[o] = '\0';
        assert_true(nf < 6);
        assert_string_equal(field, fields[nf]);
        nf++;
        if (*p == '\r')
            break;
        assert_int_equal(*p, ',');
        p++;
    }
    assert_int_equal(nf, 6);
    free(out);
}

static void test_numbers(void **state)
{
    char b[32];
    (void)state;
    assert_string_equal(itm_fmt_count(0, b, sizeof(b)), "0");
    assert_string_equal(itm_fmt_count(999, b, sizeof(b)), "999");
    assert_string_equal(itm_fmt_count(1000, b, sizeof(b)), "1,000");
    assert_string_equal(itm_fmt_count(1234567, b, sizeof(b)), "1,234,567");
    assert_string_equal(itm_fmt_count(UINT64_MAX, b, sizeof(b)), "18,446,744,073,709,551,615");
    assert_string_equal(itm_fmt_count(1234567, b, 4), "1,2");
    assert_string_equal(itm_fmt_bytes(0, b, sizeof(b)), "0 B");
    assert_string_equal(itm_fmt_bytes(1023, b, sizeof(b)), "1023 B");
    assert_string_equal(itm_fmt_bytes(1024, b, sizeof(b)), "1.0 KiB");
    assert_string_equal(itm_fmt_bytes(1536, b, sizeof(b)), "1.5 KiB");
    assert_string_equal(itm_fmt_bytes(1048575, b, sizeof(b)), "1.0 MiB");
    assert_string_equal(itm_fmt_bytes(UINT64_C(5) << 30, b, sizeof(b)), "5.0 GiB");
    assert_string_equal(itm_fmt_pct(1, 3, b, sizeof(b)), "33%");
    assert_string_equal(itm_fmt_pct(2, 3, b, sizeof(b)), "67%");
    assert_string_equal(itm_fmt_pct(0, 0, b, sizeof(b)), "-");
    assert_string_equal(itm_fmt_pct(5, 5, b, sizeof(b)), "100%");
}

static void test_times(void **state)
{
    const uint64_t s = 1000000000u;
    /* 2026-01-05T09:00:01Z */
    const uint64_t t = UINT64_C(1767603601) * s;
    char b[32];
    (void)state;

    assert_string_equal(itm_fmt_duration(250000000u, b, sizeof(b)), "0.250s");
    assert_string_equal(itm_fmt_duration(45 * s, b, sizeof(b)), "45s");
    assert_string_equal(itm_fmt_duration(723 * s, b, sizeof(b)), "12m 03s");
    assert_string_equal(itm_fmt_duration(7384 * s, b, sizeof(b)), "2h 03m 04s");
    assert_string_equal(itm_fmt_duration((3 * 86400 + 4 * 3600 + 5 * 60) * s, b, sizeof(b)),
                        "3d 04h 05m");
    assert_int_equal(itm_fmt_day(t, t + 3600 * s), t - 9 * 3600 * s - s);
    assert_int_equal(itm_fmt_day(t, t + 86400 * s), UINT64_MAX);
    assert_string_equal(itm_fmt_clock(t, itm_fmt_day(t, t), b, sizeof(b)), "09:00:01");
    assert_string_equal(itm_fmt_clock(t, UINT64_MAX, b, sizeof(b)), "01-05 09:00");
}

static void test_clean(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(itm_fmt_clean("plain text", b, sizeof(b)), "plain text");
    assert_string_equal(itm_fmt_clean("\x1b[31mred", b, sizeof(b)), "\\x1b[31mred");
    assert_string_equal(itm_fmt_clean("tab\there\n", b, sizeof(b)), "tab\\x09here\\x0a");
    assert_string_equal(itm_fmt_clean("\xc3\xa9", b, sizeof(b)), "\\xc3\\xa9");
    /* never a half escape at the end */
    assert_string_equal(itm_fmt_clean("ab\x01", b, 5), "ab");
    assert_string_equal(itm_fmt_clean(NULL, b, sizeof(b)), "");
}

static void test_service(void **state)
{
    char b[40];
    (void)state;
    assert_string_equal(itm_fmt_service(6, 0, 0, 443, 443, b, sizeof(b)), "tcp/443");
    assert_string_equal(itm_fmt_service(17, 0, 0, 1024, 65535, b, sizeof(b)), "udp/1024-65535");
    assert_string_equal(itm_fmt_service(17, 0, 1, 68, 68, b, sizeof(b)), "udp/sport 68");
    assert_string_equal(itm_fmt_service(6, 0, 0, 0, 65535, b, sizeof(b)), "tcp/any");
    assert_string_equal(itm_fmt_service(1, 8, 0, 0, 0, b, sizeof(b)), "icmp/8");
    assert_string_equal(itm_fmt_service(58, 0xff, 0, 0, 0, b, sizeof(b)), "icmp6");
    assert_string_equal(itm_fmt_service(2, 0, 0, 0, 0, b, sizeof(b)), "igmp");
    assert_string_equal(itm_fmt_service(47, 0, 0, 0, 0, b, sizeof(b)), "ip-47");
    assert_string_equal(itm_fmt_flags(0, b, sizeof(b)), "-");
    assert_string_equal(itm_fmt_flags(ITM_F_SCAN | ITM_F_LATERAL, b, sizeof(b)),
                        "lateral_movement,scan");
}

static char *print_table(const struct itm_table *t, unsigned indent, unsigned width)
{
    struct mem m;

    mem_open(&m);
    itm_table_print(t, m.f, indent, width);
    return mem_close(&m);
}

/* Every line within width, none ending in a blank. */
static void check_lines(const char *out, unsigned width)
{
    const char *p = out;

    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true((size_t)(nl - p) <= width);
        if (nl > p)
            assert_true(nl[-1] != ' ');
        p = nl + 1;
    }
}

static void test_table_align(void **state)
{
    static const struct itm_tcol cols[] = {
        {"name", ITM_TB_LEFT, 0}, {"n", ITM_TB_RIGHT, 0}, {"note", ITM_TB_LEFT, 0}};
    const char *r1[] = {"alpha", "5", "first"};
    const char *r2[] = {"b", "12345", NULL};
    struct itm_table t;
    char *out;
    (void)state;

    itm_table_init(&t, cols, 3);
    assert_int_equal(itm_table_add(&t, r1), 0);
    assert_int_equal(itm_table_add(&t, r2), 0);
    out = print_table(&t, 2, 100);
    assert_string_equal(out, "  name       n  note\n"
                             "  alpha      5  first\n"
                             "  b      12345\n");
    check_lines(out, 100);
    free(out);
    itm_table_free(&t);
}

static void test_table_fit(void **state)
{
    static const struct itm_tcol cols[] = {
        {"id", ITM_TB_LEFT, 0}, {"wide", ITM_TB_LEFT, 1}, {"first", ITM_TB_LEFT, 2}};
    const char *r1[] = {"x", "0123456789abcdefghij", "ABCDEFGHIJKLMNOPQRST"};
    struct itm_table t;
    char *out;
    (void)state;

    itm_table_init(&t, cols, 3);
    itm_table_add(&t, r1);
    /* 1 + 2 + 20 + 2 + 20 = 45 wide; at 40 the flex-2 column gives up five first */
    out = print_table(&t, 0, 40);
    assert_string_equal(out, "id  wide                  first\n"
                             "x   0123456789abcdefghij  ABCDEFGHIJKLM~\n");
    check_lines(out, 40);
    free(out);
    /* at 25 the flex-2 column reaches its floor (6), then the flex-1 one shrinks */
    out = print_table(&t, 0, 25);
    check_lines(out, 25);
    assert_non_null(strstr(out, "ABCDE~"));
    assert_non_null(strstr(out, "0123456789ab~"));
    free(out);
    itm_table_free(&t);
}

static void test_table_wrap_and_spans(void **state)
{
    static const struct itm_tcol cols[] = {{"rule", ITM_TB_LEFT, 0}, {"who", ITM_TB_LEFT, 3}};
    const char *r1[] = {"r1", "notification-server,task-server -> managed-device"};
    struct itm_table t;
    char *out;
    (void)state;

    itm_table_init(&t, cols, 2);
    itm_table_add_span(&t, "A suite name longer than any column");
    itm_table_add(&t, r1);
    out = print_table(&t, 4, 41);
    assert_string_equal(out, "    rule  who\n"
                             "  A suite name longer than any column\n"
                             "    r1    notification-server,task-server\n"
                             "          -> managed-device\n");
    check_lines(out, 41);
    free(out);
    /* one column narrower: the break moves back to the comma */
    out = print_table(&t, 4, 40);
    assert_string_equal(out, "    rule  who\n"
                             "  A suite name longer than any column\n"
                             "    r1    notification-server,\n"
                             "          task-server -> managed-device\n");
    check_lines(out, 40);
    free(out);
    itm_table_free(&t);
}

static void test_wrapped_text(void **state)
{
    struct mem m;
    char *out;
    (void)state;

    mem_open(&m);
    itm_put_wrapped(m.f, 2, "why: ", "one two three four five six seven eight nine ten", 30);
    out = mem_close(&m);
    assert_string_equal(out, "  why: one two three four five\n"
                             "       six seven eight nine\n"
                             "       ten\n");
    check_lines(out, 30);
    free(out);
}

static void test_progress_text(void **state)
{
    char b[160];
    size_t n;
    (void)state;

    n = itm_progress_format(b, sizeof(b), 79, "1/2", 512u << 20, 1024u << 20, 812000.0, 75.0);
    assert_int_equal(n, strlen(b));
    assert_true(n <= 79);
    assert_non_null(strstr(b, " 50%"));
    assert_non_null(strstr(b, "512.0 MiB of 1.0 GiB"));
    assert_non_null(strstr(b, "812.0k pkt/s"));
    assert_non_null(strstr(b, "ETA 1:15"));
    assert_non_null(strstr(b, "[####"));
    /* unknown size (stdin): no bar, no percentage */
    itm_progress_format(b, sizeof(b), 79, "-", 2048, 0, 10.0, -1);
    assert_null(strchr(b, '['));
    assert_null(strchr(b, '%'));
    assert_non_null(strstr(b, "2.0 KiB"));
    /* a tiny buffer is cut, never overrun */
    n = itm_progress_format(b, 8, 79, "label", 1, 2, 1.0, 1.0);
    assert_true(n < 8);
    assert_int_equal(strlen(b), n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting),   cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_numbers),       cmocka_unit_test(test_times),
        cmocka_unit_test(test_clean),         cmocka_unit_test(test_service),
        cmocka_unit_test(test_table_align),   cmocka_unit_test(test_table_fit),
        cmocka_unit_test(test_table_wrap_and_spans), cmocka_unit_test(test_wrapped_text),
        cmocka_unit_test(test_progress_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
