/* gen-payload.c: binary payloads of itms-gen (TLS 1.2, SMB2, NetBIOS, DCE/RPC, TDS and the
 * SQL Browser, LDAP and SNMP over a small BER writer) and the bounded buffer they share.
 * Payloads are built to dissect cleanly in tshark; they never carry real credentials. */
#include <string.h>

#include "gen.h"

void gb_put(struct gbuf *b, const void *v, size_t n)
{
    if (n == 0)
        return;
    if (n > b->cap - b->len)
        n = b->cap - b->len; /* callers size buffers; a clipped payload is still valid input */
    memcpy(b->p + b->len, v, n);
    b->len += n;
}

void gb_u8(struct gbuf *b, uint8_t v)
{
    gb_put(b, &v, 1);
}

void gb_be16(struct gbuf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    gb_put(b, x, 2);
}

void gb_be32(struct gbuf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    gb_put(b, x, 4);
}

void gb_le16(struct gbuf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    gb_put(b, x, 2);
}

void gb_le32(struct gbuf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    gb_put(b, x, 4);
}

void gb_str(struct gbuf *b, const char *s)
{
    gb_put(b, s, strlen(s));
}

void gb_fill(struct gbuf *b, struct gen *g, size_t n)
{
    while (n) {
        uint64_t r = gen_rand(g);
        size_t k = n < 8 ? n : 8;
        gb_put(b, &r, k);
        n -= k;
    }
}

static void put_be24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static void put_be16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- TLS 1.2 (RFC 5246 section 7.4) ---- */

static void tls_ext(struct gbuf *b, uint16_t type, const void *data, size_t n)
{
    gb_be16(b, type);
    gb_be16(b, (uint16_t)n);
    gb_put(b, data, n);
}

size_t pl_tls_client_hello(struct gen *g, uint8_t *buf, size_t cap, const char *sni)
{
    static const uint16_t suites[] = {0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028,
                                      0xc027, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f};
    static const uint8_t groups[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18};
    static const uint8_t points[] = {0x01, 0x00};
    static const uint8_t sigalgs[] = {0x00, 0x0e, 0x04, 0x01, 0x05, 0x01, 0x02, 0x01,
                                      0x04, 0x03, 0x05, 0x03, 0x02, 0x03, 0x06, 0x01};
    static const uint8_t reneg[] = {0x00};
    struct gbuf b = {buf, 0, cap};
    uint8_t sn[300];
    size_t n = strlen(sni), ext_at;

    gb_put(&b, "\x16\x03\x01\x00\x00", 5);
    gb_put(&b, "\x01\x00\x00\x00\x03\x03", 6);
    gb_fill(&b, g, 32);
    gb_u8(&b, 32);
    gb_fill(&b, g, 32);
    gb_be16(&b, (uint16_t)(sizeof(suites)));
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        gb_be16(&b, suites[i]);
    gb_put(&b, "\x01\x00", 2);
    ext_at = b.len;
    gb_be16(&b, 0);
    if (n > sizeof(sn) - 5)
        n = sizeof(sn) - 5;
    put_be16(sn, n + 3);
    sn[2] = 0;
    put_be16(sn + 3, n);
    memcpy(sn + 5, sni, n);
    tls_ext(&b, 0x0000, sn, n + 5);
    tls_ext(&b, 0x000a, groups, sizeof(groups));
    tls_ext(&b, 0x000b, points, sizeof(points));
    tls_ext(&b, 0x000d, sigalgs, sizeof(sigalgs));
    tls_ext(&b, 0x0017, NULL, 0);
    tls_ext(&b, 0xff01, reneg, sizeof(reneg));
    put_be16(buf + ext_at, b.len - ext_at - 2);
    put_be16(buf + 3, b.len - 5);
    put_be24(buf + 6, b.len - 9);
    return b.len;
}

/* ServerHello and ServerHelloDone in one record; the certificate is left out, which
 * keeps captures small without changing what a ClientHello-based check sees. */
