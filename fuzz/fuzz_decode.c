/* fuzz_decode.c: libFuzzer target for one frame (byte 0 picks the link type): the decoder's
 * promises about offsets, its fast path against its general decoders, then the frame through
 * a small engine (fragments, flows, classifier, JSON output). It must never carry state from
 * one input to the next. */
#include <string.h>

#include "decode-int.h" /* itm_decode_slow */
#include "fuzz-util.h"
#include "itmscope/decode.h"

/* Link types the fuzzer picks from, by input[0] modulo the count. tools/fuzz-seeds.py reads
 * this list to give real frames the right first byte: keep it one number per entry. The
 * last entry (USER0) is not supported, to cover that path too. */
static const int fuzz_linktypes[] = {
    1,   /* EN10MB */
    113, /* LINUX_SLL */
    276, /* LINUX_SLL2 */
    12,  /* RAW */
    14,  /* RAW (OpenBSD numbering) */
    101, /* LINKTYPE_RAW */
    228, /* IPV4 */
    229, /* IPV6 */
    0,   /* NULL (BSD loopback) */
    108, /* LOOP */
    9,   /* PPP */
    50,  /* PPP_SERIAL */
    104, /* C_HDLC */
    51,  /* PPP_ETHER */
    147, /* USER0 */
};
#define NLINK (sizeof(fuzz_linktypes) / sizeof(fuzz_linktypes[0]))

/* One engine for the whole run: a new one per input costs a fresh flow slab (about 1 MB,
 * page-faulted in under ASan) and cut the rate forty-fold. Ending a pass after each input
 * empties the tables; the pass ended at start-up froze role learning while no host was
 * known, so no input can leave learned roles behind for the next. */
static struct itm_engine *g_engine;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i + 1 < NLINK; i++)
        ITM_FUZZ_CHECK(itm_decode_linktype_supported(fuzz_linktypes[i]));
    ITM_FUZZ_CHECK(!itm_decode_linktype_supported(fuzz_linktypes[NLINK - 1]));
    g_engine = itm_fuzz_engine(1);
    itm_engine_end_pass(g_engine);
    return 0;
}

/* What decode.h promises: a status and reason in range, and every offset it reports lies
 * inside the captured bytes. */
static void check_pkt(const struct itm_pkt *p, int rc, uint32_t caplen)
{
    ITM_FUZZ_CHECK(rc == p->status);
    ITM_FUZZ_CHECK(p->status < ITM_DEC_STATUS_COUNT);
    ITM_FUZZ_CHECK(p->reason < ITM_R_COUNT);
    ITM_FUZZ_CHECK(p->caplen == caplen);
    if (p->status != ITM_DEC_OK)
        return;
    ITM_FUZZ_CHECK(p->ip_ver == 4 || p->ip_ver == 6);
    ITM_FUZZ_CHECK(p->src.family == p->ip_ver && p->dst.family == p->ip_ver);
    ITM_FUZZ_CHECK(p->l3_off < caplen);
    if (!p->has_l4)
        return;
    ITM_FUZZ_CHECK(p->l4_off >= p->l3_off && p->l4_off <= p->payload_off);
    ITM_FUZZ_CHECK(p->payload_off <= caplen);
    ITM_FUZZ_CHECK(p->payload_len <= caplen - p->payload_off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct itm_pkt p, slow;
    struct itm_engine *e = g_engine;
    const uint8_t *frame;
    uint32_t caplen, wirelen;
    int linktype, rc;

    if (size < 1 || size > 262145)
        return 0;
    linktype = fuzz_linktypes[data[0] % NLINK];
    frame = data + 1;
    caplen = (uint32_t)(size - 1);
    /* the wire length may exceed what was captured (snaplen), never be below it */
    wirelen = caplen + (data[0] & 0x80 ? 1000u : 0u);
    rc = itm_decode(linktype, frame, caplen, wirelen, 1, &p);
    check_pkt(&p, rc, caplen);
    ITM_FUZZ_CHECK(itm_decode_slow(linktype, frame, caplen, wirelen, 1, &slow) == rc);
    /* itm_decode (the fast path when it takes the frame) fills what the general decoders
     * alone fill */
    ITM_FUZZ_CHECK(itm_pkt_diff(&p, &slow) == NULL);

    itm_engine_packet(e, linktype, UINT64_C(1000000000), frame, caplen, caplen);
    /* the same frame again one second later: flow lookup, state update, second payload */
    itm_engine_packet(e, linktype, UINT64_C(2000000000), frame, caplen, caplen);
    ITM_FUZZ_CHECK(itm_engine_stats(e)->packets == 2);
    /* ends every flow (classification at the end, JSON output) and empties the tables */
    itm_engine_end_pass(e);
    return 0;
}
