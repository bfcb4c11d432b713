/* expect.c: expectations: flows that an earlier flow announces (the TFTP transfer after a
 * request, the next step of a PXE boot). Bounded in number and in packet time, with
 * counters; it never labels flows itself and never grows past its limit. */
#include <string.h>

#include "classify-int.h"

enum exp_kind {
    EXP_TFTP = 1, /* a = TFTP server, b = client, port = client port */
    EXP_PXE_IP,   /* a = booting client */
    EXP_PXE_MAC,  /* mac = booting client, before it has an address */
};

/* Zero-filled before use: the hash reads the padding too. */
struct exp_key {
    uint8_t kind;
    uint8_t mac[6];
    uint16_t port;
    struct itm_ip a, b;
};

struct itm_expect {
    struct exp_key k;
    uint64_t flow_id;  /* the flow that announced what is expected */
    uint64_t prev_id;  /* PXE: the step before flow_id */
    uint64_t expires;
    uint8_t step;      /* enum itm_pxe_step */
    UT_hash_handle hh;
};

void itm_exp_init(struct itm_expects *e, uint32_t max, uint32_t timeout_s)
{
    memset(e, 0, sizeof(*e));
    e->max = max;
    e->timeout_ns = (uint64_t)timeout_s * 1000000000u;
    itm_hash_new_key(e->seed, e);
}

static void drop(struct itm_expects *e, struct itm_expect *x)
{
    HASH_DELETE(hh, e->tab, x);
    itm_free(x);
}

void itm_exp_clear(struct itm_expects *e)
{
    struct itm_expect *x, *tmp;

    HASH_ITER(hh, e->tab, x, tmp) drop(e, x);
}

/* Every entry lives equally long and is re-added when refreshed, so insertion order is
 * expiry order and the head is always the next to go: amortised O(1) per insertion. */
static void purge(struct itm_expects *e, uint64_t now)
{
    while (e->tab && e->tab->expires <= now) {
        drop(e, e->tab);
        e->expired++;
    }
}

static struct itm_expect *find(struct itm_expects *e, const struct exp_key *k, uint64_t now)
{
    struct itm_expect *x = NULL;
    uint32_t hv = itm_cls_hash(e->seed, k, sizeof(*k));

    HASH_FIND_BYHASHVALUE(hh, e->tab, k, sizeof(*k), hv, x);
    if (x && x->expires <= now) {
        drop(e, x);
        e->expired++;
        x = NULL;
    }
    return x;
}

/* Moves x to the tail with a fresh lifetime. NULL (x freed) when the table cannot take it
 * back, which only an allocation failure while growing the buckets can cause. */
static struct itm_expect *touch(struct itm_expects *e, struct itm_expect *x, uint64_t now)
{
    uint32_t hv = x->hh.hashv;

    HASH_DELETE(hh, e->tab, x);
    x->expires = now + e->timeout_ns;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, e->tab, &x->k, sizeof(x->k), hv, x);
    if (!x->hh.tbl) {
        itm_free(x);
        e->dropped++;
        return NULL;
    }
    return x;
}

static struct itm_expect *create(struct itm_expects *e, const struct exp_key *k, uint64_t now)
{
    struct itm_expect *x;
    uint32_t hv;

    purge(e, now);
    if (HASH_COUNT(e->tab) >= e->max || !(x = itm_calloc(1, sizeof(*x)))) {
        e->dropped++;
        return NULL;
    }
    x->k = *k;
    x->expires = now + e->timeout_ns;
    hv = itm_cls_hash(e->seed, &x->k, sizeof(x->k));
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, e->tab, &x->k, sizeof(x->k), hv, x);
    if (!x->hh.tbl) {
        itm_free(x);
        e->dropped++;
        return NULL;
    }
    e->created++;
    return x;
}

