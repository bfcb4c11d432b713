/* site-parse.c: the site file parser: tokens from textlex become roles, local networks,
 * moves, policy and allow entries of a struct itm_site. It keeps no state outside its parser
 * struct, never prints and never stops at the first error: each is reported at file:line:col. */
#include "site-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "itmscope/flow.h"
#include "textlex.h"

#define SHOW_MAX 64 /* longest piece of user text echoed back in a diagnostic */
#define SHOW(p, n) (int)((n) > SHOW_MAX ? SHOW_MAX : (n)), (p)
#define ALL_FLAGS ((UINT32_C(1) << ITM_F_COUNT_BITS) - 1u)

enum site_sec { SEC_NONE, SEC_ROLES, SEC_LOCAL, SEC_MOVE, SEC_POLICY, SEC_ALLOW, SEC_BAD };

static const char *const sec_names[] = {
    [SEC_ROLES] = "roles", [SEC_LOCAL] = "local",   [SEC_MOVE] = "move",
    [SEC_POLICY] = "policy", [SEC_ALLOW] = "allow",
};

enum move_key { MOVE_PORTS, MOVE_GROUP, MOVE_COUNT };
enum allow_key { ALLOW_FLAG, ALLOW_CLIENT, ALLOW_SERVER, ALLOW_RULE, ALLOW_COUNT };
enum pol_key { POL_CLEARTEXT, POL_SCAN_PORTS, POL_SCAN_HOSTS, POL_SCAN_WINDOW, POL_TICKLE,
               POL_INFER, POL_COUNT };

/* Names and, for numbers, the accepted range: a window longer than a day or a threshold of
 * zero is a typo, not a policy. */
static const struct {
    const char *name;
    unsigned min, max;
} pol_keys[POL_COUNT] = {
    [POL_CLEARTEXT] = {"cleartext", 0, 1},         [POL_SCAN_PORTS] = {"scan_ports", 1, 65535},
    [POL_SCAN_HOSTS] = {"scan_hosts", 1, 16777216}, [POL_SCAN_WINDOW] = {"scan_window", 1, 86400},
    [POL_TICKLE] = {"tickle_group", 0, 0},         [POL_INFER] = {"infer_roles", 0, 1},
};

/* The loader's whole state: any number of loads may run at once. A line's tokens are
 * collected first (strings copied out of the lexer's scratch) and acted on at its end, so a
 * lexical error anywhere on a line drops the whole line. */
struct site_parser {
    struct itm_lex lx;
    struct itm_diag *diag;
    struct itm_site *site;
    enum site_sec sec;
    unsigned errors; /* counted here too: diag may be NULL */
    int line_bad;
    size_t ntok, str_used;
    unsigned pol_line[POL_COUNT];
    struct itm_tok tok[ITM_SITE_MAX_TOKS];
    char str[ITM_LEX_MAX_LINE + ITM_SITE_MAX_TOKS + 1];
};

struct site_pair {
    const struct itm_tok *key, *val;
};

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void site_err(struct site_parser *p, const struct itm_tok *t, size_t off,
                     const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    /* Offsets inside a quoted string would be shifted by escapes: point at its quote. */
    unsigned col = t->col + (t->kind == ITM_TOK_STRING ? 0u : (unsigned)off);

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->errors++;
    p->line_bad = 1;
    itm_diag_report(p->diag, p->lx.name, t->line, col, "%s", msg);
}

static int is_value(const struct itm_tok *t)
{
    return t->kind == ITM_TOK_WORD || t->kind == ITM_TOK_STRING;
}

static int tok_eq(const struct itm_tok *t, const char *s)
{
    size_t n = strlen(s);
    return is_value(t) && t->len == n && memcmp(t->text, s, n) == 0;
}

/* ---- numbers, ports, addresses ---- */

enum num_res { NUM_OK, NUM_BAD, NUM_NEG, NUM_TRAIL, NUM_BIG };

