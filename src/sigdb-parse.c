/* sigdb-parse.c: reads a signature file (format: signatures/README.md) into a database.
 * All parser state lives in struct sig_parser, so loads are re-entrant. Every problem is
 * reported as file:line:col and parsing goes on to find the rest; a file with any error
 * is rejected whole, never handed back partly loaded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itmscope/sigdb.h"
#include "sigdb-int.h"
#include "textlex.h"

enum sig_key_id {
    K_ID, K_SUITE, K_COMPONENT, K_PROTOS, K_PROTOS_EXTRA, K_ICMP_TYPE, K_PORTS, K_CLIENT,
    K_SERVER, K_SERVICES, K_CONFIGURABLE, K_NOTE, K_FLAGS, K_GROUP, K_FOLLOWS, K_CHECK, K_COUNT
};

enum sig_str { S_ID, S_SUITE, S_COMPONENT, S_SERVICES, S_CONFIGURABLE, S_NOTE, S_FOLLOWS, S_COUNT };

#define SIG_NO_STR SIZE_MAX
#define SIG_ERR(p, ln, cl, ...) itm_lex_error(&(p)->lx, (ln), (cl), __VA_ARGS__)
#define SIG_ERR_AT(p, pos, ...) itm_lex_error(&(p)->lx, (pos).line, (pos).col, __VA_ARGS__)
#define KBIT(k) (UINT32_C(1) << (k))
#define SIG_REQUIRED                                                                           \
    (KBIT(K_ID) | KBIT(K_SUITE) | KBIT(K_COMPONENT) | KBIT(K_PROTOS) | KBIT(K_PORTS) |         \
     KBIT(K_CLIENT) | KBIT(K_SERVER))

struct sig_pos {
    unsigned line, col;
};

/* A rule while its file is read: strings are pool offsets because the pool still grows. */
struct sig_draft {
    struct itm_rule r;
    size_t str[S_COUNT];         /* SIG_NO_STR when unset */
    struct sig_pos at;           /* the [rule] header */
    struct sig_pos key[K_COUNT]; /* where each key was given */
    uint32_t seen, bad;          /* KBIT sets: keys given, keys whose value was rejected */
    unsigned dup_of;             /* line of the first rule with the same id, 0 if unique */
};

/* One value or list item, with the position of its first character. */
struct sig_val {
    const char *s;
    size_t len;
    unsigned line, col;
    int quoted;
};

struct sig_parser {
    struct itm_lex lx;
    struct sig_draft *drafts;
    size_t ndrafts, cap;
    char *pool; /* offset 0 holds "" */
    size_t plen, pcap;
    int in_rule;  /* keys fill drafts[ndrafts - 1] */
    int skipping; /* in an unknown section or past the rule limit: keys are ignored */
    int too_many;
    int nomem;
};

typedef int (*sig_set_fn)(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v);
typedef int (*sig_item_fn)(struct sig_parser *p, void *acc, const struct sig_val *item);

struct sig_name {
    const char *name;
    uint32_t bit;
};

static const struct sig_name proto_names[] = {
    {"tcp", ITM_P_TCP}, {"udp", ITM_P_UDP}, {"icmp", ITM_P_ICMP}, {"igmp", ITM_P_IGMP},
};

static const struct sig_name flag_names[] = {
    {"one-way", ITM_RF_ONE_WAY}, {"multicast", ITM_RF_MULTICAST},
    {"followup", ITM_RF_FOLLOWUP}, {"broad", ITM_RF_BROAD},
    {"local", ITM_RF_LOCAL},     {"source-port", ITM_RF_SOURCE_PORT},
    {"dynamic", ITM_RF_DYNAMIC},
};

static uint32_t name_lookup(const struct sig_name *t, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].name) == len && memcmp(t[i].name, s, len) == 0)
            return t[i].bit;
    return 0;
}

static size_t pool_add(struct sig_parser *p, const char *s, size_t len)
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

static int set_str(struct sig_parser *p, struct sig_draft *d, enum sig_str which,
                   const struct sig_val *v)
{
    d->str[which] = pool_add(p, v->s, v->len);
    return p->nomem ? -1 : 0;
}

