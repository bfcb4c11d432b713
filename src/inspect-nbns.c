/* inspect-nbns.c: NetBIOS name service check (RFC 1002 4.2.1): header, then the first name
 * (question, or answer in a response), first-level encoded. Subtype the opcode, text the
 * name, text2 its "<xx>" suffix, RESPONSE for responses. Reads only what was captured. */
#include <stdio.h>

#include "inspect-int.h"

#define NBNS_HDR 12
/* Real packets carry one record per section; 16 leaves room for odd implementations. */
#define NBNS_COUNT_MAX 16
/* Scope identifiers follow DNS rules (RFC 1001 14.1): labels to 63, names to 255. */
#define NBNS_LABEL_MAX 63
#define NBNS_NAME_MAX 255

enum {
    NB_TYPE_A = 0x0001,
    NB_TYPE_NS = 0x0002,
    NB_TYPE_NULL = 0x000a,
    NB_TYPE_NB = 0x0020,
    NB_TYPE_NBSTAT = 0x0021,
    NB_CLASS_IN = 0x0001,
};

/* Query 0, registration 5, release 6, WACK 7, refresh 8 (and 9, as sent by Windows),
 * multi-homed registration 15. */
static int opcode_known(unsigned op)
{
    return op == 0 || (op >= 5 && op <= 9) || op == 15;
}

/* Flags (RFC 1002 4.2.1.1): R, OPCODE(4), NM_FLAGS(7) with two reserved zero bits, RCODE. */
static int nbns_header(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    unsigned total = 0;

    if (len > 2 && !opcode_known((p[2] >> 3) & 0xfu))
        return ITM_V_MISMATCH;
    if (len > 3 && ((p[3] & 0x60) || (!(p[2] & 0x80) && (p[3] & 0x0f))))
        return ITM_V_MISMATCH;
    if (len > 2) {
        r->subtype = (p[2] >> 3) & 0xfu;
        if (p[2] & 0x80)
            r->flags |= ITM_ID_RESPONSE;
    }
    for (size_t off = 4; off + 1 < len && off < NBNS_HDR; off += 2) {
        unsigned c = (unsigned)p[off] << 8 | p[off + 1];
        if (c > NBNS_COUNT_MAX)
            return ITM_V_MISMATCH;
        total += c;
    }
    if (len < NBNS_HDR)
        return ITM_V_UNKNOWN;
    return total > 0 ? ITM_V_MATCH : ITM_V_MISMATCH;
}

/* Scope labels after the encoded name, up to the root label. */
static int nbns_scope(struct itm_cur *c)
{
    size_t total = 1 + ITM_NB_ENC_LEN;

    for (;;) {
        uint8_t l = itm_cur_u8(c);
        if (c->err)
            return ITM_V_UNKNOWN;
        if (l == 0)
            return ITM_V_MATCH;
        total += 1u + l;
        if (l > NBNS_LABEL_MAX || total + 1 > NBNS_NAME_MAX)
            return ITM_V_MISMATCH;
        itm_cur_skip(c, l);
    }
}

static int nbns_name(struct itm_cur *c, struct itm_inspect_result *r)
{
    size_t have;
    int suffix;

    if (itm_cur_u8(c) != ITM_NB_ENC_LEN)
        return c->err ? ITM_V_UNKNOWN : ITM_V_MISMATCH;
    have = itm_cur_left(c);
    if (have > ITM_NB_ENC_LEN)
        have = ITM_NB_ENC_LEN;
    if (!itm_inspect_nb_valid(c->p, have))
        return ITM_V_MISMATCH;
    suffix = itm_inspect_nb_decode(c->p, have, r->text, sizeof(r->text));
    if (suffix < 0)
        return ITM_V_UNKNOWN;
    snprintf(r->text2, sizeof(r->text2), "<%02x>", (unsigned)suffix);
    itm_cur_skip(c, ITM_NB_ENC_LEN);
    return nbns_scope(c);
}

int itm_inspect_nbns(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    struct itm_cur c = itm_cur_make(p, len);
    uint16_t type, cls;
    int v = nbns_header(p, len, r);

    if (v != ITM_V_MATCH)
        return v;
    itm_cur_skip(&c, NBNS_HDR);
    v = nbns_name(&c, r);
    if (v != ITM_V_MATCH)
        return v;
    type = itm_cur_be16(&c);
    cls = itm_cur_be16(&c);
    if (c.err)
        return ITM_V_UNKNOWN;
    if (cls != NB_CLASS_IN || (type != NB_TYPE_NB && type != NB_TYPE_NBSTAT &&
                               type != NB_TYPE_A && type != NB_TYPE_NS && type != NB_TYPE_NULL))
        return ITM_V_MISMATCH;
    return ITM_V_MATCH;
}
