/* fuzz-util.h: what the fuzz targets share: the bundled signature database and site loaded
 * once, a small engine, and checks that abort on a broken invariant. Used by the libFuzzer
 * builds and by the regression replayer; it never hides a failure from either. */
#ifndef ITMSCOPE_FUZZ_UTIL_H
#define ITMSCOPE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "itmscope/engine.h"

/* libFuzzer's entry points; the replayer calls them the same way. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: libFuzzer and the replayer both report it as a crash. */
void itm_fuzz_fail(const char *what)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;
#define ITM_FUZZ_CHECK(cond)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            itm_fuzz_fail(#cond);                                                                  \
    } while (0)

/* The bundled itms.sig with site.example's moves applied, and that site; loaded on first
 * use, aborting when they do not load (a broken tree, not a finding). */
const struct itm_sigdb *itm_fuzz_db(void);
const struct itm_site *itm_fuzz_site(void);
/* The bundled itms.sig as text (NUL-terminated), for targets that need a fresh database. */
const char *itm_fuzz_db_text(size_t *len);

/* An engine with small limits (so eviction paths run), a fixed seed (so a crash replays)
 * and, when json is non-zero, a JSON output writing to /dev/null. */
struct itm_engine *itm_fuzz_engine(int json);

/* A diagnostics sink that checks every message is one printable line "name:line:col: ...". */
void itm_fuzz_diag(void *ctx, const char *line);

#endif