/* Decimal without sign; at most max. */
static int parse_uint(const char *s, size_t len, unsigned max, unsigned *out)
{
    unsigned v = 0;

    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10u + (unsigned)(s[i] - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static int is_word(const struct sig_val *v, const char *w)
{
    return !v->quoted && strlen(w) == v->len && memcmp(v->s, w, v->len) == 0;
}

/* Rule ids are also written inside other values (follows, site files): keep them plain. */
static int id_ok(const char *s, size_t len)
{
    if (len == 0 || len > ITM_SIGDB_MAX_ID)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits a value at ';', trims blanks and hands each item to fn; reports empty items.
 * Returns -1 when any item was rejected. */
static int for_each_item(struct sig_parser *p, const struct sig_val *v, sig_item_fn fn, void *acc)
{
    size_t i = 0;
    int rc = 0;

    for (;;) {
        size_t start = i, end;
        struct sig_val item;
        while (i < v->len && v->s[i] != ';')
            i++;
        end = i;
        while (start < end && is_blank(v->s[start]))
            start++;
        while (end > start && is_blank(v->s[end - 1]))
            end--;
        item.s = v->s + start;
        item.len = end - start;
        item.line = v->line;
        item.col = v->col + (unsigned)start;
        item.quoted = v->quoted;
        if (item.len == 0) {
            SIG_ERR(p, item.line, item.col, "empty list item");
            rc = -1;
        } else if (fn(p, acc, &item) < 0) {
            rc = -1;
        }
        if (i >= v->len)
            return rc;
        i++;
    }
}

static int item_proto(struct sig_parser *p, void *acc, const struct sig_val *it)
{
    uint32_t bit = name_lookup(proto_names, sizeof(proto_names) / sizeof(proto_names[0]),
                               it->s, it->len);
    if (!bit) {
        SIG_ERR(p, it->line, it->col, "unknown protocol '%.*s'", (int)it->len, it->s);
        return -1;
    }
    *(uint8_t *)acc |= (uint8_t)bit;
    return 0;
}

static int item_role(struct sig_parser *p, void *acc, const struct sig_val *it)
{
    int role;

    if (it->len == 3 && memcmp(it->s, "any", 3) == 0) {
        *(uint32_t *)acc |= ITM_ROLE_ANY;
        return 0;
    }
    role = itm_role_parse(it->s, it->len);
    if (role <= 0) {
        SIG_ERR(p, it->line, it->col, "unknown role '%.*s'", (int)it->len, it->s);
        return -1;
    }
    *(uint32_t *)acc |= ITM_ROLE_BIT(role);
    return 0;
}

static int item_flag(struct sig_parser *p, void *acc, const struct sig_val *it)
{
    uint32_t bit =
        name_lookup(flag_names, sizeof(flag_names) / sizeof(flag_names[0]), it->s, it->len);
    if (!bit) {
        SIG_ERR(p, it->line, it->col, "unknown flag '%.*s'", (int)it->len, it->s);
        return -1;
    }
    *(uint32_t *)acc |= bit;
    return 0;
}

struct sig_ports {
    struct itm_port_range r[ITM_RULE_MAX_RANGES];
    unsigned n; /* items seen, may pass the limit */
};

static int item_port(struct sig_parser *p, void *acc, const struct sig_val *it)
{
    struct sig_ports *ports = acc;
    const char *dash = memchr(it->s, '-', it->len);
    unsigned lo, hi;

    if (!dash) {
        if (parse_uint(it->s, it->len, 65535, &lo) < 0 || lo == 0) {
            SIG_ERR(p, it->line, it->col, "bad port '%.*s'", (int)it->len, it->s);
            return -1;
        }
        hi = lo;
    } else {
        size_t nlo = (size_t)(dash - it->s);
        if (parse_uint(it->s, nlo, 65535, &lo) < 0 || lo == 0 ||
            parse_uint(dash + 1, it->len - nlo - 1, 65535, &hi) < 0 || hi == 0) {
            SIG_ERR(p, it->line, it->col, "bad port range '%.*s'", (int)it->len, it->s);
            return -1;
        }
        if (lo > hi) {
            SIG_ERR(p, it->line, it->col, "reversed port range '%.*s'", (int)it->len, it->s);
            return -1;
        }
    }
    if (ports->n++ >= ITM_RULE_MAX_RANGES) {
        if (ports->n == ITM_RULE_MAX_RANGES + 1)
            SIG_ERR(p, it->line, it->col, "too many port ranges (at most %d)",
                    ITM_RULE_MAX_RANGES);
        return -1;
    }
    ports->r[ports->n - 1] = (struct itm_port_range){(uint16_t)lo, (uint16_t)hi};
    return 0;
}

static int set_configurable(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    if (is_word(v, "no")) {
        d->r.flags &= ~(uint32_t)ITM_RF_CONFIGURABLE;
        return 0;
    }
    if (!v->quoted || v->len == 0) {
        SIG_ERR(p, v->line, v->col,
                "configurable takes 'no' or a quoted place where the port is set");
        return -1;
    }
    d->r.flags |= ITM_RF_CONFIGURABLE;
    return set_str(p, d, S_CONFIGURABLE, v);
}

static int set_icmp_type(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    unsigned type;

    if (is_word(v, "any")) {
        d->r.icmp_type = 0xff;
        return 0;
    }
    /* 255 is kept for "any": no ICMP or ICMPv6 message uses it */
    if (parse_uint(v->s, v->len, 254, &type) < 0) {
        SIG_ERR(p, v->line, v->col, "bad icmp type '%.*s'", (int)v->len, v->s);
        return -1;
    }
    d->r.icmp_type = (uint8_t)type;
    return 0;
}

static int set_ports(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    struct sig_ports ports;

    if (is_word(v, "-")) {
        d->r.nranges = 0;
        return 0;
    }
    memset(&ports, 0, sizeof(ports));
    if (for_each_item(p, v, item_port, &ports) < 0)
        return -1;
    memcpy(d->r.ranges, ports.r, sizeof(ports.r));
    d->r.nranges = (uint8_t)ports.n;
    return 0;
}

static int set_group(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    char text[64];

    if (v->len >= sizeof(text)) {
        SIG_ERR(p, v->line, v->col, "bad group address '%.*s'", (int)v->len, v->s);
        return -1;
    }
    memcpy(text, v->s, v->len);
    text[v->len] = '\0';
    if (itm_ip_parse(text, &d->r.group) != 0) {
        SIG_ERR(p, v->line, v->col, "bad group address '%s'", text);
        return -1;
    }
    if (!itm_sigdb_ip_is_multicast(&d->r.group)) {
        SIG_ERR(p, v->line, v->col, "group address '%s' is not multicast", text);
        memset(&d->r.group, 0, sizeof(d->r.group));
        return -1;
    }
    return 0;
}

static int set_check(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    int id = itm_inspect_parse(v->s, v->len);

    if (id < 0) {
        SIG_ERR(p, v->line, v->col, "unknown check '%.*s'", (int)v->len, v->s);
        return -1;
    }
    d->r.inspect = (uint8_t)id;
    return 0;
}

/* How a key's value is read: by its own function, as a ';' list whose items are OR-ed into
 * a rule field, or as text kept in the pool (checked as a rule id, or as not empty). */
enum sig_text_kind { T_ANY, T_NONEMPTY, T_ID };

struct sig_key {
    const char *name;
    sig_set_fn set;
    sig_item_fn item;
    size_t field; /* offsetof(struct itm_rule, ...) for lists */
    int str;      /* enum sig_str for text, -1 otherwise */
    enum sig_text_kind kind;
};

#define SIG_OWN(n, fn) {n, fn, NULL, 0, -1, T_ANY}
#define SIG_LIST(n, fn, f) {n, NULL, fn, offsetof(struct itm_rule, f), -1, T_ANY}
#define SIG_TEXT(n, s, k) {n, NULL, NULL, 0, s, k}

static const struct sig_key keys[K_COUNT] = {
    [K_ID] = SIG_TEXT("id", S_ID, T_ID),
    [K_SUITE] = SIG_TEXT("suite", S_SUITE, T_NONEMPTY),
    [K_COMPONENT] = SIG_TEXT("component", S_COMPONENT, T_NONEMPTY),
    [K_PROTOS] = SIG_LIST("protos", item_proto, protos),
    [K_PROTOS_EXTRA] = SIG_LIST("protos_extra", item_proto, protos_extra),
    [K_ICMP_TYPE] = SIG_OWN("icmp_type", set_icmp_type),
    [K_PORTS] = SIG_OWN("ports", set_ports),
    [K_CLIENT] = SIG_LIST("client", item_role, client_roles),
    [K_SERVER] = SIG_LIST("server", item_role, server_roles),
    [K_SERVICES] = SIG_TEXT("services", S_SERVICES, T_ANY),
    [K_CONFIGURABLE] = SIG_OWN("configurable", set_configurable),
    [K_NOTE] = SIG_TEXT("note", S_NOTE, T_ANY),
    [K_FLAGS] = SIG_LIST("flags", item_flag, flags),
    [K_GROUP] = SIG_OWN("group", set_group),
    [K_FOLLOWS] = SIG_TEXT("follows", S_FOLLOWS, T_ID),
    [K_CHECK] = SIG_OWN("check", set_check),
};

static int set_value(struct sig_parser *p, struct sig_draft *d, int k, const struct sig_val *v)
{
    const struct sig_key *key = &keys[k];

    if (key->set)
        return key->set(p, d, v);
    if (key->item)
        return for_each_item(p, v, key->item, (char *)&d->r + key->field);
    if (key->kind == T_ID && !id_ok(v->s, v->len)) {
        SIG_ERR(p, v->line, v->col, "bad rule id '%.*s'", (int)v->len, v->s);
        return -1;
    }
    if (key->kind == T_NONEMPTY && v->len == 0) {
        SIG_ERR(p, v->line, v->col, "empty value for key '%s'", key->name);
        return -1;
    }
    return set_str(p, d, (enum sig_str)key->str, v);
}

static int key_lookup(const char *s, size_t len)
{
    for (int k = 0; k < K_COUNT; k++)
        if (strlen(keys[k].name) == len && memcmp(keys[k].name, s, len) == 0)
            return k;
    return -1;
}

/* Checks that need several keys; each is reported where the offending key was given and
 * skipped when a key it depends on was already rejected, so one mistake gives one message. */
static void rule_check_ports(struct sig_parser *p, const struct sig_draft *d)
{
    const struct itm_rule *r = &d->r;
    const struct sig_pos *at = &d->key[K_PORTS];
    int l4 = ((r->protos | r->protos_extra) & (ITM_P_TCP | ITM_P_UDP)) != 0;

    if ((d->bad & (KBIT(K_PORTS) | KBIT(K_PROTOS) | KBIT(K_PROTOS_EXTRA) | KBIT(K_FLAGS))) ||
        !(d->seen & KBIT(K_PORTS)) || !(d->seen & KBIT(K_PROTOS)))
        return;
    if (r->flags & ITM_RF_DYNAMIC) {
        if (r->nranges)
            SIG_ERR_AT(p, *at, "a dynamic rule takes ports = -");
        else if (!l4)
            SIG_ERR_AT(p, d->key[K_FLAGS], "flag dynamic needs protocol tcp or udp");
        return;
    }
    if (l4 && r->nranges == 0)
        SIG_ERR_AT(p, *at, "tcp and udp rules need ports (or flag dynamic)");
    else if (!l4 && r->nranges)
        SIG_ERR_AT(p, *at, "ports need protocol tcp or udp");
}

static int has_range(const struct itm_rule *r)
{
    for (unsigned i = 0; i < r->nranges; i++)
        if (r->ranges[i].lo < r->ranges[i].hi)
            return 1;
    return 0;
}

static void rule_check_flags(struct sig_parser *p, const struct sig_draft *d)
{
    const struct itm_rule *r = &d->r;
    const struct sig_pos *fl = &d->key[K_FLAGS];
    int ports_ok = (d->seen & KBIT(K_PORTS)) && !(d->bad & KBIT(K_PORTS));

    if (d->bad & KBIT(K_FLAGS))
        return;
    if ((r->flags & ITM_RF_BROAD) && ports_ok && !has_range(r))
        SIG_ERR_AT(p, *fl, "flag broad needs a port range");
    if ((r->flags & ITM_RF_SOURCE_PORT) && ports_ok && r->nranges == 0)
        SIG_ERR_AT(p, *fl, "flag source-port needs ports");
    if ((r->flags & ITM_RF_FOLLOWUP) && !(d->seen & KBIT(K_FOLLOWS)))
        SIG_ERR_AT(p, *fl, "flag followup needs key 'follows'");
    if ((d->seen & KBIT(K_FOLLOWS)) && !(r->flags & ITM_RF_FOLLOWUP))
        SIG_ERR_AT(p, d->key[K_FOLLOWS], "key 'follows' needs flag followup");
    if ((d->seen & KBIT(K_GROUP)) && !(r->flags & ITM_RF_MULTICAST))
        SIG_ERR_AT(p, d->key[K_GROUP], "key 'group' needs flag multicast");
}

static void rule_check(struct sig_parser *p, const struct sig_draft *d)
{
    const struct itm_rule *r = &d->r;

    rule_check_ports(p, d);
    rule_check_flags(p, d);
    if ((d->seen & KBIT(K_ICMP_TYPE)) && !(d->bad & (KBIT(K_PROTOS) | KBIT(K_PROTOS_EXTRA))) &&
        !((r->protos | r->protos_extra) & ITM_P_ICMP))
        SIG_ERR_AT(p, d->key[K_ICMP_TYPE], "icmp_type needs protocol icmp");
    if (r->protos & r->protos_extra)
        SIG_ERR_AT(p, d->key[K_PROTOS_EXTRA], "protos_extra repeats a protocol of protos");
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
                       p->pool + d->str[S_ID], keys[k].name);
        else
            SIG_ERR_AT(p, d->at, "rule lacks required key '%s'", keys[k].name);
    }
    rule_check(p, d);
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
            SIG_ERR(p, t.line, t.col, "expected '=' after key '%s'", keys[k].name);
        d->bad |= KBIT(k);
        line_drop(p, &t);
        return -1;
    }
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_WORD && t.kind != ITM_TOK_STRING) {
        if (t.kind != ITM_TOK_ERROR)
            SIG_ERR(p, kt->line, kt->col, "missing value for key '%s'", keys[k].name);
        d->bad |= KBIT(k);
        line_drop(p, &t);
        return -1;
    }
    v.s = t.text;
    v.len = t.len;
    v.line = t.line;
    v.quoted = t.kind == ITM_TOK_STRING;
    v.col = t.col + (v.quoted ? 1u : 0u);
    if (set_value(p, d, k, &v) < 0)
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
    k = key_lookup(kt->text, kt->len);
    if (k < 0) {
        SIG_ERR(p, kt->line, kt->col, "unknown key '%.*s'", (int)kt->len, kt->text);
        itm_lex_skip_line(&p->lx);
        return;
    }
    if (!p->in_rule) {
        SIG_ERR(p, kt->line, kt->col, "key '%s' outside a [rule] section", keys[k].name);
        itm_lex_skip_line(&p->lx);
        return;
    }
    d = &p->drafts[p->ndrafts - 1];
    if (d->seen & KBIT(k)) {
        SIG_ERR(p, kt->line, kt->col, "duplicate key '%s' (first at line %u)", keys[k].name,
                d->key[k].line);
        itm_lex_skip_line(&p->lx);
        return;
    }
    if (parse_value(p, d, k, kt) < 0 || p->nomem)
        return;
    itm_lex_next(&p->lx, &t);
    if (t.kind != ITM_TOK_EOL && t.kind != ITM_TOK_EOF && t.kind != ITM_TOK_ERROR)
        SIG_ERR(p, t.line, t.col, "unexpected text after the value of '%s'", keys[k].name);
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
    if (pool_add(p, "", 0) != SIG_NO_STR)
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
