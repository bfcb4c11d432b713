/* inspect-dns.c: DNS check (RFC 1035 4.1.1 header, 4.1.2 question), over UDP or with the
 * 2-byte TCP length prefix (RFC 1035 4.2.2). text the first question name, subtype the
 * opcode, RESPONSE for responses. Reads only what was captured. */
#include "inspect-int.h"

#define DNS_HDR 12
#define DNS_QD_MAX 16
#define DNS_RR_MAX 256
#define DNS_LABEL_MAX 63 /* RFC 1035 2.3.4 */
#define DNS_NAME_MAX 255 /* RFC 1035 2.3.4, length octets included */
/* Smallest question: root name, type, class; smallest RR adds TTL and RDLENGTH. */
#define DNS_Q_MIN 5
#define DNS_RR_MIN 11
/* A NetBIOS name in DNS form: one 32-byte label of 'A'..'P' (RFC 1001 14.1). */
#define DNS_NB_LABEL 32

enum { OP_QUERY = 0, OP_STATUS_UNASSIGNED = 3, OP_MAX = 6 };

struct dns_name {
    int labels;
    int hostlike; /* every label is letters, digits, '-', '_' or '*' */
    int netbios;  /* shaped like a NetBIOS-encoded name */
};

static int host_label(const uint8_t *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = l[i];
        if (!((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
              b == '-' || b == '_' || b == '*'))
            return 0;
    }
    return 1;
}

/* RFC 1035 4.1.2: labels up to the root; a question never needs a compression pointer. */
static int dns_qname(struct itm_cur *c, struct itm_inspect_result *r, struct dns_name *nm)
{
    size_t total = 0, at = 0;

    nm->hostlike = 1;
    for (;;) {
        uint8_t l = itm_cur_u8(c);
        size_t seen;
        if (c->err)
            return ITM_V_UNKNOWN;
        if (l == 0)
            break;
        total += 1u + l;
        if (l > DNS_LABEL_MAX || total + 1 > DNS_NAME_MAX)
            return ITM_V_MISMATCH;
        seen = itm_cur_left(c) < l ? itm_cur_left(c) : l;
        if (at > 0)
            at = itm_inspect_text_append(r->text, sizeof(r->text), at, (const uint8_t *)".", 1);
        at = itm_inspect_text_append(r->text, sizeof(r->text), at, c->p, seen);
        nm->hostlike = nm->hostlike && host_label(c->p, seen);
        if (nm->labels == 0 && l == DNS_NB_LABEL && seen == l && itm_inspect_nb_valid(c->p, l))
            nm->netbios = 1;
        nm->labels++;
        itm_cur_skip(c, l);
        if (c->err)
            return ITM_V_UNKNOWN;
    }
    if (nm->labels == 0)
        itm_inspect_text(r->text, sizeof(r->text), (const uint8_t *)".", 1);
    return ITM_V_MATCH;
}

/* QCLASS IN, CH, HS, NONE, ANY; the top bit is mDNS's unicast-response request. */
static int qclass_known(uint16_t cls)
{
    cls &= 0x7fff;
    return cls == 1 || cls == 3 || cls == 4 || cls == 254 || cls == 255;
}

