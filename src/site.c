/* site.c: the site's lifetime and lookups: longest-prefix indexes for roles and local
 * networks, allowlist matching, and handing [move] lines to the signature database. It never
 * parses text (site-parse.c does) and never sees packets or flows. */
#include "site-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "textlex.h"

/* With no [local] entries these are local: private (RFC 1918), shared (RFC 6598), loopback,
 * link-local, multicast, "this network" and limited broadcast (DHCP/PXE before an address
 * is leased), unique-local (RFC 4193). None of them is routed to the internet. */
static const struct {
    uint8_t family, plen;
    uint8_t a[16];
} default_local[] = {
    {4, 8, {10}},       {4, 12, {172, 16}},  {4, 16, {192, 168}},           {4, 10, {100, 64}},
    {4, 8, {127}},      {4, 16, {169, 254}}, {4, 4, {224}},                  {4, 8, {0}},
    {4, 32, {255, 255, 255, 255}},           {6, 7, {0xfc}},                 {6, 10, {0xfe, 0x80}},
    {6, 8, {0xff}},     {6, 128, {0}},       {6, 128, {[15] = 1}},
};

void *itm_site_grow(void *v, size_t *cap, size_t n, size_t elem)
{
    size_t ncap;
    void *nv;

    if (n < *cap)
        return v;
    ncap = *cap ? *cap * 2 : 8;
    if (ncap > SIZE_MAX / elem)
        return NULL;
    nv = itm_realloc(v, ncap * elem);
    if (nv)
        *cap = ncap;
    return nv;
}

void itm_site_mask(uint8_t *a, unsigned plen)
{
    for (unsigned i = 0; i < 16; i++) {
        if (plen >= 8 * (i + 1))
            continue;
        a[i] = plen > 8 * i ? (uint8_t)(a[i] & (0xffu << (8 - (plen - 8 * i)))) : 0;
    }
}

unsigned itm_site_full_len(const struct itm_ip *ip)
{
    return ip->family == 4 ? 32u : 128u;
}

int itm_site_add_local(struct itm_site *s, const struct itm_site_pfx *e)
{
    struct itm_site_pfx *nv = itm_site_grow(s->locals, &s->locals_cap, s->nlocals, sizeof(*nv));

    if (!nv)
        return ITM_ERR_NOMEM;
    s->locals = nv;
    s->locals[s->nlocals++] = *e;
    return 0;
}

/* ---- indexes ---- */

char *itm_site_pfx_format(const struct itm_site_pfx *e, char *buf, size_t len)
{
    size_t n;

    itm_ip_format(&e->addr, buf, len);
    n = strlen(buf);
    if (e->plen != itm_site_full_len(&e->addr))
        snprintf(buf + n, len - n, "/%u", e->plen);
    return buf;
}

/* An IPv4 address fills the top 32 bits of hi; only its four bytes are read, whatever the
 * caller left in the rest of the array. */
static void ip_key(const struct itm_ip *ip, uint64_t *hi, uint64_t *lo)
{
    if (ip->family == 4) {
        *hi = (uint64_t)ip->a[0] << 56 | (uint64_t)ip->a[1] << 48 | (uint64_t)ip->a[2] << 40 |
              (uint64_t)ip->a[3] << 32;
        *lo = 0;
        return;
    }
    *hi = itm_load_be64(ip->a);
    *lo = itm_load_be64(ip->a + 8);
}

/* The mask of the first bits of a 64-bit half; bits may be 0-64 (or beyond: all ones). */
static uint64_t half_mask(int bits)
{
    if (bits <= 0)
        return 0;
    return bits >= 64 ? UINT64_MAX : UINT64_MAX << (64 - bits);
}

/* Longest prefix first, then address, then file order (so duplicates sit together with the
 * earliest first). */
