/* jsonw.h: a small append-only JSON line builder over a fixed buffer, shared by the JSON
 * outputs. It escapes strings per RFC 8259 and never overflows: a line that would not fit
 * is marked overflowed and the caller replaces it with valid JSON. It runs once per event
 * of every flow, so it formats numbers and times itself rather than through snprintf and
 * gmtime (docs/performance.md). */
#ifndef ITMSCOPE_JSONW_H
#define ITMSCOPE_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itmscope/common.h"

#define ITM_JW_SIZE 8192

/* Starts zeroed (calloc); jw_reset() starts each line. */
struct itm_jw {
    char buf[ITM_JW_SIZE];
    size_t n;
    int overflow;
    int need_comma; /* a value was written at this nesting level */
    /* the "YYYY-mm-ddTHH:MM:SS" of the last second formatted: events come in packet-time
     * order, so most share it with the event before them */
    int ts_valid;
    uint64_t ts_sec;
    char ts_text[20];
};

void jw_reset(struct itm_jw *w);
void jw_raw(struct itm_jw *w, const char *s, size_t len);

/* Pieces of bounded size written in place: jw_spot reserves room for max bytes once (NULL
 * when the line cannot take them), the jw_put_ writers fill it without further checks and
 * return where they stopped, and jw_spot_done ends the piece after a value (the next key
 * gets its comma). An event's header and counters are such pieces. */
static inline char *jw_spot(struct itm_jw *w, size_t max)
{
    if (w->overflow || max > sizeof(w->buf) - 3 - w->n)
        return NULL;
    return w->buf + w->n;
}
static inline void jw_spot_done(struct itm_jw *w, char *end)
{
    w->n = (size_t)(end - w->buf);
    w->buf[w->n] = '\0';
    w->need_comma = 1;
}
static inline char *jw_put_raw(char *o, const char *s, size_t len)
{
    memcpy(o, s, len);
    return o + len;
}
/* A string literal (JSON text: keys with their quotes, commas, braces). */
#define JW_PUT_LIT(o, lit) jw_put_raw((o), (lit), sizeof(lit) - 1)
/* s[0..len), which needs no escaping, quoted. */
static inline char *jw_put_quoted(char *o, const char *s, size_t len)
{
    *o++ = '"';
    memcpy(o, s, len);
    o[len] = '"';
    return o + len + 1;
}
/* A name from the program's tables (see jw_val_name), quoted; never NULL. */
static inline char *jw_put_name(char *o, const char *s)
{
    return jw_put_quoted(o, s, strlen(s));
}
char *jw_put_u64(char *o, uint64_t v);                            /* at most JW_U64_MAX */
char *jw_put_ts(struct itm_jw *w, char *o, uint64_t ts_ns);       /* JW_TS_LEN */
char *jw_put_ip(char *o, const struct itm_ip *ip);                /* at most JW_IP_MAX */
char *jw_put_secs(char *o, uint64_t ns); /* ns / 1e9 as "%.6f", at most JW_SECS_MAX */

/* Value writers, called after a key (below) or in an array. */
void jw_val_str(struct itm_jw *w, const char *val); /* escaped; NULL: null */
void jw_val_u64(struct itm_jw *w, uint64_t v);
void jw_val_ts(struct itm_jw *w, uint64_t ts_ns);  /* "2026-...Z" from nanoseconds */
#define JW_TS_LEN 29 /* what jw_val_ts writes: 27 characters and their quotes */
#define JW_U64_MAX 20 /* the most jw_val_u64 writes */
#define JW_IP_MAX (ITM_IP_TEXT_MAX + 2) /* room for jw_put_ip: itm_ip_text's and quotes */
#define JW_SECS_MAX 24 /* more than jw_put_secs writes (18 characters at most) */
void jw_val_ip(struct itm_jw *w, const struct itm_ip *ip); /* as itm_ip_format */

/* Room for len more bytes; keeps 1 byte for the NUL and 2 for a closing "}\n" that the
 * caller may still add. A piece that does not fit marks the line overflowed. */
