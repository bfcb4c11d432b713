/* test_textlex.c: the shared tokenizer: tokens, positions, every lexical diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "textlex.h"

static char last_msg[1024];

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    snprintf(last_msg, sizeof(last_msg), "%s", line);
}

static int lex_all(const char *text, size_t len, int *kinds, int max, struct itm_diag *d)
{
    struct itm_lex lx;
    struct itm_tok t;
    int n = 0;

    itm_lex_init(&lx, "t.sig", text, len, d);
    do {
        itm_lex_next(&lx, &t);
        if (n < max)
            kinds[n] = t.kind;
        n++;
    } while (t.kind != ITM_TOK_EOF && n < 1000);
    return n;
}

static void test_tokens(void **state)
{
    const char *text = "# comment\n[rule]\nid = ts-tickle\nnote=\"a \\\"b\\\" c\" # x\n\n";
    struct itm_diag d = {capture, NULL, 0};
    struct itm_lex lx;
    struct itm_tok t;
    (void)state;

    itm_lex_init(&lx, "t.sig", text, strlen(text), &d);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_SECTION);
    assert_int_equal(t.line, 2);
    assert_int_equal(t.len, 4);
    assert_memory_equal(t.text, "rule", 4);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOL);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "id"));
    assert_int_equal(t.line, 3);
    assert_int_equal(t.col, 1);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EQ);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "ts-tickle"));
    assert_int_equal(t.col, 6);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOL);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "note"));
    itm_lex_next(&lx, &t);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_STRING);
    assert_string_equal(t.text, "a \"b\" c");
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOL);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOF);
    assert_int_equal(d.errors, 0);
}

static void test_crlf_and_no_final_newline(void **state)
{
    const char *text = "a = 1\r\nb = 2";
    struct itm_diag d = {capture, NULL, 0};
    struct itm_lex lx;
    struct itm_tok t;
    (void)state;

    itm_lex_init(&lx, "t.sig", text, strlen(text), &d);
    itm_lex_next(&lx, &t);
    itm_lex_next(&lx, &t);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "1"));
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOL);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "b"));
    assert_int_equal(t.line, 2);
    itm_lex_next(&lx, &t);
    itm_lex_next(&lx, &t);
    assert_true(itm_tok_is(&t, "2"));
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOL);
    itm_lex_next(&lx, &t);
    assert_int_equal(t.kind, ITM_TOK_EOF);
    assert_int_equal(d.errors, 0);
}

static void test_errors(void **state)
{
    struct itm_diag d = {capture, NULL, 0};
    int kinds[16];
    char big[ITM_LEX_MAX_LINE + 20];
    (void)state;

    lex_all("a = \"open\n", 10, kinds, 16, &d);
    assert_int_equal(d.errors, 1);
    assert_string_equal(last_msg, "t.sig:1:5: unterminated string");

    d.errors = 0;
    lex_all("a = x\0y\n", 8, kinds, 16, &d);
    assert_int_equal(d.errors, 1);
    assert_string_equal(last_msg, "t.sig:1:6: NUL byte in text");

    d.errors = 0;
    lex_all("\n[rule\n", 7, kinds, 16, &d);
    assert_string_equal(last_msg, "t.sig:2:1: section header without ']'");

    d.errors = 0;
    lex_all("a = caf\xc3\xa9\n", 10, kinds, 16, &d);
    assert_string_equal(last_msg, "t.sig:1:8: non-ASCII character outside a quoted string");

    d.errors = 0;
    lex_all("a = \"caf\xc3\xa9\"\n", 12, kinds, 16, &d);
    assert_int_equal(d.errors, 0);

    d.errors = 0;
    lex_all("a = \"x\\q\"\n", 10, kinds, 16, &d);
    assert_string_equal(last_msg, "t.sig:1:7: unknown escape in string (only \\\" and \\\\)");

    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = '\n';
    d.errors = 0;
    lex_all(big, sizeof(big), kinds, 16, &d);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(last_msg, "line longer than 4096 characters"));
}

static void test_read_file(void **state)
{
    struct itm_diag d = {capture, NULL, 0};
    size_t len = 0;
    int err = 0;
    char *buf;
    (void)state;

    buf = itm_read_file("/nonexistent/x.sig", 1 << 20, &len, &d, &err);
    assert_null(buf);
    assert_int_equal(err, ITM_ERR_IO);
    assert_string_equal(last_msg, "/nonexistent/x.sig: No such file or directory");
    buf = itm_read_file("/", 1 << 20, &len, &d, &err);
    assert_null(buf);
    assert_string_equal(last_msg, "/: is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
