/* test_inspect_sweep.c: every inspector and identify() across all the samples of
 * inspect-fixtures.h: every truncation of each, no claim on another protocol's sample, filled,
 * random and unrelated buffers, and every byte of every sample replaced by hostile values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/common.h"
#include "itmscope/inspect.h"

#include "inspect-fixtures.h"

static void test_every_prefix(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (size_t n = 0; n <= s.n; n++) {
            int v = run(s.id, s.b, n, &r);
            if (v == ITM_V_MISMATCH)
                fail_msg("%s: MISMATCH on a %zu-byte prefix of %zu", s.name, n, s.n);
            enum itm_inspect_id got = ident(s.ipproto, s.b, n, &r);
            if (got != ITM_INSPECT_NONE && got != s.id)
                fail_msg("%s: identify said %s on %zu bytes", s.name, itm_inspect_name(got), n);
        }
        if (run_s(&s, &r) != ITM_V_MATCH)
            fail_msg("%s: no MATCH on the whole sample", s.name);
        assert_int_equal(run(s.id, s.b, 0, &r), ITM_V_UNKNOWN);
    }
}

static void test_identify_samples(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        enum itm_inspect_id got = ident(s.ipproto, s.b, s.n, &r);
        if (got != s.ident)
            fail_msg("%s: identify said %s", s.name, itm_inspect_name(got));
        /* The other transport never claims it. */
        assert_int_equal(ident(s.ipproto == 6 ? 17 : 6, s.b, s.n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(1, s.b, s.n, &r), ITM_INSPECT_NONE);
    }
}

/* No inspector claims another protocol's packet; NBNS is a DNS-shaped format, so the
 * (lenient) DNS inspector accepting it is expected. */
static void test_cross_protocol(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (int id = 1; id < ITM_INSPECT_COUNT; id++) {
            if ((enum itm_inspect_id)id == s.id ||
                (id == ITM_INSPECT_DNS && s.id == ITM_INSPECT_NBNS))
                continue;
            if (run((enum itm_inspect_id)id, s.b, s.n, &r) == ITM_V_MATCH)
                fail_msg("%s: %s claims it", s.name, itm_inspect_name((enum itm_inspect_id)id));
        }
    }
}

static void test_filled_buffers(void **state)
{
    static const uint8_t fills[] = {0x00, 0xff, 0x20, 0x41};
    struct itm_inspect_result r;
    uint8_t buf[1500];
    (void)state;

    for (size_t f = 0; f < sizeof(fills); f++) {
        memset(buf, fills[f], sizeof(buf));
        for (size_t n = 1; n <= sizeof(buf); n += (n < 128 ? 1 : 97)) {
            for (int id = 1; id < ITM_INSPECT_COUNT; id++)
                assert_int_not_equal(run((enum itm_inspect_id)id, buf, n, &r), ITM_V_MATCH);
            assert_int_equal(ident(6, buf, n, &r), ITM_INSPECT_NONE);
            assert_int_equal(ident(17, buf, n, &r), ITM_INSPECT_NONE);
        }
    }
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_and_irrelevant(void **state)
{
    static const struct {
        const char *p;
        size_t n;
    } other[] = {
#define BLOB(s) {s, sizeof(s) - 1}
        BLOB("220 mail.example.com ESMTP Postfix\r\n"),
        BLOB("USER anonymous\r\n"),
        BLOB("a001 LOGIN user pass\r\n"),
        BLOB("SIP/2.0 200 OK\r\n"),
        BLOB("RTSP/1.0 200 OK\r\n"),
        BLOB("OPTIONS sip:ns.example.com SIP/2.0\r\n"),
        BLOB("\3\0\0\x13\x0e\xe0\0\0\0\0\0\1\0\x08\0\3\0\0\0"), /* RDP connection request */
        BLOB("<34>Oct 11 22:14:15 host su: 'su root' failed\n"),
        BLOB("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        BLOB("SSH-\r\n"),
        BLOB("GET  HTTP/1.1\r\n"),
        BLOB("\x16\3\1\0\0"),
#undef BLOB
    };
    struct itm_inspect_result r;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    uint8_t buf[600];
    (void)state;

    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        assert_int_equal(ident(6, (const uint8_t *)other[i].p, other[i].n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(17, (const uint8_t *)other[i].p, other[i].n, &r), ITM_INSPECT_NONE);
    }
    memset(buf, 0, 48); /* an NTP client request */
    buf[0] = 0x1b;
    assert_int_equal(ident(17, buf, 48, &r), ITM_INSPECT_NONE);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rng_next(&seed) % sizeof(buf));
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rng_next(&seed);
        assert_int_equal(ident(6, buf, n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(17, buf, n, &r), ITM_INSPECT_NONE);
    }
}

/* Every byte of every sample replaced by hostile values, whole and cut: no overread, text
 * always clean, verdicts always one of the three. */
static void test_mutations(void **state)
{
    static const uint8_t vals[] = {0x00, 0x01, 0x20, 0x3f, 0x7f, 0x80, 0xc0, 0xfe, 0xff};
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (size_t pos = 0; pos < s.n; pos++) {
            uint8_t keep = s.b[pos];
            for (size_t k = 0; k < sizeof(vals); k++) {
                s.b[pos] = vals[k];
                for (int id = 1; id < ITM_INSPECT_COUNT; id++) {
                    int v = run((enum itm_inspect_id)id, s.b, s.n, &r);
                    assert_in_range(v, ITM_V_UNKNOWN, ITM_V_MISMATCH);
                    run((enum itm_inspect_id)id, s.b, pos + 1, &r);
                }
                ident(s.ipproto, s.b, s.n, &r);
            }
            s.b[pos] = keep;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_identify_samples),
        cmocka_unit_test(test_cross_protocol),
        cmocka_unit_test(test_filled_buffers),
        cmocka_unit_test(test_random_and_irrelevant),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
