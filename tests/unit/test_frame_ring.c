/* test_frame_ring.c: the slots between a file's reader thread and the pipeline. Frames
 * arrive in order with their bytes, times and lengths intact, across slots that fill by
 * frame count or by bytes and arenas that grow for a frame larger than them; the end and
 * its message travel with the last slot; a cancel frees a reader that waits for a slot;
 * bad sizes and failed allocations are refused without leaks. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame-ring.h"
#include "itm-limits.h"
#include "itmscope/capture.h"
#include "itmscope/common.h"

#define NFRAMES 20000u
#define BIG 70000u /* larger than the test's arenas */

static uint32_t frame_len(uint32_t i)
{
    if (i % 997 == 5)
        return BIG;
    return (i * 37u) % 1600u; /* 0 included */
}

static uint8_t frame_byte(uint32_t i, uint32_t k)
{
    return (uint8_t)(i * 131u + k * 7u);
}

struct producer {
    struct itm_frame_ring *r;
    uint32_t nframes;
    int end;
    size_t published;
    int cancelled; /* a claim returned NULL */
};

static void *produce(void *arg)
{
    struct producer *pr = arg;
    static uint8_t buf[BIG];
    struct itm_frame_slot *s = itm_frame_ring_claim(pr->r);

    for (uint32_t i = 0; s && i < pr->nframes; i++) {
        uint32_t len = frame_len(i);
        int rc;
        for (uint32_t k = 0; k < len; k++)
            buf[k] = frame_byte(i, k);
        rc = itm_frame_slot_add(s, 1000u + i, buf, len, len + 4u);
        if (rc == 1) {
            itm_frame_ring_publish(pr->r, s);
            pr->published++;
            s = itm_frame_ring_claim(pr->r);
            if (!s)
                break;
            rc = itm_frame_slot_add(s, 1000u + i, buf, len, len + 4u);
        }
        if (rc != 0)
            return NULL; /* the consumer notices the missing frames */
    }
    if (!s) {
        pr->cancelled = 1;
        return NULL;
    }
    s->end = pr->end;
    snprintf(s->msg, sizeof(s->msg), "the end after %u frames", pr->nframes);
    itm_frame_ring_publish(pr->r, s);
    pr->published++;
    return NULL;
}

/* Every frame in order, whatever the slot sizes; the end travels with the last slot. */
static void run_order(size_t nslots, size_t max_frames, size_t arena)
{
    struct producer pr = {0};
    pthread_t th;
    uint32_t next = 0;
    size_t slots = 0;
    int err, end = -1;

    pr.r = itm_frame_ring_new(nslots, max_frames, arena, &err);
    assert_non_null(pr.r);
    pr.nframes = NFRAMES;
    pr.end = ITM_CAP_TRUNCATED;
    assert_int_equal(pthread_create(&th, NULL, produce, &pr), 0);
    while (end < 0) {
        struct itm_frame_slot *s = itm_frame_ring_next(pr.r);
        slots++;
        assert_true(s->n <= max_frames);
        for (size_t j = 0; j < s->n; j++, next++) {
            const struct itm_frame *f = &s->fr[j];
            uint32_t len = frame_len(next);
            assert_int_equal(f->ts_ns, 1000u + next);
            assert_int_equal(f->caplen, len);
            assert_int_equal(f->wirelen, len + 4u);
            for (uint32_t k = 0; k < len; k++)
                if (f->data[k] != frame_byte(next, k))
                    fail_msg("frame %u byte %u differs", next, k);
        }
        end = s->end;
        if (end >= 0)
            assert_string_equal(s->msg, "the end after 20000 frames");
        itm_frame_ring_release(pr.r, s);
    }
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(end, ITM_CAP_TRUNCATED);
    assert_int_equal(next, NFRAMES);
    assert_int_equal(slots, pr.published);
    itm_frame_ring_free(pr.r);
}

static void test_order_small_slots(void **state)
{
    (void)state;
    run_order(2, 16, 4096); /* slots fill by count and by bytes; arenas grow for BIG */
}

static void test_order_default_slots(void **state)
{
    (void)state;
    run_order(ITM_READ_SLOTS, ITM_READ_SLOT_FRAMES, ITM_READ_SLOT_BYTES);
}

