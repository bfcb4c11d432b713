/* sigtest.h: helpers of the signature database tests: load a text, collect its
 * diagnostics, and expect a rejection with exactly the given messages. */
#ifndef ITMSCOPE_SIGTEST_H
#define ITMSCOPE_SIGTEST_H

#include <stdio.h>
#include <string.h>

#include "itmscope/sigdb.h"

#define MAX_MSGS 16

struct msgs {
    char text[MAX_MSGS][512];
    int n;
};

static void collect(void *ctx, const char *line)
{
    struct msgs *m = ctx;
    if (m->n < MAX_MSGS)
        snprintf(m->text[m->n], sizeof(m->text[0]), "%s", line);
    m->n++;
}

static struct itm_sigdb *load_text(const char *text, size_t len, struct msgs *m, int *err)
{
    struct itm_diag d = {collect, m, 0};
    struct itm_sigdb *db;

    memset(m, 0, sizeof(*m));
    db = itm_sigdb_load_mem("t.sig", text, len, &d, err);
    assert_int_equal(d.errors, (unsigned)m->n);
    return db;
}

/* A text that must be rejected with exactly the given messages, in order. */
static void expect_msgs(const char *text, const char *const *want, int nwant)
{
    struct msgs m;
    int err = 0;
    struct itm_sigdb *db = load_text(text, strlen(text), &m, &err);

    assert_null(db);
    assert_int_equal(err, ITM_ERR_PARSE);
    if (m.n != nwant)
        for (int i = 0; i < m.n && i < MAX_MSGS; i++)
            print_error("got: %s\n", m.text[i]);
    for (int i = 0; i < m.n && i < nwant; i++)
        assert_string_equal(m.text[i], want[i]);
    assert_int_equal(m.n, nwant);
}

static void expect_msg(const char *text, const char *want)
{
    expect_msgs(text, &want, 1);
}

/* Lines 1-4 of most test files; line 5 onwards is the case. */
#define HEAD "[rule]\nid = a\nsuite = S\ncomponent = C\n"
#define TAIL "protos = tcp\nports = 80\nclient = agent\nserver = notification-server\n"

#endif
