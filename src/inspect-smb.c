/* inspect-smb.c: SMB check over the NetBIOS session service (RFC 1002 4.3) on 139 or direct
 * TCP on 445 (MS-SMB2 2.1): subtype the SMB command, SMB2 for SMB2/3. Other session packets
 * carry their type as subtype (the called name as text for a request). Reads only what was
 * captured. */
#include <string.h>

#include "inspect-int.h"

enum {
    NBSS_MESSAGE = 0x00,
    NBSS_REQUEST = 0x81,
    NBSS_POSITIVE = 0x82,
    NBSS_NEGATIVE = 0x83,
    NBSS_RETARGET = 0x84,
    NBSS_KEEPALIVE = 0x85,
};

#define NBSS_HDR 4
#define SMB1_HDR 32           /* MS-SMB 2.2.3.1 */
#define SMB2_HDR 64           /* MS-SMB2 2.2.1: StructureSize is always 64 */
#define SMB2_TRANSFORM_HDR 52 /* MS-SMB2 2.2.41 */
#define SMB2_COMPRESS_HDR 16  /* MS-SMB2 2.2.42 */
#define SMB2_CMD_MAX 0x12     /* OPLOCK_BREAK is the last command */
/* Encrypted and compressed SMB3 messages show no command. */
#define SMB_SUBTYPE_OPAQUE 0xff
/* A session request holds two encoded names of 34 bytes (length byte, 32, terminator). */
#define NB_NAME_LEN (1 + ITM_NB_ENC_LEN + 1)

struct smb_magic {
    uint8_t first;
    size_t min_len; /* shortest message that can carry this header */
};

static const struct smb_magic smb_magics[] = {
    {0xff, SMB1_HDR},
    {0xfe, SMB2_HDR},
    {0xfd, SMB2_TRANSFORM_HDR},
    {0xfc, SMB2_COMPRESS_HDR},
};

/* The header after the magic, as far as captured: SMB1 command at 4; SMB2 StructureSize
 * 64 at 4 and the command at 12 (both little-endian). */
static int smb_header(const uint8_t *h, size_t n, uint8_t first, struct itm_inspect_result *r)
{
    if (first == 0xff) {
        if (n < 5)
            return ITM_V_UNKNOWN;
        r->subtype = h[4];
        return ITM_V_MATCH;
    }
    r->flags |= ITM_ID_SMB2;
    if (first != 0xfe) {
        r->subtype = SMB_SUBTYPE_OPAQUE;
        return ITM_V_MATCH;
    }
    if ((n > 4 && h[4] != SMB2_HDR) || (n > 5 && h[5] != 0) || (n > 13 && h[13] != 0) ||
        (n > 12 && h[12] > SMB2_CMD_MAX))
        return ITM_V_MISMATCH;
    if (n < 14)
        return ITM_V_UNKNOWN;
    r->subtype = h[12];
    return ITM_V_MATCH;
}

/* Type 0: a 24-bit length on direct TCP (its top 7 bits are reserved zero on 139, so one
 * reading serves both), then an SMB header. */
static int nbss_message(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    const struct smb_magic *m = NULL;
    size_t n;
    uint32_t mlen;

    if (len < NBSS_HDR)
        return ITM_V_UNKNOWN;
    n = len - NBSS_HDR;
    mlen = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (n == 0)
        return mlen >= SMB2_COMPRESS_HDR ? ITM_V_UNKNOWN : ITM_V_MISMATCH;
    for (size_t i = 0; i < sizeof(smb_magics) / sizeof(smb_magics[0]); i++)
        if (p[4] == smb_magics[i].first)
            m = &smb_magics[i];
    if (!m || mlen < m->min_len || memcmp(p + 5, "SMB", n - 1 < 3 ? n - 1 : 3) != 0)
        return ITM_V_MISMATCH;
    if (n < 4)
        return ITM_V_UNKNOWN;
    return smb_header(p + NBSS_HDR, n, m->first, r);
}

/* One encoded name of a session request, as far as captured. Scope identifiers (RFC 1001
 * 14.1) are not used by SMB peers, so the name ends right after its 32 bytes. */
static int nb_name(const uint8_t *nm, size_t have)
{
    size_t enc;

    if (have == 0)
        return ITM_V_UNKNOWN;
    if (nm[0] != ITM_NB_ENC_LEN)
        return ITM_V_MISMATCH;
    enc = have - 1 < ITM_NB_ENC_LEN ? have - 1 : ITM_NB_ENC_LEN;
    if (!itm_inspect_nb_valid(nm + 1, enc))
        return ITM_V_MISMATCH;
    if (have < NB_NAME_LEN)
        return ITM_V_UNKNOWN;
    return nm[NB_NAME_LEN - 1] == 0 ? ITM_V_MATCH : ITM_V_MISMATCH;
}

/* RFC 1002 4.3.2: called name then calling name. */
static int nbss_request(const uint8_t *p, size_t len, size_t mlen, struct itm_inspect_result *r)
{
    size_t n = len - NBSS_HDR, called = n < NB_NAME_LEN ? n : NB_NAME_LEN;
    int v;

    if (mlen != 2 * NB_NAME_LEN)
        return ITM_V_MISMATCH;
    v = nb_name(p + NBSS_HDR, called);
    if (v != ITM_V_MISMATCH && called > 1)
        itm_inspect_nb_decode(p + NBSS_HDR + 1, called - 1, r->text, sizeof(r->text));
    if (v != ITM_V_MATCH)
        return v;
    n -= NB_NAME_LEN;
    return nb_name(p + NBSS_HDR + NB_NAME_LEN, n < NB_NAME_LEN ? n : NB_NAME_LEN);
}

/* RFC 1002 4.3.4: a one-byte error code, 0x80-0x83 or 0x8f. */
static int nbss_negative(const uint8_t *p, size_t len, size_t mlen)
{
    if (mlen != 1 || len > NBSS_HDR + 1)
        return ITM_V_MISMATCH;
    if (len == NBSS_HDR)
        return ITM_V_UNKNOWN;
    return (p[4] >= 0x80 && (p[4] <= 0x83 || p[4] == 0x8f)) ? ITM_V_MATCH : ITM_V_MISMATCH;
}

int itm_inspect_smb(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t mlen;

    if (p[0] == NBSS_MESSAGE)
        return nbss_message(p, len, r);
    if (p[0] < NBSS_REQUEST || p[0] > NBSS_KEEPALIVE || (len > 1 && (p[1] & 0xfe)))
        return ITM_V_MISMATCH;
    r->subtype = p[0];
    if (len < NBSS_HDR)
        return ITM_V_UNKNOWN;
    mlen = (size_t)(p[1] & 1) << 16 | (size_t)p[2] << 8 | p[3];
    switch (p[0]) {
    case NBSS_REQUEST:
        return nbss_request(p, len, mlen, r);
    case NBSS_POSITIVE:
    case NBSS_KEEPALIVE:
        return (mlen == 0 && len == NBSS_HDR) ? ITM_V_MATCH : ITM_V_MISMATCH;
    case NBSS_NEGATIVE:
        return nbss_negative(p, len, mlen);
    default:
        /* Retarget: an IP address and a port. */
        if (mlen != 6 || len > NBSS_HDR + 6)
            return ITM_V_MISMATCH;
        return len == NBSS_HDR + 6 ? ITM_V_MATCH : ITM_V_UNKNOWN;
    }
}
