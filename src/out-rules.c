/* out-rules.c: candidate firewall allow rules (nft or iptables + ipset) for the observed
 * cells that a documented rule explains, between address sets per role: the site's declared
 * networks plus hosts whose roles were inferred. Printed at close on stdout for review; it
 * never emits a rule for undocumented traffic and never a drop or policy change. */
#include <string.h>

#include "out-file.h"
#include "report-int.h"
#include "itmscope/classify.h"
#include "itmscope/site.h"

enum rules_fmt { RF_NFT = 0, RF_IPTABLES };

struct itm_output {
    FILE *f;
    enum rules_fmt fmt;
    const struct itm_output_ctx *ctx;
    const struct itm_site *site;
    struct itm_rmodel_ref mr; /* cells, shared with the report and the matrix */
};

/* One allow line: a rule between two single roles, with the ports seen in its cells. */
#define ALLOW_MAX_SPANS 32u
struct allow {
    const struct itm_rule *rule;
    int crole, srole;            /* srole -1: the rule's multicast group */
    uint8_t proto, icmp_type, sport, families;
    uint8_t nspans, all_ports;
    struct itm_port_range spans[ALLOW_MAX_SPANS];
    uint64_t flows;
};

struct allow_list {
    struct allow *v;
    size_t n, cap;
    uint32_t roles_used[2];      /* [family-1]: role bits that need a set */
};

static const char *role_set_name(int role, int fam, enum rules_fmt fmt, char *buf, size_t len)
{
    const char *name = itm_role_name((enum itm_role)role);

    snprintf(buf, len, fmt == RF_NFT ? "%s_v%d" : "itms-%s-v%d", name ? name : "unknown",
             fam == 4 ? 4 : 6);
    /* nft set names are identifiers: no '-' */
    for (char *p = buf; fmt == RF_NFT && *p; p++)
        if (*p == '-')
            *p = '_';
    return buf;
}

