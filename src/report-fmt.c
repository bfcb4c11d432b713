/* report-fmt.c: text and CSV helpers of the report outputs: RFC 4180 fields, human numbers
 * and times, aligned tables that fit a terminal. Pure formatting: it never decides what is
 * reported, and never lets a byte from the wire reach a terminal unescaped. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report-int.h"

int itm_csv_field(FILE *f, const char *s)
{
    size_t n;
    int quote;

    if (!s || !*s)
        return 0;
    n = strlen(s);
    /* a spreadsheet trims unquoted blanks at the ends, so those are quoted too */
    quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[n - 1] == ' ';
    if (!quote)
        return fwrite(s, 1, n, f) == n ? 0 : -1;
    if (fputc('"', f) == EOF)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p == '"' && fputc('"', f) == EOF)
            return -1;
        if (fputc(*p, f) == EOF)
            return -1;
    }
    return fputc('"', f) == EOF ? -1 : 0;
}

int itm_csv_eol(FILE *f)
{
    return fputs("\r\n", f) == EOF ? -1 : 0;
}

int itm_csv_row(FILE *f, const char *const *cells, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        if ((i && fputc(',', f) == EOF) || itm_csv_field(f, cells[i]) != 0)
            rc = -1;
    if (itm_csv_eol(f) != 0)
        rc = -1;
    return rc;
}

char *itm_fmt_count(uint64_t v, char *buf, size_t len)
{
    char digits[24];
    size_t n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0 && o + 1 < len)
            buf[o++] = ',';
        if (o + 1 < len)
            buf[o++] = digits[i];
    }
    if (len)
        buf[o < len ? o : len - 1] = '\0';
    return buf;
}

char *itm_fmt_bytes(uint64_t v, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double d = (double)v;
    unsigned u = 0;

    if (v < 1024) {
        snprintf(buf, len, "%llu B", (unsigned long long)v);
        return buf;
    }
    d /= 1024.0;
    while (d >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
        d /= 1024.0;
        u++;
    }
    snprintf(buf, len, "%.1f %s", d, units[u]);
    return buf;
}

char *itm_fmt_duration(uint64_t ns, char *buf, size_t len)
{
    uint64_t s = ns / 1000000000u;

    if (s < 10)
        snprintf(buf, len, "%llu.%03llus", (unsigned long long)s,
                 (unsigned long long)(ns % 1000000000u / 1000000u));
    else if (s < 60)
        snprintf(buf, len, "%llus", (unsigned long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%llum %02llus", (unsigned long long)(s / 60),
                 (unsigned long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, len, "%lluh %02llum %02llus", (unsigned long long)(s / 3600),
                 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else
        snprintf(buf, len, "%llud %02lluh %02llum", (unsigned long long)(s / 86400),
                 (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60));
    return buf;
}

uint64_t itm_fmt_day(uint64_t first_ns, uint64_t last_ns)
{
    uint64_t day = UINT64_C(86400) * 1000000000u;

    return first_ns / day == last_ns / day ? first_ns / day * day : UINT64_MAX;
}

char *itm_fmt_clock(uint64_t ts_ns, uint64_t day_ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ts_ns / 1000000000u);
    uint64_t day = UINT64_C(86400) * 1000000000u;
    struct tm tm;

    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, len, "?");
        return buf;
    }
    if (day_ns != UINT64_MAX && ts_ns / day * day == day_ns)
        snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(buf, len, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min);
    return buf;
}

char *itm_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t len)
{
    if (!whole)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%llu%%", (unsigned long long)((part * 100 + whole / 2) / whole));
    return buf;
}

char *itm_fmt_clean(const char *s, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    if (!len)
        return buf;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c < 0x7f) {
            if (o + 1 >= len)
                break;
            buf[o++] = (char)c;
            continue;
        }
        if (o + 4 >= len)
            break;
        buf[o++] = '\\';
        buf[o++] = 'x';
        buf[o++] = hex[c >> 4];
        buf[o++] = hex[c & 15];
    }
    buf[o] = '\0';
    return buf;
}