static int key_cmp(const void *a, const void *b)
{
    const struct itm_site_key *x = a, *y = b;

    if (x->plen != y->plen)
        return x->plen > y->plen ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static struct itm_site_key key_of(const struct itm_site_pfx *e, size_t order)
{
    struct itm_site_key k;

    memset(&k, 0, sizeof(k));
    ip_key(&e->addr, &k.hi, &k.lo);
    k.value = e->value;
    k.plen = e->plen;
    k.order = order;
    return k;
}

static void index_groups(struct itm_site_index *ix)
{
    for (size_t i = 0; i < ix->n; i++) {
        if (i == 0 || ix->v[i].plen != ix->v[i - 1].plen) {
            int bits = ix->v[i].plen;
            ix->grp[ix->ngrp].plen = ix->v[i].plen;
            ix->grp[ix->ngrp].mhi = half_mask(bits);
            ix->grp[ix->ngrp].mlo = half_mask(bits - 64);
            ix->grp[ix->ngrp].lo = i;
            ix->ngrp++;
        }
        ix->grp[ix->ngrp - 1].hi = i + 1;
    }
}

static int index_build(struct itm_site_index *ix, const struct itm_site_pfx *src, size_t n,
                       uint8_t family)
{
    size_t k = 0;

    memset(ix, 0, sizeof(*ix));
    for (size_t i = 0; i < n; i++)
        k += src[i].addr.family == family;
    if (k == 0)
        return 0;
    ix->v = itm_malloc(k * sizeof(*ix->v));
    if (!ix->v)
        return ITM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (src[i].addr.family == family)
            ix->v[ix->n++] = key_of(&src[i], i);
    qsort(ix->v, ix->n, sizeof(*ix->v), key_cmp);
    index_groups(ix);
    return 0;
}

static const struct itm_site_key *index_find(const struct itm_site_index *ix,
                                             const struct itm_ip *ip)
{
    uint64_t hi, lo;

    if (ix->ngrp == 0) /* nothing declared for this family (no site file: no roles) */
        return NULL;
    ip_key(ip, &hi, &lo);
    for (unsigned g = 0; g < ix->ngrp; g++) {
        uint64_t kh = hi & ix->grp[g].mhi, kl = lo & ix->grp[g].mlo;
        size_t a = ix->grp[g].lo, b = ix->grp[g].hi;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            const struct itm_site_key *k = &ix->v[mid];
            if (k->hi == kh && k->lo == kl)
                return k;
            if (k->hi > kh || (k->hi == kh && k->lo > kl))
                b = mid;
            else
                a = mid + 1;
        }
    }
    return NULL;
}

static const struct itm_site_index *index_for(const struct itm_site_index ix[2],
                                              const struct itm_ip *ip)
{
    if (!ip || (ip->family != 4 && ip->family != 6))
        return NULL;
    return &ix[ip->family == 6];
}

static int add_default_locals(struct itm_site *s)
{
    for (size_t i = 0; i < sizeof(default_local) / sizeof(default_local[0]); i++) {
        struct itm_site_pfx e;
        memset(&e, 0, sizeof(e));
        e.addr.family = default_local[i].family;
        memcpy(e.addr.a, default_local[i].a, sizeof(e.addr.a));
        e.plen = default_local[i].plen;
        if (itm_site_add_local(s, &e) < 0)
            return ITM_ERR_NOMEM;
    }
    return 0;
}

int itm_site_build(struct itm_site *s)
{
    if (s->nlocals == 0 && add_default_locals(s) < 0)
        return ITM_ERR_NOMEM;
    for (int f = 0; f < 2; f++) {
        uint8_t family = f ? 6 : 4;
        if (index_build(&s->role_ix[f], s->roles, s->nroles, family) < 0 ||
            index_build(&s->local_ix[f], s->locals, s->nlocals, family) < 0)
            return ITM_ERR_NOMEM;
    }
    return 0;
}

struct itm_site *itm_site_alloc(const char *name)
{
    struct itm_site *s = itm_calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->name = itm_strndup(name, strlen(name));
    if (!s->name) {
        itm_free(s);
        return NULL;
    }
    s->policy.cleartext = 0;
    s->policy.scan_ports = 16;
    s->policy.scan_hosts = 32;
    s->policy.scan_window_s = 60;
    s->policy.tickle_group.family = 4;
    memcpy(s->policy.tickle_group.a, (const uint8_t[4]){224, 0, 255, 135}, 4);
    s->policy.infer_roles = 1;
    return s;
}

/* ---- public API ---- */

void itm_site_free(struct itm_site *site)
{
    if (!site)
        return;
    for (size_t i = 0; i < site->nmoves; i++)
        itm_free(site->moves[i].id);
    for (size_t i = 0; i < site->nallows; i++)
        itm_free(site->allows[i].rule);
    for (int f = 0; f < 2; f++) {
        itm_free(site->role_ix[f].v);
        itm_free(site->local_ix[f].v);
    }
    itm_free(site->moves);
    itm_free(site->allows);
    itm_free(site->roles);
    itm_free(site->locals);
    itm_free(site->name);
    itm_free(site);
}

struct itm_site *itm_site_new_default(int *err)
{
    struct itm_site *s = itm_site_alloc("default");
    int rc = s ? itm_site_build(s) : ITM_ERR_NOMEM;

    if (rc < 0) {
        itm_site_free(s);
        s = NULL;
    }
    if (err)
        *err = rc;
    return s;
}

struct itm_site *itm_site_load_mem(const char *name, const char *buf, size_t len,
                                   struct itm_diag *diag, int *err)
{
    struct itm_site *s;
    int rc;

