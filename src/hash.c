/* hash.c: SipHash-1-3, the keyed hash of the report's aggregates and of the scan
 * detector's fingerprints, and the per-run keys of every table (the hot tables hash with
 * fasthash.h under them): traffic an attacker chooses lands in buckets they cannot predict. */
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "fasthash.h"
#include "itmscope/common.h"

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL64(v[1], 13) ^ v[0];
    v[0] = ROTL64(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL64(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = ROTL64(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = ROTL64(v[1], 17) ^ v[2];
    v[2] = ROTL64(v[2], 32);
}

uint64_t itm_hash_keyed(const uint64_t key[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v[4] = {
        key[0] ^ UINT64_C(0x736f6d6570736575), key[1] ^ UINT64_C(0x646f72616e646f6d),
        key[0] ^ UINT64_C(0x6c7967656e657261), key[1] ^ UINT64_C(0x7465646279746573),
    };
    uint64_t m = (uint64_t)(len & 0xff) << 56;
    size_t i;

    for (i = 0; len - i >= 8; i += 8) {
        uint64_t w = fh_load_le64(p + i);
        v[3] ^= w;
        sip_round(v);
        v[0] ^= w;
    }
    for (size_t j = 0; i + j < len; j++)
        m |= (uint64_t)p[i + j] << (8 * j);
    v[3] ^= m;
    sip_round(v);
    v[0] ^= m;
    v[2] ^= 0xff;
    sip_round(v);
    sip_round(v);
    sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

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