static enum num_res parse_num(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    if (len > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9')
        return NUM_NEG;
    if (len == 0 || s[0] < '0' || s[0] > '9')
        return NUM_BAD;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        if (v <= max)
            v = v * 10 + (uint64_t)(s[i] - '0');
    if (i < len)
        return NUM_TRAIL;
    if (v > max)
        return NUM_BIG;
    *out = v;
    return NUM_OK;
}

static const char *num_why(enum num_res r)
{
    switch (r) {
    case NUM_NEG:
        return " (negative)";
    case NUM_TRAIL:
        return " (trailing characters)";
    case NUM_BIG:
        return " (too large)";
    default:
        return "";
    }
}

static int parse_port(struct site_parser *p, const struct itm_tok *t, size_t off, size_t len,
                      uint16_t *out)
{
    uint64_t v = 0;

    if (parse_num(t->text + off, len, 65535, &v) != NUM_OK || v == 0) {
        site_err(p, t, off, "bad port '%.*s' (1-65535)", SHOW(t->text + off, len));
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One item of a port list, text[a, end): a port or "lo-hi". */
static int parse_port_item(struct site_parser *p, const struct itm_tok *t, size_t a, size_t end,
                           struct itm_port_range *r)
{
    const char *dash = memchr(t->text + a, '-', end - a);
    size_t mid = dash ? (size_t)(dash - t->text) : end;

    if (parse_port(p, t, a, mid - a, &r->lo) < 0)
        return -1;
    r->hi = r->lo;
    if (dash && parse_port(p, t, mid + 1, end - mid - 1, &r->hi) < 0)
        return -1;
    if (r->hi < r->lo) {
        site_err(p, t, a, "reversed port range '%.*s'", SHOW(t->text + a, end - a));
        return -1;
    }
    return 0;
}

/* "80;443;1024-65535", as in the signature file. Blanks around items can only come from a
 * quoted value and are ignored there too. */
static int parse_ports(struct site_parser *p, const struct itm_tok *t,
                       struct itm_port_range *r, unsigned *nr)
{
    size_t off = 0;

    *nr = 0;
    while (off <= t->len) {
        const char *semi = memchr(t->text + off, ';', t->len - off);
        size_t end = semi ? (size_t)(semi - t->text) : t->len, a = off;

        off = end + 1;
        while (a < end && is_blank(t->text[a]))
            a++;
        while (end > a && is_blank(t->text[end - 1]))
            end--;
        if (end == a) {
            site_err(p, t, a, "empty list item");
            return -1;
        }
        if (*nr == ITM_RULE_MAX_RANGES) {
            site_err(p, t, a, "too many port ranges (at most %d)", ITM_RULE_MAX_RANGES);
            return -1;
        }
        if (parse_port_item(p, t, a, end, &r[*nr]) < 0)
            return -1;
        (*nr)++;
    }
    return 0;
}

/* One address, copied out because itm_ip_parse wants a C string. */
static int parse_ip(const char *s, size_t len, struct itm_ip *out)
{
    char buf[64];

    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return itm_ip_parse(buf, out) == 0 ? 0 : -1;
}

/* "addr" or "addr/len". Host bits must be clear: "10.1.1.5/24" is more likely a typo for a
 * host or for the network than a deliberate way to write 10.1.1.0/24. */
static int parse_prefix(struct site_parser *p, const struct itm_tok *t, struct itm_site_pfx *out)
{
    const char *slash = memchr(t->text, '/', t->len);
    size_t alen = slash ? (size_t)(slash - t->text) : t->len, llen = t->len - alen;
    struct itm_ip net;
    uint64_t v = 0;
    unsigned full;
    char buf[64];

    memset(out, 0, sizeof(*out));
    if (parse_ip(t->text, alen, &out->addr) < 0) {
        site_err(p, t, 0, "bad address '%.*s'", SHOW(t->text, alen));
        return -1;
    }
    full = itm_site_full_len(&out->addr);
    out->plen = (uint8_t)full;
    out->line = t->line;
    out->col = t->col;
    if (!slash)
        return 0;
    llen--; /* the '/' */
    if (llen > 3 || parse_num(slash + 1, llen, full, &v) != NUM_OK) {
        site_err(p, t, alen + 1, "bad prefix length '%.*s' (0-%u for IPv%u)",
                 SHOW(slash + 1, llen), full, out->addr.family);
        return -1;
    }
    out->plen = (uint8_t)v;
    net = out->addr;
    itm_site_mask(net.a, out->plen);
    if (memcmp(net.a, out->addr.a, sizeof(net.a)) != 0) {
        site_err(p, t, 0, "host bits set in '%.*s' (the network is %s/%u)",
                 SHOW(t->text, t->len), itm_ip_format(&net, buf, sizeof(buf)), out->plen);
        return -1;
    }
    return 0;
}

static int parse_group(struct site_parser *p, const struct itm_tok *t, struct itm_ip *out)
{
    if (parse_ip(t->text, t->len, out) < 0) {
        site_err(p, t, 0, "bad address '%.*s'", SHOW(t->text, t->len));
        return -1;
    }
    if (!itm_ip_is_multicast(out)) {
        site_err(p, t, 0, "'%.*s' is not a multicast group", SHOW(t->text, t->len));
        return -1;
    }
    return 0;
}

/* "key = value key = value ..." over the n tokens from t[0]. */
static int parse_pairs(struct site_parser *p, const struct itm_tok *t, size_t n,
                       struct site_pair *out, size_t *npairs)
{
    size_t i = 0;

    *npairs = 0;
    while (i < n) {
        if (t[i].kind != ITM_TOK_WORD) {
            site_err(p, &t[i], 0, "expected 'key = value'");
            return -1;
        }
        if (i + 1 >= n || t[i + 1].kind != ITM_TOK_EQ) {
            const struct itm_tok *at = i + 1 < n ? &t[i + 1] : &t[i];
            site_err(p, at, i + 1 < n ? 0 : t[i].len, "expected '=' after '%.*s'",
                     SHOW(t[i].text, t[i].len));
            return -1;
        }
        if (i + 2 >= n || !is_value(&t[i + 2])) {
            site_err(p, &t[i + 1], 1, "missing value for '%.*s'", SHOW(t[i].text, t[i].len));
            return -1;
        }
        out[*npairs].key = &t[i];
        out[*npairs].val = &t[i + 2];
        (*npairs)++;
        i += 3;
    }
    return 0;
}

/* Index of the pair's key in names[], or -1 after reporting it (unknown or repeated). */
static int pair_key(struct site_parser *p, const struct site_pair *pr, size_t k,
                    const char *const *names, size_t nnames, const char *where,
                    const char *expected)
{
    for (size_t i = 0; i < nnames; i++) {
        if (!tok_eq(pr[k].key, names[i]))
            continue;
        for (size_t j = 0; j < k; j++)
            if (tok_eq(pr[j].key, names[i])) {
                site_err(p, pr[k].key, 0, "duplicate key '%s'", names[i]);
                return -1;
            }
        return (int)i;
    }
    site_err(p, pr[k].key, 0, "unknown key '%.*s' in [%s] (expected %s)",
             SHOW(pr[k].key->text, pr[k].key->len), where, expected);
    return -1;
}

/* ---- sections ---- */

static int roles_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    struct itm_site *s = p->site;
    struct itm_site_pfx e, *nv;

    if (!is_value(&t[0])) {
        site_err(p, &t[0], 0, "expected an address or network");
        return 0;
    }
    if (parse_prefix(p, &t[0], &e) < 0)
        return 0;
    if (n == 1) {
        site_err(p, &t[0], 0, "no role given for '%.*s'", SHOW(t[0].text, t[0].len));
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        int r = is_value(&t[i]) ? itm_role_parse(t[i].text, t[i].len) : -1;
        if (t[i].kind == ITM_TOK_EQ) {
            site_err(p, &t[i], 0, "unexpected '=' in [roles]");
            return 0;
        }
        if (r < 0) {
            site_err(p, &t[i], 0, "unknown role '%.*s'", SHOW(t[i].text, t[i].len));
            return 0;
        }
        e.value |= ITM_ROLE_BIT(r);
    }
    nv = itm_site_grow(s->roles, &s->roles_cap, s->nroles, sizeof(*nv));
    if (!nv)
        return ITM_ERR_NOMEM;
    s->roles = nv;
    s->roles[s->nroles++] = e;
    return 0;
}

static int local_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    struct itm_site_pfx e;

    if (!is_value(&t[0])) {
        site_err(p, &t[0], 0, "expected an address or network");
        return 0;
    }
    if (parse_prefix(p, &t[0], &e) < 0)
        return 0;
    if (n > 1) {
        site_err(p, &t[1], 0, "expected one network per line");
        return 0;
    }
    return itm_site_add_local(p->site, &e);
}

static const struct itm_site_move *find_move(const struct itm_site *s, const struct itm_tok *t)
{
    for (size_t i = 0; i < s->nmoves; i++)
        if (strlen(s->moves[i].id) == t->len && memcmp(s->moves[i].id, t->text, t->len) == 0)
            return &s->moves[i];
    return NULL;
}

static int move_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    static const char *const keys[] = {[MOVE_PORTS] = "ports", [MOVE_GROUP] = "group"};
    struct itm_site *s = p->site;
    struct itm_site_move m, *nv;
    const struct itm_site_move *prev;
    struct site_pair pr[ITM_SITE_MAX_TOKS / 3];
    size_t np = 0;

    memset(&m, 0, sizeof(m));
    if (!is_value(&t[0])) {
        site_err(p, &t[0], 0, "expected a rule id");
        return 0;
    }
    if (parse_pairs(p, t + 1, n - 1, pr, &np) < 0)
        return 0;
    for (size_t k = 0; k < np; k++) {
        int key = pair_key(p, pr, k, keys, MOVE_COUNT, "move", "ports or group");
        if (key < 0)
            return 0;
        if (key == MOVE_PORTS && parse_ports(p, pr[k].val, m.ranges, &m.nranges) < 0)
            return 0;
        if (key == MOVE_GROUP && parse_group(p, pr[k].val, &m.group) < 0)
            return 0;
    }
    if (np == 0) {
        site_err(p, &t[0], 0, "nothing to move for '%.*s' (give ports, group or both)",
                 SHOW(t[0].text, t[0].len));
        return 0;
    }
    prev = find_move(s, &t[0]);
    if (prev) {
        site_err(p, &t[0], 0, "rule '%.*s' already moved on line %u", SHOW(prev->id, t[0].len),
                 prev->line);
        return 0;
    }
    m.line = t[0].line;
    m.col = t[0].col;
    nv = itm_site_grow(s->moves, &s->moves_cap, s->nmoves, sizeof(*nv));
    if (!nv)
        return ITM_ERR_NOMEM;
    s->moves = nv;
    m.id = itm_strndup(t[0].text, t[0].len);
    if (!m.id)
        return ITM_ERR_NOMEM;
    s->moves[s->nmoves++] = m;
    return 0;
}