/* Header fields as far as captured; *need gets the fewest bytes the counts imply. */
static int dns_header(const uint8_t *p, size_t len, struct itm_inspect_result *r, size_t *need,
                      unsigned *qd)
{
    unsigned op, c[4];

    if (len > 2) {
        op = (p[2] >> 3) & 0xfu;
        if (op == OP_STATUS_UNASSIGNED || op > OP_MAX)
            return ITM_V_MISMATCH;
        r->subtype = (uint8_t)op;
        if (p[2] & 0x80)
            r->flags |= ITM_ID_RESPONSE;
    }
    /* The Z bit is still reserved (RFC 6840 5.7 took the other two). */
    if (len > 3 && (p[3] & 0x40))
        return ITM_V_MISMATCH;
    if (len < DNS_HDR)
        return ITM_V_UNKNOWN;
    for (size_t i = 0; i < 4; i++)
        c[i] = (unsigned)p[4 + 2 * i] << 8 | p[5 + 2 * i];
    if (c[0] > DNS_QD_MAX || c[1] > DNS_RR_MAX || c[2] > DNS_RR_MAX || c[3] > DNS_RR_MAX)
        return ITM_V_MISMATCH;
    if (c[0] + c[1] + c[2] + c[3] == 0)
        return ITM_V_MISMATCH;
    *qd = c[0];
    *need = DNS_HDR + DNS_Q_MIN * (size_t)c[0] + DNS_RR_MIN * (size_t)(c[1] + c[2] + c[3]);
    return ITM_V_MATCH;
}

/* One message of cap captured bytes; full is its real length when known (TCP), else 0. */
static int dns_message(const uint8_t *p, size_t cap, size_t full, int strict,
                       struct itm_inspect_result *r)
{
    struct dns_name nm = {0, 0, 0};
    struct itm_cur c = itm_cur_make(p, cap);
    size_t need = 0;
    unsigned qd = 0;
    uint16_t qtype, qclass;
    int v = dns_header(p, cap, r, &need, &qd);

    if (v != ITM_V_MATCH)
        return v;
    if (full && need > full)
        return ITM_V_MISMATCH;
    if (strict && (qd != 1 || r->subtype != OP_QUERY || (!(p[2] & 0x80) && (p[3] & 0x0f))))
        return ITM_V_MISMATCH;
    if (qd == 0)
        return need <= cap ? ITM_V_MATCH : ITM_V_UNKNOWN;
    itm_cur_skip(&c, DNS_HDR);
    v = dns_qname(&c, r, &nm);
    if (v == ITM_V_MISMATCH || (strict && (!nm.hostlike || nm.netbios || nm.labels == 0)))
        return ITM_V_MISMATCH;
    qtype = itm_cur_be16(&c);
    qclass = itm_cur_be16(&c);
    if (v == ITM_V_UNKNOWN || c.err)
        return ITM_V_UNKNOWN;
    if (qtype == 0 || !qclass_known(qclass))
        return ITM_V_MISMATCH;
    /* Counts that outgrow the datagram may only mean it was cut; over TCP they were judged
     * against the real length above. */
    return need <= cap || full ? ITM_V_MATCH : ITM_V_UNKNOWN;
}

static int rank(int v)
{
    return v == ITM_V_MATCH ? 2 : v == ITM_V_UNKNOWN ? 1 : 0;
}

/* Tries the message as sent over UDP and, when the first two bytes can be a TCP length
 * prefix (equal to what follows, or more when cut), as a TCP message; the better reading
 * wins, the exact TCP length first on a tie. */
static int dns_run(const uint8_t *p, size_t len, int strict, struct itm_inspect_result *r)
{
    struct itm_inspect_result udp = *r, tcp = *r;
    int vu = dns_message(p, len, 0, strict, &udp), vt = ITM_V_MISMATCH;
    size_t l = len >= 2 ? ((size_t)p[0] << 8 | p[1]) : 0;

    /* A length prefix only exists over TCP, and identify's strict check runs on UDP. */
    if (len < 2)
        vt = ITM_V_UNKNOWN;
    else if (!strict && l >= DNS_HDR && l >= len - 2)
        vt = dns_message(p + 2, len - 2, l, strict, &tcp);
    if (rank(vt) > rank(vu) || (rank(vt) == rank(vu) && l == len - 2 && len >= 2)) {
        *r = tcp;
        return vt;
    }
    *r = udp;
    return vu;
}

int itm_inspect_dns(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    return dns_run(p, len, 0, r);
}

int itm_inspect_dns_strict(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    return dns_run(p, len, 1, r);
}
