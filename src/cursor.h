/* cursor.h: bounds-checked reading of untrusted bytes. Readers compare the *remaining*
 * length (never p + n > end, which is undefined on overflow), set a sticky error on a short
 * read, return 0 and do not advance. Callers check err once per header. */
#ifndef ITMSCOPE_CURSOR_H
#define ITMSCOPE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct itm_cur {
    const uint8_t *p;
    const uint8_t *end;
    int err; /* 1 after any short read */
};

static inline struct itm_cur itm_cur_make(const uint8_t *p, size_t len)
{
    struct itm_cur c;
    c.p = p;
    c.end = p ? p + len : p;
    c.err = 0;
    return c;
}

/* Big-endian loads for code that has compared the remaining length with what it reads
 * beforehand (the decoder's fast path checks each header once, then reads its fields). */
static inline uint16_t itm_load_be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t itm_load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Eight bytes as a big-endian word: addresses compare like these words (the flow key's
 * order, the site's prefix index). */
static inline uint64_t itm_load_be64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline size_t itm_cur_left(const struct itm_cur *c)
{
    return (size_t)(c->end - c->p);
}

static inline int itm_cur_has(struct itm_cur *c, size_t n)
{
    if (c->err || itm_cur_left(c) < n) {
        c->err = 1;
        return 0;
    }
    return 1;
}

static inline uint8_t itm_cur_u8(struct itm_cur *c)
{
    if (!itm_cur_has(c, 1))
        return 0;
    return *c->p++;
}

static inline uint16_t itm_cur_be16(struct itm_cur *c)
{
    uint16_t v;
    if (!itm_cur_has(c, 2))
        return 0;
    v = itm_load_be16(c->p);
    c->p += 2;
    return v;
}

static inline uint16_t itm_cur_le16(struct itm_cur *c)
{
    uint16_t v;
    if (!itm_cur_has(c, 2))
        return 0;
    v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
    c->p += 2;
    return v;
}

static inline uint32_t itm_cur_be32(struct itm_cur *c)
{
    uint32_t v;
    if (!itm_cur_has(c, 4))
        return 0;
    v = itm_load_be32(c->p);
    c->p += 4;
    return v;
}

static inline uint32_t itm_cur_le32(struct itm_cur *c)
{
    uint32_t v;
    if (!itm_cur_has(c, 4))
        return 0;
    v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
    c->p += 4;
    return v;
}

/* Copies n bytes out; on a short read dst is zeroed. */
static inline void itm_cur_copy(struct itm_cur *c, void *dst, size_t n)
{
    if (!itm_cur_has(c, n)) {
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, c->p, n);
    c->p += n;
}

static inline void itm_cur_skip(struct itm_cur *c, size_t n)
{
    if (itm_cur_has(c, n))
        c->p += n;
}

/* A sub-cursor over the next n bytes, e.g. to narrow reads to a header's declared length.
 * When fewer than n bytes are left the sub-cursor covers what is left and *clamped is set
 * to 1 (the caller tells truncation from malformation); the parent advances past it. */
static inline struct itm_cur itm_cur_sub(struct itm_cur *c, size_t n, int *clamped)
{
    struct itm_cur s;
    size_t left = itm_cur_left(c);
    s.p = c->p;
    s.err = 0;
    *clamped = n > left;
    if (n > left) {
        s.end = c->end;
        c->p = c->end;
    } else {
        s.end = c->p + n;
        c->p += n;
    }
    return s;
}

/* Reads a big-endian value at offset off without a cursor; 0 when out of range. */
static inline int itm_be16_at(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
    if (len < 2 || off > len - 2)
        return 0;
    *v = itm_load_be16(p + off);
    return 1;
}

#endif
