/* uthash-cfg.h: uthash as this project uses it: allocation through the itm_ allocators (so
 * tests can make it fail; large bucket arrays in huge pages), non-fatal out-of-memory (an
 * add that fails leaves hh.tbl NULL), and no reliance on HASH_FUNCTION: callers hash keys
 * themselves with a seeded hash and use the *_BYHASHVALUE macros, so crafted traffic cannot
 * aim at one bucket. */
#ifndef ITMSCOPE_UTHASH_CFG_H
#define ITMSCOPE_UTHASH_CFG_H

#include "itmscope/common.h"

#define HASH_NONFATAL_OOM 1
/* Bucket arrays grow to megabytes (a million flows: 8 MiB): those come in huge pages
 * (itm_calloc_big), as the flows themselves do. */
#define uthash_malloc(sz) itm_calloc_big(sz)
#define uthash_free(ptr, sz) itm_free_big((ptr), (sz))

#include <uthash.h>

#endif