static struct allow *allow_get(struct allow_list *l, const struct itm_rule *r, int c, int s,
                               const struct itm_rcell *cell)
{
    struct allow *a;

    for (size_t i = 0; i < l->n; i++) {
        a = &l->v[i];
        if (a->rule == r && a->crole == c && a->srole == s && a->proto == cell->k.proto &&
            a->icmp_type == cell->k.icmp_type && a->sport == cell->k.sport)
            return a;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct allow *v = itm_realloc(l->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    a = &l->v[l->n++];
    memset(a, 0, sizeof(*a));
    a->rule = r;
    a->crole = c;
    a->srole = s;
    a->proto = cell->k.proto;
    a->icmp_type = cell->k.icmp_type;
    a->sport = cell->k.sport;
    return a;
}

static void allow_add_span(struct allow *a, uint16_t lo, uint16_t hi)
{
    for (unsigned i = 0; i < a->nspans; i++)
        if (a->spans[i].lo == lo && a->spans[i].hi == hi)
            return;
    if (a->nspans < ALLOW_MAX_SPANS) {
        a->spans[a->nspans].lo = lo;
        a->spans[a->nspans++].hi = hi;
    } else {
        a->all_ports = 1; /* too many to list: the rule's protocol on any port */
    }
}

static void note_cell(struct allow_list *l, const struct itm_rule *r, const struct itm_rcell *c)
{
    int mcast = (r->flags & ITM_RF_MULTICAST) && r->group.family;

    for (int cr = 1; cr < ITM_ROLE_COUNT; cr++) {
        if (!(c->k.croles & ITM_ROLE_BIT(cr)))
            continue;
        for (int sr = mcast ? -1 : 1; sr < (mcast ? 0 : ITM_ROLE_COUNT); sr++) {
            struct allow *a;
            if (sr > 0 && !(c->k.sroles & ITM_ROLE_BIT(sr)))
                continue;
            a = allow_get(l, r, cr, sr, c);
            if (!a)
                continue;
            a->families |= c->families;
            a->flows += c->sum.flows;
            if (c->k.proto == 6 || c->k.proto == 17)
                allow_add_span(a, c->k.lo, c->k.hi);
            for (int fam = 0; fam < 2; fam++)
                if (c->families & (1u << fam))
                    l->roles_used[fam] |= ITM_ROLE_BIT(cr) | (sr > 0 ? ITM_ROLE_BIT(sr) : 0);
        }
    }
}

/* ---- address sets ---- */

struct set_writer {
    struct itm_output *o;
    int fam, role;
    unsigned n;
};

static void set_elem(struct set_writer *w, const struct itm_ip *ip, unsigned prefix)
{
    char a[64], name[64];
    unsigned full = w->fam == 4 ? 32u : 128u;

    itm_ip_format(ip, a, sizeof(a));
    if (w->o->fmt == RF_NFT) {
        fprintf(w->o->f, "%s%s", w->n ? ", " : "        elements = { ", a);
        if (prefix < full)
            fprintf(w->o->f, "/%u", prefix);
    } else {
        fprintf(w->o->f, "ipset add %s %s", role_set_name(w->role, w->fam, RF_IPTABLES, name,
                                                          sizeof(name)), a);
        if (prefix < full)
            fprintf(w->o->f, "/%u", prefix);
        fputs(" -exist\n", w->o->f);
    }
    w->n++;
}

static void set_elements(struct set_writer *w)
{
    const struct itm_site *site = w->o->site;
    const struct itm_classifier *cls = w->o->ctx->cls;
    size_t n = site ? itm_site_role_count(site) : 0;
    struct itm_host_view h;
    struct itm_ip ip;
    unsigned prefix;
    uint32_t roles;

    for (size_t i = 0; i < n; i++)
        if (itm_site_role_entry(site, i, &ip, &prefix, &roles) == 0 && ip.family == w->fam &&
            (roles & ITM_ROLE_BIT(w->role)))
            set_elem(w, &ip, prefix);
    n = cls ? itm_classifier_host_count(cls) : 0;
    for (size_t i = 0; i < n; i++)
        if (itm_classifier_host(cls, i, &h) == 0 && h.ip.family == w->fam && !h.declared &&
            (h.inferred & ITM_ROLE_BIT(w->role)))
            set_elem(w, &h.ip, w->fam == 4 ? 32u : 128u);
}

static void write_sets(struct itm_output *o, const struct allow_list *l)
{
    char name[64];

    for (int fi = 0; fi < 2; fi++)
        for (int r = 1; r < ITM_ROLE_COUNT; r++) {
            struct set_writer w = {o, fi ? 6 : 4, r, 0};
            if (!(l->roles_used[fi] & ITM_ROLE_BIT(r)))
                continue;
            role_set_name(r, w.fam, o->fmt, name, sizeof(name));
            if (o->fmt == RF_NFT)
                fprintf(o->f, "    set %s {\n        type %s\n        flags interval\n"
                              "        auto-merge\n",
                        name, fi ? "ipv6_addr" : "ipv4_addr");
            else
                fprintf(o->f, "ipset create %s hash:net family %s -exist\n", name,
                        fi ? "inet6" : "inet");
            set_elements(&w);
            if (o->fmt == RF_NFT)
                fprintf(o->f, "%s    }\n", w.n ? " }\n" : "");
            if (!w.n)
                fprintf(o->f, "%s# %s is empty: no address holds this role in the site file\n",
                        o->fmt == RF_NFT ? "    " : "", name);
        }
}

/* ---- rules ---- */

static void nft_ports(FILE *f, const struct allow *a)
{
    if (a->all_ports || !a->nspans)
        return;
    fprintf(f, " %s %s", a->proto == 6 ? "tcp" : "udp", a->sport ? "sport" : "dport");
    if (a->nspans > 1)
        fputs(" {", f);
    for (unsigned i = 0; i < a->nspans; i++) {
        fprintf(f, "%s%u", i ? ", " : " ", a->spans[i].lo);
        if (a->spans[i].hi != a->spans[i].lo)
            fprintf(f, "-%u", a->spans[i].hi);
    }
    if (a->nspans > 1)
        fputs(" }", f);
}

static void nft_proto(FILE *f, const struct allow *a, int fam)
{
    if ((a->proto == 6 || a->proto == 17) && (a->all_ports || !a->nspans))
        fprintf(f, " meta l4proto %s", a->proto == 6 ? "tcp" : "udp");
    else if (a->proto == 1 || a->proto == 58)
        fprintf(f, " %s type %u", fam == 4 ? "icmp" : "icmpv6", a->icmp_type);
    else if (a->proto != 6 && a->proto != 17)
        fprintf(f, " meta l4proto %u", a->proto);
    nft_ports(f, a);
}

static void dst_text(const struct itm_output *o, const struct allow *a, int fam, char *buf,
                     size_t len)
{
    char name[64], g[64];

    if (a->srole < 0)
        snprintf(buf, len, "%s", itm_ip_format(&a->rule->group, g, sizeof(g)));
    else
        snprintf(buf, len, "%s%s", o->fmt == RF_NFT ? "@" : "",
                 role_set_name(a->srole, fam, o->fmt, name, sizeof(name)));
}

static void write_nft_rule(struct itm_output *o, const struct allow *a, int fam)
{
    char src[64], dst[72]; /* dst: "@" and a set name */
    const char *ipk = fam == 4 ? "ip" : "ip6";

    role_set_name(a->crole, fam, RF_NFT, src, sizeof(src));
    dst_text(o, a, fam, dst, sizeof(dst));
    fprintf(o->f, "        %s saddr @%s %s daddr %s", ipk, src, ipk, dst);
    nft_proto(o->f, a, fam);
    fprintf(o->f, " accept\n");
}

static void ipt_ports(FILE *f, const struct allow *a, unsigned from, unsigned to)
{
    fprintf(f, " -m multiport %s ", a->sport ? "--sports" : "--dports");
    for (unsigned i = from; i < to; i++) {
        fprintf(f, "%s%u", i > from ? "," : "", a->spans[i].lo);
        if (a->spans[i].hi != a->spans[i].lo)
            fprintf(f, ":%u", a->spans[i].hi);
    }
}

static void ipt_head(struct itm_output *o, const struct allow *a, int fam)
{
    char src[64], dst[72]; /* dst: "@" and a set name */
    const char *tool = fam == 4 ? "iptables" : "ip6tables";

    role_set_name(a->crole, fam, RF_IPTABLES, src, sizeof(src));
    dst_text(o, a, fam, dst, sizeof(dst));
    fprintf(o->f, "%s -A ITMS-ALLOW", tool);
    if (a->proto == 6 || a->proto == 17)
        fprintf(o->f, " -p %s", a->proto == 6 ? "tcp" : "udp");
    else if (a->proto == 1 || a->proto == 58)
        fprintf(o->f, fam == 4 ? " -p icmp --icmp-type %u" : " -p ipv6-icmp --icmpv6-type %u",
                a->icmp_type);
    else
        fprintf(o->f, " -p %u", a->proto);
    fprintf(o->f, " -m set --match-set %s src", src);
    if (a->srole < 0)
        fprintf(o->f, " -d %s", dst);
    else
        fprintf(o->f, " -m set --match-set %s dst", dst);
}

static void write_ipt_rule(struct itm_output *o, const struct allow *a, int fam)
{
    unsigned i = 0, weight;

    if (a->all_ports || !a->nspans || !(a->proto == 6 || a->proto == 17)) {
        ipt_head(o, a, fam);
        fputs(" -j ACCEPT\n", o->f);
        return;
    }
    /* multiport takes 15 ports a rule, a range counting as two */
    while (i < a->nspans) {
        unsigned j = i;
        for (weight = 0; j < a->nspans; j++) {
            unsigned w = a->spans[j].lo == a->spans[j].hi ? 1u : 2u;
            if (weight + w > 15)
                break;
            weight += w;
        }
        ipt_head(o, a, fam);
        ipt_ports(o->f, a, i, j);
        fputs(" -j ACCEPT\n", o->f);
        i = j;
    }
}

static void write_rules(struct itm_output *o, const struct allow_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct allow *a = &l->v[i];
        fprintf(o->f, "%s# %s: %s (%llu flow%s, %s -> %s)\n", o->fmt == RF_NFT ? "        " : "",
                a->rule->id, a->rule->component, (unsigned long long)a->flows,
                a->flows == 1 ? "" : "s",
                itm_role_name((enum itm_role)a->crole),
                a->srole < 0 ? "multicast group" : itm_role_name((enum itm_role)a->srole));
        for (int fam = 4; fam <= 6; fam += 2) {
            if (!(a->families & (fam == 4 ? 1u : 2u)))
                continue;
            if (a->srole < 0 && a->rule->group.family != fam)
                continue;
            if (o->fmt == RF_NFT)
                write_nft_rule(o, a, fam);
            else
                write_ipt_rule(o, a, fam);
        }
    }
}

static void write_skipped(struct itm_output *o, struct itm_rcell *const *cv, size_t n)
{
    const char *ind = o->fmt == RF_NFT ? "        " : "";
    char cr[200], sr[200], svc[40];

    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_rcell_rule(o->mr.m, cv[i]);
        int mcast = r && (r->flags & ITM_RF_MULTICAST) && r->group.family;
        if (!r || (cv[i]->k.croles && (cv[i]->k.sroles || mcast)))
            continue;
        fprintf(o->f, "%s# not emitted: %s %s between %s and %s (%llu flow%s): an end has "
                      "no known role\n",
                ind, r->id,
                itm_fmt_service(cv[i]->k.proto, cv[i]->k.icmp_type, cv[i]->k.sport, cv[i]->k.lo,
                                cv[i]->k.hi, svc, sizeof(svc)),
                itm_roles_format(cv[i]->k.croles, cr, sizeof(cr)),
                itm_roles_format(cv[i]->k.sroles, sr, sizeof(sr)),
                (unsigned long long)cv[i]->sum.flows, cv[i]->sum.flows == 1 ? "" : "s");
    }
}

