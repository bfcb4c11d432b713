/* fuzz-util.c: shared set-up and invariant checks of the fuzz targets (see fuzz-util.h).
 * Loading the bundled files is done once per process; nothing here depends on the input
 * of a previous run, so every crash reproduces from its one input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "itm-config.h"
#include "textlex.h"

static struct itm_sigdb *g_db;
static struct itm_site *g_site;
static char *g_db_text;
static size_t g_db_len;

void itm_fuzz_fail(const char *what)
{
    fprintf(stderr, "itmscope fuzz: invariant broken: %s\n", what);
    abort();
}

static const char *bundled(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", ITM_SIGDIR_SOURCE, name);
    return buf;
}

static void load_bundled(void)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    char path[1024];
    int err = 0;

    if (g_db)
        return;
    g_db_text = itm_read_file(bundled("itms.sig", path, sizeof(path)), 1u << 24, &g_db_len, &d,
                              &err);
    if (!g_db_text)
        itm_fuzz_fail("bundled itms.sig readable");
    g_db = itm_sigdb_load_mem(path, g_db_text, g_db_len, &d, &err);
    if (!g_db)
        itm_fuzz_fail("bundled itms.sig loads");
    g_site = itm_site_load_file(bundled("site.example", path, sizeof(path)), &d, &err);
    if (!g_site || itm_site_apply_moves(g_site, g_db, &d) != 0)
        itm_fuzz_fail("bundled site.example loads");
}

const struct itm_sigdb *itm_fuzz_db(void)
{
    load_bundled();
    return g_db;
}

const struct itm_site *itm_fuzz_site(void)
{
    load_bundled();
    return g_site;
}

const char *itm_fuzz_db_text(size_t *len)
{
    load_bundled();
    *len = g_db_len;
    return g_db_text;
}

struct itm_engine *itm_fuzz_engine(int json)
{
    /* outputs keep a pointer to their context: it must outlive them (one engine at a time) */
    static struct itm_output_ctx octx;
    static const char *const inputs[] = {"fuzz", NULL};
    struct itm_engine_cfg cfg;
    struct itm_engine *e;
    int err = 0;

    memset(&cfg, 0, sizeof(cfg));
    cfg.max_flows = 8;
    cfg.max_frags = 4;
    cfg.seed[0] = UINT64_C(0x0123456789abcdef);
    cfg.seed[1] = UINT64_C(0xfedcba9876543210);
    cfg.cls.max_hosts = 16;
    cfg.cls.max_expectations = 4;
    cfg.cls.max_scan_sources = 4;
    e = itm_engine_new(&cfg, itm_fuzz_db(), itm_fuzz_site(), &err);
    if (!e)
        itm_fuzz_fail("engine created");
    if (json) {
        memset(&octx, 0, sizeof(octx));
        octx.db = itm_fuzz_db();
        octx.cls = itm_engine_classifier(e);
        octx.inputs = inputs;
        octx.linktype = 1;
        if (itm_engine_add_output(e, &itm_out_json, "/dev/null", &octx) != 0)
            itm_fuzz_fail("JSON output opens /dev/null");
    }
    return e;
}

/* "name:line:col: message", or "name: message" for the whole file; one line without control
 * characters (a hostile file must not be able to move a terminal's cursor through our
 * messages). */
void itm_fuzz_diag(void *ctx, const char *line)
{
    const char *name = ctx;
    size_t n = strlen(name);
    const char *p = line + n;

    ITM_FUZZ_CHECK(strncmp(line, name, n) == 0 && *p == ':');
    p++;
    if (*p == ' ') /* "name: message" is about the whole file ("no rules") */
        goto text;
    ITM_FUZZ_CHECK(*p >= '0' && *p <= '9');
    p += strspn(p, "0123456789");
    ITM_FUZZ_CHECK(*p == ':');
    p++;
    ITM_FUZZ_CHECK(*p >= '0' && *p <= '9');
    p += strspn(p, "0123456789");
    ITM_FUZZ_CHECK(p[0] == ':' && p[1] == ' ');
text:
    for (p = line; *p; p++)
        ITM_FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
}
