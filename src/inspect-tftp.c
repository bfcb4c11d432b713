/* inspect-tftp.c: TFTP check (RFC 1350, options RFC 2347/2348). Subtype is the opcode;
 * text holds the RRQ/WRQ filename, the ERROR message or the OACK options, text2 the mode,
 * the block number or the error code. Never assumes the datagram was captured whole. */
#include <stdio.h>
#include <string.h>

#include "inspect-int.h"

enum { TFTP_RRQ = 1, TFTP_WRQ, TFTP_DATA, TFTP_ACK, TFTP_ERROR, TFTP_OACK };

/* A request must fit in one datagram; RFC 1350 servers read 512 bytes. */
#define TFTP_STR_MAX 512u
/* blksize may go up to 65464 (RFC 2348), plus the 4-byte header. Without the negotiation
 * in view a DATA packet is judged against the largest block any option allows. */
#define TFTP_DATA_MAX (65464u + 4u)
/* ERROR codes 0-7 (RFC 1350) and 8, option negotiation refused (RFC 2347). */
#define TFTP_ERR_MAX 8u

static const char *const tftp_modes[] = {"netascii", "octet", "mail"};

enum str_state { STR_DONE, STR_CUT, STR_BAD };

/* Finds the NUL ending a string of at most TFTP_STR_MAX bytes; *n gets its length (or what
 * was seen when cut). Names and modes must be printable; ERROR messages (any_byte) are
 * free-form. */
static enum str_state tftp_str(const uint8_t *p, size_t left, int any_byte, size_t *n)
{
    size_t i;

    for (i = 0; i < left && i <= TFTP_STR_MAX; i++) {
        if (p[i] == '\0') {
            *n = i;
            return STR_DONE;
        }
        if (!any_byte && (p[i] < 0x20 || p[i] >= 0x7f))
            return STR_BAD;
    }
    *n = i;
    return i > TFTP_STR_MAX ? STR_BAD : STR_CUT;
}

/* The mode as seen: one of the three when whole, a prefix of one when cut. */
static int mode_could_be(const uint8_t *m, size_t n, int whole)
{
    for (size_t i = 0; i < sizeof(tftp_modes) / sizeof(tftp_modes[0]); i++) {
        size_t ml = strlen(tftp_modes[i]);
        if ((whole ? n == ml : n <= ml) && itm_inspect_iprefix(m, n, tftp_modes[i]))
            return 1;
    }
    return 0;
}

/* RFC 1350 5: opcode, filename NUL, mode NUL; RFC 2347 options may follow and are not
 * needed to know it is TFTP. */
static int tftp_request(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t off = 2, n;
    enum str_state st = tftp_str(p + off, len - off, 0, &n);

    if (st == STR_BAD || (st == STR_DONE && n == 0))
        return ITM_V_MISMATCH;
    itm_inspect_text(r->text, sizeof(r->text), p + off, n);
    if (st == STR_CUT)
        return ITM_V_UNKNOWN;
    off += n + 1;
    st = tftp_str(p + off, len - off, 0, &n);
    if (st == STR_BAD || !mode_could_be(p + off, n, st == STR_DONE))
        return ITM_V_MISMATCH;
    itm_inspect_text(r->text2, sizeof(r->text2), p + off, n);
    return st == STR_DONE ? ITM_V_MATCH : ITM_V_UNKNOWN;
}

/* RFC 2347: OACK carries one or more option NUL value NUL pairs. */
static int tftp_oack(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t off = 2, at = 0, n;
    int pairs = 0;

    while (off < len) {
        for (int half = 0; half < 2; half++) {
            enum str_state st = tftp_str(p + off, len - off, 0, &n);
            if (st == STR_BAD || (half == 0 && st == STR_DONE && n == 0))
                return ITM_V_MISMATCH;
            if (at > 0)
                at = itm_inspect_text_append(r->text, sizeof(r->text), at,
                                             (const uint8_t *)(half ? "=" : " "), 1);
            at = itm_inspect_text_append(r->text, sizeof(r->text), at, p + off, n);
            if (st == STR_CUT)
                return pairs ? ITM_V_MATCH : ITM_V_UNKNOWN;
            off += n + 1;
        }
        pairs++;
    }
    return pairs ? ITM_V_MATCH : ITM_V_UNKNOWN;
}

/* RFC 1350 5: ERROR is a code and a NUL-terminated message meant for people. */
static int tftp_error(const uint8_t *p, size_t len, uint16_t code, struct itm_inspect_result *r)
{
    size_t n;
    enum str_state st;

    if (code > TFTP_ERR_MAX)
        return ITM_V_MISMATCH;
    st = tftp_str(p + 4, len - 4, 1, &n);
    if (st == STR_BAD)
        return ITM_V_MISMATCH;
    itm_inspect_text(r->text, sizeof(r->text), p + 4, n);
    return st == STR_DONE ? ITM_V_MATCH : ITM_V_UNKNOWN;
}

int itm_inspect_tftp(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    uint16_t op, v;

    if (len < 2)
        return (len == 1 && p[0] != 0) ? ITM_V_MISMATCH : ITM_V_UNKNOWN;
    op = (uint16_t)(p[0] << 8 | p[1]);
    if (op < TFTP_RRQ || op > TFTP_OACK)
        return ITM_V_MISMATCH;
    r->subtype = (uint8_t)op;
    switch (op) {
    case TFTP_RRQ:
    case TFTP_WRQ:
        return tftp_request(p, len, r);
    case TFTP_OACK:
        return tftp_oack(p, len, r);
    default:
        break;
    }
    /* DATA, ACK and ERROR carry a 16-bit number next. */
    if (!itm_be16_at(p, len, 2, &v))
        return ITM_V_UNKNOWN;
    snprintf(r->text2, sizeof(r->text2), "%u", (unsigned)v);
    if (op == TFTP_DATA)
        return len <= TFTP_DATA_MAX ? ITM_V_MATCH : ITM_V_MISMATCH;
    if (op == TFTP_ACK)
        return len == 4 ? ITM_V_MATCH : ITM_V_MISMATCH;
    return tftp_error(p, len, v, r);
}
