/* engine.c: the pipeline of one run. It decodes each frame, attributes fragments, keeps
 * flows, calls the classifier at the few moments a label can change, and hands const
 * snapshots to the outputs. It never parses bytes itself and never prints. */
#include <string.h>

#include "flow-int.h"
#include "frag.h"
#include "itmscope/engine.h"
#include "outq.h"

struct itm_out_slot {
    const struct itm_output_ops *ops;
    struct itm_output *o;
    int to_stdout; /* its argument is "-" */
    int queued;    /* its flow and alert events go through the outputs' thread (set only
                    * while that runs) */
};

struct itm_engine {
    struct itm_engine_cfg cfg;
    struct itm_flow_table *flows;
    struct itm_frag_table *frags;
    struct itm_classifier *cls;
    struct itm_out_slot out[ITM_MAX_OUTPUTS];
    unsigned nout;
    int want_packets;  /* some output has a packet callback */
    int want_roles;    /* some output counts flows under their ends' roles (counts_roles) */
    int observe_only;
    uint64_t now_ns;   /* latest packet time */
    struct itm_stats st;
    int io_error;
    /* The outputs' thread (outq.h), started once ITM_OUTQ_MIN_FLOWS flows have been
     * written out, when allowed and some output has no packet callback; NULL before. */
    struct itm_outq *q;
    uint64_t written;  /* flows handed to the outputs so far, until the queue is decided */
    int q_decided;     /* started or not, it is not asked again */
    int q_alerts;      /* some queued output takes alerts: only then are they queued */
};

static void end_cb(void *ctx, struct itm_flow *f, enum itm_end_reason reason);

/* In the outputs' thread: one queued event to every queued output, as the pipeline would
 * have handed it. */
static void run_queued(void *ctx, const struct itm_outq_item *it)
{
    struct itm_engine *e = ctx;

    for (unsigned i = 0; i < e->nout; i++) {
        const struct itm_out_slot *s = &e->out[i];
        if (!s->queued)
            continue;
        if (it->kind == ITM_OUTQ_FLOW)
            s->ops->flow(s->o, &it->rec);
        else if (s->ops->alert)
            s->ops->alert(s->o, &it->rec, it->flag, it->ts_ns);
    }
}

static void queue_event(struct itm_engine *e, enum itm_outq_kind kind,
                        const struct itm_flow_rec *rec, uint32_t flag)
{
    struct itm_outq_item *it = itm_outq_next(e->q);

    it->kind = (uint8_t)kind;
    it->flag = flag;
    it->ts_ns = e->now_ns;
    it->rec = *rec;
    itm_outq_push(e->q);
}

/* Waits until the outputs' thread has written every event queued: then the outputs may be
 * called, or looked at, from this thread. */
static void sync_outputs(struct itm_engine *e)
{
    if (e->q)
        itm_outq_sync(e->q);
}

/* Starts the outputs' thread when a run has written enough flows to be worth it (a small
 * capture never starts it) and nothing forbids it; a thread that cannot start leaves the
 * outputs on this one. Outputs that see packets stay here, where they see them; so does
 * one that writes to stdout beside them (--packets), whose lines would otherwise mix with
 * theirs in another order. */
static void maybe_start_queue(struct itm_engine *e)
{
    int err, any = 0;

    if (e->q_decided || e->cfg.no_output_thread || ++e->written < ITM_OUTQ_MIN_FLOWS)
        return;
    e->q_decided = 1;
    if (itm_cpus_allowed() < 2)
        return;
    /* marked before the thread starts, which reads the marks */
    for (unsigned i = 0; i < e->nout; i++) {
        e->out[i].queued = !e->out[i].ops->packet && !(e->want_packets && e->out[i].to_stdout);
        any |= e->out[i].queued;
        e->q_alerts |= e->out[i].queued && e->out[i].ops->alert;
    }
    if (any)
        e->q = itm_outq_new(run_queued, e, &err);
    for (unsigned i = 0; !e->q && i < e->nout; i++)
        e->out[i].queued = 0;
    if (!e->q)
        e->q_alerts = 0;
}

