/* sigdb-print.c: text renderings of rules and databases for people (--list-signatures,
 * --check-signatures, reports). Output only: nothing here changes a database, and every
 * formatter stays inside the buffer it is given. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "itmscope/sigdb.h"
#include "sigdb-int.h"

/* snprintf that appends at *n and never runs past len (output is cut, still terminated). */
static void buf_add(char *buf, size_t len, size_t *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void buf_add(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*n >= len)
        return;
    va_start(ap, fmt);
    w = vsnprintf(buf + *n, len - *n, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    *n = (size_t)w >= len - *n ? len : *n + (size_t)w;
}

char *itm_rule_ports_format(const struct itm_rule *r, char *buf, size_t len)
{
    size_t n = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (r->nranges == 0)
        buf_add(buf, len, &n, "-");
    for (unsigned i = 0; i < r->nranges; i++) {
        const struct itm_port_range *pr = &r->ranges[i];
        if (pr->lo == pr->hi)
            buf_add(buf, len, &n, "%s%u", i ? ";" : "", pr->lo);
        else
            buf_add(buf, len, &n, "%s%u-%u", i ? ";" : "", pr->lo, pr->hi);
    }
    return buf;
}

static void protos_add(const struct itm_rule *r, unsigned bits, const char *mark, char *buf,
                       size_t len, size_t *n)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {ITM_P_TCP, "tcp"}, {ITM_P_UDP, "udp"}, {ITM_P_ICMP, "icmp"}, {ITM_P_IGMP, "igmp"},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(bits & names[i].bit))
            continue;
        buf_add(buf, len, n, "%s%s", *n ? "+" : "", names[i].name);
        if (names[i].bit == ITM_P_ICMP && r->icmp_type != 0xff)
            buf_add(buf, len, n, "(type %u)", r->icmp_type);
        buf_add(buf, len, n, "%s", mark);
    }
}

char *itm_rule_protos_format(const struct itm_rule *r, char *buf, size_t len)
{
    size_t n = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    protos_add(r, r->protos, "", buf, len, &n);
    protos_add(r, r->protos_extra, "*", buf, len, &n);
    if (n == 0)
        buf_add(buf, len, &n, "-");
    return buf;
}

static const char *roles_text(uint32_t roles, char *buf, size_t len)
{
    if ((roles & ITM_ROLE_ANY) == ITM_ROLE_ANY) {
        snprintf(buf, len, "any");
        return buf;
    }
    return itm_roles_format(roles, buf, len);
}

/* The ports column: "random" says more than "-" for rules matched by roles only. */
static const char *ports_cell(const struct itm_rule *r, char *buf, size_t len)
{
    size_t n;

    if (r->flags & ITM_RF_DYNAMIC) {
        snprintf(buf, len, "random");
        return buf;
    }
    itm_rule_ports_format(r, buf, len);
    n = strlen(buf);
    if (r->flags & ITM_RF_SOURCE_PORT)
        buf_add(buf, len, &n, " (source)");
    return buf;
}

/* Suite and component names can be long; wider columns would push the roles off screen. */
#define SIG_MAX_SUITE_COL 28u
#define SIG_MAX_COMPONENT_COL 40u

struct sig_widths {
    int id, suite, component, proto, ports;
};

static int clamp_width(size_t have, int cur, size_t max)
{
    size_t w = have > max ? max : have;
    return (int)w > cur ? (int)w : cur;
}

static void widths_of(const struct itm_sigdb *db, struct sig_widths *w)
{
    char buf[128];

    *w = (struct sig_widths){2, 5, 9, 5, 5}; /* the header words */
    for (size_t i = 0; i < db->nrules; i++) {
        const struct itm_rule *r = &db->rules[i];
        w->id = clamp_width(strlen(r->id), w->id, ITM_SIGDB_MAX_ID);
        w->suite = clamp_width(strlen(r->suite), w->suite, SIG_MAX_SUITE_COL);
        w->component = clamp_width(strlen(r->component), w->component, SIG_MAX_COMPONENT_COL);
        w->proto = clamp_width(strlen(itm_rule_protos_format(r, buf, sizeof(buf))), w->proto,
                               sizeof(buf));
        w->ports = clamp_width(strlen(ports_cell(r, buf, sizeof(buf))), w->ports, sizeof(buf));
    }
}

