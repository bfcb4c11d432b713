/* jsonw.c: JSON line building (see jsonw.h). Pure string work: no I/O, no allocation.
 * Every writer checks the room for a whole piece once and then copies; a piece that does not
 * fit marks the line overflowed, and the caller replaces such a line whole. */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    if (!jw_room(w, len))
        return;
    memcpy(w->buf + w->n, s, len);
    w->n += len;
    w->buf[w->n] = '\0';
}

/* The bytes to escape: those RFC 8259 requires escaped, plus DEL. */
#if !defined(__SSE2__)
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
#endif

#if defined(__SSE2__)
/* Bit i set when byte i of the 16 at p needs escaping (unsigned min finds bytes <= 0x1f). */
static unsigned block_escapes(const char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
    __m128i q = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
    __m128i b = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
    __m128i d = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f));

    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(ctl, q), _mm_or_si128(b, d)));
}

/* Length of the prefix of s[0..len) that needs no escaping, sixteen bytes at a time; the last
 * block overlaps the one before it (or, for a short string, is padded with a safe byte), so
 * no byte loop is needed. */
static size_t safe_prefix(const char *s, size_t len)
{
    char tmp[16];
    size_t i = 0;
    unsigned m;

    if (len < 16) {
        memset(tmp, 'a', sizeof(tmp));
        memcpy(tmp, s, len);
        m = block_escapes(tmp);
        return m ? (size_t)__builtin_ctz(m) : len;
    }
    for (; len - i > 16; i += 16)
        if ((m = block_escapes(s + i)) != 0)
            return i + (size_t)__builtin_ctz(m);
    m = block_escapes(s + len - 16);
    return m ? len - 16 + (size_t)__builtin_ctz(m) : len;
}
#else
/* Length of the prefix of s[0..len) that needs no escaping, eight bytes at a time; the last
 * word overlaps the one before it (or, for a short string, is padded with a safe byte), so
 * that a clean string costs no byte loop. */
static size_t safe_prefix(const char *s, size_t len)
{
    size_t i = 0;
    uint64_t x;

    if (len >= 8) {
        for (; len - i > 8; i += 8) {
            memcpy(&x, s + i, 8);
            if (word_needs_escape(x))
                goto bytes;
        }
        memcpy(&x, s + len - 8, 8);
    } else {
        char tmp[8];
        memset(tmp, 'a', sizeof(tmp));
        memcpy(tmp, s, len);
        memcpy(&x, tmp, 8);
    }
    if (!word_needs_escape(x))
        return len;
bytes:
    while (i < len && !needs_escape((unsigned char)s[i]))
        i++;
    return i;
}
#endif

void jw_val_str(struct itm_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len, run;

    if (!s) {
        jw_raw(w, "null", 4);
        return;
    }
    len = strlen(s);
    run = safe_prefix(s, len);

    /* names and most values need no escape: one copy for the quoted string */
    if (run == len) {
        jw_quoted(w, s, len);
        return;
    }
    jw_char(w, '"');
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
    jw_char(w, '"');
}

/* "00" to "99": numbers are written two digits at a time */
static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                            "31323334353637383940414243444546474849505152535455565758596061"
                            "62636465666768697071727374757677787980818283848586878889909192"
                            "93949596979899";

/* The decimal digits of v, ending at end, two at a time; returns where they start. */
static char *u64_digits(uint64_t v, char *end)
{
    char *p = end;

    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

static void jw_wrote(struct itm_jw *w, size_t n)
{
    w->n += n;
    w->buf[w->n] = '\0';
}

char *jw_put_u64(char *o, uint64_t v)
{
    static const uint64_t pow10[20] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
        1000000000u, UINT64_C(10000000000), UINT64_C(100000000000),
        UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
        UINT64_C(1000000000000000), UINT64_C(10000000000000000),
        UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
        UINT64_C(10000000000000000000),
    };
    /* the digit count from the bit length: t is log10 of 2^bits rounded down, and v has t
     * digits or one more (1233 / 4096 is just above log10(2)) */
    unsigned t = ((64u - (unsigned)__builtin_clzll(v | 1u)) * 1233u) >> 12;
    unsigned n = t + (v >= pow10[t]);

    if (n == 0)
        n = 1; /* v == 0 */
    u64_digits(v, o + n);
    return o + n;
}

void jw_val_u64(struct itm_jw *w, uint64_t v)
{
    char tmp[JW_U64_MAX], *o = jw_spot(w, JW_U64_MAX);

    if (!o) {
        jw_raw(w, tmp, (size_t)(jw_put_u64(tmp, v) - tmp));
        return;
    }
    jw_wrote(w, (size_t)(jw_put_u64(o, v) - o));
}

