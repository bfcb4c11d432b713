/* textlex.c: tokenizer for the signature and site files. It only splits text into tokens
 * and reports lexical errors; what the tokens mean is the parsers' business. */
#include "textlex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void itm_lex_init(struct itm_lex *lx, const char *name, const char *buf, size_t len,
                  struct itm_diag *diag)
{
    memset(lx, 0, sizeof(*lx));
    lx->name = name;
    lx->buf = buf;
    lx->len = buf ? len : 0;
    lx->line = 1;
    lx->at_line_start = 1;
    lx->diag = diag;
}

void itm_lex_error(struct itm_lex *lx, unsigned line, unsigned col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    itm_diag_report(lx->diag, lx->name, line, col, "%s", msg);
}

static unsigned lex_col(const struct itm_lex *lx, size_t pos)
{
    return (unsigned)(pos - lx->line_start) + 1u;
}

static void lex_newline(struct itm_lex *lx)
{
    lx->line++;
    lx->line_start = lx->pos;
    lx->at_line_start = 1;
}

void itm_lex_skip_line(struct itm_lex *lx)
{
    while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
        lx->pos++;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_word_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '=' && c != '"' && c != '#' && c != '[' && c != ']';
}

/* Checks the current line for NUL bytes and length once, when the lexer enters it. */
static int lex_check_line(struct itm_lex *lx, struct itm_tok *t)
{
    size_t i = lx->pos;

    while (i < lx->len && lx->buf[i] != '\n') {
        if (lx->buf[i] == '\0') {
            t->kind = ITM_TOK_ERROR;
            itm_lex_error(lx, lx->line, lex_col(lx, i), "NUL byte in text");
            return -1;
        }
        i++;
    }
    if (i - lx->pos > ITM_LEX_MAX_LINE) {
        t->kind = ITM_TOK_ERROR;
        itm_lex_error(lx, lx->line, ITM_LEX_MAX_LINE + 1, "line longer than %d characters",
                      ITM_LEX_MAX_LINE);
        return -1;
    }
    return 0;
}

static void lex_string(struct itm_lex *lx, struct itm_tok *t)
{
    size_t n = 0;

    lx->pos++; /* opening quote */
    while (lx->pos < lx->len && lx->buf[lx->pos] != '\n') {
        char c = lx->buf[lx->pos];
        if (c == '"') {
            lx->pos++;
            lx->scratch[n] = '\0';
            t->kind = ITM_TOK_STRING;
            t->text = lx->scratch;
            t->len = n;
            return;
        }
        if (c == '\\') {
            char e = lx->pos + 1 < lx->len ? lx->buf[lx->pos + 1] : '\0';
            if (e != '"' && e != '\\') {
                t->kind = ITM_TOK_ERROR;
                itm_lex_error(lx, lx->line, lex_col(lx, lx->pos),
                              "unknown escape in string (only \\\" and \\\\)");
                itm_lex_skip_line(lx);
                return;
            }
            c = e;
            lx->pos++;
        }
        if (n >= ITM_LEX_MAX_STR) {
            t->kind = ITM_TOK_ERROR;
            itm_lex_error(lx, t->line, t->col, "string longer than %d bytes", ITM_LEX_MAX_STR);
            itm_lex_skip_line(lx);
            return;
        }
        lx->scratch[n++] = c;
        lx->pos++;
    }
    t->kind = ITM_TOK_ERROR;
    itm_lex_error(lx, t->line, t->col, "unterminated string");
}

static void lex_section(struct itm_lex *lx, struct itm_tok *t)
{
    size_t start = ++lx->pos;

    while (lx->pos < lx->len && lx->buf[lx->pos] != ']' && lx->buf[lx->pos] != '\n')
        lx->pos++;
    if (lx->pos >= lx->len || lx->buf[lx->pos] != ']') {
        t->kind = ITM_TOK_ERROR;
        itm_lex_error(lx, t->line, t->col, "section header without ']'");
        return;
    }
    t->kind = ITM_TOK_SECTION;
    t->text = lx->buf + start;
    t->len = lx->pos - start;
    lx->pos++;
}