static void raise_alerts(struct itm_engine *e, const struct itm_flow_rec *rec, uint32_t raised)
{
    for (unsigned b = 0; b < ITM_F_COUNT_BITS; b++) {
        uint32_t bit = 1u << b;
        if (!(raised & bit))
            continue;
        e->st.alerts++;
        if (e->q_alerts)
            queue_event(e, ITM_OUTQ_ALERT, rec, bit);
        for (unsigned i = 0; i < e->nout; i++)
            if (e->out[i].ops->alert && !e->out[i].queued)
                e->out[i].ops->alert(e->out[i].o, rec, bit, e->now_ns);
    }
}

/* Runs the classifier for one event on a snapshot of the flow (rec). */
static void classify_rec(struct itm_engine *e, const struct itm_pkt *p,
                         enum itm_classify_event ev, int dir, struct itm_flow_rec *rec)
{
    uint32_t raised = itm_classify(e->cls, rec, p, ev, dir, &rec->label);

    if (raised)
        raise_alerts(e, rec, raised);
}

/* Runs the classifier for one event and stores the label back in the flow. A packet's
 * later events reuse its first snapshot (fresh): the classifier changes nothing in it but
 * the label, which it then holds as the flow does. Returns whether rec still matches the
 * flow: not when the label's cold part found no memory. */
static int classify(struct itm_engine *e, struct itm_flow *f, const struct itm_pkt *p,
                    enum itm_classify_event ev, int dir, struct itm_flow_rec *rec, int fresh)
{
    if (!fresh)
        itm_flow_snapshot(f, rec);
    classify_rec(e, p, ev, dir, rec);
    return itm_flow_set_label(f, &rec->label) == ITM_OK;
}

static void end_cb(void *ctx, struct itm_flow *f, enum itm_end_reason reason)
{
    struct itm_engine *e = ctx;
    struct itm_flow_rec rec;

    if (e->observe_only) {
        itm_flow_snapshot(f, &rec);
        rec.end_reason = (uint8_t)reason;
        itm_classifier_observe(e->cls, &rec);
        return;
    }
    /* the flow is freed when this returns: its last label lives on in rec alone */
    itm_flow_snapshot(f, &rec);
    classify_rec(e, NULL, ITM_CE_END, ITM_DIR_TOSERVER, &rec);
    rec.end_reason = (uint8_t)reason;
    itm_classifier_observe(e->cls, &rec);
    if (rec.label.rule == ITM_NO_RULE)
        e->st.flows_unlabelled++;
    if (!e->nout)
        return;
    if (e->want_roles)
        itm_classifier_roles_now(e->cls, &rec);
    maybe_start_queue(e);
    if (e->q)
        queue_event(e, ITM_OUTQ_FLOW, &rec, 0);
    for (unsigned i = 0; i < e->nout; i++)
        if (!e->out[i].queued)
            e->out[i].ops->flow(e->out[i].o, &rec);
}

/* A flow about to be ended (itm_flow_end_all): the role learner and the classifier will
 * look both its ends up. */
static void ahead_cb(void *ctx, const struct itm_flow *f)
{
    struct itm_engine *e = ctx;
    struct itm_ip client, server;

    itm_flow_ends(f, &client, &server);
    itm_classifier_prefetch(e->cls, &client, &server);
}

static int make_tables(struct itm_engine *e, const struct itm_sigdb *db)
{
    struct itm_flow_cfg fc;
    int err;

    memset(&fc, 0, sizeof(fc));
    fc.max_flows = e->cfg.max_flows;
    for (int i = 0; i < ITM_LRU_COUNT; i++)
        fc.timeout_ns[i] = (uint64_t)e->cfg.timeout_s[i] * 1000000000u;
    fc.vlan_in_key = e->cfg.vlan_in_key;
    fc.seed[0] = e->cfg.seed[0];
    fc.seed[1] = e->cfg.seed[1];
    fc.db = db;
    e->flows = itm_flow_table_new(&fc, end_cb, e, &err);
    if (!e->flows)
        return err;
    itm_flow_table_set_ahead(e->flows, ahead_cb);
    e->frags = itm_frag_new(e->cfg.max_frags, e->cfg.seed, &err);
    return e->frags ? ITM_OK : err;
}