    if (!name)
        name = "-";
    s = itm_site_alloc(name);
    rc = s ? itm_site_parse(s, s->name, buf, len, diag) : ITM_ERR_NOMEM;
    if (rc == ITM_ERR_NOMEM)
        itm_diag_report(diag, name, 0, 0, "out of memory");
    if (rc < 0) {
        itm_site_free(s);
        s = NULL;
    }
    if (err)
        *err = rc;
    return s;
}

struct itm_site *itm_site_load_file(const char *path, struct itm_diag *diag, int *err)
{
    struct itm_site *s;
    size_t len = 0;
    int rc = 0;
    char *buf = itm_read_file(path, ITM_SITE_MAX_BYTES, &len, diag, &rc);

    if (!buf) {
        if (err)
            *err = rc;
        return NULL;
    }
    s = itm_site_load_mem(path, buf, len, diag, err);
    itm_free(buf);
    return s;
}

uint32_t itm_site_roles(const struct itm_site *site, const struct itm_ip *ip)
{
    const struct itm_site_index *ix;
    const struct itm_site_key *e;

    /* no site, or one that declares no roles: asked eight times a flow */
    if (!site || !site->nroles)
        return 0;
    ix = index_for(site->role_ix, ip);
    e = ix ? index_find(ix, ip) : NULL;
    return e ? e->value : 0;
}

/* Addresses that never name a peer on another network: unspecified, loopback, link-local,
 * multicast and limited broadcast. They stay local whatever [local] lists, so that DHCP,
 * IGMP and multicast tickles are never taken for traffic to the outside. */
static int never_external(const struct itm_ip *ip)
{
    static const uint8_t zero[16];

    if (ip->family == 4)
        return ip->a[0] == 0 || ip->a[0] == 127 || (ip->a[0] == 169 && ip->a[1] == 254) ||
               itm_ip_is_multicast(ip) ||
               (ip->a[0] == 255 && ip->a[1] == 255 && ip->a[2] == 255 && ip->a[3] == 255);
    if (ip->family == 6)
        return (memcmp(ip->a, zero, 15) == 0 && ip->a[15] <= 1) || itm_ip_is_multicast(ip) ||
               (ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80);
    return 0;
}

int itm_site_is_local(const struct itm_site *site, const struct itm_ip *ip)
{
    const struct itm_site_index *ix = site ? index_for(site->local_ix, ip) : NULL;

    if (never_external(ip))
        return 1;
    return ix && index_find(ix, ip) != NULL;
}

const struct itm_policy *itm_site_policy(const struct itm_site *site)
{
    return site ? &site->policy : NULL;
}

int itm_site_apply_moves(const struct itm_site *site, struct itm_sigdb *db,
                         struct itm_diag *diag)
{
    int rc = 0;

    if (!site || !db)
        return ITM_ERR_INVAL;
    /* Every move is tried so that one run reports every refused line. */
    for (size_t i = 0; i < site->nmoves; i++) {
        const struct itm_site_move *m = &site->moves[i];
        int r = itm_sigdb_move(db, m->id, m->ranges, m->nranges, &m->group, diag, site->name,
                               m->line, m->col);
        if (r == ITM_ERR_NOMEM)
            return r;
        if (r < 0)
            rc = ITM_ERR_PARSE;
    }
    return rc;
}

static int pfx_match(const struct itm_site_pfx *e, const struct itm_ip *ip)
{
    uint8_t key[16];

    if (e->addr.family == 0)
        return 1;
    if (!ip || ip->family != e->addr.family)
        return 0;
    memcpy(key, ip->a, sizeof(key));
    itm_site_mask(key, e->plen);
    return memcmp(key, e->addr.a, sizeof(key)) == 0;
}

int itm_site_allowed(const struct itm_site *site, uint32_t flag, const struct itm_ip *client,
                     const struct itm_ip *server, const char *rule_id)
{
    if (!site || flag == 0)
        return 0;
    for (size_t i = 0; i < site->nallows; i++) {
        const struct itm_site_allow *a = &site->allows[i];
        if ((a->flags & flag) != flag || !pfx_match(&a->client, client) ||
            !pfx_match(&a->server, server))
            continue;
        if (a->rule && (!rule_id || strcmp(a->rule, rule_id) != 0))
            continue;
        return 1;
    }
    return 0;
}

size_t itm_site_role_count(const struct itm_site *site)
{
    return site ? site->nroles : 0;
}

int itm_site_role_entry(const struct itm_site *site, size_t i, struct itm_ip *addr,
                        unsigned *prefix, uint32_t *roles)
{
    if (!site || i >= site->nroles)
        return ITM_ERR_NOTFOUND;
    if (addr)
        *addr = site->roles[i].addr;
    if (prefix)
        *prefix = site->roles[i].plen;
    if (roles)
        *roles = site->roles[i].value;
    return 0;
}
