/* sigdb-parse.c: reads a signature file (format: signatures/README.md) into a database.
 * All parser state lives in struct sig_parser, so loads are re-entrant. Every problem is
 * reported as file:line:col and parsing goes on to find the rest; a file with any error
 * is rejected whole, never handed back partly loaded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "itmscope/sigdb.h"
#include "sigdb-int.h"
#include "sigdb-parse.h"
#include "textlex.h"

size_t itm_sig_pool_add(struct sig_parser *p, const char *s, size_t len)
{
    size_t off;

    if (p->pcap - p->plen < len + 1) {
        size_t ncap = p->pcap ? p->pcap : 4096;
        char *np;
        while (ncap - p->plen < len + 1)
            ncap *= 2;
        np = itm_realloc(p->pool, ncap);
        if (!np) {
            p->nomem = 1;
            return SIG_NO_STR;
        }
        p->pool = np;
        p->pcap = ncap;
    }
    off = p->plen;
    if (len)
        memcpy(p->pool + off, s, len);
    p->pool[off + len] = '\0';
    p->plen += len + 1;
    return off;
}

static void rule_close(struct sig_parser *p)
{
    struct sig_draft *d;
    uint32_t missing;

    if (!p->in_rule)
        return;
    p->in_rule = 0;
    d = &p->drafts[p->ndrafts - 1];
    missing = SIG_REQUIRED & ~d->seen;
    for (int k = 0; k < K_COUNT; k++) {
        if (!(missing & KBIT(k)))
            continue;
        if (d->str[S_ID] != SIG_NO_STR)
            SIG_ERR_AT(p, d->at, "rule '%s' lacks required key '%s'",
                       p->pool + d->str[S_ID], itm_sig_key_name(k));
        else
            SIG_ERR_AT(p, d->at, "rule lacks required key '%s'", itm_sig_key_name(k));
    }
    itm_sig_rule_check(p, d);
}

static void rule_open(struct sig_parser *p, const struct itm_tok *st)
{
    struct sig_draft *d;

    if (p->ndrafts == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 32;
        struct sig_draft *nd = itm_realloc(p->drafts, ncap * sizeof(*nd));
        if (!nd) {
            p->nomem = 1;
            return;
        }
        p->drafts = nd;
        p->cap = ncap;
    }
    d = &p->drafts[p->ndrafts++];
    memset(d, 0, sizeof(*d));
    for (int s = 0; s < S_COUNT; s++)
        d->str[s] = SIG_NO_STR;
    d->r.icmp_type = 0xff;
    d->r.line = st->line;
    d->at.line = st->line;
    d->at.col = st->col;
    p->in_rule = 1;
}

/* After a bad line: drop what is left of it (the lexer then returns the line's EOL). */
static void line_drop(struct sig_parser *p, const struct itm_tok *t)
{
    if (t->kind != ITM_TOK_EOL && t->kind != ITM_TOK_EOF)
        itm_lex_skip_line(&p->lx);
}

static void parse_section(struct sig_parser *p, const struct itm_tok *st)
{
    struct itm_tok t;

    rule_close(p);
    p->skipping = 0;
    if (st->len == 4 && memcmp(st->text, "rule", 4) == 0) {
        if (p->ndrafts < ITM_SIGDB_MAX_RULES) {
            rule_open(p, st);
        } else {
            if (!p->too_many)
                SIG_ERR(p, st->line, st->col, "more than %u rules", ITM_SIGDB_MAX_RULES);
            p->too_many = 1;
            p->skipping = 1;
        }
    } else {
        SIG_ERR(p, st->line, st->col, "unknown section [%.*s]", (int)st->len, st->text);
        p->skipping = 1;
    }
    if (p->nomem)
        return;
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_EOL && t.kind != ITM_TOK_EOF && t.kind != ITM_TOK_ERROR)
        SIG_ERR(p, t.line, t.col, "unexpected text after section header");
    line_drop(p, &t);
}

/* The value token of a key line; marks the key given even when the value is missing, so
 * that a broken line is not also reported as a missing key. */
