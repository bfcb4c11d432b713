/* flow-int.h: the flow table's private layout. Only the flow table, the fragment table and
 * the engine include this; outputs and the classifier see struct itm_flow_rec snapshots. */
#ifndef ITMSCOPE_FLOW_INT_H
#define ITMSCOPE_FLOW_INT_H

#include <stdint.h>

#include "itmscope/decode.h"
#include "itmscope/flow.h"
#include "itmscope/sigdb.h"
#include "itm-limits.h"
#include "uthash-cfg.h"

/* Canonical bidirectional key: endpoint a is the lower (address, port) pair. Zero-filled
 * before use because the hash reads every byte, padding included. */
struct itm_flow_key {
    uint8_t a[16], b[16];
    uint16_t port_a, port_b;
    uint16_t vlan;     /* outer VLAN id when --vlan-in-key, else 0 */
    uint8_t proto;
    uint8_t family;
};

/* Expiry classes, one LRU list each, so that the head of every list is the next to expire. */
enum itm_lru {
    ITM_LRU_TCP = 0,    /* TCP not yet closed */
    ITM_LRU_TCP_CLOSED, /* both FINs or a RST seen: short linger for the last ACKs */
    ITM_LRU_UDP,
    ITM_LRU_ICMP,
    ITM_LRU_OTHER,
    ITM_LRU_COUNT
};

/* A flow's counters, by direction: their low 32 bits in the flow, the high ones in its cold
 * part once one carried (ITM_FB_WIDE). */
enum itm_ctr {
    ITM_CTR_PKTS = 0,
    ITM_CTR_BYTES,   /* frame lengths */
    ITM_CTR_PAYLOAD, /* payload bytes the headers declare */
    ITM_CTR_COUNT
};

/* Rarely used parts of a flow, allocated only when a payload check, a finding's reason, a
 * related flow or a counter past 32 bits needs them, and packed: the strings take their
 * length, not their buffer size, because a flow keeps them for its whole life (a full
 * itm_label would be 250 bytes per checked flow; a TLS check with its SNI packs into about
 * 50). */
struct itm_flow_cold {
    uint64_t related_id;
    /* the high 32 bits of the flow's packet and byte counters, by direction, once one of
     * them carried (ITM_FB_WIDE): 4 GiB of one flow's one direction is rare enough to pay
     * a cold allocation, and halving the counters keeps the flow at three cache lines */
    uint32_t ctr_hi[2][ITM_CTR_COUNT];
    uint8_t insp_id, insp_verdict, insp_subtype, insp_flags;
    uint8_t insp_mac[6];
    uint8_t text_len, text2_len, reason_len; /* string lengths, NUL excluded */
    char str[];                              /* text, text2, reason, each NUL-terminated */
};

/* Flow bits (struct itm_flow.bits). */
#define ITM_FB_CLIENT_IS_A 0x01u /* the client is endpoint a of the key */
#define ITM_FB_PAYLOAD0 0x02u    /* payload seen toward the server */
#define ITM_FB_PAYLOAD1 0x04u    /* payload seen toward the client */
#define ITM_FB_WIDE 0x08u        /* a counter carried: the cold part holds the high words */
#define ITM_FB_FIN0 0x10u        /* FIN from the client */
#define ITM_FB_FIN1 0x20u        /* FIN from the server */
#define ITM_FB_NVLAN_SHIFT 6     /* the top two bits: VLAN tags kept (0 to ITM_MAX_VLAN) */

/* A flow: 192 bytes on 64-bit targets, three cache lines (slabs align flows on 64 bytes).
 * What a packet reads or writes is packed at the front in the order it is touched: the
 * first line holds the uthash handle, whose hashv/hh_next fields a lookup walks, and the
 * last-seen time; the second the key a lookup compares and the counters; the third the
 * state bits and expiry links, then what is read only when the flow is labelled or ends. The
 * packet and byte counters keep their low 32 bits here and carry into the cold part
 * (ITM_FB_WIDE): 64-bit counters would take 16 bytes more of every flow. Nothing here can
 * be derived from the rest: the expiry class follows from the protocol and the TCP state,
 * the number of alternatives from the unused slots (ITM_NO_RULE), and expiry links are
 * 32-bit references into the table's slabs (flow-table.c) rather than pointers. */
struct itm_flow {
    UT_hash_handle hh;
    uint64_t last_ns;
    /* second line */
    struct itm_flow_key key;
    uint32_t ctr[2][ITM_CTR_COUNT]; /* by direction, low words (see ITM_FB_WIDE) */
    /* third line */
    uint8_t bits;      /* ITM_FB_*, and the VLAN tag count above them */
    uint8_t tcp_state; /* enum itm_tcp_state */
    uint8_t orient;    /* 0 SYN, 1 port, 2 first sender */
    uint8_t confidence;
    uint32_t lru_prev, lru_next; /* flow references, 0 for none; lru_next links the free list */
    uint16_t rule;
    uint8_t icmp_type, icmp_code;
    /* per flow */
    uint64_t id;
    uint64_t first_ns;
    struct itm_flow_cold *cold;
    /* the label, compact; expanded into struct itm_label for classification and outputs */
    uint32_t flags;    /* every flag raised is raised as an alert event */
    uint32_t client_roles, server_roles;
    uint16_t alt[ITM_MAX_ALT]; /* ITM_NO_RULE after the last */
    uint16_t vlan[ITM_MAX_VLAN];
};

/* Whether direction dir has seen exactly one packet (a low word of 1 after a carry is not
 * one): the engine's test for a flow's first reply. */
