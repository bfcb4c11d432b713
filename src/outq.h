/* outq.h: the outputs' own thread. Writing a flow's JSON line or adding it to the report's
 * model costs as much again as classifying it; with a second CPU those calls can run there
 * while the pipeline goes on. The pipeline queues each event (a flow's end, an alert) with
 * a copy of its record, in blocks handed over whole; one thread takes the blocks in order
 * and hands every event to a function of the caller's, so each output sees exactly the
 * events, in exactly the order, it would have seen on the pipeline's thread. Anything else
 * that touches the outputs (stats, a reload, the report written on demand, closing) first
 * waits for the queue to be empty (itm_outq_sync). */
#ifndef ITMSCOPE_OUTQ_H
#define ITMSCOPE_OUTQ_H

#include <stdint.h>

#include "itmscope/flow.h"

enum itm_outq_kind { ITM_OUTQ_FLOW = 1, ITM_OUTQ_ALERT };

struct itm_outq_item {
    uint8_t kind;     /* enum itm_outq_kind */
    uint32_t flag;    /* ALERT: the flag raised */
    uint64_t ts_ns;   /* ALERT: when */
    struct itm_flow_rec rec;
};

typedef void (*itm_outq_fn)(void *ctx, const struct itm_outq_item *it);

struct itm_outq;

/* Starts the thread, which calls fn(ctx, item) for every item in order. NULL with *err
 * (ITM_ERR_NOMEM, or ITM_ERR_INVAL when the thread cannot start). */
struct itm_outq *itm_outq_new(itm_outq_fn fn, void *ctx, int *err);
/* The next item to fill (waiting while every block is queued); itm_outq_push queues it. */
struct itm_outq_item *itm_outq_next(struct itm_outq *q);
void itm_outq_push(struct itm_outq *q);
/* Queues what is filled and waits until the thread has handled every item: on return the
 * caller may touch what fn touches, until it queues again. */
void itm_outq_sync(struct itm_outq *q);
/* Syncs, stops the thread and frees the queue. NULL is fine. */
void itm_outq_free(struct itm_outq *q);

#endif