static int parse_value(struct sig_parser *p, struct sig_draft *d, int k, const struct itm_tok *kt)
{
    struct itm_tok t;
    struct sig_val v;

    d->seen |= KBIT(k);
    d->key[k].line = kt->line;
    d->key[k].col = kt->col;
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_EQ) {
        if (t.kind != ITM_TOK_ERROR)
            SIG_ERR(p, t.line, t.col, "expected '=' after key '%s'", itm_sig_key_name(k));
        d->bad |= KBIT(k);
        line_drop(p, &t);
        return -1;
    }
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_WORD && t.kind != ITM_TOK_STRING) {
        if (t.kind != ITM_TOK_ERROR)
            SIG_ERR(p, kt->line, kt->col, "missing value for key '%s'", itm_sig_key_name(k));
        d->bad |= KBIT(k);
        line_drop(p, &t);
        return -1;
    }
    v.s = t.text;
    v.len = t.len;
    v.line = t.line;
    v.quoted = t.kind == ITM_TOK_STRING;
    v.col = t.col + (v.quoted ? 1u : 0u);
    if (itm_sig_set_value(p, d, k, &v) < 0)
        d->bad |= KBIT(k);
    return 0;
}

static void parse_key_line(struct sig_parser *p, const struct itm_tok *kt)
{
    struct itm_tok t;
    struct sig_draft *d;
    int k;

    if (p->skipping) {
        itm_lex_skip_line(&p->lx);
        return;
    }
    k = itm_sig_key_lookup(kt->text, kt->len);
    if (k < 0) {
        SIG_ERR(p, kt->line, kt->col, "unknown key '%.*s'", (int)kt->len, kt->text);
        itm_lex_skip_line(&p->lx);
        return;
    }
    if (!p->in_rule) {
        SIG_ERR(p, kt->line, kt->col, "key '%s' outside a [rule] section", itm_sig_key_name(k));
        itm_lex_skip_line(&p->lx);
        return;
    }
    d = &p->drafts[p->ndrafts - 1];
    if (d->seen & KBIT(k)) {
        SIG_ERR(p, kt->line, kt->col, "duplicate key '%s' (first at line %u)", itm_sig_key_name(k),
                d->key[k].line);
        itm_lex_skip_line(&p->lx);
        return;
    }
    if (parse_value(p, d, k, kt) < 0 || p->nomem)
        return;
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_EOL && t.kind != ITM_TOK_EOF && t.kind != ITM_TOK_ERROR)
        SIG_ERR(p, t.line, t.col, "unexpected text after the value of '%s'", itm_sig_key_name(k));
    line_drop(p, &t);
}

static void parse_all(struct sig_parser *p)
{
    struct itm_tok t;

    while (!p->nomem) {
        itm_lex_next(&p->lx, &t);
        switch (t.kind) {
        case ITM_TOK_EOF:
            rule_close(p);
            return;
        case ITM_TOK_EOL:
            break;
        case ITM_TOK_ERROR: /* already reported by the lexer */
            line_drop(p, &t);
            break;
        case ITM_TOK_SECTION:
            parse_section(p, &t);
            break;
        case ITM_TOK_WORD:
            parse_key_line(p, &t);
            break;
        default:
            SIG_ERR(p, t.line, t.col, "value without key");
            itm_lex_skip_line(&p->lx);
            break;
        }
    }
}

static const char *pool_str(const struct sig_parser *p, size_t off, const char *unset)
{
    return off == SIG_NO_STR ? unset : p->pool + off;
}

/* Copies the drafts into db->rules, with strings pointing into the (now final) pool. */
static int rules_from_drafts(struct sig_parser *p, struct itm_sigdb *db)
{
    const char *empty = p->pool; /* offset 0 is "" */

    db->rules = itm_calloc(p->ndrafts, sizeof(*db->rules));
    if (!db->rules)
        return ITM_ERR_NOMEM;
    db->nrules = p->ndrafts;
    for (size_t i = 0; i < p->ndrafts; i++) {
        const struct sig_draft *d = &p->drafts[i];
        struct itm_rule *r = &db->rules[i];
        *r = d->r;
        r->id = pool_str(p, d->str[S_ID], NULL);
        r->suite = pool_str(p, d->str[S_SUITE], empty);
        r->component = pool_str(p, d->str[S_COMPONENT], empty);
        r->services = pool_str(p, d->str[S_SERVICES], empty);
        r->configurable = pool_str(p, d->str[S_CONFIGURABLE], empty);
        r->note = pool_str(p, d->str[S_NOTE], empty);
        r->follows = pool_str(p, d->str[S_FOLLOWS], NULL);
        r->paths = pool_str(p, d->str[S_PATHS], empty);
        r->index = (uint16_t)i;
    }
    return 0;
}

