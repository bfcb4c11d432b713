/* The outputs' queue (src/outq.c): every item reaches the thread once, in order, with its
 * record intact, whether the thread keeps up or the queue fills and the pipeline waits;
 * sync returns only when everything queued has been handled; freeing hands over what is
 * still queued first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "../../src/outq.h"
#include "itmscope/common.h"

struct seen {
    uint64_t n;        /* items handled */
    uint64_t bad;      /* out of order or damaged */
    unsigned slow;     /* sleep every this many items (0: never) */
};

static void nap(void)
{
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
}

static void handle(void *ctx, const struct itm_outq_item *it)
{
    struct seen *s = ctx;

    if (it->rec.id != s->n + 1 || it->rec.pkts[0] != (it->rec.id * 7u) ||
        it->kind != (it->rec.id % 3 ? ITM_OUTQ_FLOW : ITM_OUTQ_ALERT) ||
        it->flag != (uint32_t)(it->rec.id & 0xffff))
        s->bad++;
    s->n++;
    if (s->slow && s->n % s->slow == 0)
        nap();
}

static void push(struct itm_outq *q, uint64_t id)
{
    struct itm_outq_item *it = itm_outq_next(q);

    memset(it, 0, sizeof(*it));
    it->kind = id % 3 ? ITM_OUTQ_FLOW : ITM_OUTQ_ALERT;
    it->flag = (uint32_t)(id & 0xffff);
    it->rec.id = id;
    it->rec.pkts[0] = id * 7u;
    itm_outq_push(q);
}

static void run(unsigned slow, uint64_t items, uint64_t sync_every)
{
    struct seen s = {0, 0, slow};
    int err;
    struct itm_outq *q = itm_outq_new(handle, &s, &err);

    assert_non_null(q);
    assert_int_equal(err, ITM_OK);
    for (uint64_t id = 1; id <= items; id++) {
        push(q, id);
        if (sync_every && id % sync_every == 0) {
            itm_outq_sync(q);
            assert_int_equal(s.n, id); /* everything queued so far, and no more */
        }
    }
    itm_outq_free(q); /* hands over the rest, then stops */
    assert_int_equal(s.n, items);
    assert_int_equal(s.bad, 0);
}

/* A fast thread: blocks rarely fill. */
static void test_order_fast(void **state)
{
    (void)state;
    run(0, 100000, 0);
}

/* A slow thread: every block fills, the pipeline waits for room many times. */
static void test_order_slow(void **state)
{
    (void)state;
    run(50, 5000, 0);
}

/* Syncs inside blocks, at block ends and with nothing queued. */
static void test_sync(void **state)
{
    (void)state;
    run(0, 3000, 1);
    run(25, 3000, 64);
    run(0, 3000, 97);
}

/* Freeing with nothing queued, and a sync on an empty queue. */
static void test_empty(void **state)
{
    struct seen s = {0, 0, 0};
    int err;
    struct itm_outq *q = itm_outq_new(handle, &s, &err);
    (void)state;

    assert_non_null(q);
    itm_outq_sync(q);
    itm_outq_free(q);
    itm_outq_free(NULL);
    assert_int_equal(s.n, 0);
}

/* Out of memory: no queue, an error, nothing leaked (the sanitizer build checks). */
static void test_nomem(void **state)
{
    struct seen s = {0, 0, 0};
    int err = 0;
    (void)state;

    for (long n = 0; n < 2; n++) {
        itm_alloc_fail_after(n);
        assert_null(itm_outq_new(handle, &s, &err));
        assert_int_equal(err, ITM_ERR_NOMEM);
    }
    itm_alloc_fail_after(-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_fast), cmocka_unit_test(test_order_slow),
        cmocka_unit_test(test_sync),       cmocka_unit_test(test_empty),
        cmocka_unit_test(test_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