static void reset_stats(struct itm_engine *e)
{
    memset(&e->st, 0, sizeof(e->st));
    for (size_t i = 0; i < sizeof(e->st.link_types) / sizeof(e->st.link_types[0]); i++)
        e->st.link_types[i] = -1; /* free slot */
}

struct itm_engine *itm_engine_new(const struct itm_engine_cfg *cfg, const struct itm_sigdb *db,
                                  const struct itm_site *site, int *err)
{
    struct itm_engine *e = itm_calloc(1, sizeof(*e));

    if (!e) {
        *err = ITM_ERR_NOMEM;
        return NULL;
    }
    e->cfg = *cfg;
    if (!e->cfg.seed[0] && !e->cfg.seed[1])
        itm_hash_new_key(e->cfg.seed, e);
    e->cls = itm_classifier_new(db, site, &cfg->cls, err);
    if (!e->cls)
        goto fail;
    *err = make_tables(e, db);
    if (*err)
        goto fail;
    reset_stats(e);
    return e;
fail:
    itm_engine_free(e);
    return NULL;
}

static void close_outputs(struct itm_engine *e)
{
    itm_outq_free(e->q);
    e->q = NULL;
    e->q_alerts = 0;
    for (unsigned i = 0; i < e->nout; i++)
        if (e->out[i].o && e->out[i].ops->close(e->out[i].o) != 0)
            e->io_error = 1;
    e->nout = 0;
}

void itm_engine_free(struct itm_engine *e)
{
    if (!e)
        return;
    close_outputs(e);
    itm_flow_table_free(e->flows);
    itm_frag_free(e->frags);
    itm_classifier_free(e->cls);
    itm_free(e);
}

int itm_engine_add_output(struct itm_engine *e, const struct itm_output_ops *ops, const char *arg,
                          const struct itm_output_ctx *ctx)
{
    struct itm_output *o = NULL;
    int rc;

    if (e->nout >= ITM_MAX_OUTPUTS)
        return ITM_ERR_FULL;
    rc = ops->open(&o, arg, ctx);
    if (rc)
        return rc;
    sync_outputs(e);
    e->out[e->nout].ops = ops;
    e->out[e->nout].o = o;
    e->out[e->nout].to_stdout = arg && strcmp(arg, "-") == 0;
    e->out[e->nout].queued = 0;
    e->nout++;
    if (ops->packet)
        e->want_packets = 1;
    if (ops->counts_roles)
        e->want_roles = 1;
    return ITM_OK;
}

void itm_engine_set_observe_only(struct itm_engine *e, int on)
{
    e->observe_only = on;
}

void itm_engine_end_pass(struct itm_engine *e)
{
    itm_flow_end_all(e->flows, ITM_END_EOF);
    itm_classifier_freeze(e->cls);
    itm_classifier_reset_transient(e->cls);
    itm_flow_table_reset(e->flows);
    itm_frag_reset(e->frags);
    reset_stats(e);
    e->now_ns = 0;
    e->observe_only = 0;
}

/* Counts n frames of one link type (callers count a batch at once). A capture has one link
 * type, so it is nearly always in the first slot. */
static void count_link(struct itm_stats *st, int linktype, uint64_t n)
{
    for (unsigned i = 0; i < 8; i++) {
        if (st->link_types[i] == linktype) {
            st->link_packets[i] += n;
            return;
        }
        if (st->link_types[i] == -1) {
            st->link_types[i] = linktype;
            st->link_packets[i] = n;
            return;
        }
    }
}