static void write_all(struct itm_output *o)
{
    struct allow_list l;
    struct itm_rcell **cv;
    size_t n;

    memset(&l, 0, sizeof(l));
    cv = itm_rmodel_cells(o->mr.m, &n);
    for (size_t i = 0; i < n; i++) {
        const struct itm_rule *r = itm_rcell_rule(o->mr.m, cv[i]);
        if (r)
            note_cell(&l, r, cv[i]);
    }
    if (o->fmt == RF_NFT) {
        fprintf(o->f, "#!/usr/sbin/nft -f\n# Candidate allow rules (itmscope): traffic seen "
                      "between ITMS roles that a documented\n# rule explains. Review before "
                      "use. Nothing here drops traffic: jump to the chain\n# from your own, "
                      "e.g. nft add rule inet filter forward jump itmscope_allow\n"
                      "table inet itmscope {\n");
        write_sets(o, &l);
        fprintf(o->f, "    chain itmscope_allow {\n");
        write_rules(o, &l);
        write_skipped(o, cv, n);
        fprintf(o->f, "    }\n}\n");
    } else {
        fprintf(o->f, "#!/bin/sh\n# Candidate allow rules (itmscope): traffic seen between ITMS "
                      "roles that a documented\n# rule explains. Review before use. Nothing "
                      "here drops traffic: jump to the chain\n# from your own, e.g. iptables "
                      "-A FORWARD -j ITMS-ALLOW\nset -e\n");
        write_sets(o, &l);
        fprintf(o->f, "iptables -N ITMS-ALLOW 2>/dev/null || true\n"
                      "ip6tables -N ITMS-ALLOW 2>/dev/null || true\n");
        write_rules(o, &l);
        write_skipped(o, cv, n);
    }
    itm_free(cv);
    itm_free(l.v);
}

