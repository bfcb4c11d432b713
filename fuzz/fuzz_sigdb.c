/* fuzz_sigdb.c: libFuzzer target for the signature database parser (itm_sigdb_load_mem).
 * A file that loads must give a self-consistent database; one that does not must have said
 * why in well-formed diagnostics. The input buffer is used as is, without a final NUL. */
#include <stdio.h>
#include <string.h>

#include "fuzz-util.h"
#include "itmscope/sigdb.h"

static FILE *g_null;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_null = fopen("/dev/null", "w");
    if (!g_null)
        itm_fuzz_fail("open /dev/null");
    return 0;
}

static int rule_has_port(const struct itm_rule *r, uint16_t port)
{
    for (unsigned i = 0; i < r->nranges; i++)
        if (port >= r->ranges[i].lo && port <= r->ranges[i].hi)
            return 1;
    return 0;
}

/* Every rule is well formed, and the port index returns only rules that list the port. */
static void check_db(const struct itm_sigdb *db)
{
    size_t n = itm_sigdb_count(db);
    char buf[512];

    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_sigdb_rule(db, i);
        ITM_FUZZ_CHECK(r && r->index == i && r->id && r->suite && r->component);
        ITM_FUZZ_CHECK(itm_sigdb_find(db, r->id) != NULL);
        ITM_FUZZ_CHECK(r->nranges <= ITM_RULE_MAX_RANGES);
        for (unsigned k = 0; k < r->nranges; k++) {
            const struct itm_rule *const *cand;
            size_t nc;
            ITM_FUZZ_CHECK(r->ranges[k].lo <= r->ranges[k].hi);
            for (int proto = 6; proto <= 17; proto += 11) {
                nc = itm_sigdb_candidates(db, (uint8_t)proto, r->ranges[k].lo, &cand);
                for (size_t c = 0; c < nc; c++)
                    ITM_FUZZ_CHECK(rule_has_port(cand[c], r->ranges[k].lo) ||
                                   (cand[c]->protos & (ITM_P_ICMP | ITM_P_IGMP)));
                (void)itm_sigdb_is_server_port(db, (uint8_t)proto, r->ranges[k].hi);
                (void)itm_rule_inspect_for(r, (uint8_t)proto, r->ranges[k].lo);
            }
            (void)itm_rule_port_is_broad(r, r->ranges[k].hi);
        }
        ITM_FUZZ_CHECK(strlen(itm_rule_ports_format(r, buf, sizeof(buf))) < sizeof(buf));
        ITM_FUZZ_CHECK(strlen(itm_rule_protos_format(r, buf, sizeof(buf))) < sizeof(buf));
    }
    itm_sigdb_print_table(db, g_null);
    itm_sigdb_print_summary(db, "fuzz.sig", g_null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char name[] = "fuzz.sig";
    struct itm_diag d = {itm_fuzz_diag, name, 0};
    struct itm_sigdb *db;
    int err = 0;

    db = itm_sigdb_load_mem(name, (const char *)data, size, &d, &err);
    if (!db) {
        /* a rejected file always says why */
        ITM_FUZZ_CHECK(err != 0 && (d.errors > 0 || err == ITM_ERR_NOMEM));
        return 0;
    }
    ITM_FUZZ_CHECK(d.errors == 0);
    check_db(db);
    itm_sigdb_free(db);
    return 0;
}
