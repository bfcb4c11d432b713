/* jsonw.c: JSON line building (see jsonw.h). Pure string work: no I/O, no allocation.
 * Every writer checks the room for a whole piece once and then copies; a piece that does not
 * fit marks the line overflowed, and the caller replaces such a line whole. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "itmscope/output.h"

void jw_init(struct itm_jw *w)
{
    memset(w, 0, sizeof(*w));
}

void jw_reset(struct itm_jw *w)
{
    w->n = 0;
    w->overflow = 0;
    w->need_comma = 0;
    w->buf[0] = '\0';
}

/* Room for len more bytes; keeps 1 byte for the NUL and 2 for a closing "}\n" that the
 * caller may still add. */
static int jw_room(struct itm_jw *w, size_t len)
{
    if (w->overflow || len > sizeof(w->buf) - 3 - w->n) {
        w->overflow = 1;
        return 0;
    }
    return 1;
}

void jw_raw(struct itm_jw *w, const char *s, size_t len)
{
    if (!jw_room(w, len))
        return;
    memcpy(w->buf + w->n, s, len);
    w->n += len;
    w->buf[w->n] = '\0';
}

static void jw_c(struct itm_jw *w, char c)
{
    if (!jw_room(w, 1))
        return;
    w->buf[w->n++] = c;
    w->buf[w->n] = '\0';
}

/* Bytes that RFC 8259 requires escaped, plus DEL. */
static int needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

#define JW_ONES UINT64_C(0x0101010101010101)
#define JW_HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when some byte of the word may need escaping (exact for "some byte": each term
 * is the usual test for a byte below a bound, or for a zero byte after an xor). */
static uint64_t word_needs_escape(uint64_t x)
{
    uint64_t q = x ^ JW_ONES * '"', b = x ^ JW_ONES * '\\', d = x ^ JW_ONES * 0x7f;

    return (((x - JW_ONES * 0x20) & ~x) | ((q - JW_ONES) & ~q) | ((b - JW_ONES) & ~b) |
            ((d - JW_ONES) & ~d)) & JW_HIGHS;
}

/* Length of the prefix of s[0..len) that needs no escaping, eight bytes at a time. */
static size_t safe_prefix(const char *s, size_t len)
{
    size_t i = 0;
    uint64_t x;

    for (; len - i >= 8; i += 8) {
        memcpy(&x, s + i, 8);
        if (word_needs_escape(x))
            break;
    }
    while (i < len && !needs_escape((unsigned char)s[i]))
        i++;
    return i;
}

static void jw_escaped(struct itm_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(s), run = safe_prefix(s, len);

    /* names and most values need no escape: one copy for the quoted string */
    if (run == len) {
        if (!jw_room(w, len + 2))
            return;
        w->buf[w->n] = '"';
        memcpy(w->buf + w->n + 1, s, len);
        w->n += len + 2;
        w->buf[w->n - 1] = '"';
        w->buf[w->n] = '\0';
        return;
    }
    jw_c(w, '"');
    for (;;) {
        unsigned char c;
        jw_raw(w, s, run);
        s += run;
        len -= run;
        if (!len)
            break;
        c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            jw_raw(w, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jw_raw(w, e, 6);
        }
        s++;
        len--;
        run = safe_prefix(s, len);
    }
    jw_c(w, '"');
}

/* Keys are names from the program (see jsonw.h), so they are copied without the escape
 * scan that values get: two thirds of the strings of an event are keys. */