static int parse_bool(struct site_parser *p, const struct itm_tok *v, int *out)
{
    if (tok_eq(v, "on") || tok_eq(v, "off")) {
        *out = tok_eq(v, "on");
        return 0;
    }
    site_err(p, v, 0, "bad boolean '%.*s' (on or off)", SHOW(v->text, v->len));
    return -1;
}

static int parse_policy_num(struct site_parser *p, int key, const struct itm_tok *v,
                            unsigned *out)
{
    uint64_t n = 0;
    enum num_res r = parse_num(v->text, v->len, UINT32_MAX, &n);

    if (r != NUM_OK) {
        site_err(p, v, 0, "bad number '%.*s'%s", SHOW(v->text, v->len), num_why(r));
        return -1;
    }
    if (n < pol_keys[key].min || n > pol_keys[key].max) {
        site_err(p, v, 0, "%s must be between %u and %u", pol_keys[key].name, pol_keys[key].min,
                 pol_keys[key].max);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static int policy_set(struct site_parser *p, int key, const struct itm_tok *v)
{
    struct itm_policy *pol = &p->site->policy;

    switch (key) {
    case POL_CLEARTEXT:
        return parse_bool(p, v, &pol->cleartext);
    case POL_INFER:
        return parse_bool(p, v, &pol->infer_roles);
    case POL_SCAN_PORTS:
        return parse_policy_num(p, key, v, &pol->scan_ports);
    case POL_SCAN_HOSTS:
        return parse_policy_num(p, key, v, &pol->scan_hosts);
    case POL_SCAN_WINDOW:
        return parse_policy_num(p, key, v, &pol->scan_window_s);
    default:
        return parse_group(p, v, &pol->tickle_group);
    }
}

static int policy_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    struct site_pair pr[ITM_SITE_MAX_TOKS / 3];
    size_t np = 0;
    int key = -1;

    if (parse_pairs(p, t, n, pr, &np) < 0)
        return 0;
    if (np > 1) {
        site_err(p, pr[1].key, 0, "expected one 'key = value' per line");
        return 0;
    }
    for (int k = 0; k < POL_COUNT; k++)
        if (tok_eq(pr[0].key, pol_keys[k].name))
            key = k;
    if (key < 0) {
        site_err(p, pr[0].key, 0, "unknown policy key '%.*s'",
                 SHOW(pr[0].key->text, pr[0].key->len));
        return 0;
    }
    if (p->pol_line[key]) {
        site_err(p, pr[0].key, 0, "policy key '%s' already set on line %u", pol_keys[key].name,
                 p->pol_line[key]);
        return 0;
    }
    if (policy_set(p, key, pr[0].val) == 0)
        p->pol_line[key] = t[0].line;
    return 0;
}

/* 0 or ITM_ERR_NOMEM; a bad value is reported and marks the line bad. */
static int allow_value(struct site_parser *p, int key, const struct itm_tok *v,
                       struct itm_site_allow *a)
{
    switch (key) {
    case ALLOW_FLAG:
        a->flags = tok_eq(v, "any") ? ALL_FLAGS : itm_flag_parse(v->text, v->len);
        if (!a->flags)
            site_err(p, v, 0, "unknown flag '%.*s'", SHOW(v->text, v->len));
        return 0;
    case ALLOW_CLIENT:
        parse_prefix(p, v, &a->client);
        return 0;
    case ALLOW_SERVER:
        parse_prefix(p, v, &a->server);
        return 0;
    default:
        a->rule = itm_strndup(v->text, v->len);
        return a->rule ? 0 : ITM_ERR_NOMEM;
    }
}

static int allow_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    static const char *const keys[] = {
        [ALLOW_FLAG] = "flag", [ALLOW_CLIENT] = "client", [ALLOW_SERVER] = "server",
        [ALLOW_RULE] = "rule"};
    struct itm_site *s = p->site;
    struct itm_site_allow a, *nv;
    struct site_pair pr[ITM_SITE_MAX_TOKS / 3];
    size_t np = 0;
    int rc = 0;

    memset(&a, 0, sizeof(a));
    a.line = t[0].line;
    if (parse_pairs(p, t, n, pr, &np) < 0)
        return 0;
    for (size_t k = 0; k < np && rc == 0 && !p->line_bad; k++) {
        int key = pair_key(p, pr, k, keys, ALLOW_COUNT, "allow", "flag, client, server or rule");
        if (key >= 0)
            rc = allow_value(p, key, pr[k].val, &a);
    }
    if (rc == 0 && !p->line_bad && !a.flags)
        site_err(p, &t[0], 0, "no flag given (write flag = any to silence every flag)");
    if (rc == 0 && !p->line_bad) {
        nv = itm_site_grow(s->allows, &s->allows_cap, s->nallows, sizeof(*nv));
        if (nv) {
            s->allows = nv;
            s->allows[s->nallows++] = a;
            return 0;
        }
        rc = ITM_ERR_NOMEM;
    }
    itm_free(a.rule);
    return rc;
}