size_t pl_tls_server_hello(struct gen *g, uint8_t *buf, size_t cap)
{
    struct gbuf b = {buf, 0, cap};
    size_t hs;

    gb_put(&b, "\x16\x03\x03\x00\x00", 5);
    hs = b.len;
    gb_put(&b, "\x02\x00\x00\x00\x03\x03", 6);
    gb_fill(&b, g, 32);
    gb_u8(&b, 32);
    gb_fill(&b, g, 32);
    gb_be16(&b, 0xc030);
    gb_u8(&b, 0);
    gb_be16(&b, 9);
    gb_put(&b, "\xff\x01\x00\x01\x00\x00\x17\x00\x00", 9);
    put_be24(buf + hs + 1, b.len - hs - 4);
    gb_put(&b, "\x0e\x00\x00\x00", 4);
    put_be16(buf + 3, b.len - 5);
    return b.len;
}

size_t pl_tls_finish(struct gen *g, uint8_t *buf, size_t cap, int client)
{
    struct gbuf b = {buf, 0, cap};

    if (client) {
        gb_put(&b, "\x16\x03\x03\x00\x46\x10\x00\x00\x42\x41\x04", 11);
        gb_fill(&b, g, 64);
    }
    gb_put(&b, "\x14\x03\x03\x00\x01\x01", 6);
    gb_put(&b, "\x16\x03\x03\x00\x28", 5);
    gb_fill(&b, g, 40);
    return b.len;
}

size_t pl_tls_appdata(struct gen *g, uint8_t *buf, size_t cap, size_t n)
{
    struct gbuf b = {buf, 0, cap};
    while (n > 0 && b.len + 5 < cap) {
        size_t k = n < 16384 ? n : 16384;
        if (k > cap - b.len - 5)
            k = cap - b.len - 5;
        gb_u8(&b, 0x17);
        gb_be16(&b, 0x0303);
        gb_be16(&b, (uint16_t)k);
        gb_fill(&b, g, k);
        n -= k;
    }
    return b.len;
}

/* ---- SMB2 NEGOTIATE over direct TCP (MS-SMB2 2.2.1, 2.2.3, 2.2.4) ---- */

static void smb2_header(struct gbuf *b, int response)
{
    static const uint8_t zero16[16];
    gb_put(b, "\xfeSMB", 4);
    gb_le16(b, 64);
    gb_le16(b, 0);
    gb_le32(b, 0);
    gb_le16(b, 0);                 /* NEGOTIATE */
    gb_le16(b, 1);
    gb_le32(b, response ? 1u : 0u); /* SMB2_FLAGS_SERVER_TO_REDIR */
    gb_le32(b, 0);
    gb_le32(b, 0);
    gb_le32(b, 0);                 /* MessageId (8 bytes) */
    gb_le32(b, 0xfeff);
    gb_le32(b, 0);
    gb_le32(b, 0);
    gb_le32(b, 0);                 /* SessionId (8 bytes) */
    gb_put(b, zero16, 16);
}

size_t pl_smb2_negotiate(struct gen *g, uint8_t *buf, size_t cap, int response)
{
    static const uint16_t dialects[] = {0x0202, 0x0210, 0x0300, 0x0302};
    /* FILETIME of the generator's epoch; it never moves with the wall clock. */
    const uint64_t ft = (GEN_EPOCH_S + UINT64_C(11644473600)) * UINT64_C(10000000);
    struct gbuf b = {buf, 0, cap};

    gb_put(&b, "\x00\x00\x00\x00", 4);
    smb2_header(&b, response);
    if (!response) {
        gb_le16(&b, 36);
        gb_le16(&b, 4);
        gb_le16(&b, 1);
        gb_le16(&b, 0);
        gb_le32(&b, 0x7f);
        gb_fill(&b, g, 16);
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        for (size_t i = 0; i < 4; i++)
            gb_le16(&b, dialects[i]);
    } else {
        gb_le16(&b, 65);
        gb_le16(&b, 1);
        gb_le16(&b, 0x0302);
        gb_le16(&b, 0);
        gb_fill(&b, g, 16);
        gb_le32(&b, 0x2f);
        gb_le32(&b, 8388608);
        gb_le32(&b, 8388608);
        gb_le32(&b, 8388608);
        gb_le32(&b, (uint32_t)ft);
        gb_le32(&b, (uint32_t)(ft >> 32));
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        gb_le16(&b, 128);
        gb_le16(&b, 0);
        gb_le32(&b, 0);
        gb_u8(&b, 0);
    }
    put_be24(buf + 1, b.len - 4);
    return b.len;
}

/* ---- NetBIOS (RFC 1002) ---- */