static void tftp_key(struct exp_key *k, const struct itm_ip *server, const struct itm_ip *client,
                     uint16_t client_port)
{
    memset(k, 0, sizeof(*k));
    k->kind = EXP_TFTP;
    k->port = client_port;
    itm_cls_ip_norm(&k->a, server);
    itm_cls_ip_norm(&k->b, client);
}

void itm_exp_tftp_add(struct itm_expects *e, const struct itm_flow_rec *req, uint64_t now)
{
    struct exp_key k;
    struct itm_expect *x;

    tftp_key(&k, &req->server, &req->client, req->client_port);
    x = find(e, &k, now);
    x = x ? touch(e, x, now) : create(e, &k, now);
    if (x)
        x->flow_id = req->id;
}

/* RFC 1350 section 4: the server answers from a fresh port to the requester's port, so
 * the transfer is a new flow whose one end is the request's client address and port. The
 * flow table may have made either end its client. */
uint64_t itm_exp_tftp_take(struct itm_expects *e, const struct itm_flow_rec *rec, uint64_t now)
{
    struct exp_key k;
    struct itm_expect *x;
    uint64_t id;

    if (rec->ipproto != 17 || !e->tab)
        return 0;
    tftp_key(&k, &rec->client, &rec->server, rec->server_port);
    x = find(e, &k, now);
    if (!x && rec->server_port != 69) {
        tftp_key(&k, &rec->server, &rec->client, rec->client_port);
        x = find(e, &k, now);
    }
    if (!x || x->flow_id == rec->id)
        return 0;
    id = x->flow_id;
    drop(e, x);
    e->matched++;
    return id;
}

static void pxe_key(struct exp_key *k, const struct itm_ip *ip, const uint8_t *mac)
{
    memset(k, 0, sizeof(*k));
    if (ip) {
        k->kind = EXP_PXE_IP;
        itm_cls_ip_norm(&k->a, ip);
    } else {
        k->kind = EXP_PXE_MAC;
        memcpy(k->mac, mac, sizeof(k->mac));
    }
}

static int mac_usable(const uint8_t *mac)
{
    static const uint8_t zero[6];
    return mac && memcmp(mac, zero, sizeof(zero)) != 0 && !(mac[0] & 1);
}

static void pxe_record(struct itm_expects *e, const struct itm_ip *ip, const uint8_t *mac,
                       enum itm_pxe_step step, uint64_t flow_id, uint64_t prev, uint64_t now)
{
    struct exp_key k;
    struct itm_expect *x;

    pxe_key(&k, ip, mac);
    x = find(e, &k, now);
    x = x ? touch(e, x, now) : create(e, &k, now);
    if (!x)
        return;
    x->flow_id = flow_id;
    x->prev_id = prev;
    x->step = (uint8_t)step;
}

uint64_t itm_exp_pxe_step(struct itm_expects *e, const struct itm_ip *client,
                          const uint8_t *mac, enum itm_pxe_step step, uint64_t flow_id,
                          uint64_t now)
{
    const struct itm_ip *ip = itm_cls_ip_is_host(client) ? client : NULL;
    int starts = step == ITM_PXE_DHCP || step == ITM_PXE_PROXY;
    struct itm_expect *x = NULL;
    struct exp_key k;
    uint64_t prev = 0;

    if (!mac_usable(mac))
        mac = NULL;
    if (!ip && !mac)
        return 0;
    if (ip) {
        pxe_key(&k, ip, NULL);
        x = find(e, &k, now);
    }
    if (!x && mac) {
        pxe_key(&k, NULL, mac);
        x = find(e, &k, now);
    }
    if (x && x->flow_id == flow_id)
        return x->prev_id;
    /* A boot may fetch several files and open several connections: a later step follows
     * whatever came last. DHCP or proxyDHCP again after a later step is a new boot. */
    if (x && (!starts || x->step < step))
        prev = x->flow_id;
    else if (!starts)
        return 0;
    if (ip)
        pxe_record(e, ip, NULL, step, flow_id, prev, now);
    if (mac)
        pxe_record(e, NULL, mac, step, flow_id, prev, now);
    return prev;
}