static void section_line(struct site_parser *p, const struct itm_tok *t, size_t n)
{
    if (n > 1) {
        site_err(p, &t[1], 0, "unexpected text after section header");
        return;
    }
    for (int s = SEC_ROLES; s <= SEC_ALLOW; s++)
        if (strlen(sec_names[s]) == t->len && memcmp(sec_names[s], t->text, t->len) == 0) {
            p->sec = (enum site_sec)s;
            return;
        }
    /* Lines under an unknown header are ignored: the file is rejected already, and one
     * message says more than one per line. */
    p->sec = SEC_BAD;
    site_err(p, t, 0, "unknown section '[%.*s]' (expected roles, local, move, policy or allow)",
             SHOW(t->text, t->len));
}

static int handle_line(struct site_parser *p)
{
    const struct itm_tok *t = p->tok;
    size_t n = p->ntok;

    if (t[0].kind == ITM_TOK_SECTION) {
        section_line(p, t, n);
        return 0;
    }
    switch (p->sec) {
    case SEC_NONE:
        site_err(p, &t[0], 0, "line outside any section");
        return 0;
    case SEC_ROLES:
        return roles_line(p, t, n);
    case SEC_LOCAL:
        return local_line(p, t, n);
    case SEC_MOVE:
        return move_line(p, t, n);
    case SEC_POLICY:
        return policy_line(p, t, n);
    case SEC_ALLOW:
        return allow_line(p, t, n);
    default:
        return 0;
    }
}