static void nb_name(struct gbuf *b, const char *name, uint8_t suffix)
{
    char padded[16];
    size_t n = strlen(name);

    memset(padded, ' ', 15);
    if (name[0] == '*') {
        memset(padded, 0, 15);
        padded[0] = '*';
    } else {
        memcpy(padded, name, n > 15 ? 15 : n);
    }
    padded[15] = (char)suffix;
    gb_u8(b, 32);
    for (int i = 0; i < 16; i++) {
        uint8_t c = (uint8_t)padded[i];
        gb_u8(b, (uint8_t)('A' + (c >> 4)));
        gb_u8(b, (uint8_t)('A' + (c & 0x0f)));
    }
    gb_u8(b, 0);
}

size_t pl_nbss_request(uint8_t *buf, size_t cap, const char *called, const char *calling)
{
    struct gbuf b = {buf, 0, cap};
    gb_put(&b, "\x81\x00\x00\x44", 4);
    nb_name(&b, called, 0x20);
    nb_name(&b, calling, 0x00);
    return b.len;
}

size_t pl_nbss_positive(uint8_t *buf, size_t cap)
{
    struct gbuf b = {buf, 0, cap};
    gb_put(&b, "\x82\x00\x00\x00", 4);
    return b.len;
}

size_t pl_nbns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, int nbstat)
{
    struct gbuf b = {buf, 0, cap};
    gb_be16(&b, id);
    gb_be16(&b, nbstat ? 0x0000 : 0x0100);
    gb_be16(&b, 1);
    gb_be16(&b, 0);
    gb_be32(&b, 0);
    nb_name(&b, nbstat ? "*" : name, 0x00);
    gb_be16(&b, nbstat ? 0x21 : 0x20);
    gb_be16(&b, 1);
    return b.len;
}

size_t pl_nbns_answer(uint8_t *buf, size_t cap, uint16_t id, const char *name, int nbstat,
                      const uint8_t *ip, const uint8_t *mac)
{
    static const uint8_t stats[40];
    struct gbuf b = {buf, 0, cap};

    gb_be16(&b, id);
    gb_be16(&b, nbstat ? 0x8400 : 0x8500);
    gb_be16(&b, 0);
    gb_be16(&b, 1);
    gb_be32(&b, 0);
    nb_name(&b, nbstat ? "*" : name, 0x00);
    gb_be16(&b, nbstat ? 0x21 : 0x20);
    gb_be16(&b, 1);
    gb_be32(&b, nbstat ? 0 : 300000);
    if (!nbstat) {
        gb_be16(&b, 6);
        gb_be16(&b, 0x0000);
        gb_put(&b, ip, 4);
        return b.len;
    }
    gb_be16(&b, (uint16_t)(1 + 2 * 18 + 6 + sizeof(stats)));
    gb_u8(&b, 2);
    for (int i = 0; i < 2; i++) {
        char nm[16];
        memset(nm, ' ', 15);
        memcpy(nm, name, strlen(name) > 15 ? 15 : strlen(name));
        nm[15] = (char)(i == 0 ? 0x00 : 0x20);
        gb_put(&b, nm, 16);
        gb_be16(&b, 0x0400); /* active, B-node, unique */
    }
    gb_put(&b, mac, 6);
    gb_put(&b, stats, sizeof(stats));
    return b.len;
}

/* MS-ADTS 6.3.1.3 LOGON_PRIMARY_QUERY: "who is the domain controller" from a computer. */
static void netlogon_query(struct gbuf *d, const char *computer)
{
    gb_le16(d, 0x0007);
    gb_str(d, computer);
    gb_u8(d, 0);
    gb_str(d, "\\MAILSLOT\\NET\\GETDC");
    gb_u8(d, 0);
    if (d->len % 2)
        gb_u8(d, 0);
    for (const char *c = computer; *c; c++)
        gb_le16(d, (uint8_t)*c);
    gb_le16(d, 0);
    gb_le32(d, 0x0b);
    gb_le16(d, 0xffff);
    gb_le16(d, 0xffff);
}