static void jw_key(struct itm_jw *w, const char *key)
{
    size_t len;
    char *o;

    if (!key) {
        if (w->need_comma)
            jw_c(w, ',');
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

/* Writes the decimal digits of v to end before end; returns where they start. */
static char *u64_digits(uint64_t v, char *end)
{
    char *p = end;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

void jw_u64(struct itm_jw *w, const char *key, uint64_t v)
{
    char tmp[24];
    char *p = u64_digits(v, tmp + sizeof(tmp));

    jw_key(w, key);
    jw_raw(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_bool(struct itm_jw *w, const char *key, int v)
{
    jw_key(w, key);
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

/* Writes n (< 10^width) as exactly width digits, zero-padded, ending at end. */
static void fixed_digits(char *end, unsigned width, uint64_t n)
{
    while (width--) {
        *--end = (char)('0' + n % 10);
        n /= 10;
    }
}

/* "%.6f" without printf where that is provably the same text: a non-negative value below
 * 2^20 whose millionths are not within a thousandth of a tie (the product v * 1e6 is then
 * off by far less than that, so rounding it picks the digit printf would). Others, and
 * ties, go through snprintf. Flow ages always take the fast path. */
void jw_dbl(struct itm_jw *w, const char *key, double v)
{
    char tmp[40];
    int n;

    if (v >= 0.0 && v < 1048576.0 && !signbit(v)) {
        double x = v * 1e6;
        uint64_t k = (uint64_t)x;
        double frac = x - (double)k;
        if (frac < 0.499 || frac > 0.501) {
            char *p;
            k += frac > 0.5;
            fixed_digits(tmp + sizeof(tmp), 6, k % 1000000u);
            tmp[sizeof(tmp) - 7] = '.';
            p = u64_digits(k / 1000000u, tmp + sizeof(tmp) - 7);
            jw_key(w, key);
            jw_raw(w, p, (size_t)(tmp + sizeof(tmp) - p));
            return;
        }
    }
    n = snprintf(tmp, sizeof(tmp), "%.6f", v);
    jw_key(w, key);
    jw_raw(w, tmp, (size_t)n);
}

/* Days before 1 January of year y (>= 1970), counted from 1970-01-01. */
static uint64_t days_before_year(uint64_t y)
{
    uint64_t p = y - 1;

    return 365 * (y - 1970) + (p / 4 - p / 100 + p / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);
}

/* "YYYY-mm-ddTHH:MM:SS" (19 characters) of a second count since the epoch, Gregorian UTC.
 * A uint64_t of nanoseconds reaches the year 2554, so the year always has four digits. */
static void format_second(uint64_t sec, char out[19])
{
    static const uint16_t cum[2][13] = {
        {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
        {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
    };
    uint64_t days = sec / 86400, rem = sec % 86400;
    /* a year has at most 366 days: start low and step up (at most twice in range) */
    uint64_t y = 1970 + days / 366, doy;
    unsigned m = 0, leap;

    while (days_before_year(y + 1) <= days)
        y++;
    doy = days - days_before_year(y);
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    while (doy >= cum[leap][m + 1])
        m++;
    fixed_digits(out + 4, 4, y);
    out[4] = '-';
    fixed_digits(out + 7, 2, m + 1);
    out[7] = '-';
    fixed_digits(out + 10, 2, doy - cum[leap][m] + 1);
    out[10] = 'T';
    fixed_digits(out + 13, 2, rem / 3600);
    out[13] = ':';
    fixed_digits(out + 16, 2, rem / 60 % 60);
    out[16] = ':';
    fixed_digits(out + 19, 2, rem % 60);
}

/* "YYYY-mm-ddTHH:MM:SS.uuuuuuZ": 27 characters. */
static void format_ts(uint64_t ts_ns, const char *second, char out[27])
{
    memcpy(out, second, 19);
    out[19] = '.';
    fixed_digits(out + 26, 6, ts_ns % 1000000000u / 1000u);
    out[26] = 'Z';
}

void jw_ts(struct itm_jw *w, const char *key, uint64_t ts_ns)
{
    uint64_t sec = ts_ns / 1000000000u;
    char q[29];

    if (!w->ts_valid || w->ts_sec != sec) {
        format_second(sec, w->ts_text);
        w->ts_sec = sec;
        w->ts_valid = 1;
    }
    q[0] = '"';
    format_ts(ts_ns, w->ts_text, q + 1);
    q[28] = '"';
    jw_key(w, key);
    jw_raw(w, q, sizeof(q));
}

char *itm_format_ts(uint64_t ts_ns, char *buf, size_t len)
{
    char second[19], text[27];
    size_t n;

    if (len == 0)
        return buf;
    n = len - 1 < sizeof(text) ? len - 1 : sizeof(text);
    format_second(ts_ns / 1000000000u, second);
    format_ts(ts_ns, second, text);
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}