static int count_decode(struct itm_stats *st, const struct itm_pkt *p)
{
    st->by_status[p->status]++;
    switch (p->status) {
    case ITM_DEC_OK:
        break;
    case ITM_DEC_TRUNCATED:
        st->truncated[p->reason]++;
        return 0;
    case ITM_DEC_INVALID:
        st->invalid[p->reason]++;
        return 0;
    case ITM_DEC_NON_IP:
        st->non_ip[p->reason]++;
        return 0;
    default:
        return 0;
    }
    if (p->ip_ver == 4)
        st->ipv4++;
    else
        st->ipv6++;
    switch (p->proto) {
    case 6:
        st->tcp++;
        break;
    case 17:
        st->udp++;
        break;
    case 1:
    case 58:
        st->icmp++;
        break;
    case 2:
        st->igmp++;
        break;
    default:
        st->other_ip++;
        st->other_proto[p->proto]++;
        break;
    }
    return 1;
}

/* Fragments: the first carries the ports and collects what came before it; later ones
 * borrow its ports, or wait for it. Returns 0 when the packet is held back. */
static int attribute_fragment(struct itm_engine *e, struct itm_pkt *p, uint32_t *pend_pkts,
                              uint64_t *pend_bytes, uint64_t *pend_first)
{
    e->st.fragments++;
    if (p->frag_off == 0) {
        itm_frag_first(e->frags, p, pend_pkts, pend_bytes, pend_first);
        return 1;
    }
    return itm_frag_other(e->frags, p, &p->sport, &p->dport);
}

static void packet_outputs(struct itm_engine *e, const struct itm_pkt *p, struct itm_flow *f,
                           int dir)
{
    struct itm_flow_rec rec;
    struct itm_out_pkt op;

    op.pkt = p;
    op.flow = NULL;
    op.dir = dir;
    if (f) {
        itm_flow_snapshot(f, &rec);
        op.flow = &rec;
    }
    for (unsigned i = 0; i < e->nout; i++)
        if (e->out[i].ops->packet)
            e->out[i].ops->packet(e->out[i].o, &op);
}

/* The classifier events of a packet's flow: its first packet, its first reply, its first
 * payload each way. Out of line (and its snapshot with it) for the few packets that have
 * one; flow_events finds them inline, as bits EVB(event). */
#define EVB(ev) (1u << (ev))
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void flow_events_run(struct itm_engine *e, struct itm_flow *f, const struct itm_pkt *p,
                            int dir, unsigned events)
{
    static const enum itm_classify_event order[] = {ITM_CE_NEW, ITM_CE_REPLY, ITM_CE_PAYLOAD};
    struct itm_flow_rec rec;
    int fresh = 0; /* rec holds the flow as it is now */

    if (events & EVB(ITM_CE_PAYLOAD))
        f->bits |= dir == ITM_DIR_TOSERVER ? ITM_FB_PAYLOAD0 : ITM_FB_PAYLOAD1;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (events & EVB(order[i]))
            fresh = classify(e, f, p, order[i], dir, &rec, fresh);
}

static inline void flow_events(struct itm_engine *e, struct itm_flow *f, const struct itm_pkt *p,
                               int dir, int created)
{
    uint8_t pbit = dir == ITM_DIR_TOSERVER ? ITM_FB_PAYLOAD0 : ITM_FB_PAYLOAD1;
    unsigned events =
        (created ? EVB(ITM_CE_NEW) : 0u) |
        (dir == ITM_DIR_TOCLIENT && itm_flow_one_packet(f, dir) ? EVB(ITM_CE_REPLY) : 0u) |
        (p->payload_len > 0 && !(f->bits & pbit) ? EVB(ITM_CE_PAYLOAD) : 0u);

    if (events)
        flow_events_run(e, f, p, dir, events);
}

/* One decoded packet, its flow lookup prepared when it has one (prep NULL otherwise). The
 * caller has counted its link type. */
