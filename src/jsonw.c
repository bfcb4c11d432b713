/* jsonw.c: JSON line building (see jsonw.h). Pure string work: no I/O, no allocation.
 * Every writer checks the room for a whole piece once and then copies; a piece that does not
 * fit marks the line overflowed, and the caller replaces such a line whole. */
#include "jsonw.h"

#include <math.h>
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

/* "%.6f" without printf where that is provably the same text: a non-negative value below
 * 2^20 whose millionths are not within a thousandth of a tie (the product v * 1e6 is then
 * off by far less than that, so rounding it picks the digit printf would). Others, and
 * ties, go through snprintf. */
void jw_val_dbl(struct itm_jw *w, double v)
{
    /* "%.6f" of the largest double is 316 characters */
    char tmp[352];
    int n;

    if (v >= 0.0 && v < 1048576.0 && !signbit(v)) {
        double x = v * 1e6;
        uint64_t k = (uint64_t)x;
        double frac = x - (double)k;
        if (frac < 0.499 || frac > 0.501) {
            k += frac > 0.5;
            jw_raw(w, tmp, (size_t)(put_micros(tmp, k) - tmp));
            return;
        }
    }
    n = snprintf(tmp, sizeof(tmp), "%.6f", v);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        w->overflow = 1; /* no double gets here; never a cut number */
        return;
    }
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

/* The text of every octet, "0" to "255", each padded to 4 bytes: copied whole, then the
 * pointer moves by its length. */
static const char octet_text[256][4] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
    "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
    "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35",
    "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59",
    "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71",
    "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83",
    "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95",
    "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107",
    "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119",
    "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131",
    "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143",
    "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155",
    "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167",
    "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191",
    "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203",
    "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215",
    "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227",
    "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
    "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251",
    "252", "253", "254", "255"
};

/* Dotted quad of 4 bytes; returns the length. Writes 16 bytes from out (a '.' after the
 * text), so out needs that room. */
static size_t ip4_text(const uint8_t *a, char *out)
{
    char *o = out;

    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        memcpy(o, octet_text[v], 4);
        o += 1 + (v >= 10) + (v >= 100);
        *o++ = '.';
    }
    return (size_t)(o - out) - 1;
}

/* "00" to "ff": a group's text two hex digits at a time */
static const char hex_pairs[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* A 16-bit group in lower-case hex without leading zeros. */
static char *hex_group(char *o, unsigned g)
{
    unsigned hi = g >> 8, lo = g & 0xffu;

    if (hi) {
        if (hi >> 4) {
            memcpy(o, hex_pairs + 2 * hi, 2);
            o += 2;
        } else {
            *o++ = hex_pairs[2 * hi + 1];
        }
        memcpy(o, hex_pairs + 2 * lo, 2);
        return o + 2;
    }
    if (lo >> 4) {
        memcpy(o, hex_pairs + 2 * lo, 2);
        return o + 2;
    }
    *o++ = hex_pairs[2 * lo + 1];
    return o;
}

/* The text inet_ntop gives for an IPv6 address (RFC 5952: lower-case hex without leading
 * zeros, the longest run of two or more zero groups as "::", the first of equal runs; and,
 * as glibc does, a trailing dotted quad for ::a.b.c.d and ::ffff:a.b.c.d). inet_ntop costs
 * about 3,000 instructions an address. Returns the length. */
#if defined(__GNUC__)
__attribute__((noinline)) /* keeps the common IPv4 path of jw_put_ip free of its frame */
#endif
static size_t ip6_text(const uint8_t *a, char *out)
{
    unsigned g[8];
    int best = -1, blen = 0, run = 0;
    char *o = out;

    for (int i = 0; i < 8; i++) {
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        run = g[i] ? 0 : run + 1;
        if (run > blen) {
            blen = run;
            best = i - run + 1;
        }
    }
    if (blen < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + blen) {
            if (i == best)
                *o++ = ':';
            continue;
        }
        if (i)
            *o++ = ':';
        if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && g[5] == 0xffff)))
            return (size_t)(o - out) + ip4_text(a + 12, o);
        o = hex_group(o, g[i]);
    }
    if (best >= 0 && best + blen == 8)
        *o++ = ':';
    return (size_t)(o - out);
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
    size_t n;

    if (ip->family == 4) {
        n = ip4_text(ip->a, q + 1);
    } else if (ip->family == 6) {
        n = ip6_text(ip->a, q + 1);
    } else {
        q[1] = '-';
        n = 1;
    }
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
