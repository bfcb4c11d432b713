/* fasthash.h: the keyed multiply-fold hash of the hot tables, inline so that a constant key
 * size folds the tail away. Private to src/: the flow and fragment tables (itm_flow_hash),
 * the classifier's tables (itm_cls_hash) and the report model's (rm_hash). */
#ifndef ITMSCOPE_FASTHASH_H
#define ITMSCOPE_FASTHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The keyed hash of the tables that packets and flows look up: flows, fragments, hosts,
 * scan windows, expectations. SipHash-1-3 cost about 195 instructions per 40-byte flow key,
 * as much as the rest of the lookup. This is a multiply-fold hash instead: each 16-byte
 * block is mixed with the key, its two halves multiplied into 128 bits and the product's
 * halves folded together, the running value entering the next block; four multiplications for a flow key.
 * The trade-off: SipHash is a pseudo-random function, so even someone who sees many hash
 * values learns nothing of the key; this one is only unpredictable while its values stay
 * secret, which they do (they choose buckets, and nothing prints them or orders output by
 * them). Without the 128-bit key, keys that an attacker sends still land in buckets he cannot
 * predict, which is what bounds uthash's chains. */
#define HK_LEN UINT64_C(0x9e3779b97f4a7c15)
#define HK_TAIL UINT64_C(0xc2b2ae3d27d4eb4f)
#define HK_FINAL UINT64_C(0x165667b19e3779f9)

static inline uint64_t fh_fold_mul(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;

    return ((mid << 32) | (uint32_t)ll) ^ (hh + (lh >> 32) + (hl >> 32) + (mid >> 32));
#endif
}

static inline uint64_t fh_load_le64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t fh_load_le_part(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Inlined: with a constant len (flow keys) the tail handling folds away. */
static inline uint64_t itm_fasthash(const uint64_t seed[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = seed[0] ^ (uint64_t)len * HK_LEN;
    uint64_t a, b;
    size_t i = 0, rest;

    for (; len - i >= 16; i += 16)
        h = fh_fold_mul(fh_load_le64(p + i) ^ seed[1], fh_load_le64(p + i + 8) ^ h);
    rest = len - i;
    if (rest >= 8) {
        a = fh_load_le64(p + i);
        b = fh_load_le_part(p + i + 8, rest - 8);
    } else {
        a = fh_load_le_part(p + i, rest);
        b = 0;
    }
    h = fh_fold_mul(a ^ seed[1] ^ HK_TAIL, b ^ h);
    return fh_fold_mul(h, HK_FINAL);
}

#endif