static void packet_decoded(struct itm_engine *e, const struct itm_frame *fr, struct itm_pkt *p,
                           const struct itm_flow_prep *prep)
{
    struct itm_flow *f = NULL;
    uint32_t pend_pkts = 0;
    uint64_t pend_bytes = 0, pend_first = 0;
    int dir = 0, created = 0;

    e->st.packets++;
    e->st.bytes += fr->wirelen;
    /* A set first_ns is never later than now_ns: a packet that moves the time forward can
     * only set the first one, an earlier one may lower it. */
    if (fr->ts_ns > e->now_ns) {
        if (!e->st.first_ns)
            e->st.first_ns = fr->ts_ns;
        e->now_ns = fr->ts_ns;
        itm_flow_expire(e->flows, fr->ts_ns);
        /* no fragment seen in this pass: the fragment table is empty (a call per packet) */
        if (e->st.fragments)
            itm_frag_expire(e->frags, fr->ts_ns);
    } else if (!e->st.first_ns || fr->ts_ns < e->st.first_ns) {
        e->st.first_ns = fr->ts_ns;
    }
    if (count_decode(&e->st, p) &&
        (!p->is_frag || attribute_fragment(e, p, &pend_pkts, &pend_bytes, &pend_first))) {
        f = prep ? itm_flow_packet_prepared(e->flows, p, prep, &dir, &created)
                 : itm_flow_packet(e->flows, p, &dir, &created);
        if (f && pend_pkts)
            itm_flow_credit(e->flows, f, dir, pend_pkts, pend_bytes, pend_first);
        if (f && !e->observe_only)
            flow_events(e, f, p, dir, created);
    }
    if (e->want_packets && !e->observe_only)
        packet_outputs(e, p, f, dir);
}

/* Passes over a batch: decode each frame and prepare its lookup (hash, prefetch of the
 * bucket); read the buckets and prefetch the first flow of each chain, then the second
 * where the first is not the one; then process the packets in order as if they had come
 * one by one. By the third pass most of what the lookups touch is in cache: the misses
 * were taken together rather than one after another. Below ITM_BATCH_MIN_FLOWS flows open
 * the flows stay in cache, and only the decoding, the keys and the buckets' fetch are done
 * ahead (the frames passing through evict the buckets: without the fetch, their loads were
 * a fifth of packet_decoded's samples on 1,000 flows). Decoding is pure and preparing
 * reads nothing that processing changes, so the order of results is the order of the
 * frames. */
/* Passes prefetching along the chains: uthash keeps about two flows per bucket, and a
 * pass after the flow's third line come its expiry neighbours' (itm_flow_prefetch). */
#define ITM_ENGINE_PREFETCH_DEPTH 3u

void itm_engine_packets(struct itm_engine *e, int linktype, const struct itm_frame *v, size_t n)
{
    struct itm_pkt p[ITM_ENGINE_BATCH];
    struct itm_flow_prep prep[ITM_ENGINE_BATCH];
    uint8_t ok[ITM_ENGINE_BATCH];

    while (n > 0) {
        size_t m = n < ITM_ENGINE_BATCH ? n : ITM_ENGINE_BATCH;
        /* a table small enough to stay in cache needs no more than its buckets fetched */
        int ahead = itm_flow_active(e->flows) >= ITM_BATCH_MIN_FLOWS;
        count_link(&e->st, linktype, m);
        for (size_t i = 0; i < m; i++) {
            itm_decode(linktype, v[i].data, v[i].caplen, v[i].wirelen, v[i].ts_ns, &p[i]);
            /* a later fragment's ports come from its first fragment: not prepared */
            ok[i] = p[i].status == ITM_DEC_OK && (!p[i].is_frag || p[i].frag_off == 0);
            if (ok[i])
                itm_flow_prepare(e->flows, &p[i], &prep[i]);
        }
        for (unsigned depth = 0; ahead && depth < ITM_ENGINE_PREFETCH_DEPTH; depth++)
            for (size_t i = 0; i < m; i++)
                if (ok[i])
                    itm_flow_prefetch(e->flows, &prep[i], depth);
        for (size_t i = 0; i < m; i++)
            packet_decoded(e, &v[i], &p[i], ok[i] ? &prep[i] : NULL);
        v += m;
        n -= m;
    }
}

int itm_engine_wants_batches(const struct itm_engine *e)
{
    return itm_flow_active(e->flows) >= ITM_BATCH_MIN_FLOWS;
}

void itm_engine_packet(struct itm_engine *e, int linktype, uint64_t ts_ns, const uint8_t *frame,
                       uint32_t caplen, uint32_t wirelen)
{
    struct itm_frame fr = {frame, ts_ns, caplen, wirelen};
    struct itm_pkt p;

    itm_decode(linktype, frame, caplen, wirelen, ts_ns, &p);
    count_link(&e->st, linktype, 1);
    packet_decoded(e, &fr, &p, NULL);
}

