/* inspect-snmp.c: SNMP check (RFC 1157 4, RFC 3416 3, RFC 3412 6 for v3): a BER message
 * SEQUENCE { version, community, PDU } or the v3 header. Subtype is the PDU tag (0 for v3),
 * text2 the community. Every BER length is checked against its enclosing one. */
#include "inspect-int.h"

/* One UDP datagram holds the whole message (RFC 3417 3); any longer length is hostile. */
#define SNMP_LEN_MAX 65535u

enum {
    BER_INTEGER = 0x02,
    BER_OCTETS = 0x04,
    BER_OID = 0x06,
    BER_SEQUENCE = 0x30,
    PDU_GET = 0xa0,
    PDU_RESPONSE = 0xa2,
    PDU_TRAP_V1 = 0xa4,
    PDU_INFORM = 0xa6,
    PDU_TRAP_V2 = 0xa7,
    PDU_REPORT = 0xa8,
};

enum { SNMP_V1 = 0, SNMP_V2C = 1, SNMP_V3 = 3 };

/* A BER element's contents as a window; trunc when they may run past the capture. */
struct ber_el {
    struct itm_cur c;
    int trunc;
};

/* X.690 8.1.3: short form, or long form of 1-4 octets. SNMP forbids the indefinite form. */
static int ber_len(struct itm_cur *c, int trunc, size_t *out)
{
    uint8_t b = itm_cur_u8(c);
    size_t v = 0, n;

    if (c->err)
        return itm_inspect_cut(trunc);
    if (b < 0x80) {
        *out = b;
        return ITM_V_MATCH;
    }
    n = b & 0x7fu;
    if (n == 0 || n > 4)
        return ITM_V_MISMATCH;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | itm_cur_u8(c);
    if (c->err)
        return itm_inspect_cut(trunc);
    if (v > SNMP_LEN_MAX)
        return ITM_V_MISMATCH;
    *out = v;
    return ITM_V_MATCH;
}

/* Reads the tag and length of the next element of w, which must carry tag, and opens its
 * contents as el. */
static int ber_open(struct ber_el *w, uint8_t tag, struct ber_el *el)
{
    uint8_t t = itm_cur_u8(&w->c);
    size_t n;
    int v;

    if (w->c.err)
        return itm_inspect_cut(w->trunc);
    if (t != tag)
        return ITM_V_MISMATCH;
    v = ber_len(&w->c, w->trunc, &n);
    if (v != ITM_V_MATCH)
        return v;
    if (itm_inspect_narrow(&w->c, w->trunc, n, &el->c, &el->trunc) < 0)
        return ITM_V_MISMATCH;
    return ITM_V_MATCH;
}

/* A small non-negative INTEGER (version, security model). */
static int ber_small_int(struct ber_el *w, uint32_t *out)
{
    struct ber_el el;
    size_t n;
    int v = ber_open(w, BER_INTEGER, &el);

    if (v != ITM_V_MATCH)
        return v;
    n = itm_cur_left(&el.c);
    if (el.trunc)
        return ITM_V_UNKNOWN;
    if (n == 0 || n > 4)
        return ITM_V_MISMATCH;
    *out = 0;
    while (n--)
        *out = *out << 8 | itm_cur_u8(&el.c);
    return ITM_V_MATCH;
}

/* RFC 3412 6: msgGlobalData ::= SEQUENCE { msgID, msgMaxSize INTEGER, msgFlags OCTET
 * STRING (SIZE(1)), msgSecurityModel INTEGER }. */
static int snmp_v3(struct ber_el *msg)
{
    static const uint8_t tags[4] = {BER_INTEGER, BER_INTEGER, BER_OCTETS, BER_INTEGER};
    struct ber_el hdr, el;
    int v = ber_open(msg, BER_SEQUENCE, &hdr);

    for (size_t i = 0; v == ITM_V_MATCH && i < sizeof(tags); i++) {
        v = ber_open(&hdr, tags[i], &el);
        if (v == ITM_V_MATCH && el.trunc)
            v = ITM_V_UNKNOWN;
        else if (v == ITM_V_MATCH && tags[i] == BER_OCTETS && itm_cur_left(&el.c) != 1)
            v = ITM_V_MISMATCH;
    }
    return v;
}

static int pdu_allowed(uint32_t version, uint8_t tag)
{
    if (tag < PDU_GET || tag > PDU_REPORT)
        return 0;
    /* The v1 Trap-PDU was replaced in v2c (RFC 3416 4.2.6) by SNMPv2-Trap. */
    return version == SNMP_V1 ? tag <= PDU_TRAP_V1 : tag != PDU_TRAP_V1;
}

static void pdu_flags(uint8_t tag, struct itm_inspect_result *r)
{
    if (tag == PDU_TRAP_V1 || tag == PDU_TRAP_V2 || tag == PDU_INFORM)
        r->flags |= ITM_ID_TRAP;
    if (tag == PDU_RESPONSE)
        r->flags |= ITM_ID_RESPONSE;
}

/* v1/v2c: community OCTET STRING, then the PDU, whose first field is request-id (or the
 * enterprise OID in a v1 trap). */
static int snmp_community(struct ber_el *msg, uint32_t version, struct itm_inspect_result *r)
{
    struct ber_el el, pdu;
    uint8_t tag;
    int v = ber_open(msg, BER_OCTETS, &el);

    if (v != ITM_V_MATCH)
        return v;
    itm_inspect_text(r->text2, sizeof(r->text2), el.c.p, itm_cur_left(&el.c));
    if (el.trunc)
        return ITM_V_UNKNOWN;
    if (itm_cur_left(&msg->c) == 0)
        return itm_inspect_cut(msg->trunc);
    tag = msg->c.p[0];
    if (!pdu_allowed(version, tag))
        return ITM_V_MISMATCH;
    r->subtype = tag;
    pdu_flags(tag, r);
    v = ber_open(msg, tag, &pdu);
    if (v != ITM_V_MATCH)
        return v;
    v = ber_open(&pdu, tag == PDU_TRAP_V1 ? BER_OID : BER_INTEGER, &el);
    if (v == ITM_V_MATCH && (el.trunc || pdu.trunc))
        v = ITM_V_UNKNOWN;
    return v;
}

int itm_inspect_snmp(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    struct ber_el top = {itm_cur_make(p, len), 1}, msg;
    uint32_t version = 0;
    int v = ber_open(&top, BER_SEQUENCE, &msg);

    if (v != ITM_V_MATCH)
        return v;
    /* A datagram is one message: bytes after it mean this was not BER at all. */
    if (itm_cur_left(&top.c) > 0)
        return ITM_V_MISMATCH;
    v = ber_small_int(&msg, &version);
    if (v != ITM_V_MATCH)
        return v;
    if (version != SNMP_V1 && version != SNMP_V2C && version != SNMP_V3)
        return ITM_V_MISMATCH;
    if (version == SNMP_V3)
        v = snmp_v3(&msg);
    else
        v = snmp_community(&msg, version, r);
    if (v == ITM_V_MATCH && msg.trunc)
        v = ITM_V_UNKNOWN;
    return v;
}