/* Prints s in a column of width w, cut with "..." when longer. */
static void cell(FILE *out, const char *s, int w)
{
    size_t len = strlen(s);

    if (len <= (size_t)w || w <= 3)
        fprintf(out, "%-*s  ", w, s);
    else
        fprintf(out, "%.*s...  ", w - 3, s);
}

void itm_sigdb_print_table(const struct itm_sigdb *db, FILE *out)
{
    struct sig_widths w;
    char proto[128], ports[128], cli[512], srv[512];

    if (!db || !out)
        return;
    widths_of(db, &w);
    fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w.id, "ID", w.suite, "SUITE",
            w.component, "COMPONENT", w.proto, "PROTO", w.ports, "PORTS", "CLIENT -> SERVER");
    for (size_t i = 0; i < db->nrules; i++) {
        const struct itm_rule *r = &db->rules[i];
        cell(out, r->id, w.id);
        cell(out, r->suite, w.suite);
        cell(out, r->component, w.component);
        cell(out, itm_rule_protos_format(r, proto, sizeof(proto)), w.proto);
        cell(out, ports_cell(r, ports, sizeof(ports)), w.ports);
        fprintf(out, "%s -> %s\n", roles_text(r->client_roles, cli, sizeof(cli)),
                roles_text(r->server_roles, srv, sizeof(srv)));
    }
}

static size_t count_suites(const struct itm_sigdb *db)
{
    size_t n = 0;

    for (size_t i = 0; i < db->nrules; i++) {
        size_t j = 0;
        while (j < i && strcmp(db->rules[j].suite, db->rules[i].suite) != 0)
            j++;
        n += j == i;
    }
    return n;
}

/* Ports that some rule names specifically (not through a broad range) for one protocol. */
static size_t count_ports(const struct itm_sigdb *db, unsigned pbit)
{
    const struct itm_sig_portidx *px = &db->idx.port[pbit == ITM_P_TCP ? 0 : 1];
    size_t n = 0;

    for (uint32_t port = 0; port < 65536u; port++) {
        const struct itm_sig_seg *seg = &px->segs[px->seg_of[port]];
        for (unsigned k = 0; k < seg->n; k++)
            if (!itm_rule_port_is_broad(px->list[seg->off + k], (uint16_t)port)) {
                n++;
                break;
            }
    }
    return n;
}

static size_t count_flag(const struct itm_sigdb *db, uint32_t flag)
{
    size_t n = 0;

    for (size_t i = 0; i < db->nrules; i++)
        n += (db->rules[i].flags & flag) != 0;
    return n;
}

void itm_sigdb_print_summary(const struct itm_sigdb *db, const char *name, FILE *out)
{
    size_t checks = 0, paths = 0;

    if (!db || !out)
        return;
    for (size_t i = 0; i < db->nrules; i++) {
        checks += db->rules[i].inspect != ITM_INSPECT_NONE;
        paths += db->rules[i].paths && db->rules[i].paths[0];
    }
    fprintf(out,
            "%s: %zu rules in %zu suites; %zu TCP and %zu UDP ports named, %zu ICMP and "
            "%zu IGMP rules; %zu configurable, %zu one-way, %zu multicast, %zu follow-up, "
            "%zu broad, %zu local, %zu source-port, %zu dynamic; %zu with a payload check, "
            "%zu of them with request paths.\n",
            name ? name : "signatures", db->nrules, count_suites(db), count_ports(db, ITM_P_TCP),
            count_ports(db, ITM_P_UDP), db->idx.nicmp, db->idx.nigmp,
            count_flag(db, ITM_RF_CONFIGURABLE), count_flag(db, ITM_RF_ONE_WAY),
            count_flag(db, ITM_RF_MULTICAST), count_flag(db, ITM_RF_FOLLOWUP),
            count_flag(db, ITM_RF_BROAD), count_flag(db, ITM_RF_LOCAL),
            count_flag(db, ITM_RF_SOURCE_PORT), count_flag(db, ITM_RF_DYNAMIC), checks, paths);
}