static int rules_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    struct itm_output *o;
    enum rules_fmt fmt;

    if (strcmp(arg, "nft") == 0)
        fmt = RF_NFT;
    else if (strcmp(arg, "iptables") == 0)
        fmt = RF_IPTABLES;
    else {
        fprintf(stderr, "itmscope: --rules: '%s' is neither nft nor iptables\n", arg);
        return ITM_ERR_INVAL;
    }
    o = itm_calloc(1, sizeof(*o));
    if (!o) {
        fprintf(stderr, "itmscope: --rules: out of memory\n");
        return ITM_ERR_NOMEM;
    }
    o->f = stdout;
    o->fmt = fmt;
    o->ctx = ctx;
    itm_rmodel_ref_open(&o->mr, ctx, 0);
    *out = o;
    return ITM_OK;
}

void itm_out_rules_set_site(struct itm_output *o, const struct itm_site *site)
{
    o->site = site;
}

static void rules_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    itm_rmodel_ref_add_flow(&o->mr, o->ctx->db, rec);
}

static void rules_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns,
                        int final)
{
    (void)o;
    (void)st;
    (void)ts_ns;
    (void)final;
}

static int rules_close(struct itm_output *o)
{
    int rc;

    write_all(o);
    rc = itm_out_fclose(o->f, 1, 0, NULL); /* stdout: flushed, not closed */
    itm_rmodel_ref_close(&o->mr, o->ctx);
    itm_free(o);
    return rc;
}

const struct itm_output_ops itm_out_rules = {
    .name = "rules",
    .open = rules_open,
    .packet = NULL,
    .flow = rules_flow,
    .alert = NULL,
    .stats = rules_stats,
    .close = rules_close,
    .counts_roles = 1,
};