/* Sorts the ids, then reports duplicates and dangling 'follows' in file order. */
static int check_ids(struct sig_parser *p, struct itm_sigdb *db)
{
    size_t nid = 0;

    db->by_id = itm_calloc(db->nrules, sizeof(*db->by_id));
    if (!db->by_id)
        return ITM_ERR_NOMEM;
    for (size_t i = 0; i < db->nrules; i++)
        if (db->rules[i].id)
            db->by_id[nid++] = &db->rules[i];
    qsort(db->by_id, nid, sizeof(*db->by_id), itm_sigdb_id_cmp);
    for (size_t i = 1, first = 0; i < nid; i++) {
        if (strcmp(db->by_id[first]->id, db->by_id[i]->id) != 0)
            first = i;
        else
            p->drafts[db->by_id[i]->index].dup_of = db->by_id[first]->line;
    }
    for (size_t i = 0; i < db->nrules; i++) {
        const struct sig_draft *d = &p->drafts[i];
        const struct itm_rule *r = &db->rules[i];
        if (d->dup_of)
            SIG_ERR_AT(p, d->key[K_ID], "duplicate rule id '%s' (first at line %u)", r->id,
                       d->dup_of);
        if (!r->follows || (d->bad & KBIT(K_FOLLOWS)))
            continue;
        if (r->id && strcmp(r->id, r->follows) == 0)
            SIG_ERR_AT(p, d->key[K_FOLLOWS], "a rule cannot follow itself");
        else if (!bsearch(r->follows, db->by_id, nid, sizeof(*db->by_id),
                          itm_sigdb_id_key_cmp))
            SIG_ERR_AT(p, d->key[K_FOLLOWS], "follows unknown rule '%s'", r->follows);
    }
    return 0;
}

/* Turns a parsed file into a database; *err says why when it returns NULL. */
static struct itm_sigdb *finish(struct sig_parser *p, struct itm_diag *d, unsigned before,
                                int *err)
{
    struct itm_sigdb *db;
    int rc;

    if (p->ndrafts == 0)
        itm_diag_report(d, p->lx.name, 0, 0, "no rules");
    db = itm_calloc(1, sizeof(*db));
    if (!db) {
        *err = ITM_ERR_NOMEM;
        return NULL;
    }
    rc = rules_from_drafts(p, db);
    db->strings = p->pool; /* the rules' strings point into it */
    p->pool = NULL;
    if (rc == 0)
        rc = check_ids(p, db);
    if (rc == 0 && d->errors != before)
        rc = ITM_ERR_PARSE;
    if (rc == 0) {
        rc = itm_sigdb_index_build(db, &db->idx);
        if (rc == ITM_ERR_FULL) {
            itm_diag_report(d, p->lx.name, 0, 0, "the port index would exceed %u entries",
                            ITM_SIGDB_MAX_INDEX);
            rc = ITM_ERR_PARSE;
        }
    }
    if (rc != 0) {
        itm_sigdb_free(db);
        *err = rc;
        return NULL;
    }
    *err = ITM_OK;
    return db;
}

struct itm_sigdb *itm_sigdb_load_mem(const char *name, const char *buf, size_t len,
                                     struct itm_diag *diag, int *err)
{
    struct itm_diag quiet = {NULL, NULL, 0};
    struct itm_diag *d = diag ? diag : &quiet; /* errors must be counted even unheard */
    struct sig_parser *p;
    struct itm_sigdb *db = NULL;
    unsigned before = d->errors;
    int dummy;

    if (!err)
        err = &dummy;
    if (!buf && len) {
        *err = ITM_ERR_INVAL;
        return NULL;
    }
    *err = ITM_ERR_NOMEM;
    p = itm_calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    itm_lex_init(&p->lx, name ? name : "-", buf, len, d);
    if (itm_sig_pool_add(p, "", 0) != SIG_NO_STR)
        parse_all(p);
    if (!p->nomem)
        db = finish(p, d, before, err);
    itm_free(p->pool);
    itm_free(p->drafts);
    itm_free(p);
    return db;
}

struct itm_sigdb *itm_sigdb_load_file(const char *path, struct itm_diag *diag, int *err)
{
    struct itm_sigdb *db;
    size_t len = 0;
    int dummy;
    char *buf;

    if (!err)
        err = &dummy;
    if (!path) {
        *err = ITM_ERR_INVAL;
        return NULL;
    }
    buf = itm_read_file(path, ITM_SIGDB_MAX_BYTES, &len, diag, err);
    if (!buf)
        return NULL;
    db = itm_sigdb_load_mem(path, buf, len, diag, err);
    itm_free(buf);
    return db;
}