char *itm_fmt_service(uint8_t ipproto, uint8_t icmp_type, int sport, uint16_t lo, uint16_t hi,
                      char *buf, size_t len)
{
    const char *pn = ipproto == 6 ? "tcp" : "udp";
    const char *dir = sport ? "sport " : "";

    if (ipproto == 1 || ipproto == 58) {
        const char *fam = ipproto == 1 ? "icmp" : "icmp6";
        if (icmp_type == 0xff)
            snprintf(buf, len, "%s", fam);
        else
            snprintf(buf, len, "%s/%u", fam, icmp_type);
    } else if (ipproto == 2) {
        snprintf(buf, len, "igmp");
    } else if (ipproto != 6 && ipproto != 17) {
        snprintf(buf, len, "ip-%u", ipproto);
    } else if (lo == 0 && hi == 65535) {
        snprintf(buf, len, "%s/%sany", pn, dir);
    } else if (lo == hi) {
        snprintf(buf, len, "%s/%s%u", pn, dir, lo);
    } else {
        snprintf(buf, len, "%s/%s%u-%u", pn, dir, lo, hi);
    }
    return buf;
}

void itm_put_wrapped(FILE *f, unsigned indent, const char *lead, const char *text,
                     unsigned width)
{
    size_t hang = indent + strlen(lead);
    size_t room = width > hang + 20 ? width - hang : 20;

    fprintf(f, "%*s%s", (int)indent, "", lead);
    for (;;) {
        size_t n = strlen(text), cut = n;
        while (*text == ' ')
            text++, n--;
        if (n <= room) {
            fprintf(f, "%s\n", text);
            return;
        }
        cut = room;
        while (cut > 0 && text[cut] != ' ')
            cut--;
        if (cut == 0) /* one word longer than the line: break it */
            cut = room;
        fprintf(f, "%.*s\n%*s", (int)cut, text, (int)hang, "");
        text += cut;
    }
}

/* ---- tables ---- */

void itm_table_init(struct itm_table *t, const struct itm_tcol *cols, unsigned ncols)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->ncols = ncols;
}

/* Room for one more row. 0 or ITM_ERR_NOMEM. */
static int table_room(struct itm_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    char **rows;
    uint8_t *span;

    if (t->nrows < t->cap)
        return ITM_OK;
    rows = itm_realloc(t->rows, cap * sizeof(*rows));
    if (rows)
        t->rows = rows;
    span = rows ? itm_realloc(t->span, cap) : NULL;
    if (!span) {
        t->err = 1;
        return ITM_ERR_NOMEM;
    }
    t->span = span;
    t->cap = cap;
    return ITM_OK;
}

int itm_table_add_span(struct itm_table *t, const char *text)
{
    char *row;

    if (table_room(t) != ITM_OK)
        return ITM_ERR_NOMEM;
    row = itm_strndup(text, strlen(text));
    if (!row) {
        t->err = 1;
        return ITM_ERR_NOMEM;
    }
    t->span[t->nrows] = 1;
    t->rows[t->nrows++] = row;
    return ITM_OK;
}

int itm_table_add(struct itm_table *t, const char *const *cells)
{
    size_t need = 0, o = 0;
    char *row;

    if (table_room(t) != ITM_OK)
        return ITM_ERR_NOMEM;
    for (unsigned i = 0; i < t->ncols; i++)
        need += strlen(cells[i] ? cells[i] : "") + 1;
    row = itm_malloc(need);
    if (!row) {
        t->err = 1;
        return ITM_ERR_NOMEM;
    }
    for (unsigned i = 0; i < t->ncols; i++) {
        size_t n = strlen(cells[i] ? cells[i] : "");
        memcpy(row + o, cells[i] ? cells[i] : "", n + 1);
        o += n + 1;
    }
    t->span[t->nrows] = 0;
    t->rows[t->nrows++] = row;
    return ITM_OK;
}

/* Cells of one row, in order. */
static void row_cells(const struct itm_table *t, const char *row, const char **cells)
{
    for (unsigned i = 0; i < t->ncols; i++) {
        cells[i] = row;
        row += strlen(row) + 1;
    }
}

static unsigned flex_floor(const struct itm_tcol *c)
{
    size_t h = strlen(c->head);

    return h > 6 ? (unsigned)h : 6u;
}

/* Shrinks the widest flexible column of the highest flex level, one character at a time,
 * until the row fits. */
static void fit_widths(const struct itm_table *t, unsigned *w, unsigned indent, unsigned width)
{
    for (;;) {
        unsigned total = indent, widest = t->ncols;
        for (unsigned i = 0; i < t->ncols; i++)
            total += w[i] + (i ? 2u : 0u);
        if (total <= width)
            return;
        for (unsigned i = 0; i < t->ncols; i++) {
            if (!t->cols[i].flex || w[i] <= flex_floor(&t->cols[i]))
                continue;
            if (widest == t->ncols || t->cols[i].flex > t->cols[widest].flex ||
                (t->cols[i].flex == t->cols[widest].flex && w[i] > w[widest]))
                widest = i;
        }
        if (widest == t->ncols)
            return;
        w[widest]--;
    }
}

