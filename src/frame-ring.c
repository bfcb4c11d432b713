/* frame-ring.c: slots of copied frames, and the ring of them between the reader thread and
 * the pipeline. One mutex and two condition variables; each slot is handed over whole
 * (thousands of frames), so the lock is taken a few thousand times a second at most, never
 * per frame. It never looks inside a frame. */
#include <pthread.h>
#include <string.h>

#include "frame-ring.h"
#include "itmscope/common.h"

/* The spin below reads the slot states without the lock, as a hint only: every hand-over
 * is still made under the lock. Tell helgrind so, where its header is installed. */
#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif
#ifndef VALGRIND_HG_DISABLE_CHECKING
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#endif

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_READY, SLOT_READING };

/* Pauses a side spins for its slot before it sleeps: at most about 50 microseconds, at
 * least a few dozen pauses (a power of two times the least, so that halving and doubling
 * keep within both). */
#define ITM_RING_SPIN_MIN 16u
#define ITM_RING_SPIN (ITM_RING_SPIN_MIN * 128u)

struct itm_frame_ring {
    pthread_mutex_t mu;
    pthread_cond_t freed;     /* a slot became free, or the ring was cancelled */
    pthread_cond_t published; /* a slot became ready */
    size_t nslots;
    size_t wr, rd;            /* the reader's next slot, the consumer's next slot */
    int cancelled;
    unsigned spin_claim, spin_next; /* the reader's and the consumer's spin budgets */
    struct itm_frame_slot *slots;
    uint8_t *state;           /* enum slot_state, by slot */
};

int itm_frame_slot_init(struct itm_frame_slot *s, size_t max_frames, size_t arena)
{
    memset(s, 0, sizeof(*s));
    s->fr = itm_calloc(max_frames, sizeof(*s->fr));
    s->arena = itm_malloc(arena);
    if (!s->fr || !s->arena) {
        itm_frame_slot_free(s);
        return ITM_ERR_NOMEM;
    }
    s->max_frames = max_frames;
    s->arena_size = arena;
    s->end = -1;
    return ITM_OK;
}

void itm_frame_slot_free(struct itm_frame_slot *s)
{
    itm_free(s->fr);
    itm_free(s->arena);
    s->fr = NULL;
    s->arena = NULL;
}

void itm_frame_slot_clear(struct itm_frame_slot *s)
{
    s->n = 0;
    s->used = 0;
    s->end = -1;
    s->msg[0] = '\0';
}

void itm_frame_ring_free(struct itm_frame_ring *r)
{
    if (!r)
        return;
    if (r->slots)
        for (size_t i = 0; i < r->nslots; i++)
            itm_frame_slot_free(&r->slots[i]);
    itm_free(r->slots);
    itm_free(r->state);
    pthread_cond_destroy(&r->published);
    pthread_cond_destroy(&r->freed);
    pthread_mutex_destroy(&r->mu);
    itm_free(r);
}

struct itm_frame_ring *itm_frame_ring_new(size_t nslots, size_t max_frames, size_t arena,
                                          int *err)
{
    struct itm_frame_ring *r;

    *err = ITM_ERR_INVAL;
    if (nslots < 2 || max_frames == 0 || arena == 0)
        return NULL;
    *err = ITM_ERR_NOMEM;
    r = itm_calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    /* the destroy calls of itm_frame_ring_free need initialised objects */
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->freed, NULL);
    pthread_cond_init(&r->published, NULL);
    r->nslots = nslots;
    r->spin_claim = r->spin_next = ITM_RING_SPIN;
    r->slots = itm_calloc(nslots, sizeof(*r->slots));
    r->state = itm_calloc(nslots, 1);
    if (!r->slots || !r->state)
        goto fail;
    VALGRIND_HG_DISABLE_CHECKING(r->state, nslots);
    VALGRIND_HG_DISABLE_CHECKING(&r->cancelled, sizeof(r->cancelled));
    for (size_t i = 0; i < nslots; i++)
        if (itm_frame_slot_init(&r->slots[i], max_frames, arena) != ITM_OK)
            goto fail;
    *err = ITM_OK;
    return r;
fail:
    itm_frame_ring_free(r);
    return NULL;
}