void itm_lex_next(struct itm_lex *lx, struct itm_tok *t)
{
    memset(t, 0, sizeof(*t));
    for (;;) {
        char c;
        if (lx->at_line_start && lx->pos < lx->len && lex_check_line(lx, t) < 0) {
            t->line = lx->line;
            itm_lex_skip_line(lx);
            lx->at_line_start = 0;
            return;
        }
        while (lx->pos < lx->len && is_space(lx->buf[lx->pos]))
            lx->pos++;
        t->line = lx->line;
        t->col = lex_col(lx, lx->pos);
        if (lx->pos >= lx->len) {
            if (!lx->at_line_start) {
                lx->at_line_start = 1;
                t->kind = ITM_TOK_EOL;
                return;
            }
            t->kind = ITM_TOK_EOF;
            return;
        }
        c = lx->buf[lx->pos];
        if (c == '#') {
            itm_lex_skip_line(lx);
            continue;
        }
        if (c == '\n') {
            int had = !lx->at_line_start;
            lx->pos++;
            lex_newline(lx);
            if (had) {
                t->kind = ITM_TOK_EOL;
                return;
            }
            continue;
        }
        break;
    }
    if (lx->buf[lx->pos] == '[' && lx->at_line_start) {
        lx->at_line_start = 0;
        lex_section(lx, t);
        return;
    }
    lx->at_line_start = 0;
    if (lx->buf[lx->pos] == '=') {
        lx->pos++;
        t->kind = ITM_TOK_EQ;
        return;
    }
    if (lx->buf[lx->pos] == '"') {
        lex_string(lx, t);
        return;
    }
    if (!is_word_char((unsigned char)lx->buf[lx->pos])) {
        unsigned char bad = (unsigned char)lx->buf[lx->pos];
        t->kind = ITM_TOK_ERROR;
        if (bad >= 0x80)
            itm_lex_error(lx, t->line, t->col, "non-ASCII character outside a quoted string");
        else
            itm_lex_error(lx, t->line, t->col, "unexpected character '%c'",
                          bad >= 0x20 && bad < 0x7f ? (char)bad : '?');
        itm_lex_skip_line(lx);
        return;
    }
    t->text = lx->buf + lx->pos;
    while (lx->pos < lx->len && is_word_char((unsigned char)lx->buf[lx->pos]))
        lx->pos++;
    t->kind = ITM_TOK_WORD;
    t->len = (size_t)(lx->buf + lx->pos - t->text);
}

int itm_tok_is(const struct itm_tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->kind == ITM_TOK_WORD && t->len == n && memcmp(t->text, s, n) == 0;
}

char *itm_read_file(const char *path, size_t max_bytes, size_t *len, struct itm_diag *diag,
                    int *err)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    struct stat st;

    *err = ITM_ERR_IO;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        itm_diag_report(diag, path, 0, 0, "is a directory");
        return NULL;
    }
    f = fopen(path, "rb");
    if (!f) {
        itm_diag_report(diag, path, 0, 0, "%s", strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb;
            if (ncap > max_bytes + 4097)
                ncap = max_bytes + 4097;
            if (ncap <= cap) {
                itm_diag_report(diag, path, 0, 0, "file larger than %zu bytes", max_bytes);
                goto fail;
            }
            nb = itm_realloc(buf, ncap);
            if (!nb) {
                *err = ITM_ERR_NOMEM;
                itm_diag_report(diag, path, 0, 0, "out of memory");
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max_bytes) {
            itm_diag_report(diag, path, 0, 0, "file larger than %zu bytes", max_bytes);
            goto fail;
        }
        if (got == 0) {
            if (ferror(f)) {
                itm_diag_report(diag, path, 0, 0, "%s", strerror(errno));
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    *err = ITM_OK;
    return buf;
fail:
    fclose(f);
    itm_free(buf);
    return NULL;
}