static void push_tok(struct site_parser *p, const struct itm_tok *t)
{
    struct itm_tok *d;

    if (p->ntok == ITM_SITE_MAX_TOKS) {
        if (!p->line_bad)
            site_err(p, t, 0, "too many items on one line (more than %d)", ITM_SITE_MAX_TOKS);
        return;
    }
    d = &p->tok[p->ntok++];
    *d = *t;
    if (t->kind == ITM_TOK_STRING) {
        /* Unescaped strings are shorter than the line they came from, so this never fails;
         * the check keeps that reasoning out of the memory-safety argument. */
        if (t->len + 1 > sizeof(p->str) - p->str_used) {
            site_err(p, t, 0, "line too long");
            return;
        }
        memcpy(p->str + p->str_used, t->text, t->len);
        p->str[p->str_used + t->len] = '\0';
        d->text = p->str + p->str_used;
        p->str_used += t->len + 1;
    }
}

static int parse_all(struct site_parser *p)
{
    struct itm_tok t;

    for (;;) {
        int rc = 0;
        itm_lex_next(&p->lx, &t);
        switch (t.kind) {
        case ITM_TOK_EOF:
            return 0;
        case ITM_TOK_ERROR:
            p->errors++; /* the lexer reported it */
            p->line_bad = 1;
            break;
        case ITM_TOK_EOL:
            if (!p->line_bad && p->ntok > 0)
                rc = handle_line(p);
            p->ntok = 0;
            p->str_used = 0;
            p->line_bad = 0;
            break;
        default:
            push_tok(p, &t);
            break;
        }
        if (rc < 0)
            return rc;
    }
}