/* SMB1 Transaction carrying a mailslot write (MS-MAIL 2.2.1) of n bytes to slot. */
static void smb_mailslot_write(struct gbuf *b, const char *slot, const uint8_t *data, size_t n)
{
    static const uint8_t smb_hdr[32] = {0xff, 'S', 'M', 'B', 0x25};
    size_t slot_len = strlen(slot) + 1;

    gb_put(b, smb_hdr, sizeof(smb_hdr));
    gb_u8(b, 17);                      /* word count */
    gb_le16(b, 0);                     /* total parameter count */
    gb_le16(b, (uint16_t)n);           /* total data count */
    gb_le16(b, 0);
    gb_le16(b, 0);
    gb_u8(b, 0);
    gb_u8(b, 0);
    gb_le16(b, 0);
    gb_le32(b, 0);                     /* timeout */
    gb_le16(b, 0);
    gb_le16(b, 0);                     /* parameter count */
    gb_le16(b, 0);                     /* parameter offset */
    gb_le16(b, (uint16_t)n);           /* data count */
    /* data offset from the SMB header: header, word count, 17 words, byte count, name */
    gb_le16(b, (uint16_t)(32 + 1 + 34 + 2 + slot_len));
    gb_u8(b, 3);                       /* setup count */
    gb_u8(b, 0);
    gb_le16(b, 1);                     /* mailslot write */
    gb_le16(b, 1);                     /* priority */
    gb_le16(b, 2);                     /* class 2: unreliable, broadcast */
    gb_le16(b, (uint16_t)(slot_len + n));
    gb_put(b, slot, slot_len);
    gb_put(b, data, n);
}

/* A NetBIOS datagram (RFC 1002 4.4.1) to the NETLOGON mailslot, as push installation
 * starts. */
size_t pl_nbdgm_netlogon(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *src_ip,
                         const char *src, const char *dst)
{
    uint8_t data[128];
    struct gbuf d = {data, 0, sizeof(data)};
    struct gbuf b = {buf, 0, cap};
    size_t len_at, names_at;

    netlogon_query(&d, src);
    gb_put(&b, "\x11\x02", 2);       /* DIRECT_GROUP datagram, first fragment, B node */
    gb_be16(&b, id);
    gb_put(&b, src_ip, 4);
    gb_be16(&b, 138);
    len_at = b.len;
    gb_be16(&b, 0);
    gb_be16(&b, 0);
    names_at = b.len;
    nb_name(&b, src, 0x00);
    nb_name(&b, dst, 0x1c);
    smb_mailslot_write(&b, "\\MAILSLOT\\NET\\NETLOGON", data, d.len);
    put_be16(buf + len_at, b.len - names_at);
    return b.len;
}

/* ---- DCE/RPC bind to the endpoint mapper (C706 chapter 12) ---- */

static const uint8_t epm_uuid[16] = {0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11,
                                     0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa};
static const uint8_t ndr_uuid[16] = {0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
                                     0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60};

size_t pl_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id, int ack)
{
    struct gbuf b = {buf, 0, cap};

    gb_put(&b, "\x05\x00", 2);
    gb_u8(&b, ack ? 12 : 11);
    gb_u8(&b, 0x03);
    gb_put(&b, "\x10\x00\x00\x00", 4);
    gb_le16(&b, 0);
    gb_le16(&b, 0);
    gb_le32(&b, call_id);
    gb_le16(&b, 5840);
    gb_le16(&b, 5840);
    gb_le32(&b, ack ? 0x0001a2b3u : 0u);
    if (!ack) {
        gb_put(&b, "\x01\x00\x00\x00", 4);
        gb_le16(&b, 0);
        gb_put(&b, "\x01\x00", 2);
        gb_put(&b, epm_uuid, 16);
        gb_le16(&b, 3);
        gb_le16(&b, 0);
    } else {
        gb_le16(&b, 4);
        gb_put(&b, "135\0", 4);
        gb_le16(&b, 0); /* pad to a 4-byte boundary */
        gb_put(&b, "\x01\x00\x00\x00", 4);
        gb_le16(&b, 0);
        gb_le16(&b, 0);
    }
    gb_put(&b, ndr_uuid, 16);
    gb_le32(&b, 2);
    buf[8] = (uint8_t)b.len;
    buf[9] = (uint8_t)(b.len >> 8);
    return b.len;
}

/* ---- TDS PRELOGIN (MS-TDS 2.2.6.5) and SQL Server Resolution Protocol (MS-SQLR) ---- */