/* Waits a little for slot i to reach state want without sleeping: when the two sides run at
 * about the same pace the slot is nearly always there within microseconds, and a sleep
 * costs a wake-up (an interrupt to the other CPU, in a virtual machine an exit) on both
 * sides. A side that spun in vain spins half as long the next time, and twice as long
 * after a spin that paid, so that the side that waits for a much slower one soon stops
 * burning its CPU. Returns early when the ring is cancelled; the caller checks again under
 * the lock. *budget belongs to the calling side. */
static void spin_for(const struct itm_frame_ring *r, size_t i, uint8_t want, unsigned *budget)
{
    for (unsigned k = 0; k < *budget; k++) {
        if (__atomic_load_n(&r->state[i], __ATOMIC_ACQUIRE) == want ||
            __atomic_load_n(&r->cancelled, __ATOMIC_RELAXED)) {
            if (*budget < ITM_RING_SPIN)
                *budget *= 2;
            return;
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    if (*budget > ITM_RING_SPIN_MIN)
        *budget /= 2;
}

static void set_state(struct itm_frame_ring *r, size_t i, uint8_t st)
{
    __atomic_store_n(&r->state[i], st, __ATOMIC_RELEASE);
}

struct itm_frame_slot *itm_frame_ring_claim(struct itm_frame_ring *r)
{
    struct itm_frame_slot *s = NULL;

    spin_for(r, r->wr, SLOT_FREE, &r->spin_claim);
    pthread_mutex_lock(&r->mu);
    while (!r->cancelled && r->state[r->wr] != SLOT_FREE)
        pthread_cond_wait(&r->freed, &r->mu);
    if (!r->cancelled) {
        s = &r->slots[r->wr];
        set_state(r, r->wr, SLOT_FILLING);
        r->wr = (r->wr + 1) % r->nslots;
    }
    pthread_mutex_unlock(&r->mu);
    if (s)
        itm_frame_slot_clear(s);
    return s;
}

int itm_frame_slot_add_slow(struct itm_frame_slot *s, uint64_t ts_ns, const uint8_t *data,
                            uint32_t caplen, uint32_t wirelen)
{
    uint8_t *a;

    if (s->n)
        return 1; /* full, by frames or by bytes */
    /* an empty slot, so a frame larger than its arena: the arena grows for it (and stays
     * so); nothing points into an empty arena, so it may move */
    a = itm_realloc(s->arena, caplen);
    if (!a)
        return ITM_ERR_NOMEM;
    s->arena = a;
    s->arena_size = caplen;
    return itm_frame_slot_add(s, ts_ns, data, caplen, wirelen);
}

static size_t slot_index(const struct itm_frame_ring *r, const struct itm_frame_slot *s)
{
    return (size_t)(s - r->slots);
}

void itm_frame_ring_publish(struct itm_frame_ring *r, struct itm_frame_slot *s)
{
    pthread_mutex_lock(&r->mu);
    set_state(r, slot_index(r, s), SLOT_READY);
    pthread_cond_signal(&r->published);
    pthread_mutex_unlock(&r->mu);
}

struct itm_frame_slot *itm_frame_ring_next(struct itm_frame_ring *r)
{
    struct itm_frame_slot *s;

    spin_for(r, r->rd, SLOT_READY, &r->spin_next);
    pthread_mutex_lock(&r->mu);
    while (r->state[r->rd] != SLOT_READY)
        pthread_cond_wait(&r->published, &r->mu);
    s = &r->slots[r->rd];
    set_state(r, r->rd, SLOT_READING);
    r->rd = (r->rd + 1) % r->nslots;
    pthread_mutex_unlock(&r->mu);
    return s;
}

void itm_frame_ring_release(struct itm_frame_ring *r, struct itm_frame_slot *s)
{
    pthread_mutex_lock(&r->mu);
    set_state(r, slot_index(r, s), SLOT_FREE);
    pthread_cond_signal(&r->freed);
    pthread_mutex_unlock(&r->mu);
}

void itm_frame_ring_cancel(struct itm_frame_ring *r)
{
    pthread_mutex_lock(&r->mu);
    __atomic_store_n(&r->cancelled, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&r->freed);
    pthread_mutex_unlock(&r->mu);
}
