/* frag.c: fragment attribution (see frag.h). Datagrams sit in a seeded uthash and one list
 * in arrival order, so expiry and eviction are O(1); ended entries wait on a free list for
 * the next datagram, so fragmented traffic costs no allocation per packet. Never reads
 * packet bytes. */
#include <string.h>

#include "dlist.h"
#include "flow-int.h"
#include "frag.h"

struct itm_frag_key {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto, family;
    uint8_t pad[2];
};

struct itm_frag {
    struct itm_frag_key key;
    UT_hash_handle hh;
    struct itm_dnode age; /* arrival order; the free list's link (newer) when free */
    uint64_t created_ns;
    uint64_t pend_bytes, pend_first_ns;
    uint32_t pend_pkts;
    uint16_t sport, dport;
    uint8_t has_ports;
};

struct itm_frag_table {
    struct itm_frag *hash;
    struct itm_dlist age;         /* by arrival */
    struct itm_dnode *free_list;  /* linked through age.newer; at most max entries in all */
    uint32_t max;
    uint64_t seed[2];
    struct itm_frag_counters cnt;
};

struct itm_frag_table *itm_frag_new(uint32_t max, const uint64_t seed[2], int *err)
{
    struct itm_frag_table *t = itm_calloc(1, sizeof(*t));

    if (!t) {
        *err = ITM_ERR_NOMEM;
        return NULL;
    }
    t->max = max ? max : ITM_MAX_FRAG_DATAGRAMS;
    t->seed[0] = seed[0] ^ UINT64_C(0x6672616773);
    t->seed[1] = seed[1];
    *err = ITM_OK;
    return t;
}

static struct itm_frag *oldest(const struct itm_frag_table *t)
{
    return ITM_DLIST_OLDEST(&t->age, struct itm_frag, age);
}

static void free_push(struct itm_frag_table *t, struct itm_frag *f)
{
    f->age.newer = t->free_list;
    t->free_list = &f->age;
}

/* The free list's first entry, taken off it; NULL when it is empty. */
static struct itm_frag *free_pop(struct itm_frag_table *t)
{
    struct itm_frag *f;

    if (!t->free_list)
        return NULL;
    f = ITM_DLIST_ENTRY(t->free_list, struct itm_frag, age);
    t->free_list = f->age.newer;
    return f;
}

static void drop(struct itm_frag_table *t, struct itm_frag *f)
{
    HASH_DELETE(hh, t->hash, f);
    itm_dlist_unlink(&t->age, &f->age);
    t->cnt.orphans += f->pend_pkts;
    t->cnt.active--;
    free_push(t, f);
}

void itm_frag_reset(struct itm_frag_table *t)
{
    struct itm_frag *f;

    while ((f = oldest(t)) != NULL)
        drop(t, f);
    memset(&t->cnt, 0, sizeof(t->cnt));
}

void itm_frag_free(struct itm_frag_table *t)
{
    if (!t)
        return;
    itm_frag_reset(t);
    for (struct itm_frag *f; (f = free_pop(t)) != NULL;)
        itm_free(f);
    itm_free(t);
}

static struct itm_frag *frag_alloc(struct itm_frag_table *t)
{
    struct itm_frag *f = free_pop(t);

    if (!f)
        return itm_calloc(1, sizeof(*f));
    memset(f, 0, sizeof(*f));
    return f;
}

static struct itm_frag *find_or_add(struct itm_frag_table *t, const struct itm_pkt *p)
{
    struct itm_frag_key k;
    struct itm_frag *f = NULL;
    uint64_t hv;

    memset(&k, 0, sizeof(k));
    memcpy(k.src, p->src.a, 16);
    memcpy(k.dst, p->dst.a, 16);
    k.id = p->frag_id;
    k.proto = p->proto;
    k.family = p->ip_ver;
    hv = itm_flow_hash(t->seed, &k, sizeof(k));
    HASH_FIND_BYHASHVALUE(hh, t->hash, &k, sizeof(k), (unsigned)hv, f);
    if (f)
        return f;
    if (t->cnt.active >= t->max && t->age.oldest) {
        t->cnt.evicted++;
        drop(t, oldest(t));
    }
    f = frag_alloc(t);
    if (!f) {
        t->cnt.nomem++;
        return NULL;
    }
    f->key = k;
    f->created_ns = p->ts_ns;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->hash, &f->key, sizeof(f->key), (unsigned)hv, f);
    if (!f->hh.tbl) {
        free_push(t, f);
        t->cnt.nomem++;
        return NULL;
    }
    itm_dlist_append(&t->age, &f->age);
    t->cnt.datagrams++;
    if (++t->cnt.active > t->cnt.active_max)
        t->cnt.active_max = t->cnt.active;
    return f;
}

void itm_frag_first(struct itm_frag_table *t, const struct itm_pkt *p, uint32_t *pkts,
                    uint64_t *bytes, uint64_t *first_ns)
{
    struct itm_frag *f = find_or_add(t, p);

    *pkts = 0;
    *bytes = 0;
    *first_ns = 0;
    if (!f)
        return;
    f->has_ports = 1;
    f->sport = p->sport;
    f->dport = p->dport;
    *pkts = f->pend_pkts;
    *bytes = f->pend_bytes;
    *first_ns = f->pend_first_ns;
    f->pend_pkts = 0;
    f->pend_bytes = 0;
    f->pend_first_ns = 0;
}

int itm_frag_other(struct itm_frag_table *t, const struct itm_pkt *p, uint16_t *sport,
                   uint16_t *dport)
{
    struct itm_frag *f = find_or_add(t, p);

    if (!f) {
        t->cnt.orphans++;
        return 0;
    }
    if (f->has_ports) {
        *sport = f->sport;
        *dport = f->dport;
        return 1;
    }
    if (f->pend_pkts == 0 || p->ts_ns < f->pend_first_ns)
        f->pend_first_ns = p->ts_ns;
    f->pend_pkts++;
    f->pend_bytes += p->wirelen;
    return 0;
}

void itm_frag_expire(struct itm_frag_table *t, uint64_t now_ns)
{
    const uint64_t timeout_ns = (uint64_t)ITM_FRAG_TIMEOUT * 1000000000u;
    struct itm_frag *f;

    while ((f = oldest(t)) != NULL && f->created_ns + timeout_ns < now_ns)
        drop(t, f);
}

void itm_frag_counters(const struct itm_frag_table *t, struct itm_frag_counters *out)
{
    *out = t->cnt;
}