/* Writes n (< 10^width) as exactly width digits, zero-padded, ending at end: two at a time
 * (a timestamp's six fraction digits are three pairs). */
static void fixed_digits(char *end, unsigned width, uint32_t n)
{
    for (; width >= 2; width -= 2) {
        end -= 2;
        memcpy(end, pairs + 2 * (n % 100), 2);
        n /= 100;
    }
    if (width)
        *--end = (char)('0' + n % 10);
}

/* us microseconds as seconds with six decimals ("S.ffffff"); at most JW_U64_MAX + 7. */
static char *put_micros(char *o, uint64_t us)
{
    o = jw_put_u64(o, us / 1000000u);
    *o++ = '.';
    fixed_digits(o + 6, 6, (uint32_t)(us % 1000000u));
    return o + 6;
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
    fixed_digits(out + 4, 4, (uint32_t)(y % 10000u));
    out[4] = '-';
    fixed_digits(out + 7, 2, (uint32_t)(m + 1));
    out[7] = '-';
    fixed_digits(out + 10, 2, (uint32_t)(doy - cum[leap][m] + 1));
    out[10] = 'T';
    fixed_digits(out + 13, 2, (uint32_t)(rem / 3600));
    out[13] = ':';
    fixed_digits(out + 16, 2, (uint32_t)(rem / 60 % 60));
    out[16] = ':';
    fixed_digits(out + 19, 2, (uint32_t)(rem % 60));
}

/* "YYYY-mm-ddTHH:MM:SS.uuuuuuZ": 27 characters. */
static void format_ts(uint64_t ts_ns, const char *second, char out[27])
{
    memcpy(out, second, 19);
    out[19] = '.';
    fixed_digits(out + 26, 6, (uint32_t)(ts_ns % 1000000000u / 1000u));
    out[26] = 'Z';
}

char *jw_put_ts(struct itm_jw *w, char *q, uint64_t ts_ns)
{
    uint64_t sec = ts_ns / 1000000000u;

    if (!w->ts_valid || w->ts_sec != sec) {
        format_second(sec, w->ts_text);
        w->ts_sec = sec;
        w->ts_valid = 1;
    }
    q[0] = '"';
    format_ts(ts_ns, w->ts_text, q + 1);
    q[JW_TS_LEN - 1] = '"';
    return q + JW_TS_LEN;
}

void jw_val_ts(struct itm_jw *w, uint64_t ts_ns)
{
    char tmp[JW_TS_LEN], *o = jw_spot(w, sizeof(tmp));

    if (o)
        jw_wrote(w, (size_t)(jw_put_ts(w, o, ts_ns) - o));
    else
        jw_raw(w, tmp, (size_t)(jw_put_ts(w, tmp, ts_ns) - tmp));
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

/* A duration of ns nanoseconds in seconds, the text printf's "%.6f" gives (double)ns / 1e9:
 * in integers below 2^20 s, the microseconds rounded to nearest. The double is within
 * 2^20 s * 2^-53 (1.2e-10 s) of the exact quotient, and that is at least a nanosecond (1e-9 s)
 * from a rounding boundary unless ns % 1000 is 500, an exact tie, where the double's binary
 * value decides: printf then, as for longer durations. */
char *jw_put_secs(char *o, uint64_t ns)
{
    char tmp[JW_SECS_MAX];
    int n;

    if (ns < (UINT64_C(1) << 20) * 1000000000u && ns % 1000u != 500u)
        return put_micros(o, (ns + 500u) / 1000u);
    n = snprintf(tmp, sizeof(tmp), "%.6f", (double)ns / 1e9);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        n = 0; /* no uint64_t gets here: at most 18 characters */
    memcpy(o, tmp, (size_t)n);
    return o + n;
}

char *jw_put_ip(char *q, const struct itm_ip *ip)
{
    size_t n = itm_ip_text(ip, q + 1);

    q[0] = '"';
    q[n + 1] = '"';
    return q + n + 2;
}

void jw_val_ip(struct itm_jw *w, const struct itm_ip *ip)
{
    char tmp[JW_IP_MAX], *o = jw_spot(w, sizeof(tmp));

    if (o)
        jw_wrote(w, (size_t)(jw_put_ip(o, ip) - o));
    else
        jw_raw(w, tmp, (size_t)(jw_put_ip(tmp, ip) - tmp));
}
