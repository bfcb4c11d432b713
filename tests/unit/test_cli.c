/* test_cli.c: strict numeric option parsing: the values users get wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/cli.h"

static void test_numbers(void **state)
{
    char msg[256];
    uint32_t v = 7;
    (void)state;

    assert_int_equal(itm_parse_u32("--max-flows", "1000", 1, 100000000u, &v, msg, sizeof(msg)), 0);
    assert_int_equal(v, 1000);
    static const char *const bad[] = {"-1", "1e99", "", " 5", "5 ", "0x10", "99999999999999999999",
                                      "100000001", "0", "abc", "+5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 7;
        assert_int_equal(itm_parse_u32("--max-flows", bad[i], 1, 100000000u, &v, msg,
                                       sizeof(msg)), ITM_ERR_INVAL);
        assert_int_equal(v, 7);
    }
    itm_parse_u32("--max-flows", "-1", 1, 100000000u, &v, msg, sizeof(msg));
    assert_string_equal(msg, "--max-flows: '-1' is not a whole number from 1 to 100000000");
}

static void test_timeouts(void **state)
{
    uint32_t t[5] = {1, 2, 3, 4, 5};
    char msg[256];
    (void)state;

    assert_int_equal(itm_parse_timeouts("tcp=600,udp=30", t, msg, sizeof(msg)), 0);
    assert_int_equal(t[0], 600);
    assert_int_equal(t[1], 2);
    assert_int_equal(t[2], 30);
    assert_int_equal(itm_parse_timeouts("all=9", t, msg, sizeof(msg)), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(t[i], 9);
    assert_int_equal(itm_parse_timeouts("sctp=5", t, msg, sizeof(msg)), ITM_ERR_INVAL);
    assert_string_equal(msg, "--timeout: unknown kind 'sctp' (tcp, tcp-closed, udp, icmp, other, all)");
    assert_int_equal(itm_parse_timeouts("tcp", t, msg, sizeof(msg)), ITM_ERR_INVAL);
    assert_int_equal(itm_parse_timeouts("tcp=-1", t, msg, sizeof(msg)), ITM_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_timeouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
