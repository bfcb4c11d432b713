/* textlex.h: the tokenizer shared by the signature and site parsers. Line-oriented:
 * '#' comments, "[section]" headers, words, '=' and double-quoted strings (\" and \\
 * escapes, UTF-8 allowed). CRLF ends a line like LF; a missing final newline is fine.
 * NUL bytes, over-long lines and unterminated strings are errors with line and column.
 * The lexer holds all its state in the struct: any number can run at once. */
#ifndef ITMSCOPE_TEXTLEX_H
#define ITMSCOPE_TEXTLEX_H

#include <stddef.h>

#include "itmscope/common.h"

#define ITM_LEX_MAX_LINE 4096 /* longer lines are rejected: no legitimate rule needs more */
#define ITM_LEX_MAX_STR 1024  /* longest string value after unescaping */

enum itm_tok_kind {
    ITM_TOK_EOF = 0,
    ITM_TOK_EOL,      /* end of a line that had tokens (blank/comment lines are skipped) */
    ITM_TOK_WORD,     /* run of characters other than space, '=', '"', '#' */
    ITM_TOK_STRING,   /* quoted string, unescaped into text */
    ITM_TOK_SECTION,  /* "[name]" at the start of a line; text holds name */
    ITM_TOK_EQ,       /* '=' */
    ITM_TOK_ERROR,    /* reported through diag; the rest of the line is skipped */
};

struct itm_tok {
    int kind;
    unsigned line, col;     /* 1-based position of the token's first character */
    const char *text;       /* WORD/SECTION: into the buffer; STRING: lexer scratch */
    size_t len;
};

struct itm_lex {
    const char *name;       /* file name for diagnostics */
    const char *buf;
    size_t len, pos;
    unsigned line;          /* current line, 1-based */
    size_t line_start;      /* offset of the current line */
    int at_line_start;      /* no token yet on this line */
    struct itm_diag *diag;
    char scratch[ITM_LEX_MAX_STR + 1];
};

void itm_lex_init(struct itm_lex *lx, const char *name, const char *buf, size_t len,
                  struct itm_diag *diag);
/* Next token. A STRING's text is valid until the next call. */
void itm_lex_next(struct itm_lex *lx, struct itm_tok *t);
/* Reports "name:line:col: message" for a token (or position) and counts the error. */
void itm_lex_error(struct itm_lex *lx, unsigned line, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Skips to the end of the current line (after an error). */
void itm_lex_skip_line(struct itm_lex *lx);
/* 1 when the token is a WORD equal to s. */
int itm_tok_is(const struct itm_tok *t, const char *s);

/* Reads a whole file into a NUL-terminated heap buffer (itm_free). On failure reports
 * "path: <strerror>" (or "path: is a directory") through diag and returns NULL with *err
 * = ITM_ERR_IO. Files larger than max_bytes are refused the same way. */
char *itm_read_file(const char *path, size_t max_bytes, size_t *len, struct itm_diag *diag,
                    int *err);

#endif
