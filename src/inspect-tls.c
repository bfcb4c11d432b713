/* inspect-tls.c: TLS check (RFC 8446 5.1 and 4, RFC 5246 6.2 and 7.4): a handshake record,
 * subtype the handshake type; a ClientHello is walked to the server_name extension (RFC
 * 6066 3), text the host name. Each length is checked against the one enclosing it. */
#include <string.h>

#include "inspect-int.h"

enum {
    TLS_HANDSHAKE = 22,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    EXT_SERVER_NAME = 0,
    SNI_HOST_NAME = 0,
};

/* TLSPlaintext.length MUST NOT exceed 2^14 (RFC 8446 5.1). */
#define TLS_RECORD_MAX 16384u
#define TLS_SESSION_ID_MAX 32u
#define TLS_HOST_NAME_MAX 255u

struct win {
    struct itm_cur c;
    int trunc; /* the declared end may lie past the captured bytes */
};

/* HandshakeType values of RFC 8446 4 and RFC 5246 7.4, SSL 3.0 to TLS 1.3. */
static const uint8_t hs_types[] = {0, 1, 2, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23,
                                   24, 25, 254};

static int hs_type_known(uint8_t t)
{
    return memchr(hs_types, t, sizeof(hs_types)) != NULL;
}

/* A 1- or 2-byte length prefix, then the window it declares. */
static int open_vec(struct win *w, int width, struct win *out)
{
    size_t n = width == 1 ? itm_cur_u8(&w->c) : itm_cur_be16(&w->c);

    if (w->c.err)
        return itm_inspect_cut(w->trunc);
    if (itm_inspect_narrow(&w->c, w->trunc, n, &out->c, &out->trunc) < 0)
        return ITM_V_MISMATCH;
    return ITM_V_MATCH;
}

/* RFC 6066 3: ServerNameList <1..2^16-1> of { name_type, HostName <1..2^16-1> }. Only a
 * complete host name is reported: a cut one would name the wrong server. */
static int sni_walk(struct win *ext, struct itm_inspect_result *r)
{
    struct win list, name;
    int v = open_vec(ext, 2, &list);

    if (v != ITM_V_MATCH)
        return v;
    while (itm_cur_left(&list.c) > 0) {
        uint8_t type = itm_cur_u8(&list.c);
        v = open_vec(&list, 2, &name);
        if (v != ITM_V_MATCH)
            return v;
        if (name.trunc)
            return ITM_V_UNKNOWN;
        if (itm_cur_left(&name.c) == 0 || itm_cur_left(&name.c) > TLS_HOST_NAME_MAX)
            return ITM_V_MISMATCH;
        if (type == SNI_HOST_NAME && r->text[0] == '\0')
            itm_inspect_text(r->text, sizeof(r->text), name.c.p, itm_cur_left(&name.c));
    }
    if (!ext->trunc && itm_cur_left(&ext->c) > 0)
        return ITM_V_MISMATCH;
    return list.trunc ? ITM_V_UNKNOWN : ITM_V_MATCH;
}

/* The extensions block; MATCH once it is all seen or the host name has been found. */
static int ext_walk(struct win *body, struct itm_inspect_result *r)
{
    struct win exts, ext;
    int v = open_vec(body, 2, &exts);

    if (v == ITM_V_MATCH && !body->trunc && itm_cur_left(&body->c) > 0)
        return ITM_V_MISMATCH;
    while (v == ITM_V_MATCH && itm_cur_left(&exts.c) > 0) {
        uint16_t type = itm_cur_be16(&exts.c);
        v = open_vec(&exts, 2, &ext);
        if (v == ITM_V_MATCH && type == EXT_SERVER_NAME)
            v = sni_walk(&ext, r);
    }
    if (v == ITM_V_MATCH && exts.trunc)
        v = ITM_V_UNKNOWN;
    return (v == ITM_V_UNKNOWN && r->text[0]) ? ITM_V_MATCH : v;
}

/* RFC 8446 4.1.2 / RFC 5246 7.4.1.2: legacy_version, random, session id, cipher suites,
 * compression methods, then extensions (absent in SSL 3.0 / early TLS 1.0 hellos). */
static int client_hello(struct win *body, struct itm_inspect_result *r)
{
    struct win v8;
    size_t seen = itm_cur_left(&body->c);
    uint8_t major = itm_cur_u8(&body->c), minor = itm_cur_u8(&body->c);
    int v;

    if ((seen > 0 && major != 3) || (seen > 1 && minor > 4))
        return ITM_V_MISMATCH;
    itm_cur_skip(&body->c, 32);
    if (body->c.err)
        return itm_inspect_cut(body->trunc);
    v = open_vec(body, 1, &v8);
    if (v == ITM_V_MATCH && itm_cur_left(&v8.c) > TLS_SESSION_ID_MAX)
        return ITM_V_MISMATCH;
    if (v == ITM_V_MATCH)
        v = open_vec(body, 2, &v8);
    if (v == ITM_V_MATCH && !v8.trunc && (itm_cur_left(&v8.c) < 2 || (itm_cur_left(&v8.c) & 1)))
        return ITM_V_MISMATCH;
    if (v == ITM_V_MATCH)
        v = open_vec(body, 1, &v8);
    if (v == ITM_V_MATCH && !v8.trunc && itm_cur_left(&v8.c) == 0)
        return ITM_V_MISMATCH;
    if (v != ITM_V_MATCH)
        return v;
    if (itm_cur_left(&body->c) == 0)
        return body->trunc ? ITM_V_UNKNOWN : ITM_V_MATCH;
    return ext_walk(body, r);
}

int itm_inspect_tls(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    struct win top = {itm_cur_make(p, len), 1}, rec, body;
    uint8_t type = itm_cur_u8(&top.c), major = itm_cur_u8(&top.c), minor = itm_cur_u8(&top.c);
    uint16_t rlen = itm_cur_be16(&top.c);
    uint32_t hlen;

    if (len == 0)
        return ITM_V_UNKNOWN;
    if (type != TLS_HANDSHAKE || (len > 1 && major != 3) || (len > 2 && minor > 4))
        return ITM_V_MISMATCH;
    if (top.c.err)
        return ITM_V_UNKNOWN;
    if (rlen == 0 || rlen > TLS_RECORD_MAX)
        return ITM_V_MISMATCH;
    itm_inspect_narrow(&top.c, 1, rlen, &rec.c, &rec.trunc);
    type = itm_cur_u8(&rec.c);
    if (!rec.c.err && !hs_type_known(type))
        return ITM_V_MISMATCH;
    hlen = (uint32_t)itm_cur_u8(&rec.c) << 16;
    hlen |= itm_cur_be16(&rec.c);
    if (rec.c.err)
        return itm_inspect_cut(rec.trunc);
    r->subtype = type;
    if (type != HS_CLIENT_HELLO)
        return ITM_V_MATCH;
    r->flags |= ITM_ID_CLIENT_HELLO;
    /* A handshake message longer than its record continues in the next record. */
    itm_inspect_narrow(&rec.c, 1, hlen, &body.c, &body.trunc);
    return client_hello(&body, r);
}
