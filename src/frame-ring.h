/* frame-ring.h: frames copied out of libpcap's buffer (which the next record overwrites) into
 * slots, and a bounded queue of such slots from one reader thread to one consumer, so that
 * libpcap's reading of a file (stdio, the kernel's copy) runs on one core while the
 * pipeline runs on another. Frames keep their order; the reader blocks when every slot is
 * full, so memory stays bounded whatever the consumer's speed. It never decodes. */
#ifndef ITMSCOPE_FRAME_RING_H
#define ITMSCOPE_FRAME_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "itmscope/engine.h"

/* One batch of frames, their bytes in the slot's own arena. */
struct itm_frame_slot {
    struct itm_frame *fr; /* frames in order; fr[i].data points into arena */
    size_t n, max_frames;
    uint8_t *arena;
    size_t used, arena_size;
    uint64_t pos;         /* the reader's input position after the last frame (progress) */
    int end;              /* -1 while the input goes on; else how it ended (enum itm_capture_end) */
    char msg[1024];       /* why, when end is an error */
};

/* Makes an empty slot of up to max_frames frames and arena bytes (the capture's batch, and
 * each slot of a ring). 0, or ITM_ERR_NOMEM with nothing left to free. */
int itm_frame_slot_init(struct itm_frame_slot *s, size_t max_frames, size_t arena);
/* Frees what itm_frame_slot_init allocated; a zeroed slot is fine. */
void itm_frame_slot_free(struct itm_frame_slot *s);
/* Empties a slot for its next frames (end -1, no message). */
void itm_frame_slot_clear(struct itm_frame_slot *s);

struct itm_frame_ring;

/* A ring of nslots slots (at least 2) of up to max_frames frames and arena bytes each. NULL
 * with *err (ITM_ERR_NOMEM, ITM_ERR_INVAL) on failure. */
struct itm_frame_ring *itm_frame_ring_new(size_t nslots, size_t max_frames, size_t arena,
                                          int *err);
/* Frees the ring and its slots; neither side may use it any more. */
void itm_frame_ring_free(struct itm_frame_ring *r);

/* Reader: the next slot to fill, emptied (end -1), waiting while the consumer holds every
 * slot. NULL once the ring is cancelled. */
struct itm_frame_slot *itm_frame_ring_claim(struct itm_frame_ring *r);
/* itm_frame_slot_add when the frame does not fit as it is: a full slot, or a frame larger
 * than the arena. */
int itm_frame_slot_add_slow(struct itm_frame_slot *s, uint64_t ts_ns, const uint8_t *data,
                            uint32_t caplen, uint32_t wirelen);

/* Copies a frame into the slot. 0 when added; 1 when the slot is full (hand it on, empty it
 * and add the frame again); ITM_ERR_NOMEM when the slot is empty and its arena could not
 * grow to a frame larger than it. Inline: it runs for every frame that is copied. */
static inline int itm_frame_slot_add(struct itm_frame_slot *s, uint64_t ts_ns,
                                     const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    struct itm_frame *fr;

    if (s->n == s->max_frames || caplen > s->arena_size - s->used)
        return itm_frame_slot_add_slow(s, ts_ns, data, caplen, wirelen);
    fr = &s->fr[s->n++];
    if (caplen)
        memcpy(s->arena + s->used, data, caplen);
    fr->data = s->arena + s->used;
    fr->ts_ns = ts_ns;
    fr->caplen = caplen;
    fr->wirelen = wirelen;
    s->used += caplen;
    return 0;
}
/* Reader: hands a claimed slot to the consumer. */
void itm_frame_ring_publish(struct itm_frame_ring *r, struct itm_frame_slot *s);

/* Consumer: the next published slot, in the order they were claimed, waiting for it. */
struct itm_frame_slot *itm_frame_ring_next(struct itm_frame_ring *r);
/* Consumer: gives a slot back to the reader once its frames are no longer read. */
void itm_frame_ring_release(struct itm_frame_ring *r, struct itm_frame_slot *s);

/* Consumer: the reader's next claim returns NULL (a waiting one at once). */
void itm_frame_ring_cancel(struct itm_frame_ring *r);

#endif