/* A last cell too long for its width, on several lines broken after ',' or ' '. */
static void put_wrapped_cell(FILE *out, const char *s, unsigned w, unsigned col)
{
    size_t n = strlen(s);

    while (n > w && w > 0) {
        size_t cut = w, next;
        if (s[w] == ' ') {
            next = w + 1; /* the blank itself is the break */
        } else {
            while (cut > 0 && s[cut - 1] != ',' && s[cut - 1] != ' ')
                cut--;
            if (cut == 0)
                cut = w;
            next = cut;
        }
        fprintf(out, "%.*s\n%*s", (int)(s[cut - 1] == ' ' ? cut - 1 : cut), s, (int)col, "");
        s += next;
        n -= next;
    }
    fputs(s, out);
}

static void put_cell(FILE *out, const char *s, unsigned w, int right, int last)
{
    size_t n = strlen(s);

    if (n > w) {
        fprintf(out, "%.*s~", (int)(w ? w - 1 : 0), s);
        return;
    }
    if (right)
        fprintf(out, "%*s", (int)w, s);
    else if (last)
        fputs(s, out);
    else
        fprintf(out, "%-*s", (int)w, s);
}

static void put_row(const struct itm_table *t, FILE *out, const char **cells, const unsigned *w,
                    unsigned indent)
{
    unsigned last = t->ncols, col = indent;

    /* trailing empty left-aligned cells would only print blanks */
    while (last > 0 && !cells[last - 1][0] && t->cols[last - 1].align == ITM_TB_LEFT)
        last--;
    fprintf(out, "%*s", (int)indent, "");
    for (unsigned i = 0; i < last; i++) {
        if (i) {
            fputs("  ", out);
            col += 2;
        }
        if (i + 1 == t->ncols && t->cols[i].flex == 3)
            put_wrapped_cell(out, cells[i], w[i], col);
        else
            put_cell(out, cells[i], w[i], t->cols[i].align == ITM_TB_RIGHT, i + 1 == last);
        col += w[i];
    }
    fputc('\n', out);
}

void itm_table_print(const struct itm_table *t, FILE *out, unsigned indent, unsigned width)
{
    unsigned w[32];
    const char *cells[32];

    if (t->ncols > 32 || t->ncols == 0)
        return;
    for (unsigned i = 0; i < t->ncols; i++)
        w[i] = (unsigned)strlen(t->cols[i].head);
    for (size_t r = 0; r < t->nrows; r++) {
        if (t->span[r])
            continue;
        row_cells(t, t->rows[r], cells);
        for (unsigned i = 0; i < t->ncols; i++) {
            size_t n = strlen(cells[i]);
            if (n > w[i])
                w[i] = (unsigned)n;
        }
    }
    fit_widths(t, w, indent, width);
    for (unsigned i = 0; i < t->ncols; i++)
        cells[i] = t->cols[i].head;
    put_row(t, out, cells, w, indent);
    for (size_t r = 0; r < t->nrows; r++) {
        if (t->span[r]) {
            fprintf(out, "%*s%s\n", (int)(indent > 2 ? indent - 2 : 0), "", t->rows[r]);
            continue;
        }
        row_cells(t, t->rows[r], cells);
        put_row(t, out, cells, w, indent);
    }
}

void itm_table_free(struct itm_table *t)
{
    for (size_t r = 0; r < t->nrows; r++)
        itm_free(t->rows[r]);
    itm_free(t->rows);
    itm_free(t->span);
    t->rows = NULL;
    t->span = NULL;
    t->nrows = t->cap = 0;
}

char *itm_fmt_flags(uint32_t flags, char *buf, size_t len)
{
    size_t o = 0;

    if (len)
        buf[0] = '\0';
    for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++) {
        const char *n = (flags & (1u << b)) ? itm_flag_name(1u << b) : NULL;
        int w;
        if (!n)
            continue;
        w = snprintf(buf + o, len > o ? len - o : 0, "%s%s", o ? "," : "", n);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    if (!o)
        snprintf(buf, len, "-");
    return buf;
}
