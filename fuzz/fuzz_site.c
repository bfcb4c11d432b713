/* fuzz_site.c: libFuzzer target for the site file parser (itm_site_load_mem). A site that
 * loads is queried and its port moves are applied to a fresh copy of the bundled database;
 * one that does not must have said why. It never changes the shared bundled database. */
#include <string.h>

#include "fuzz-util.h"
#include "itmscope/site.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    (void)itm_fuzz_db();
    return 0;
}

static void query(const struct itm_site *site)
{
    static const char *const probes[] = {"10.1.0.10", "10.1.16.25", "192.0.2.1", "8.8.8.8",
                                         "2001:db8:1:10::5", "ff02::1", "224.0.255.135"};
    struct itm_ip ip[sizeof(probes) / sizeof(probes[0])];
    const struct itm_policy *pol = itm_site_policy(site);
    size_t n = sizeof(probes) / sizeof(probes[0]);

    ITM_FUZZ_CHECK(pol != NULL);
    for (size_t i = 0; i < n; i++)
        ITM_FUZZ_CHECK(itm_ip_parse(probes[i], &ip[i]) == 0);
    for (size_t i = 0; i < itm_site_role_count(site); i++) {
        struct itm_ip addr;
        unsigned prefix = 0;
        uint32_t roles = 0;
        ITM_FUZZ_CHECK(itm_site_role_entry(site, i, &addr, &prefix, &roles) == 0);
        ITM_FUZZ_CHECK(addr.family == 4 || addr.family == 6);
        ITM_FUZZ_CHECK(prefix <= (addr.family == 4 ? 32u : 128u));
        /* a host entry is the longest prefix its address can match: lookups return exactly
         * its roles (a network's own address may fall in a longer, more specific entry) */
        if (prefix == (addr.family == 4 ? 32u : 128u))
            ITM_FUZZ_CHECK(itm_site_roles(site, &addr) == roles);
    }
    for (size_t i = 0; i < n; i++) {
        (void)itm_site_roles(site, &ip[i]);
        (void)itm_site_is_local(site, &ip[i]);
        for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++)
            (void)itm_site_allowed(site, 1u << b, &ip[i], &ip[(i + 1) % n],
                                   b & 1 ? NULL : "ns-console");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char name[] = "fuzz.site";
    static char dbname[] = "itms.sig";
    struct itm_diag d = {itm_fuzz_diag, name, 0};
    struct itm_diag dd = {NULL, NULL, 0};
    struct itm_site *site;
    struct itm_sigdb *db;
    const char *text;
    size_t len;
    int err = 0;

    site = itm_site_load_mem(name, (const char *)data, size, &d, &err);
    if (!site) {
        ITM_FUZZ_CHECK(err != 0 && (d.errors > 0 || err == ITM_ERR_NOMEM));
        return 0;
    }
    ITM_FUZZ_CHECK(d.errors == 0);
    query(site);
    text = itm_fuzz_db_text(&len);
    db = itm_sigdb_load_mem(dbname, text, len, &dd, &err);
    ITM_FUZZ_CHECK(db != NULL);
    /* a refused move is fine; it must be reported with the site file's name */
    if (itm_site_apply_moves(site, db, &d) != 0)
        ITM_FUZZ_CHECK(d.errors > 0);
    itm_sigdb_free(db);
    itm_site_free(site);
    return 0;
}