static inline int itm_flow_one_packet(const struct itm_flow *f, int dir)
{
    return f->ctr[dir][ITM_CTR_PKTS] == 1 && !(f->bits & ITM_FB_WIDE);
}

typedef void (*itm_flow_end_fn)(void *ctx, struct itm_flow *f, enum itm_end_reason reason);
/* Told of a flow that end_fn will soon be called with, so that what ending it reads can be
 * fetched into the cache meanwhile (itm_flow_end_all: ITM_FLOW_END_AHEAD flows ahead). */
typedef void (*itm_flow_ahead_fn)(void *ctx, const struct itm_flow *f);

struct itm_flow_cfg {
    uint32_t max_flows;                 /* 0: ITM_DEFAULT_MAX_FLOWS */
    uint64_t timeout_ns[ITM_LRU_COUNT]; /* idle timeouts per class */
    int vlan_in_key;
    uint64_t seed[2];                   /* hash key (itm_flow_hash) */
    const struct itm_sigdb *db;         /* documented listening ports, may be NULL */
};

struct itm_flow_counters {
    uint64_t created, ended, expired, evicted, active, active_max, nomem;
};

struct itm_flow_table;

/* Creates a table. end_fn is called for every flow that ends (it may read the flow; the
 * table frees the flow after it returns). NULL with *err on failure. */
struct itm_flow_table *itm_flow_table_new(const struct itm_flow_cfg *cfg, itm_flow_end_fn end_fn,
                                          void *ctx, int *err);
/* Frees every flow without calling end_fn. */
void itm_flow_table_free(struct itm_flow_table *t);

/* Finds or creates the flow of a decoded packet (status OK, has_l4 or ports set), sets
 * *dir and *created, and accounts the packet (counters, TCP state, LRU). A SYN on a closed
 * flow ends it and starts a new one (port reuse). NULL when out of memory (counted). */
struct itm_flow *itm_flow_packet(struct itm_flow_table *t, const struct itm_pkt *p, int *dir,
                                 int *created);

/* A packet's lookup prepared ahead of it, so that a batch of packets can have their buckets
 * and flows on the way from memory at once instead of one cache miss after another: with a
 * million flows the table is far larger than the caches, and each miss costs hundreds of
 * nanoseconds. Preparing and prefetching change nothing in the table; a prepared packet
 * must be handed to itm_flow_packet_prepared before the table's seed or key settings
 * change (any flows may come and go in between: only the key and its hash are kept). */
struct itm_flow_prep {
    struct itm_flow_key k;
    uint64_t hv;
    int src_is_a;
};

/* Builds the key and hash of p (as itm_flow_packet would) and prefetches its bucket. */
void itm_flow_prepare(const struct itm_flow_table *t, const struct itm_pkt *p,
                      struct itm_flow_prep *pr);
/* Reads the bucket (prefetched by itm_flow_prepare, ideally a while ago), walks depth flows
 * of its chain (prefetched by an earlier call with depth - 1) and prefetches the next one;
 * stops early at a flow whose hash is the packet's. */
void itm_flow_prefetch(const struct itm_flow_table *t, const struct itm_flow_prep *pr,
                       unsigned depth);
/* itm_flow_packet with the key and hash prepared by itm_flow_prepare for this packet. */
struct itm_flow *itm_flow_packet_prepared(struct itm_flow_table *t, const struct itm_pkt *p,
                                          const struct itm_flow_prep *pr, int *dir,
                                          int *created);
/* Adds packets and bytes to a flow without a packet (fragments whose first arrived last). */
void itm_flow_credit(struct itm_flow_table *t, struct itm_flow *f, int dir, uint32_t pkts,
                     uint64_t bytes, uint64_t first_ns);
/* Ends flows idle past their timeout at packet time now_ns. O(1) amortised. */
void itm_flow_expire(struct itm_flow_table *t, uint64_t now_ns);
/* Ends every flow, in creation order, with the given reason. */
void itm_flow_end_all(struct itm_flow_table *t, enum itm_end_reason reason);
/* The hook told of the flows itm_flow_end_all is about to end (NULL: none). */
void itm_flow_table_set_ahead(struct itm_flow_table *t, itm_flow_ahead_fn fn);
/* A flow's client and server addresses, as its snapshot has them. */
void itm_flow_ends(const struct itm_flow *f, struct itm_ip *client, struct itm_ip *server);
/* Forgets every flow without calling end_fn and restarts ids at 1 (between passes). */
void itm_flow_table_reset(struct itm_flow_table *t);
void itm_flow_counters(const struct itm_flow_table *t, struct itm_flow_counters *out);
/* Flows open now. */
uint64_t itm_flow_active(const struct itm_flow_table *t);

/* Fills a public snapshot (label included) from a flow. */
void itm_flow_snapshot(const struct itm_flow *f, struct itm_flow_rec *rec);
/* Stores a label back into a flow; 0 or ITM_ERR_NOMEM (the cold part could not be made;
 * the compact label is stored anyway). */
int itm_flow_set_label(struct itm_flow *f, const struct itm_label *label);

/* Swaps the database used to orient mid-stream flows (reload); borrowed like the first. */
void itm_flow_table_set_db(struct itm_flow_table *t, const struct itm_sigdb *db);
/* Calls fn with every open flow, in creation order, without ending any. */
void itm_flow_foreach(const struct itm_flow_table *t,
                      void (*fn)(void *ctx, const struct itm_flow *f), void *ctx);

/* The table's keyed hash of len bytes (exposed for the fragment table and tests). Keyed by
 * seed, so that keys an attacker chooses land in buckets he cannot predict; see
 * flow-table.c for why it is not SipHash. */
uint64_t itm_flow_hash(const uint64_t seed[2], const void *data, size_t len);

#endif