static inline int jw_room(struct itm_jw *w, size_t len)
{
    if (w->overflow || len > sizeof(w->buf) - 3 - w->n) {
        w->overflow = 1;
        return 0;
    }
    return 1;
}

static inline void jw_char(struct itm_jw *w, char c)
{
    if (!jw_room(w, 1))
        return;
    w->buf[w->n++] = c;
    w->buf[w->n] = '\0';
}

/* The comma when needed, then "key": (nothing for a NULL key, in arrays). Keys are names
 * chosen by the program (literals, name tables, numbers), written as given: they must need
 * no escaping. Inline, so that a literal key's length and copy fold to constants: keys are
 * two thirds of the strings of an event. */
static inline void jw_key(struct itm_jw *w, const char *key)
{
    size_t len;
    char *o;

    if (!key) {
        if (w->need_comma)
            jw_char(w, ',');
        w->need_comma = 1;
        return;
    }
    len = strlen(key);
    if (!jw_room(w, len + 3 + (w->need_comma != 0)))
        return;
    o = w->buf + w->n;
    if (w->need_comma)
        *o++ = ',';
    *o++ = '"';
    memcpy(o, key, len);
    o += len;
    *o++ = '"';
    *o++ = ':';
    *o = '\0';
    w->n = (size_t)(o - w->buf);
    w->need_comma = 1;
}

/* Object/array structure (key NULL: anonymous) and key-value pairs. */
static inline void jw_obj_open(struct itm_jw *w, const char *key)
{
    jw_key(w, key);
    jw_char(w, '{');
    w->need_comma = 0;
}

static inline void jw_obj_close(struct itm_jw *w)
{
    jw_char(w, '}');
    w->need_comma = 1;
}

static inline void jw_arr_open(struct itm_jw *w, const char *key)
{
    jw_key(w, key);
    jw_char(w, '[');
    w->need_comma = 0;
}

static inline void jw_arr_close(struct itm_jw *w)
{
    jw_char(w, ']');
    w->need_comma = 1;
}

static inline void jw_str(struct itm_jw *w, const char *key, const char *val)
{
    jw_key(w, key);
    jw_val_str(w, val);
}

/* s[0..len), which needs no escaping, quoted (as jw_put_quoted, room checked). */
static inline void jw_quoted(struct itm_jw *w, const char *s, size_t len)
{
    if (!jw_room(w, len + 2))
        return;
    w->n = (size_t)(jw_put_quoted(w->buf + w->n, s, len) - w->buf);
    w->buf[w->n] = '\0';
}
/* A name from the program's own tables (protocols, states, end reasons, confidences, roles,
 * flags): quoted as it is, without the escaping check, which such names never need; NULL:
 * null. */
static inline void jw_val_name(struct itm_jw *w, const char *s)
{
    if (!s) {
        jw_raw(w, "null", 4);
        return;
    }
    jw_quoted(w, s, strlen(s));
}
static inline void jw_name(struct itm_jw *w, const char *key, const char *val)
{
    jw_key(w, key);
    jw_val_name(w, val);
}
/* A piece of valid JSON made earlier (members of an object, or one array value): the comma
 * when needed, then the piece as it is. */
static inline void jw_piece(struct itm_jw *w, const char *s, size_t len)
{
    jw_key(w, NULL);
    jw_raw(w, s, len);
}
static inline void jw_u64(struct itm_jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_val_u64(w, v);
}

static inline void jw_bool(struct itm_jw *w, const char *key, int v)
{
    jw_key(w, key);
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

static inline void jw_ts(struct itm_jw *w, const char *key, uint64_t ts_ns)
{
    jw_key(w, key);
    jw_val_ts(w, ts_ns);
}

static inline void jw_ip(struct itm_jw *w, const char *key, const struct itm_ip *ip)
{
    jw_key(w, key);
    jw_val_ip(w, ip);
}

#endif