size_t pl_tds_prelogin(uint8_t *buf, size_t cap, int response)
{
    static const uint8_t lens_req[5] = {6, 1, 1, 4, 1};
    static const uint8_t lens_resp[5] = {6, 1, 1, 0, 1};
    const uint8_t *lens = response ? lens_resp : lens_req;
    struct gbuf b = {buf, 0, cap};
    uint16_t off = 5 * 5 + 1;

    gb_u8(&b, response ? 0x04 : 0x12);
    gb_u8(&b, 0x01);
    gb_be16(&b, 0);
    gb_be16(&b, 0);
    gb_u8(&b, 1);
    gb_u8(&b, 0);
    for (uint8_t t = 0; t < 5; t++) {
        gb_u8(&b, t);
        gb_be16(&b, off);
        gb_be16(&b, lens[t]);
        off = (uint16_t)(off + lens[t]);
    }
    gb_u8(&b, 0xff);
    gb_put(&b, response ? "\x0f\x00\x07\xd0\x00\x00" : "\x10\x00\x00\x00\x00\x00", 6);
    gb_u8(&b, response ? 0x00 : 0x02);
    gb_u8(&b, 0);
    if (!response)
        gb_le32(&b, 0x1a2c);
    gb_u8(&b, 0);
    put_be16(buf + 2, b.len);
    return b.len;
}

size_t pl_ssrp(uint8_t *buf, size_t cap, int response, const char *server)
{
    struct gbuf b = {buf, 0, cap};
    char text[200];
    int n;

    if (!response) {
        gb_u8(&b, 0x03);
        return b.len;
    }
    n = snprintf(text, sizeof(text),
                 "ServerName;%s;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;"
                 "tcp;1433;;",
                 server);
    gb_u8(&b, 0x05);
    gb_le16(&b, (uint16_t)n);
    gb_put(&b, text, (size_t)n);
    return b.len;
}

/* ---- BER (X.690) for LDAP and SNMP ---- */

static void ber_len(struct gbuf *b, size_t n)
{
    if (n < 128) {
        gb_u8(b, (uint8_t)n);
    } else if (n < 256) {
        gb_u8(b, 0x81);
        gb_u8(b, (uint8_t)n);
    } else {
        gb_u8(b, 0x82);
        gb_be16(b, (uint16_t)n);
    }
}

static void ber_tlv(struct gbuf *b, uint8_t tag, const void *v, size_t n)
{
    gb_u8(b, tag);
    ber_len(b, n);
    gb_put(b, v, n);
}

static void ber_int(struct gbuf *b, uint8_t tag, uint32_t v)
{
    uint8_t x[5];
    size_t n = 0;
    int started = 0;

    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(v >> shift);
        if (!started && byte == 0 && shift)
            continue;
        if (!started && (byte & 0x80))
            x[n++] = 0;
        started = 1;
        x[n++] = byte;
    }
    ber_tlv(b, tag, x, n);
}

static void ber_str(struct gbuf *b, uint8_t tag, const char *s)
{
    ber_tlv(b, tag, s, strlen(s));
}

static void ber_oid(struct gbuf *b, const uint32_t *arcs, size_t n)
{
    uint8_t x[64];
    size_t k = 0;

    x[k++] = (uint8_t)(arcs[0] * 40 + arcs[1]);
    for (size_t i = 2; i < n && k < sizeof(x) - 5; i++) {
        uint32_t v = arcs[i];
        uint8_t tmp[5];
        int t = 0;
        do {
            tmp[t++] = (uint8_t)(v & 0x7f);
            v >>= 7;
        } while (v);
        while (t--)
            x[k++] = (uint8_t)(tmp[t] | (t ? 0x80 : 0));
    }
    ber_tlv(b, 0x06, x, k);
}

static size_t ldap_wrap(uint8_t *buf, size_t cap, int msgid, uint8_t optag, const uint8_t *op,
                        size_t oplen)
{
    uint8_t inner[1024];
    struct gbuf in = {inner, 0, sizeof(inner)};
    struct gbuf b = {buf, 0, cap};

    ber_int(&in, 0x02, (uint32_t)msgid);
    ber_tlv(&in, optag, op, oplen);
    ber_tlv(&b, 0x30, inner, in.len);
    return b.len;
}