/* A reader waiting for a slot while the pipeline holds them all is freed by a cancel. */
static void test_cancel_frees_waiting_reader(void **state)
{
    struct producer pr = {0};
    pthread_t th;
    struct itm_frame_slot *s;
    int err;
    (void)state;

    pr.r = itm_frame_ring_new(3, 8, 1 << 17, &err);
    assert_non_null(pr.r);
    pr.nframes = 1000; /* far more than three slots of eight */
    pr.end = ITM_CAP_EOF;
    assert_int_equal(pthread_create(&th, NULL, produce, &pr), 0);
    /* take one slot and keep it: the reader fills the other two and waits */
    s = itm_frame_ring_next(pr.r);
    assert_int_equal(s->n, 8);
    assert_int_equal(s->end, -1);
    itm_frame_ring_cancel(pr.r);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(pr.cancelled);
    assert_null(itm_frame_ring_claim(pr.r));
    itm_frame_ring_free(pr.r);
}

static void test_slot_full_and_growth(void **state)
{
    static uint8_t big[BIG];
    uint8_t small[100] = {0};
    struct itm_frame_ring *r;
    struct itm_frame_slot *s;
    int err;
    (void)state;

    r = itm_frame_ring_new(2, 3, 250, &err);
    assert_non_null(r);
    s = itm_frame_ring_claim(r);
    assert_non_null(s);
    assert_int_equal(itm_frame_slot_add(s, 1, small, 100, 100), 0);
    assert_int_equal(itm_frame_slot_add(s, 2, small, 100, 100), 0);
    assert_int_equal(itm_frame_slot_add(s, 3, small, 100, 100), 1); /* 300 bytes > 250 */
    assert_int_equal(itm_frame_slot_add(s, 3, small, 50, 50), 0);
    assert_int_equal(itm_frame_slot_add(s, 4, small, 0, 60), 1); /* three frames already */
    assert_int_equal(s->n, 3);
    itm_frame_ring_publish(r, s);
    s = itm_frame_ring_next(r);
    itm_frame_ring_release(r, s);
    s = itm_frame_ring_claim(r);
    assert_int_equal(s->n, 0);
    assert_int_equal(s->end, -1);
    /* a frame larger than the arena: on an empty slot the arena grows for it */
    big[BIG - 1] = 0xa5;
    assert_int_equal(itm_frame_slot_add(s, 5, big, BIG, BIG), 0);
    assert_int_equal(s->fr[0].data[BIG - 1], 0xa5);
    assert_int_equal(itm_frame_slot_add(s, 6, small, 1, 1), 1); /* the grown arena is full */
    itm_alloc_fail_after(0);
    itm_frame_ring_publish(r, s);
    s = itm_frame_ring_next(r);
    itm_frame_ring_release(r, s);
    s = itm_frame_ring_claim(r); /* the other slot, with its 250-byte arena */
    assert_int_equal(itm_frame_slot_add(s, 7, big, BIG, BIG), ITM_ERR_NOMEM);
    itm_alloc_fail_after(-1);
    assert_int_equal(s->n, 0);
    itm_frame_ring_free(r);
}

static void test_bad_sizes_and_no_memory(void **state)
{
    int err = 0;
    (void)state;

    assert_null(itm_frame_ring_new(1, 8, 1024, &err));
    assert_int_equal(err, ITM_ERR_INVAL);
    assert_null(itm_frame_ring_new(2, 0, 1024, &err));
    assert_int_equal(err, ITM_ERR_INVAL);
    assert_null(itm_frame_ring_new(2, 8, 0, &err));
    assert_int_equal(err, ITM_ERR_INVAL);
    /* every allocation of the ring failing in turn: NULL, NOMEM, nothing leaked (ASan) */
    for (long n = 0; n < 20; n++) {
        struct itm_frame_ring *r;
        itm_alloc_fail_after(n);
        r = itm_frame_ring_new(4, 8, 1024, &err);
        itm_alloc_fail_after(-1);
        if (r) {
            assert_true(n >= 3 + 2 * 4);
            itm_frame_ring_free(r);
            return;
        }
        assert_int_equal(err, ITM_ERR_NOMEM);
    }
    fail_msg("the ring was never made");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_small_slots),
        cmocka_unit_test(test_order_default_slots),
        cmocka_unit_test(test_cancel_frees_waiting_reader),
        cmocka_unit_test(test_slot_full_and_growth),
        cmocka_unit_test(test_bad_sizes_and_no_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