/* Marks each [roles] entry that repeats an earlier one, then reports them in file order so
 * that the messages read top to bottom. */
static void report_duplicates(struct site_parser *p)
{
    struct itm_site *s = p->site;

    for (int f = 0; f < 2; f++) {
        const struct itm_site_index *ix = &s->role_ix[f];
        size_t first = 0;
        for (size_t i = 1; i < ix->n; i++) {
            const struct itm_site_key *a = &ix->v[first], *b = &ix->v[i];
            if (a->plen != b->plen || a->hi != b->hi || a->lo != b->lo) {
                first = i;
                continue;
            }
            s->roles[b->order].dup_of = s->roles[a->order].line;
        }
    }
    for (size_t i = 0; i < s->nroles; i++) {
        const struct itm_site_pfx *e = &s->roles[i];
        struct itm_tok at = {ITM_TOK_WORD, e->line, e->col, NULL, 0};
        char buf[64];
        if (!e->dup_of)
            continue;
        site_err(p, &at, 0, "duplicate entry for %s (first on line %u)",
                 itm_site_pfx_format(e, buf, sizeof(buf)), e->dup_of);
    }
}

int itm_site_parse(struct itm_site *s, const char *name, const char *buf, size_t len,
                   struct itm_diag *diag)
{
    struct site_parser *p = itm_calloc(1, sizeof(*p));
    int rc;

    /* The parser carries a line's worth of copied strings: too big for a caller's stack. */
    if (!p)
        return ITM_ERR_NOMEM;
    itm_lex_init(&p->lx, name, buf, len, diag);
    p->diag = diag;
    p->site = s;
    rc = parse_all(p);
    if (rc == 0)
        rc = itm_site_build(s);
    if (rc == 0)
        report_duplicates(p);
    if (rc == 0 && p->errors)
        rc = ITM_ERR_PARSE;
    itm_free(p);
    return rc;
}

