/* outq.c: blocks of output events from the pipeline to the outputs' thread (outq.h). One
 * mutex and two condition variables; a block (OUTQ_BLOCK events) is handed over whole, so
 * the lock is taken once per block, never per event. */
#include <pthread.h>

#include "itmscope/common.h"
#include "outq.h"

/* Events a block holds, and blocks in the queue: 8 x 64 records of 416 bytes, 220 KiB. */
#define OUTQ_BLOCK 64u
#define OUTQ_BLOCKS 8u
/* A pipeline that finds every block queued sleeps until the outputs' thread is down to this
 * many, not until one is free: where the outputs are the slower side (the end of a large
 * capture, every flow's JSON line at once) it wakes once per four blocks rather than once per
 * block, each wake-up an interrupt to the other CPU (on many with --json, 11,500 voluntary
 * context switches to 4,200). */
#define OUTQ_RESUME (OUTQ_BLOCKS / 2u)

struct outq_block {
    struct itm_outq_item it[OUTQ_BLOCK];
    unsigned n;
};

struct itm_outq {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t queued; /* a block was queued, or stop */
    pthread_cond_t done;   /* a block was handled */
    itm_outq_fn fn;
    void *ctx;
    struct outq_block *blocks;
    unsigned wr;       /* the block being filled (the pipeline's) */
    unsigned rd;       /* the next block to handle (the thread's) */
    unsigned nqueued;  /* blocks queued, not yet handled (the one handled included) */
    int stop;
};

static void *outq_main(void *arg)
{
    struct itm_outq *q = arg;

    pthread_mutex_lock(&q->mu);
    for (;;) {
        struct outq_block *b;
        while (!q->nqueued && !q->stop)
            pthread_cond_wait(&q->queued, &q->mu);
        if (!q->nqueued)
            break; /* stopped, and nothing left */
        b = &q->blocks[q->rd];
        pthread_mutex_unlock(&q->mu);
        for (unsigned i = 0; i < b->n; i++)
            q->fn(q->ctx, &b->it[i]);
        pthread_mutex_lock(&q->mu);
        b->n = 0;
        q->rd = (q->rd + 1u) % OUTQ_BLOCKS;
        q->nqueued--;
        if (q->nqueued <= OUTQ_RESUME)
            pthread_cond_signal(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

struct itm_outq *itm_outq_new(itm_outq_fn fn, void *ctx, int *err)
{
    struct itm_outq *q = itm_calloc(1, sizeof(*q));

    *err = ITM_ERR_NOMEM;
    if (!q)
        return NULL;
    q->blocks = itm_calloc(OUTQ_BLOCKS, sizeof(*q->blocks));
    if (!q->blocks) {
        itm_free(q);
        return NULL;
    }
    q->fn = fn;
    q->ctx = ctx;
    *err = ITM_ERR_INVAL;
    if (pthread_mutex_init(&q->mu, NULL) != 0)
        goto fail_mu;
    if (pthread_cond_init(&q->queued, NULL) != 0)
        goto fail_queued;
    if (pthread_cond_init(&q->done, NULL) != 0)
        goto fail_done;
    if (itm_thread_start(&q->th, outq_main, q) != 0)
        goto fail_thread;
    *err = ITM_OK;
    return q;
fail_thread:
    pthread_cond_destroy(&q->done);
fail_done:
    pthread_cond_destroy(&q->queued);
fail_queued:
    pthread_mutex_destroy(&q->mu);
fail_mu:
    itm_free(q->blocks);
    itm_free(q);
    return NULL;
}

/* Queues the block being filled and takes the next one; when that one is still queued,
 * waits until the queue is down to OUTQ_RESUME blocks. */
static void queue_block(struct itm_outq *q)
{
    pthread_mutex_lock(&q->mu);
    q->nqueued++;
    pthread_cond_signal(&q->queued);
    q->wr = (q->wr + 1u) % OUTQ_BLOCKS;
    if (q->nqueued == OUTQ_BLOCKS)
        while (q->nqueued > OUTQ_RESUME)
            pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

struct itm_outq_item *itm_outq_next(struct itm_outq *q)
{
    return &q->blocks[q->wr].it[q->blocks[q->wr].n];
}

void itm_outq_push(struct itm_outq *q)
{
    if (++q->blocks[q->wr].n == OUTQ_BLOCK)
        queue_block(q);
}

void itm_outq_sync(struct itm_outq *q)
{
    if (q->blocks[q->wr].n)
        queue_block(q);
    pthread_mutex_lock(&q->mu);
    while (q->nqueued)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

void itm_outq_free(struct itm_outq *q)
{
    if (!q)
        return;
    itm_outq_sync(q);
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->queued);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    pthread_cond_destroy(&q->done);
    pthread_cond_destroy(&q->queued);
    pthread_mutex_destroy(&q->mu);
    itm_free(q->blocks);
    itm_free(q);
}
