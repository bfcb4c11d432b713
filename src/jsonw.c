/* jsonw.c: JSON line building (see jsonw.h). Pure string work: no I/O, no allocation. */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "itmscope/output.h"

void jw_reset(struct itm_jw *w)
{
    w->n = 0;
    w->overflow = 0;
    w->need_comma = 0;
    w->buf[0] = '\0';
}

void jw_raw(struct itm_jw *w, const char *s, size_t len)
{
    /* keep 1 byte for the NUL and 2 for a closing "}\n" the caller may still add */
    if (w->overflow || len > sizeof(w->buf) - 3 - w->n) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->n, s, len);
    w->n += len;
    w->buf[w->n] = '\0';
}

static void jw_c(struct itm_jw *w, char c)
{
    jw_raw(w, &c, 1);
}

static void jw_escaped(struct itm_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    jw_c(w, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            jw_raw(w, e, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jw_raw(w, e, 6);
        } else {
            jw_c(w, (char)c);
        }
    }
    jw_c(w, '"');
}

static void jw_key(struct itm_jw *w, const char *key)
{
    if (w->need_comma)
        jw_c(w, ',');
    if (key) {
        jw_escaped(w, key);
        jw_c(w, ':');
    }
    w->need_comma = 1;
}

void jw_obj_open(struct itm_jw *w, const char *key)
{
    jw_key(w, key);
    jw_c(w, '{');
    w->need_comma = 0;
}

void jw_obj_close(struct itm_jw *w)
{
    jw_c(w, '}');
    w->need_comma = 1;
}

void jw_arr_open(struct itm_jw *w, const char *key)
{
    jw_key(w, key);
    jw_c(w, '[');
    w->need_comma = 0;
}

void jw_arr_close(struct itm_jw *w)
{
    jw_c(w, ']');
    w->need_comma = 1;
}

void jw_str(struct itm_jw *w, const char *key, const char *val)
{
    jw_key(w, key);
    if (val)
        jw_escaped(w, val);
    else
        jw_raw(w, "null", 4);
}

void jw_u64(struct itm_jw *w, const char *key, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

    jw_key(w, key);
    jw_raw(w, tmp, (size_t)n);
}

void jw_bool(struct itm_jw *w, const char *key, int v)
{
    jw_key(w, key);
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

void jw_dbl(struct itm_jw *w, const char *key, double v)
{
    char tmp[40];
    int n = snprintf(tmp, sizeof(tmp), "%.6f", v);

    jw_key(w, key);
    jw_raw(w, tmp, (size_t)n);
}

void jw_ts(struct itm_jw *w, const char *key, uint64_t ts_ns)
{
    char tmp[40];

    jw_str(w, key, itm_format_ts(ts_ns, tmp, sizeof(tmp)));
}

char *itm_format_ts(uint64_t ts_ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ts_ns / 1000000000u);
    unsigned us = (unsigned)(ts_ns % 1000000000u / 1000u);
    struct tm tm;

    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, len, "invalid");
        return buf;
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
    return buf;
}
