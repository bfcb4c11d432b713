/* site-fixtures.h: helpers of the site file tests: load a text and collect its diagnostics,
 * and ask a loaded site about an address given as text. */
#ifndef ITMSCOPE_SITE_FIXTURES_H
#define ITMSCOPE_SITE_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include "itmscope/flow.h"
#include "itmscope/site.h"

#define EXAMPLE ITM_SRCDIR "/signatures/site.example"
#define MAX_MSGS 16

struct msgs {
    unsigned n;
    char line[MAX_MSGS][600];
};

static void collect(void *ctx, const char *line)
{
    struct msgs *m = ctx;
    if (m->n < MAX_MSGS)
        snprintf(m->line[m->n], sizeof(m->line[0]), "%s", line);
    m->n++;
}

static struct itm_site *load_len(const char *text, size_t len, struct msgs *m, int *err)
{
    struct itm_diag d = {collect, m, 0};

    memset(m, 0, sizeof(*m));
    return itm_site_load_mem("t.site", text, len, &d, err);
}

static struct itm_site *load(const char *text, struct msgs *m, int *err)
{
    return load_len(text, strlen(text), m, err);
}

static struct itm_ip ip(const char *s)
{
    struct itm_ip a;
    assert_int_equal(itm_ip_parse(s, &a), 0);
    return a;
}

static uint32_t roles_of(const struct itm_site *s, const char *addr)
{
    struct itm_ip a = ip(addr);
    return itm_site_roles(s, &a);
}

static int local(const struct itm_site *s, const char *addr)
{
    struct itm_ip a = ip(addr);
    return itm_site_is_local(s, &a);
}

#define R(x) ITM_ROLE_BIT(ITM_ROLE_##x)

#endif
