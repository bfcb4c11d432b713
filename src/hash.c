/* hash.c: the per-run keys of every table keyed by packet contents (the tables hash with
 * fasthash.h under them), so that traffic an attacker chooses lands in buckets they cannot
 * predict. It never hashes anything itself. */
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "itmscope/common.h"

void itm_hash_new_key(uint64_t key[2], const void *salt)
{
    struct timespec ts;

    if (getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK) == (ssize_t)(2 * sizeof(key[0])))
        return;
    /* no entropy yet (early boot): still a key per run, only a less secret one */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    key[0] = (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)(uintptr_t)salt;
    key[1] = (uint64_t)ts.tv_sec ^ UINT64_C(0xc2b2ae3d27d4eb4f);
}
