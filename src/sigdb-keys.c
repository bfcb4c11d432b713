/* sigdb-keys.c: the keys of a signature rule: how each value is read and checked, and the
 * checks between keys once a rule is closed. Every problem is reported at the value (or
 * list item) that caused it; nothing here reads lines or builds the database. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itmscope/sigdb.h"
#include "sigdb-int.h"
#include "sigdb-parse.h"

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

static int set_str(struct sig_parser *p, struct sig_draft *d, enum sig_str which,
                   const struct sig_val *v)
{
    d->str[which] = itm_sig_pool_add(p, v->s, v->len);
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
    if (!itm_ip_is_multicast(&d->r.group)) {
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

/* paths: request-target prefixes, each an origin-form path of printable ASCII, kept as one
 * ';'-joined string (items trimmed) for itm_rule_path_hint. */
struct sig_paths {
    char buf[ITM_SIGDB_MAX_PATHS * (ITM_SIGDB_MAX_PATH + 1)];
    size_t len;
    unsigned n;
};

static int item_path(struct sig_parser *p, void *acc, const struct sig_val *it)
{
    struct sig_paths *ps = acc;

    if (it->s[0] != '/') {
        SIG_ERR(p, it->line, it->col, "path '%.*s' does not start with '/'", (int)it->len,
                it->s);
        return -1;
    }
    for (size_t i = 0; i < it->len; i++)
        if (it->s[i] < 0x21 || it->s[i] > 0x7e) {
            SIG_ERR(p, it->line, it->col + (unsigned)i, "blank or non-ASCII byte in a path");
            return -1;
        }
    if (it->len > ITM_SIGDB_MAX_PATH) {
        SIG_ERR(p, it->line, it->col, "path longer than %u bytes", ITM_SIGDB_MAX_PATH);
        return -1;
    }
    if (ps->n++ >= ITM_SIGDB_MAX_PATHS) {
        if (ps->n == ITM_SIGDB_MAX_PATHS + 1)
            SIG_ERR(p, it->line, it->col, "too many paths (at most %u)", ITM_SIGDB_MAX_PATHS);
        return -1;
    }
    if (ps->len)
        ps->buf[ps->len++] = ';';
    memcpy(ps->buf + ps->len, it->s, it->len);
    ps->len += it->len;
    return 0;
}

static int set_paths(struct sig_parser *p, struct sig_draft *d, const struct sig_val *v)
{
    struct sig_paths ps;

    ps.len = 0;
    ps.n = 0;
    if (for_each_item(p, v, item_path, &ps) < 0)
        return -1;
    d->str[S_PATHS] = itm_sig_pool_add(p, ps.buf, ps.len);
    return p->nomem ? -1 : 0;
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
    [K_PATHS] = SIG_OWN("paths", set_paths),
};

int itm_sig_set_value(struct sig_parser *p, struct sig_draft *d, int k, const struct sig_val *v)
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

int itm_sig_key_lookup(const char *s, size_t len)
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

void itm_sig_rule_check(struct sig_parser *p, const struct sig_draft *d)
{
    const struct itm_rule *r = &d->r;

    rule_check_ports(p, d);
    rule_check_flags(p, d);
    if ((d->seen & KBIT(K_ICMP_TYPE)) && !(d->bad & (KBIT(K_PROTOS) | KBIT(K_PROTOS_EXTRA))) &&
        !((r->protos | r->protos_extra) & ITM_P_ICMP))
        SIG_ERR_AT(p, d->key[K_ICMP_TYPE], "icmp_type needs protocol icmp");
    if (r->protos & r->protos_extra)
        SIG_ERR_AT(p, d->key[K_PROTOS_EXTRA], "protos_extra repeats a protocol of protos");
    if ((d->seen & KBIT(K_PATHS)) && !(d->bad & KBIT(K_CHECK)) &&
        r->inspect != ITM_INSPECT_HTTP)
        SIG_ERR_AT(p, d->key[K_PATHS], "key 'paths' needs check = http");
}

const char *itm_sig_key_name(int k)
{
    return k >= 0 && k < K_COUNT ? keys[k].name : "?";
}
