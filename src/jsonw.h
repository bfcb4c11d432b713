/* jsonw.h: a small append-only JSON line builder over a fixed buffer, shared by the JSON
 * outputs. It escapes strings per RFC 8259 and never overflows: a line that would not fit
 * is marked overflowed and the caller replaces it with valid JSON. It runs once per event
 * of every flow, so it formats numbers and times itself rather than through snprintf and
 * gmtime (docs/performance.md). */
#ifndef ITMSCOPE_JSONW_H
#define ITMSCOPE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define ITM_JW_SIZE 8192

/* Starts zeroed (calloc) or through jw_init(); jw_reset() starts each line. */
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

void jw_init(struct itm_jw *w);
void jw_reset(struct itm_jw *w);
void jw_raw(struct itm_jw *w, const char *s, size_t len);
/* Object/array structure; keys are written with a comma before them when needed. Keys are
 * names chosen by the program (literals, name tables, numbers), written as given: they must
 * need no escaping. Values are escaped. */
void jw_obj_open(struct itm_jw *w, const char *key);  /* key NULL: anonymous */
void jw_obj_close(struct itm_jw *w);
void jw_arr_open(struct itm_jw *w, const char *key);
void jw_arr_close(struct itm_jw *w);
void jw_str(struct itm_jw *w, const char *key, const char *val); /* val NULL: null */
void jw_u64(struct itm_jw *w, const char *key, uint64_t v);
void jw_bool(struct itm_jw *w, const char *key, int v);
void jw_dbl(struct itm_jw *w, const char *key, double v);
/* A timestamp string "2026-...Z" from nanoseconds. */
void jw_ts(struct itm_jw *w, const char *key, uint64_t ts_ns);

#endif
