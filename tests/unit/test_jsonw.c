/* test_jsonw.c: the JSON writer's own formatters give exactly the text of the libc functions
 * they replace, on edge values and millions of seeded random ones: integers as printf "%"
 * PRIu64, ages as "%.6f", timestamps as gmtime_r plus the microseconds, IPv4 and IPv6
 * addresses as inet_ntop (also through itm_ip_format, which never cuts one); strings are escaped per RFC 8259 as
 * a reference escaper does; and a line that would not fit is marked, never overrun. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jsonw.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    /* xorshift64*: seeded, so a failure repeats */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * UINT64_C(0x2545f4914f6cdd1d);
}

static struct itm_jw *new_writer(void)
{
    struct itm_jw *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    return w;
}

/* The value written alone on a fresh line. */
#define WRITE_ALONE(w, call) (jw_reset(w), (call), assert_false((w)->overflow), (w)->buf)

static void check_u64(struct itm_jw *w, uint64_t v)
{
    char want[32];

    snprintf(want, sizeof(want), "%" PRIu64, v);
    if (strcmp(WRITE_ALONE(w, jw_val_u64(w, v)), want) != 0)
        fail_msg("u64 %s: got %s", want, w->buf);
}

static void test_u64(void **state)
{
    struct itm_jw *w = new_writer();
    uint64_t p = 1;
    (void)state;

    check_u64(w, 0);
    check_u64(w, UINT64_MAX);
    for (int i = 0; i < 20; i++, p *= 10) {
        check_u64(w, p);
        check_u64(w, p - 1);
        check_u64(w, p + 1);
    }
    for (int i = 0; i < 2000000; i++) {
        uint64_t v = next_rand();
        check_u64(w, v >> (next_rand() % 64)); /* every magnitude */
    }
    free(w);
}

/* A flow's age: jw_put_secs(ns) writes what "%.6f" of (double)ns / 1e9 gives. */
static void check_secs(uint64_t ns)
{
    char want[64], got[JW_SECS_MAX + 1];
    char *end = jw_put_secs(got, ns);

    *end = '\0';
    snprintf(want, sizeof(want), "%.6f", (double)ns / 1e9);
    if (strcmp(got, want) != 0)
        fail_msg("secs %llu: want %s, got %s", (unsigned long long)ns, want, got);
}

static void test_secs(void **state)
{
    const uint64_t edge = (UINT64_C(1) << 20) * 1000000000u; /* the integer path's end */
    (void)state;

    for (uint64_t ns = 0; ns < 3000000; ns++)
        check_secs(ns);
    for (int i = 0; i < 2000000; i++) {
        uint64_t ns = next_rand() >> (next_rand() % 64); /* every magnitude */
        check_secs(ns);
        check_secs(ns - ns % 1000 + 500); /* exact ties in the microseconds */
        check_secs(ns - ns % 1000 + 499);
        check_secs(ns - ns % 1000 + 501);
    }
    /* around 2^20 s, and the largest values */
    for (uint64_t ns = edge - 3000; ns < edge + 3000; ns++)
        check_secs(ns);
    for (uint64_t ns = UINT64_MAX - 3000; ns != 0; ns++)
        check_secs(ns);
}

static void check_ts(struct itm_jw *w, uint64_t ns)
{
    char want[64], date[32];
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;

    assert_non_null(gmtime_r(&t, &tm));
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(want, sizeof(want), "\"%s.%06uZ\"", date, (unsigned)(ns % 1000000000u / 1000u));
    if (strcmp(WRITE_ALONE(w, jw_val_ts(w, ns)), want) != 0)
        fail_msg("ts %" PRIu64 ": want %s, got %s", ns, want, w->buf);
}

static void test_ts(void **state)
{
    struct itm_jw *w = new_writer();
    uint64_t y2100 = UINT64_C(4102444800) * 1000000000u;
    (void)state;

    check_ts(w, 0);
    check_ts(w, UINT64_MAX); /* the year 2554 */
    /* year, leap day and month ends, one second apart (the writer keeps the last second) */
    for (uint64_t s = 946684800u - 5; s < 946684800u + 5; s++)
        check_ts(w, s * 1000000000u + 999999999u);
    for (uint64_t s = 951782400u - 86400; s < 951782400u + 2 * 86400; s += 3599)
        check_ts(w, s * 1000000000u);
    for (int i = 0; i < 1000000; i++)
        check_ts(w, next_rand() % y2100);
    /* in order, as events come: the cached second must follow */
    for (uint64_t ns = 1767600000u * UINT64_C(1000000000); ns < 1767600010u *
                                                                  UINT64_C(1000000000);
         ns += 37000001u)
        check_ts(w, ns);
    free(w);
}

static void check_ip(struct itm_jw *w, const struct itm_ip *ip)
{
    char want[64], text[INET6_ADDRSTRLEN], fmt[64];

    assert_non_null(inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->a, text, sizeof(text)));
    snprintf(want, sizeof(want), "\"%s\"", text);
    if (strcmp(WRITE_ALONE(w, jw_val_ip(w, ip)), want) != 0)
        fail_msg("ip: want %s, got %s", want, w->buf);
    itm_ip_format(ip, fmt, sizeof(fmt));
    if (strcmp(fmt, text) != 0)
        fail_msg("itm_ip_format: want %s, got %s", text, fmt);
}