size_t pl_ldap_bind(uint8_t *buf, size_t cap, int msgid, const char *dn, int response)
{
    uint8_t op[256];
    struct gbuf o = {op, 0, sizeof(op)};

    if (response) {
        ber_int(&o, 0x0a, 0);
        ber_str(&o, 0x04, "");
        ber_str(&o, 0x04, "");
        return ldap_wrap(buf, cap, msgid, 0x61, op, o.len);
    }
    ber_int(&o, 0x02, 3);
    ber_str(&o, 0x04, dn);
    ber_str(&o, 0x80, ""); /* anonymous simple bind: no credential on the wire */
    return ldap_wrap(buf, cap, msgid, 0x60, op, o.len);
}

size_t pl_ldap_search(uint8_t *buf, size_t cap, int msgid, int done)
{
    uint8_t op[512], attrs[128], vals[128], one[160], list[200];
    struct gbuf o = {op, 0, sizeof(op)}, a = {attrs, 0, sizeof(attrs)};
    struct gbuf v = {vals, 0, sizeof(vals)}, e = {one, 0, sizeof(one)};
    struct gbuf l = {list, 0, sizeof(list)};
    struct gbuf b = {buf, 0, cap};

    if (!done) {
        ber_str(&o, 0x04, "DC=itms,DC=example");
        ber_int(&o, 0x0a, 2);
        ber_int(&o, 0x0a, 0);
        ber_int(&o, 0x02, 0);
        ber_int(&o, 0x02, 0);
        ber_tlv(&o, 0x01, "\x00", 1);
        ber_str(&o, 0x87, "objectClass");
        ber_str(&a, 0x04, "cn");
        ber_str(&a, 0x04, "dNSHostName");
        ber_tlv(&o, 0x30, attrs, a.len);
        return ldap_wrap(buf, cap, msgid, 0x63, op, o.len);
    }
    /* searchResEntry then searchResDone, back to back as servers send them */
    ber_str(&v, 0x04, "pc-0101.itms.example");
    ber_str(&e, 0x04, "dNSHostName");
    ber_tlv(&e, 0x31, vals, v.len);
    ber_tlv(&l, 0x30, one, e.len);
    ber_str(&o, 0x04, "CN=PC-0101,OU=Workstations,DC=itms,DC=example");
    ber_tlv(&o, 0x30, list, l.len);
    b.len = ldap_wrap(buf, cap, msgid, 0x64, op, o.len);
    o.len = 0;
    ber_int(&o, 0x0a, 0);
    ber_str(&o, 0x04, "");
    ber_str(&o, 0x04, "");
    return b.len + ldap_wrap(buf + b.len, cap - b.len, msgid, 0x65, op, o.len);
}

size_t pl_snmp(uint8_t *buf, size_t cap, uint8_t pdu, uint32_t reqid, const char *community,
               const char *value)
{
    static const uint32_t sys_descr[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    static const uint32_t sys_uptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
    static const uint32_t trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
    static const uint32_t link_down[] = {1, 3, 6, 1, 6, 3, 1, 1, 5, 3};
    uint8_t vb[4096], vbl[4200], p[4300], msg[4400];
    struct gbuf v = {vb, 0, sizeof(vb)}, l = {vbl, 0, sizeof(vbl)};
    struct gbuf pb = {p, 0, sizeof(p)}, m = {msg, 0, sizeof(msg)};
    struct gbuf b = {buf, 0, cap};

    if (pdu == 0xa7) {
        ber_oid(&v, sys_uptime, 9);
        ber_int(&v, 0x43, 8640000);
        ber_tlv(&l, 0x30, vb, v.len);
        v.len = 0;
        ber_oid(&v, trap_oid, 11);
        ber_oid(&v, link_down, 10);
        ber_tlv(&l, 0x30, vb, v.len);
    } else {
        ber_oid(&v, sys_descr, 9);
        if (value)
            ber_str(&v, 0x04, value);
        else
            ber_tlv(&v, 0x05, NULL, 0);
        ber_tlv(&l, 0x30, vb, v.len);
    }
    ber_int(&pb, 0x02, reqid);
    ber_int(&pb, 0x02, 0);
    ber_int(&pb, 0x02, 0);
    ber_tlv(&pb, 0x30, vbl, l.len);
    ber_int(&m, 0x02, 1); /* SNMPv2c */
    ber_str(&m, 0x04, community);
    ber_tlv(&m, pdu, p, pb.len);
    ber_tlv(&b, 0x30, msg, m.len);
    return b.len;
}
