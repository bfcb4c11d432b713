/* out-pcap.c: the evidence pcap: every packet of every flagged flow. The first packets of
 * each open flow wait in a bounded table (keyed by flow id) until the flow is flagged, then
 * go out with the rest; an unflagged flow's packets are dropped when it ends. It copies
 * packets it may need and never looks inside them. */
#include <pcap/pcap.h>
#include <string.h>

#include "dlist.h"
#include "itm-limits.h"
#include "out-file.h"
#include "report-int.h"

struct ev_pkt {
    struct ev_pkt *next;
    uint64_t ts_ns;
    uint32_t caplen, wirelen;
    uint8_t data[];
};

/* Packets held for one open, not yet flagged flow; oldest-first list for eviction. */
struct ev_flow {
    uint64_t id;
    struct ev_pkt *head, *tail;
    unsigned npkts;
    size_t bytes;
    struct itm_dnode age; /* in the oldest-first list */
    UT_hash_handle hh;
};

struct itm_output {
    struct itm_out_file file; /* first: see out-file.h */
    pcap_t *dead;
    pcap_dumper_t *dump;
    int linktype;
    uint32_t snaplen;
    struct ev_flow *tab;
    struct itm_dlist age; /* the flows held, least recently held first */
    size_t nflows, bytes;
    uint64_t written, other_link, let_go, missing;
};

/* Flow ids are ours (sequential), not the sender's: a plain mix spreads them. */
static unsigned id_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= UINT64_C(0xff51afd7ed558ccd);
    id ^= id >> 33;
    return (unsigned)id;
}

static struct ev_flow *ev_find(struct itm_output *o, uint64_t id)
{
    struct ev_flow *ev;

    HASH_FIND_BYHASHVALUE(hh, o->tab, &id, sizeof(id), id_hash(id), ev);
    return ev;
}

/* The flow held longest, NULL when none is. */
static struct ev_flow *ev_oldest(const struct itm_output *o)
{
    return ITM_DLIST_OLDEST(&o->age, struct ev_flow, age);
}

static void ev_drop(struct itm_output *o, struct ev_flow *ev)
{
    struct ev_pkt *p = ev->head;

    while (p) {
        struct ev_pkt *next = p->next;
        itm_free(p);
        p = next;
    }
    itm_dlist_unlink(&o->age, &ev->age);
    HASH_DELETE(hh, o->tab, ev);
    o->nflows--;
    o->bytes -= ev->bytes;
    itm_free(ev);
}

static int start_dump(struct itm_output *o, int linktype)
{
    o->linktype = linktype;
    o->dead = pcap_open_dead_with_tstamp_precision(linktype, (int)o->snaplen,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!o->dead)
        return ITM_ERR_NOMEM;
    o->dump = pcap_dump_fopen(o->dead, o->file.f);
    if (!o->dump) { /* the next packet tries again: leave nothing behind */
        pcap_close(o->dead);
        o->dead = NULL;
        return ITM_ERR_IO;
    }
    return ITM_OK;
}

static void write_frame(struct itm_output *o, uint64_t ts_ns, const uint8_t *data,
                        uint32_t caplen, uint32_t wirelen)
{
    struct pcap_pkthdr h;

    memset(&h, 0, sizeof(h));
    h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u); /* nanoseconds: see start_dump */
    h.caplen = caplen;
    h.len = wirelen;
    pcap_dump((u_char *)o->dump, &h, data);
    o->written++;
}

/* Writes what a flow held; pkts: the flow's packets so far, to count those not held. */
static void ev_flush(struct itm_output *o, struct ev_flow *ev, uint64_t pkts)
{
    if (pkts > ev->npkts)
        o->missing += pkts - ev->npkts;
    for (struct ev_pkt *p = ev->head; p; p = p->next)
        write_frame(o, p->ts_ns, p->data, p->caplen, p->wirelen);
    ev_drop(o, ev);
}

/* Makes room for `need` more bytes (and, when keep is NULL, one more flow) by letting
 * the least recently held flows go; never keep, the flow the bytes are for. */
static void make_room(struct itm_output *o, size_t need, const struct ev_flow *keep)
{
    struct ev_flow *ev;

    while ((ev = ev_oldest(o)) != NULL && ev != keep &&
           ((!keep && o->nflows >= ITM_EVIDENCE_MAX_FLOWS) ||
            o->bytes + need > ITM_EVIDENCE_MAX_BYTES)) {
        o->let_go++;
        ev_drop(o, ev);
    }
}

/* Moves a flow to the newest end: the flows let go first are those idle longest. */
static void ev_touch(struct itm_output *o, struct ev_flow *ev)
{
    itm_dlist_move_newest(&o->age, &ev->age);
}

static struct ev_flow *ev_new(struct itm_output *o, uint64_t id)
{
    struct ev_flow *ev = itm_calloc(1, sizeof(*ev));

    if (!ev)
        return NULL;
    ev->id = id;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, o->tab, &ev->id, sizeof(ev->id), id_hash(id), ev);
    if (!ev->hh.tbl) {
        itm_free(ev);
        return NULL;
    }
    itm_dlist_append(&o->age, &ev->age);
    o->nflows++;
    return ev;
}