static void test_ip(void **state)
{
    struct itm_jw *w = new_writer();
    struct itm_ip ip;
    (void)state;

    for (int i = 0; i < 500000; i++) {
        uint64_t r = next_rand();
        memset(&ip, 0, sizeof(ip));
        ip.family = 4;
        memcpy(ip.a, &r, 4);
        if (i % 7 == 0)
            ip.a[i % 4] = 0;
        check_ip(w, &ip);
    }
    for (int i = 0; i < 1000000; i++) {
        uint64_t r0 = next_rand(), r1 = next_rand(), zeros = next_rand();
        memset(&ip, 0, sizeof(ip));
        ip.family = 6;
        memcpy(ip.a, &r0, 8);
        memcpy(ip.a + 8, &r1, 8);
        /* runs of zero groups of every length and place, and the forms with a dotted quad */
        for (int g = 0; g < 8; g++)
            if (zeros >> g & 1) {
                ip.a[2 * g] = 0;
                ip.a[2 * g + 1] = 0;
            }
        if (i % 11 == 0)
            memset(ip.a, 0, 12); /* ::a.b.c.d */
        if (i % 13 == 0) {
            memset(ip.a, 0, 10); /* ::ffff:a.b.c.d */
            ip.a[10] = ip.a[11] = 0xff;
        }
        if (i % 17 == 0)
            ip.a[i % 16] = (uint8_t)(i & 0x0f); /* groups with leading zeros */
        check_ip(w, &ip);
    }
    free(w);
}

/* itm_ip_format in buffers of every size: the whole text when it and its NUL fit, else an
 * empty string, never a cut address; nothing written into no room; "-" for no address. */
static void test_ip_format_room(void **state)
{
    static const char *const texts[] = {"0.0.0.0", "192.168.100.200", "::", "::1",
                                        "::ffff:10.1.2.3", "2001:db8::8:800:200c:417a",
                                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
    struct itm_ip ip;
    char buf[64];
    (void)state;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t n = strlen(texts[i]);
        assert_int_equal(itm_ip_parse(texts[i], &ip), 0);
        for (size_t len = 1; len <= sizeof(buf); len++) {
            memset(buf, 'x', sizeof(buf));
            assert_ptr_equal(itm_ip_format(&ip, buf, len), buf);
            assert_string_equal(buf, len > n ? texts[i] : "");
            for (size_t k = len; k < sizeof(buf); k++)
                if (buf[k] != 'x')
                    fail_msg("%s in %zu bytes: byte %zu written", texts[i], len, k);
        }
        buf[0] = 'x';
        itm_ip_format(&ip, buf, 0);
        assert_int_equal(buf[0], 'x');
    }
    memset(&ip, 0, sizeof(ip));
    assert_string_equal(itm_ip_format(&ip, buf, sizeof(buf)), "-");
    assert_string_equal(itm_ip_format(&ip, buf, 1), "");
}

/* RFC 8259 section 7, as the writer does it: '"' and '\\' with a backslash, other bytes below
 * 0x20 and DEL as \u00XX; everything else (UTF-8 included) as it is. */
static void ref_escape(const char *s, char *out)
{
    char *o = out;

    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += sprintf(o, "\\u%04x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = '\0';
}

static void test_str(void **state)
{
    struct itm_jw *w = new_writer();
    static const char alphabet[] = "ab\"\\\x01\x1f\x7f\xc3\xa9 z0\n\t";
    char s[80], want[600];
    (void)state;

    assert_string_equal(WRITE_ALONE(w, jw_val_str(w, NULL)), "null");
    assert_string_equal(WRITE_ALONE(w, jw_val_str(w, "")), "\"\"");
    for (int i = 0; i < 300000; i++) {
        size_t len = next_rand() % 70;
        for (size_t k = 0; k < len; k++) {
            /* mostly plain text, so that long clean runs meet escapes at every offset */
            uint64_t r = next_rand();
            s[k] = r % 4 ? (char)('a' + r % 26) : alphabet[r / 4 % (sizeof(alphabet) - 1)];
        }
        s[len] = '\0';
        ref_escape(s, want);
        if (strcmp(WRITE_ALONE(w, jw_val_str(w, s)), want) != 0)
            fail_msg("str: want %s, got %s", want, w->buf);
    }
    free(w);
}

/* A line that would not fit is marked overflowed, its buffer never overrun. */
static void test_overflow(void **state)
{
    struct itm_jw *w = new_writer();
    char big[1000];
    (void)state;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    jw_reset(w);
    jw_obj_open(w, NULL);
    for (int i = 0; i < 20 && !w->overflow; i++) {
        jw_str(w, "k", big);
        jw_u64(w, "n", UINT64_MAX);
        jw_ts(w, "t", UINT64_MAX);
    }
    assert_true(w->overflow);
    assert_true(w->n <= sizeof(w->buf) - 3);
    assert_int_equal(strlen(w->buf), w->n);
    /* nothing more is added once it overflowed */
    {
        size_t n = w->n;
        jw_u64(w, "m", 1);
        jw_ip(w, "ip", &(struct itm_ip){.family = 4, .a = {10, 0, 0, 1}});
        assert_int_equal(w->n, n);
    }
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64), cmocka_unit_test(test_secs),
        cmocka_unit_test(test_ts),
        cmocka_unit_test(test_ip), cmocka_unit_test(test_ip_format_room),
        cmocka_unit_test(test_str), cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