static void refresh_stats(struct itm_engine *e)
{
    struct itm_flow_counters fc;
    struct itm_frag_counters gc;

    itm_flow_counters(e->flows, &fc);
    itm_frag_counters(e->frags, &gc);
    e->st.flows_created = fc.created;
    e->st.flows_ended = fc.ended;
    e->st.flows_expired = fc.expired;
    e->st.flows_evicted = fc.evicted;
    e->st.flows_active_max = fc.active_max;
    e->st.frag_datagrams = gc.datagrams;
    e->st.frag_orphans = gc.orphans;
    e->st.frag_dropped = gc.evicted;
    e->st.frag_pending_max = gc.active_max;
    e->st.last_ns = e->now_ns;
    itm_classifier_stats(e->cls, &e->st.cls);
}

const struct itm_stats *itm_engine_stats(struct itm_engine *e)
{
    refresh_stats(e);
    return &e->st;
}

void itm_engine_advance(struct itm_engine *e, uint64_t now_ns)
{
    if (now_ns <= e->now_ns)
        return;
    e->now_ns = now_ns;
    itm_flow_expire(e->flows, now_ns);
    itm_frag_expire(e->frags, now_ns);
}

void itm_engine_emit_stats(struct itm_engine *e, uint64_t ts_ns)
{
    sync_outputs(e);
    refresh_stats(e);
    for (unsigned i = 0; i < e->nout; i++)
        e->out[i].ops->stats(e->out[i].o, &e->st, ts_ns, 0);
}

int itm_engine_finish(struct itm_engine *e, int end_reason)
{
    itm_flow_end_all(e->flows, (enum itm_end_reason)end_reason);
    itm_frag_expire(e->frags, UINT64_MAX);
    sync_outputs(e);
    refresh_stats(e);
    for (unsigned i = 0; i < e->nout; i++)
        e->out[i].ops->stats(e->out[i].o, &e->st, e->now_ns, 1);
    close_outputs(e);
    return e->io_error ? ITM_ERR_IO : ITM_OK;
}

void itm_engine_set_kernel_stats(struct itm_engine *e, uint64_t recv, uint64_t drop,
                                 uint64_t ifdrop)
{
    e->st.live = 1;
    e->st.kernel_recv = recv;
    e->st.kernel_drop = drop;
    e->st.iface_drop = ifdrop;
}

struct itm_classifier *itm_engine_classifier(struct itm_engine *e)
{
    return e->cls;
}

void itm_engine_reload(struct itm_engine *e, const struct itm_sigdb *db,
                       const struct itm_site *site)
{
    /* queued records name rules by their index in the database in force */
    sync_outputs(e);
    itm_classifier_reload(e->cls, db, site);
    itm_flow_table_set_db(e->flows, db);
}

struct itm_output *itm_engine_output(struct itm_engine *e, const struct itm_output_ops *ops)
{
    sync_outputs(e); /* the caller may touch it */
    for (unsigned i = 0; i < e->nout; i++)
        if (e->out[i].ops == ops)
            return e->out[i].o;
    return NULL;
}

struct peek_ctx {
    struct itm_engine *e;
    void (*fn)(void *ctx, const struct itm_flow_rec *rec);
    void *ctx;
};

static void peek_one(void *ctx, const struct itm_flow *f)
{
    struct peek_ctx *pc = ctx;
    struct itm_flow_rec rec;

    itm_flow_snapshot(f, &rec);
    if (pc->e->want_roles)
        itm_classifier_roles_now(pc->e->cls, &rec);
    pc->fn(pc->ctx, &rec);
}

void itm_engine_peek_flows(struct itm_engine *e,
                           void (*fn)(void *ctx, const struct itm_flow_rec *rec), void *ctx)
{
    struct peek_ctx pc = {e, fn, ctx};

    sync_outputs(e);

    itm_flow_foreach(e->flows, peek_one, &pc);
}