/* ev: the flow's held packets so far, NULL when none. */
static void ev_hold(struct itm_output *o, const struct itm_pkt *pkt, uint64_t id,
                    struct ev_flow *ev)
{
    struct ev_pkt *p;

    if (ev && ev->npkts >= ITM_EVIDENCE_PKTS)
        return;
    if (ev)
        ev_touch(o, ev);
    make_room(o, pkt->caplen, ev);
    if (!ev && !(ev = ev_new(o, id)))
        return;
    p = itm_malloc(sizeof(*p) + pkt->caplen);
    if (!p)
        return;
    p->next = NULL;
    p->ts_ns = pkt->ts_ns;
    p->caplen = pkt->caplen;
    p->wirelen = pkt->wirelen;
    memcpy(p->data, pkt->frame, pkt->caplen);
    if (ev->tail)
        ev->tail->next = p;
    else
        ev->head = p;
    ev->tail = p;
    ev->npkts++;
    ev->bytes += pkt->caplen;
    o->bytes += pkt->caplen;
}

static void evidence_packet(struct itm_output *o, const struct itm_out_pkt *op)
{
    const struct itm_flow_rec *rec = op->flow;
    const struct itm_pkt *pkt = op->pkt;
    struct ev_flow *ev;

    if (!rec)
        return;
    if (!o->dump && start_dump(o, pkt->linktype) != ITM_OK) {
        o->file.failed = 1;
        return;
    }
    if (pkt->linktype != o->linktype) {
        o->other_link++; /* a pcap file has one link type */
        return;
    }
    ev = ev_find(o, rec->id);
    if (rec->label.flags) {
        if (ev)
            ev_flush(o, ev, rec->pkts[0] + rec->pkts[1] - 1);
        write_frame(o, pkt->ts_ns, pkt->frame, pkt->caplen, pkt->wirelen);
        return;
    }
    /* a flow first seen past the window, or whose packets were let go, starts no buffer */
    if (ev || rec->pkts[0] + rec->pkts[1] <= ITM_EVIDENCE_PKTS)
        ev_hold(o, pkt, rec->id, ev);
}

static void evidence_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    struct ev_flow *ev = ev_find(o, rec->id);

    if (!ev)
        return;
    if (rec->label.flags) /* flagged when it ended */
        ev_flush(o, ev, rec->pkts[0] + rec->pkts[1]);
    else
        ev_drop(o, ev);
}

static void evidence_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns,
                       int final)
{
    (void)st;
    (void)ts_ns;
    if (!final && o->dump && pcap_dump_flush(o->dump) != 0)
        o->file.failed = 1;
}

static int evidence_open(struct itm_output **out, const char *arg,
                         const struct itm_output_ctx *ctx)
{
    int rc;
    struct itm_output *o = itm_out_file_new(sizeof(*o), arg, "wb", 0, &rc);

    if (!o)
        return rc;
    o->snaplen = ctx->snaplen > 65535u ? ctx->snaplen : ITM_DEFAULT_SNAPLEN;
    o->linktype = -1;
    if (ctx->linktype >= 0 && start_dump(o, ctx->linktype) != ITM_OK) {
        fprintf(stderr, "itmscope: %s: cannot write a pcap of link type %d\n", arg,
                ctx->linktype);
        itm_out_file_close(o);
        return ITM_ERR_IO;
    }
    *out = o;
    return ITM_OK;
}

static int evidence_close(struct itm_output *o)
{
    struct ev_flow *ev;

    while ((ev = ev_oldest(o)) != NULL)
        ev_drop(o, ev);
    /* no packet at all: still leave a valid, empty capture behind */
    if (!o->dump && start_dump(o, DLT_EN10MB) != ITM_OK)
        o->file.failed = 1;
    if (o->dump && pcap_dump_flush(o->dump) != 0)
        o->file.failed = 1;
    if (o->other_link)
        fprintf(stderr, "itmscope: evidence pcap: %llu packets of another link type left out\n",
                (unsigned long long)o->other_link);
    if (o->let_go)
        fprintf(stderr, "itmscope: evidence pcap: %llu flows' first packets were let go "
                        "(held-packet table full)\n",
                (unsigned long long)o->let_go);
    if (o->missing)
        fprintf(stderr, "itmscope: evidence pcap: %llu packets of flagged flows came after the "
                        "first %u and before the flag, and are not in it\n",
                (unsigned long long)o->missing, ITM_EVIDENCE_PKTS);
    /* the dump owns the file (stdout stays open for the other outputs) */
    if (o->dump && !o->file.is_stdout) {
        pcap_dump_close(o->dump); /* closes o->file.f, whose flush was checked above */
        o->file.f = NULL;
    }
    if (o->dead)
        pcap_close(o->dead);
    return itm_out_file_close(o);
}

const struct itm_output_ops itm_out_pcap = {
    .name = "pcap",
    .open = evidence_open,
    .packet = evidence_packet,
    .flow = evidence_flow,
    .alert = NULL,
    .stats = evidence_stats,
    .close = evidence_close,
};
