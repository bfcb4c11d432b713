/* test_inspect.c: the payload inspectors on hand-built packets of real-world shape, every
 * truncation of each (copied to exact-size heap buffers so ASan catches any overread),
 * hostile lengths, filled and random buffers, and identify() across all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/common.h"
#include "itmscope/inspect.h"

#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

struct sample {
    const char *name;
    enum itm_inspect_id id;    /* the inspector it belongs to */
    enum itm_inspect_id ident; /* what identify should say on its own */
    uint8_t ipproto;
    size_t n;
    size_t at[4]; /* offsets that hostile variants poke at */
    uint8_t b[512];
};

static void put(struct sample *s, const void *p, size_t n)
{
    assert_true(s->n + n <= sizeof(s->b));
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void put8(struct sample *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(s, &b, 1);
}

static void put16(struct sample *s, unsigned v)
{
    put8(s, v >> 8);
    put8(s, v);
}

static void put16le(struct sample *s, unsigned v)
{
    put8(s, v);
    put8(s, v >> 8);
}

static void fill(struct sample *s, uint8_t v, size_t n)
{
    while (n--)
        put8(s, v);
}

/* A length field of width bytes, filled in by patch() once its contents are written. */
static size_t mark(struct sample *s, size_t width)
{
    size_t at = s->n;
    fill(s, 0, width);
    return at;
}

static void patch(struct sample *s, size_t at, size_t width)
{
    size_t v = s->n - at - width;
    for (size_t i = 0; i < width; i++)
        s->b[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

/* NetBIOS first-level encoding, written independently of the code under test. */
static void put_nbname(struct sample *s, const char *name, uint8_t suffix)
{
    uint8_t raw[16];
    memset(raw, ' ', 15);
    memcpy(raw, name, strlen(name));
    raw[15] = suffix;
    put8(s, 32);
    for (size_t i = 0; i < 16; i++) {
        put8(s, 'A' + (raw[i] >> 4));
        put8(s, 'A' + (raw[i] & 15));
    }
    put8(s, 0);
}

static void put_dnsname(struct sample *s, const char *dotted)
{
    while (*dotted) {
        size_t l = strcspn(dotted, ".");
        put8(s, (unsigned)l);
        put(s, dotted, l);
        dotted += l + (dotted[l] == '.');
    }
    put8(s, 0);
}

static void b_tftp_rrq(struct sample *s)
{
    put(s, LIT("\0\1pxelinux.0\0octet\0tsize\0" "0\0blksize\0" "1456\0"));
}

static void b_tftp_oack(struct sample *s)
{
    put(s, LIT("\0\6blksize\0" "1456\0tsize\0" "26624\0"));
}

static void b_tftp_error(struct sample *s)
{
    put(s, LIT("\0\5\0\1File not found\0"));
}

static void b_dhcp(struct sample *s)
{
    static const uint8_t mac[6] = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
    static const uint8_t params[] = {1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28,
                                     40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 128};
    put(s, LIT("\1\1\6\0\x39\x03\xf3\x26\0\0\x80\0"));
    fill(s, 0, 16);
    put(s, mac, 6);
    fill(s, 0, 10 + 64 + 128);
    put(s, LIT("\x63\x82\x53\x63" "\x35\1\1" "\x39\2\x04\xec" "\x5d\2\0\7" "\x5e\3\1\3\x10"));
    put(s, LIT("\x61\x11\0"));
    fill(s, 0x42, 16);
    put8(s, 55);
    put8(s, sizeof(params));
    put(s, params, sizeof(params));
    put(s, LIT("\x3c\x20PXEClient:Arch:00007:UNDI:003016\xff"));
}

static void b_snmp_get(struct sample *s)
{
    size_t m0, m1, m2, m3;
    put8(s, 0x30);
    m0 = mark(s, 1);
    put(s, LIT("\2\1\1\4\6public\xa0"));
    m1 = mark(s, 1);
    put(s, LIT("\2\4\x1a\x2b\x3c\x4d\2\1\0\2\1\0\x30"));
    m2 = mark(s, 1);
    put8(s, 0x30);
    m3 = mark(s, 1);
    put(s, LIT("\6\x08\x2b\6\1\2\1\1\1\0\5\0"));
    patch(s, m3, 1), patch(s, m2, 1), patch(s, m1, 1), patch(s, m0, 1);
}

static void b_snmp_trap(struct sample *s)
{
    size_t m0, m1, m2, m3;
    put8(s, 0x30);
    m0 = mark(s, 1);
    put(s, LIT("\2\1\0\4\6public\xa4"));
    m1 = mark(s, 1);
    put(s, LIT("\6\7\x2b\6\1\4\1\x83\x09" "\x40\4\xc0\xa8\1\x0a" "\2\1\6\2\1\1\x43\2\x12\x34"));
    put8(s, 0x30);
    m2 = mark(s, 1);
    put8(s, 0x30);
    m3 = mark(s, 1);
    put(s, LIT("\6\x08\x2b\6\1\2\1\1\3\0\x43\2\x12\x34"));
    patch(s, m3, 1), patch(s, m2, 1), patch(s, m1, 1), patch(s, m0, 1);
}

/* An SNMPv3 engine discovery request (RFC 3414 4). */
static void b_snmp_v3(struct sample *s)
{
    size_t m0, m1, m2, m3;
    put8(s, 0x30);
    m0 = mark(s, 1);
    put(s, LIT("\2\1\3\x30"));
    m1 = mark(s, 1);
    put(s, LIT("\2\4\0\0\x12\x34\2\3\0\xff\xe3\4\1\4\2\1\3"));
    patch(s, m1, 1);
    put8(s, 0x04);
    m2 = mark(s, 1);
    put(s, LIT("\x30\x0e\4\0\2\1\0\2\1\0\4\0\4\0\4\0"));
    patch(s, m2, 1);
    put8(s, 0x30);
    m3 = mark(s, 1);
    put(s, LIT("\4\0\4\0\xa0\x0e\2\4\0\0\x56\x78\2\1\0\2\1\0\x30\0"));
    patch(s, m3, 1), patch(s, m0, 1);
}

static void b_wol(struct sample *s)
{
    fill(s, 0xff, 6);
    for (int i = 0; i < 16; i++)
        put(s, LIT("\x00\x0c\x29\xaa\xbb\xcc"));
}

static void b_wol_pw(struct sample *s)
{
    b_wol(s);
    put(s, LIT("\1\2\3\4\5\6"));
}

static void b_http_get(struct sample *s)
{
    put(s, LIT("GET /Altiris/NS/Agent/GetClientPolicies.aspx HTTP/1.1\r\n"
               "Host: ns.example.com\r\nUser-Agent: Altiris NS Client\r\n\r\n"));
}

static void b_http_proxy(struct sample *s)
{
    put(s, LIT("POST http://ns.example.com:80/altiris/NS/Agent/PostEvent.aspx HTTP/1.0\r\n"));
}

static void b_http_resp(struct sample *s)
{
    put(s, LIT("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
}

static void b_tls_ch(struct sample *s)
{
    size_t rec, hs, exts, e, l;
    put(s, LIT("\x16\3\1"));
    rec = mark(s, 2);
    put8(s, 1);
    hs = mark(s, 3);
    put16(s, 0x0303);
    fill(s, 0x5a, 32);
    put8(s, 32);
    fill(s, 0xa5, 32);
    put(s, LIT("\0\x08\xc0\x2b\xc0\x2f\xc0\x30\0\x9c\1\0"));
    exts = mark(s, 2);
    put(s, LIT("\0\x0a\0\6\0\4\0\x1d\0\x17"));
    put16(s, 0);
    s->at[0] = e = mark(s, 2);
    s->at[1] = l = mark(s, 2);
    put8(s, 0);
    s->at[2] = s->n;
    put16(s, 14);
    put(s, LIT("ns.example.com"));
    s->at[3] = s->n;
    patch(s, l, 2), patch(s, e, 2);
    put(s, LIT("\0\x0b\0\2\1\0" "\0\x0d\0\6\0\4\4\1\4\3" "\0\x17\0\0"));
    patch(s, exts, 2), patch(s, hs, 3), patch(s, rec, 2);
}

static void b_tls_sh(struct sample *s)
{
    size_t rec, hs;
    put(s, LIT("\x16\3\3"));
    rec = mark(s, 2);
    put8(s, 2);
    hs = mark(s, 3);
    put16(s, 0x0303);
    fill(s, 0x3c, 32);
    put(s, LIT("\0\xc0\x2f\0\0\5\xff\1\0\1\0"));
    patch(s, hs, 3), patch(s, rec, 2);
}

static void b_smb2_neg(struct sample *s)
{
    size_t m;
    put8(s, 0);
    m = mark(s, 3);
    put(s, LIT("\xfeSMB"));
    put16le(s, 64);
    fill(s, 0, 6);
    put16le(s, 0);  /* NEGOTIATE */
    put16le(s, 1);  /* credits */
    fill(s, 0, 48);
    put16le(s, 36), put16le(s, 2), put16le(s, 1), put16le(s, 0);
    put(s, LIT("\x7f\0\0\0"));
    fill(s, 0x11, 16);
    fill(s, 0, 8);
    put16le(s, 0x0202), put16le(s, 0x0210);
    patch(s, m, 3);
}

static void b_smb1_neg(struct sample *s)
{
    size_t m, bc;
    put8(s, 0);
    m = mark(s, 3);
    put(s, LIT("\xffSMB\x72\0\0\0\0\x18\x53\xc8"));
    fill(s, 0, 12);
    put(s, LIT("\xff\xff\xfe\xff\0\0\0\0\0"));
    bc = s->n;
    put16le(s, 0);
    put(s, LIT("\2NT LM 0.12\0\2SMB 2.002\0\2SMB 2.???\0"));
    s->b[bc] = (uint8_t)(s->n - bc - 2);
    patch(s, m, 3);
}

static void b_nbss_req(struct sample *s)
{
    put(s, LIT("\x81\0\0\x44"));
    put_nbname(s, "NS01", 0x20);
    put_nbname(s, "WORKSTATION01", 0x00);
}

static void b_nbns(struct sample *s)
{
    put(s, LIT("\x8a\x31\1\x10\0\1\0\0\0\0\0\0"));
    put_nbname(s, "WORKSTATION01", 0x00);
    put(s, LIT("\0\x20\0\1"));
}

static void b_ssh(struct sample *s)
{
    put(s, LIT("SSH-2.0-OpenSSH_9.2p1\r\n"));
}

static void b_dns_query(struct sample *s)
{
    put(s, LIT("\x3f\x1c\1\0\0\1\0\0\0\0\0\1"));
    put_dnsname(s, "ns.example.com");
    put(s, LIT("\0\1\0\1" "\0\0\x29\x10\0\0\0\0\0\0\0"));
}

static void b_dns_resp(struct sample *s)
{
    put(s, LIT("\x3f\x1c\x81\x80\0\1\0\1\0\0\0\0"));
    put_dnsname(s, "ns.example.com");
    put(s, LIT("\0\1\0\1" "\xc0\x0c\0\1\0\1\0\0\x0e\x10\0\4\x0a\0\0\5"));
}

static void b_dns_tcp(struct sample *s)
{
    size_t m = mark(s, 2);
    b_dns_query(s);
    patch(s, m, 2);
}

struct builder {
    const char *name;
    enum itm_inspect_id id, ident;
    uint8_t ipproto;
    void (*fn)(struct sample *s);
};

static const struct builder builders[] = {
    {"tftp-rrq", ITM_INSPECT_TFTP, ITM_INSPECT_TFTP, 17, b_tftp_rrq},
    {"tftp-oack", ITM_INSPECT_TFTP, ITM_INSPECT_NONE, 17, b_tftp_oack},
    {"tftp-error", ITM_INSPECT_TFTP, ITM_INSPECT_NONE, 17, b_tftp_error},
    {"dhcp-discover", ITM_INSPECT_DHCP, ITM_INSPECT_DHCP, 17, b_dhcp},
    {"snmp-get", ITM_INSPECT_SNMP, ITM_INSPECT_SNMP, 17, b_snmp_get},
    {"snmp-trap", ITM_INSPECT_SNMP, ITM_INSPECT_SNMP, 17, b_snmp_trap},
    {"snmp-v3", ITM_INSPECT_SNMP, ITM_INSPECT_SNMP, 17, b_snmp_v3},
    {"wol", ITM_INSPECT_WOL, ITM_INSPECT_WOL, 17, b_wol},
    {"wol-secureon", ITM_INSPECT_WOL, ITM_INSPECT_WOL, 17, b_wol_pw},
    {"http-get", ITM_INSPECT_HTTP, ITM_INSPECT_HTTP, 6, b_http_get},
    {"http-proxy", ITM_INSPECT_HTTP, ITM_INSPECT_HTTP, 6, b_http_proxy},
    {"http-response", ITM_INSPECT_HTTP, ITM_INSPECT_HTTP, 6, b_http_resp},
    {"tls-client-hello", ITM_INSPECT_TLS, ITM_INSPECT_TLS, 6, b_tls_ch},
    {"tls-server-hello", ITM_INSPECT_TLS, ITM_INSPECT_TLS, 6, b_tls_sh},
    {"smb2-negotiate", ITM_INSPECT_SMB, ITM_INSPECT_SMB, 6, b_smb2_neg},
    {"smb1-negotiate", ITM_INSPECT_SMB, ITM_INSPECT_SMB, 6, b_smb1_neg},
    {"nbss-request", ITM_INSPECT_SMB, ITM_INSPECT_SMB, 6, b_nbss_req},
    {"nbns-query", ITM_INSPECT_NBNS, ITM_INSPECT_NBNS, 17, b_nbns},
    {"ssh-banner", ITM_INSPECT_SSH, ITM_INSPECT_SSH, 6, b_ssh},
    {"dns-query", ITM_INSPECT_DNS, ITM_INSPECT_DNS, 17, b_dns_query},
    {"dns-response", ITM_INSPECT_DNS, ITM_INSPECT_DNS, 17, b_dns_resp},
    {"dns-tcp-query", ITM_INSPECT_DNS, ITM_INSPECT_NONE, 6, b_dns_tcp},
};
#define NBUILDERS (sizeof(builders) / sizeof(builders[0]))

static struct sample build(size_t i)
{
    struct sample s;
    memset(&s, 0, sizeof(s));
    s.name = builders[i].name;
    s.id = builders[i].id;
    s.ident = builders[i].ident;
    s.ipproto = builders[i].ipproto;
    builders[i].fn(&s);
    return s;
}

static struct sample build_named(const char *name)
{
    for (size_t i = 0; i < NBUILDERS; i++)
        if (strcmp(builders[i].name, name) == 0)
            return build(i);
    fail_msg("no sample %s", name);
    return build(0);
}

/* Text fields must be NUL-terminated inside the field and printable before the NUL. */
static void check_text(const char *t, size_t size)
{
    const char *nul = memchr(t, '\0', size);
    assert_non_null(nul);
    for (const char *c = t; c < nul; c++)
        assert_true(*c >= 0x20 && *c < 0x7f);
}

/* Runs one inspector on an exact-size heap copy: any read past n trips ASan. */
static int run(enum itm_inspect_id id, const uint8_t *p, size_t n, struct itm_inspect_result *r)
{
    uint8_t *copy = n ? malloc(n) : NULL;
    int v;

    if (n) {
        assert_non_null(copy);
        memcpy(copy, p, n);
    }
    v = itm_inspect(id, copy, n, r);
    free(copy);
    assert_int_equal(v, r->verdict);
    assert_int_equal(r->id, id);
    check_text(r->text, sizeof(r->text));
    check_text(r->text2, sizeof(r->text2));
    return v;
}

static enum itm_inspect_id ident(uint8_t proto, const uint8_t *p, size_t n,
                                 struct itm_inspect_result *r)
{
    uint8_t *copy = n ? malloc(n) : NULL;
    enum itm_inspect_id id;

    if (n) {
        assert_non_null(copy);
        memcpy(copy, p, n);
    }
    id = itm_inspect_identify(proto, copy, n, r);
    free(copy);
    check_text(r->text, sizeof(r->text));
    check_text(r->text2, sizeof(r->text2));
    assert_int_equal(r->id, id);
    assert_int_equal(r->verdict, id == ITM_INSPECT_NONE ? ITM_V_UNKNOWN : ITM_V_MATCH);
    return id;
}

static int run_s(const struct sample *s, struct itm_inspect_result *r)
{
    return run(s->id, s->b, s->n, r);
}

static void test_every_prefix(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (size_t n = 0; n <= s.n; n++) {
            int v = run(s.id, s.b, n, &r);
            if (v == ITM_V_MISMATCH)
                fail_msg("%s: MISMATCH on a %zu-byte prefix of %zu", s.name, n, s.n);
            enum itm_inspect_id got = ident(s.ipproto, s.b, n, &r);
            if (got != ITM_INSPECT_NONE && got != s.id)
                fail_msg("%s: identify said %s on %zu bytes", s.name, itm_inspect_name(got), n);
        }
        if (run_s(&s, &r) != ITM_V_MATCH)
            fail_msg("%s: no MATCH on the whole sample", s.name);
        assert_int_equal(run(s.id, s.b, 0, &r), ITM_V_UNKNOWN);
    }
}

static void test_identify_samples(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        enum itm_inspect_id got = ident(s.ipproto, s.b, s.n, &r);
        if (got != s.ident)
            fail_msg("%s: identify said %s", s.name, itm_inspect_name(got));
        /* The other transport never claims it. */
        assert_int_equal(ident(s.ipproto == 6 ? 17 : 6, s.b, s.n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(1, s.b, s.n, &r), ITM_INSPECT_NONE);
    }
}

/* No inspector claims another protocol's packet; NBNS is a DNS-shaped format, so the
 * (lenient) DNS inspector accepting it is expected. */
static void test_cross_protocol(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (int id = 1; id < ITM_INSPECT_COUNT; id++) {
            if ((enum itm_inspect_id)id == s.id ||
                (id == ITM_INSPECT_DNS && s.id == ITM_INSPECT_NBNS))
                continue;
            if (run((enum itm_inspect_id)id, s.b, s.n, &r) == ITM_V_MATCH)
                fail_msg("%s: %s claims it", s.name, itm_inspect_name((enum itm_inspect_id)id));
        }
    }
}

static void test_filled_buffers(void **state)
{
    static const uint8_t fills[] = {0x00, 0xff, 0x20, 0x41};
    struct itm_inspect_result r;
    uint8_t buf[1500];
    (void)state;

    for (size_t f = 0; f < sizeof(fills); f++) {
        memset(buf, fills[f], sizeof(buf));
        for (size_t n = 1; n <= sizeof(buf); n += (n < 128 ? 1 : 97)) {
            for (int id = 1; id < ITM_INSPECT_COUNT; id++)
                assert_int_not_equal(run((enum itm_inspect_id)id, buf, n, &r), ITM_V_MATCH);
            assert_int_equal(ident(6, buf, n, &r), ITM_INSPECT_NONE);
            assert_int_equal(ident(17, buf, n, &r), ITM_INSPECT_NONE);
        }
    }
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_and_irrelevant(void **state)
{
    static const struct {
        const char *p;
        size_t n;
    } other[] = {
#define BLOB(s) {s, sizeof(s) - 1}
        BLOB("220 mail.example.com ESMTP Postfix\r\n"),
        BLOB("USER anonymous\r\n"),
        BLOB("a001 LOGIN user pass\r\n"),
        BLOB("SIP/2.0 200 OK\r\n"),
        BLOB("RTSP/1.0 200 OK\r\n"),
        BLOB("OPTIONS sip:ns.example.com SIP/2.0\r\n"),
        BLOB("\3\0\0\x13\x0e\xe0\0\0\0\0\0\1\0\x08\0\3\0\0\0"), /* RDP connection request */
        BLOB("<34>Oct 11 22:14:15 host su: 'su root' failed\n"),
        BLOB("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        BLOB("SSH-\r\n"),
        BLOB("GET  HTTP/1.1\r\n"),
        BLOB("\x16\3\1\0\0"),
#undef BLOB
    };
    struct itm_inspect_result r;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    uint8_t buf[600];
    (void)state;

    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        assert_int_equal(ident(6, (const uint8_t *)other[i].p, other[i].n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(17, (const uint8_t *)other[i].p, other[i].n, &r), ITM_INSPECT_NONE);
    }
    memset(buf, 0, 48); /* an NTP client request */
    buf[0] = 0x1b;
    assert_int_equal(ident(17, buf, 48, &r), ITM_INSPECT_NONE);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rng_next(&seed) % sizeof(buf));
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rng_next(&seed);
        assert_int_equal(ident(6, buf, n, &r), ITM_INSPECT_NONE);
        assert_int_equal(ident(17, buf, n, &r), ITM_INSPECT_NONE);
    }
}

/* Every byte of every sample replaced by hostile values, whole and cut: no overread, text
 * always clean, verdicts always one of the three. */
static void test_mutations(void **state)
{
    static const uint8_t vals[] = {0x00, 0x01, 0x20, 0x3f, 0x7f, 0x80, 0xc0, 0xfe, 0xff};
    struct itm_inspect_result r;
    (void)state;

    for (size_t i = 0; i < NBUILDERS; i++) {
        struct sample s = build(i);
        for (size_t pos = 0; pos < s.n; pos++) {
            uint8_t keep = s.b[pos];
            for (size_t k = 0; k < sizeof(vals); k++) {
                s.b[pos] = vals[k];
                for (int id = 1; id < ITM_INSPECT_COUNT; id++) {
                    int v = run((enum itm_inspect_id)id, s.b, s.n, &r);
                    assert_in_range(v, ITM_V_UNKNOWN, ITM_V_MISMATCH);
                    run((enum itm_inspect_id)id, s.b, pos + 1, &r);
                }
                ident(s.ipproto, s.b, s.n, &r);
            }
            s.b[pos] = keep;
        }
    }
}

static void test_api(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    assert_int_equal(itm_inspect(ITM_INSPECT_NONE, LIT("x"), &r), ITM_ERR_INVAL);
    assert_int_equal(itm_inspect(ITM_INSPECT_COUNT, LIT("x"), &r), ITM_ERR_INVAL);
    assert_int_equal(itm_inspect(ITM_INSPECT_DNS, NULL, 5, &r), ITM_ERR_INVAL);
    assert_int_equal(itm_inspect(ITM_INSPECT_DNS, NULL, 0, &r), ITM_V_UNKNOWN);
    assert_int_equal(itm_inspect(ITM_INSPECT_SSH, LIT("SSH-2.0-x\r\n"), NULL), ITM_V_MATCH);
    assert_int_equal(itm_inspect_identify(6, NULL, 0, &r), ITM_INSPECT_NONE);
    assert_int_equal(itm_inspect_identify(6, LIT("SSH-2.0-x\r\n"), NULL), ITM_INSPECT_SSH);
}


static int verdict(enum itm_inspect_id id, const uint8_t *p, size_t n)
{
    struct itm_inspect_result r;
    return run(id, p, n, &r);
}

/* The verdict on a copy of s with one byte, or a big-endian 16-bit field, replaced. */
static int poke(const struct sample *s, size_t at, uint8_t v)
{
    struct sample t = *s;
    t.b[at] = v;
    return verdict(t.id, t.b, t.n);
}

static int poke16(const struct sample *s, size_t at, unsigned v)
{
    struct sample t = *s;
    t.b[at] = (uint8_t)(v >> 8);
    t.b[at + 1] = (uint8_t)v;
    return verdict(t.id, t.b, t.n);
}

static void test_tftp(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("tftp-rrq");
    uint8_t *big;
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 1);
    assert_string_equal(r.text, "pxelinux.0");
    assert_string_equal(r.text2, "octet");
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\2boot\\x64\\wdsnbp.com\0NetASCII\0")),
                     ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\1f\0OCTET\0")), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\1f\0binary\0")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\1f\0octets")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\1\0octet\0")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\1a\1b\0octet\0")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\7x\0")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\1\1x\0")), ITM_V_MISMATCH);
    s = build_named("tftp-oack");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 6);
    assert_string_equal(r.text, "blksize=1456 tsize=26624");
    s = build_named("tftp-error");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 5);
    assert_string_equal(r.text, "File not found");
    assert_string_equal(r.text2, "1");
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\5\0\x09x\0")), ITM_V_MISMATCH);
    assert_int_equal(run(ITM_INSPECT_TFTP, LIT("\0\4\1\2"), &r), ITM_V_MATCH);
    assert_string_equal(r.text2, "258");
    assert_int_equal(verdict(ITM_INSPECT_TFTP, LIT("\0\4\1\2\0")), ITM_V_MISMATCH);
    /* DATA: 512-byte blocks, or up to blksize 65464 once negotiated. */
    big = calloc(1, 65469);
    assert_non_null(big);
    big[1] = 3;
    big[3] = 1;
    assert_int_equal(run(ITM_INSPECT_TFTP, big, 516, &r), ITM_V_MATCH);
    assert_string_equal(r.text2, "1");
    assert_int_equal(verdict(ITM_INSPECT_TFTP, big, 65468), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_TFTP, big, 65469), ITM_V_MISMATCH);
    /* identify wants a request: data and acks are too shapeless off port 69. */
    assert_int_equal(ident(17, big, 516, &r), ITM_INSPECT_NONE);
    free(big);
}

static void test_dhcp(void **state)
{
    static const uint8_t mac[6] = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
    struct itm_inspect_result r;
    struct sample s = build_named("dhcp-discover"), t;
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 1);
    assert_true(r.flags & ITM_ID_PXECLIENT);
    assert_string_equal(r.text, "PXEClient:Arch:00007:UNDI:003016");
    assert_memory_equal(r.mac, mac, 6);
    /* The header and cookie alone say DHCP but not which message: wait for more. */
    assert_int_equal(run(ITM_INSPECT_DHCP, s.b, 240, &r), ITM_V_UNKNOWN);
    assert_int_equal(run(ITM_INSPECT_DHCP, s.b, 243, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 1);
    t = s;
    t.b[241] = 200; /* option 53's length runs far past the datagram */
    assert_int_equal(run(ITM_INSPECT_DHCP, t.b, t.n, &r), ITM_V_UNKNOWN);
    t.b[241] = 2;
    assert_int_equal(verdict(ITM_INSPECT_DHCP, t.b, t.n), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 242, 0), ITM_V_MISMATCH); /* message type 0 does not exist */
    assert_int_equal(poke(&s, 239, 0x64), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 2, 17), ITM_V_MISMATCH);
    /* A proxyDHCP REQUEST on 4011 with an over-long, binary vendor class. */
    t = s;
    t.n = 240;
    put(&t, LIT("\x35\1\3\x3c\xc8PXEClient\1"));
    fill(&t, 'x', 190);
    put8(&t, 0xff);
    assert_int_equal(run(ITM_INSPECT_DHCP, t.b, t.n, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 3);
    assert_true(r.flags & ITM_ID_PXECLIENT);
    assert_int_equal(strlen(r.text), sizeof(r.text) - 1);
    assert_memory_equal(r.text, "PXEClient.xxx", 13);
}

static void test_snmp(void **state)
{
    static const uint8_t huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 2, 1, 1, 4, 6, 'p'};
    struct itm_inspect_result r;
    struct sample s = build_named("snmp-get"), t;
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0xa0);
    assert_string_equal(r.text2, "public");
    assert_int_equal(r.flags, 0);
    t = s;
    t.b[13] = 0xa2;
    assert_int_equal(run(ITM_INSPECT_SNMP, t.b, t.n, &r), ITM_V_MATCH);
    assert_true(r.flags & ITM_ID_RESPONSE);
    t.b[13] = 0xa6;
    assert_int_equal(run(ITM_INSPECT_SNMP, t.b, t.n, &r), ITM_V_MATCH);
    assert_true(r.flags & ITM_ID_TRAP);
    t.b[13] = 0xa4; /* the v1 trap PDU in a v2c message */
    assert_int_equal(verdict(ITM_INSPECT_SNMP, t.b, t.n), ITM_V_MISMATCH);
    t.b[13] = 0xa9;
    assert_int_equal(verdict(ITM_INSPECT_SNMP, t.b, t.n), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 4, 2), ITM_V_MISMATCH); /* version 2 is not on the wire */
    assert_int_equal(poke(&s, 6, 0x7f), ITM_V_MISMATCH); /* community longer than its message */
    t = s;
    put8(&t, 0);
    assert_int_equal(verdict(ITM_INSPECT_SNMP, t.b, t.n), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SNMP, huge, sizeof(huge)), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SNMP, LIT("\x30\x80\2\1\1")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SNMP, LIT("\x30\x85\0\0\0\0\x10")), ITM_V_MISMATCH);
    /* A long-form length past the datagram, everything else in order: maybe cut. */
    t.n = 0;
    put(&t, LIT("\x30\x82\x01\x00"));
    put(&t, s.b + 2, s.n - 2);
    assert_int_equal(run(ITM_INSPECT_SNMP, t.b, t.n, &r), ITM_V_UNKNOWN);
    assert_string_equal(r.text2, "public");
    s = build_named("snmp-trap");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0xa4);
    assert_true(r.flags & ITM_ID_TRAP);
    s = build_named("snmp-v3");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0);
    assert_int_equal(poke(&s, 19, 2), ITM_V_MISMATCH); /* msgFlags must be one octet */
}

static void test_wol(void **state)
{
    static const uint8_t mac[6] = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
    struct itm_inspect_result r;
    struct sample s = build_named("wol-secureon"), t;
    (void)state;

    assert_int_equal(run(ITM_INSPECT_WOL, s.b, 102, &r), ITM_V_MATCH);
    assert_memory_equal(r.mac, mac, 6);
    assert_int_equal(verdict(ITM_INSPECT_WOL, s.b, 101), ITM_V_UNKNOWN);
    assert_int_equal(verdict(ITM_INSPECT_WOL, s.b, 105), ITM_V_UNKNOWN);
    assert_int_equal(verdict(ITM_INSPECT_WOL, s.b, 106), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_WOL, s.b, 108), ITM_V_MATCH);
    put8(&s, 7);
    assert_int_equal(verdict(ITM_INSPECT_WOL, s.b, 109), ITM_V_MISMATCH);
    t = s;
    t.b[60] ^= 1; /* one repetition differs */
    assert_int_equal(verdict(ITM_INSPECT_WOL, t.b, 102), ITM_V_MISMATCH);
    t = s;
    t.b[5] = 0xfe;
    assert_int_equal(verdict(ITM_INSPECT_WOL, t.b, 102), ITM_V_MISMATCH);
    memset(t.b + 6, 0, 96); /* a zero MAC is no station */
    assert_int_equal(verdict(ITM_INSPECT_WOL, t.b, 102), ITM_V_MISMATCH);
}

static void test_http(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("http-get");
    char line[300];
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 1);
    assert_string_equal(r.text2, "GET");
    assert_string_equal(r.text, "/Altiris/NS/Agent/GetClientPolicies.aspx");
    assert_int_equal(r.flags, ITM_ID_ALTIRIS);
    /* Cut before the version: the path is known, the verdict is not. */
    assert_int_equal(run(ITM_INSPECT_HTTP, s.b, 50, &r), ITM_V_UNKNOWN);
    assert_true(r.flags & ITM_ID_ALTIRIS);
    s = build_named("http-proxy");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_string_equal(r.text2, "POST");
    assert_true(r.flags & ITM_ID_ALTIRIS);
    s = build_named("http-response");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 2);
    assert_int_equal(r.flags, ITM_ID_RESPONSE);
    assert_string_equal(r.text2, "200");
    assert_string_equal(r.text, "OK");
    assert_int_equal(run(ITM_INSPECT_HTTP,
                         LIT("RPC_IN_DATA /rpc/rpcproxy.dll?ns:6001 HTTP/1.1\r\n"), &r),
                     ITM_V_MATCH);
    assert_string_equal(r.text2, "RPC_IN_DATA");
    assert_int_equal(r.flags, 0);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("CONNECT ns:443 HTTP/1.1\r\n")), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("PROPFIND /a HTTP/1.1\r\n")), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("PROPFIND a HTTP/1.1\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("PROPFIND /a")), ITM_V_UNKNOWN);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("GET / HTTP/2.0\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("GET / HTTP/1.1x")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("get / HTTP/1.1\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("GET /a\1b HTTP/1.1\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_HTTP, LIT("HTTP/1.1 999 No\r\n")), ITM_V_MISMATCH);
    assert_int_equal(run(ITM_INSPECT_HTTP, LIT("GET /ALTIRIS/x HTTP/1.1\r\n"), &r), ITM_V_MATCH);
    assert_true(r.flags & ITM_ID_ALTIRIS);
    assert_int_equal(run(ITM_INSPECT_HTTP, LIT("GET /AltirisX/ HTTP/1.1\r\n"), &r), ITM_V_MATCH);
    assert_int_equal(r.flags, 0);
    memset(line, 'a', sizeof(line));
    memcpy(line, "GET /", 5);
    memcpy(line + 200, " HTTP/1.1\r\n", 11);
    assert_int_equal(run(ITM_INSPECT_HTTP, (const uint8_t *)line, 211, &r), ITM_V_MATCH);
    assert_int_equal(strlen(r.text), sizeof(r.text) - 1);
}

static void test_tls(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("tls-client-hello");
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 1);
    assert_int_equal(r.flags, ITM_ID_CLIENT_HELLO);
    assert_string_equal(r.text, "ns.example.com");
    /* Cut before the name: wait; cut after it: enough was seen. */
    assert_int_equal(run(ITM_INSPECT_TLS, s.b, s.at[3] - 1, &r), ITM_V_UNKNOWN);
    assert_string_equal(r.text, "");
    assert_int_equal(run(ITM_INSPECT_TLS, s.b, s.at[3], &r), ITM_V_MATCH);
    assert_string_equal(r.text, "ns.example.com");
    /* Server name list longer than its extension, host name longer than its list,
     * extension longer than the extensions block. */
    assert_int_equal(poke16(&s, s.at[1], 18), ITM_V_MISMATCH);
    assert_int_equal(poke16(&s, s.at[2], 15), ITM_V_MISMATCH);
    assert_int_equal(poke16(&s, s.at[0], 0x4000), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 43, 33), ITM_V_MISMATCH); /* session id longer than 32 */
    assert_int_equal(poke(&s, 2, 5), ITM_V_MISMATCH);
    assert_int_equal(poke16(&s, 3, 0x4001), ITM_V_MISMATCH); /* record over 2^14 */
    /* The hello continues in a next record: not seen, not wrong. */
    assert_int_equal(poke16(&s, 3, 60), ITM_V_UNKNOWN);
    s = build_named("tls-server-hello");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 2);
    assert_int_equal(r.flags, 0);
}

static void test_smb(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("smb2-negotiate");
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0);
    assert_int_equal(r.flags, ITM_ID_SMB2);
    assert_int_equal(poke(&s, 16, 0x13), ITM_V_MISMATCH); /* past the last SMB2 command */
    assert_int_equal(poke(&s, 8, 65), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 7, 'C'), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 3, 63), ITM_V_MISMATCH); /* too short for its own header */
    s = build_named("smb1-negotiate");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0x72);
    assert_int_equal(r.flags, 0);
    s = build_named("nbss-request");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0x81);
    assert_string_equal(r.text, "NS01");
    assert_int_equal(poke(&s, 20, 'Z'), ITM_V_MISMATCH);
    assert_int_equal(run(ITM_INSPECT_SMB, LIT("\x82\0\0\0"), &r), ITM_V_MATCH);
    assert_int_equal(r.subtype, 0x82);
    assert_int_equal(verdict(ITM_INSPECT_SMB, LIT("\x85\0\0\0")), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_SMB, LIT("\x83\0\0\1\x8f")), ITM_V_MATCH);
    assert_int_equal(verdict(ITM_INSPECT_SMB, LIT("\x83\0\0\1\x90")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SMB, LIT("\x85\2\0\0")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SMB, LIT("\x86\0\0\0")), ITM_V_MISMATCH);
    /* A bare keepalive is SMB on 139 but proves nothing on another port. */
    assert_int_equal(ident(6, LIT("\x85\0\0\0"), &r), ITM_INSPECT_NONE);
}

static void test_nbns(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("nbns-query"), t;
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_string_equal(r.text, "WORKSTATION01");
    assert_string_equal(r.text2, "<00>");
    assert_int_equal(r.subtype, 0);
    assert_int_equal(r.flags, 0);
    /* Shaped like DNS, yet identify must name it NetBIOS. */
    assert_int_equal(ident(17, s.b, s.n, &r), ITM_INSPECT_NBNS);
    t = s;
    t.b[2] = 0x85, t.b[3] = 0x00, t.b[5] = 0, t.b[7] = 1; /* positive query response */
    assert_int_equal(run(ITM_INSPECT_NBNS, t.b, t.n, &r), ITM_V_MATCH);
    assert_true(r.flags & ITM_ID_RESPONSE);
    assert_int_equal(poke(&s, 12, 0x21), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 14, 'Q'), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 5, 17), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 2, 0x18), ITM_V_MISMATCH); /* opcode 3 */
    t.n = 12;
    put_nbname(&t, "*", 0);
    memset(t.b + 13, 'A', 32); /* "*" then NUL padding, as in a node status query */
    t.b[13] = 'C', t.b[14] = 'K';
    t.b[2] = 0;
    put(&t, LIT("\0\x21\0\1"));
    assert_int_equal(run(ITM_INSPECT_NBNS, t.b, t.n, &r), ITM_V_MATCH);
    assert_string_equal(r.text, "*");
}

static void test_ssh(void **state)
{
    struct itm_inspect_result r;
    (void)state;

    assert_int_equal(run(ITM_INSPECT_SSH, LIT("SSH-2.0-OpenSSH_9.2p1\r\n"), &r), ITM_V_MATCH);
    assert_string_equal(r.text, "SSH-2.0-OpenSSH_9.2p1");
    assert_int_equal(run(ITM_INSPECT_SSH, LIT("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), &r),
                     ITM_V_MATCH);
    assert_string_equal(r.text, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("SSH-1.99-Cisco-1.25\n")), ITM_V_MATCH);
    assert_int_equal(run(ITM_INSPECT_SSH, LIT("SSH-2.0-dropbear"), &r), ITM_V_UNKNOWN);
    assert_string_equal(r.text, "SSH-2.0-dropbear");
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("SSH-2.0-\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("SSH-x.0-a\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("SSH-2.0-a\1b\r\n")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("SSH-2.0-a\rb")), ITM_V_MISMATCH);
    assert_int_equal(verdict(ITM_INSPECT_SSH, LIT("ssh-2.0-a\r\n")), ITM_V_MISMATCH);
    {
        uint8_t line[300];
        memset(line, 'a', sizeof(line));
        memcpy(line, "SSH-2.0-", 8);
        assert_int_equal(verdict(ITM_INSPECT_SSH, line, sizeof(line)), ITM_V_MISMATCH);
    }
}

static void test_dns(void **state)
{
    struct itm_inspect_result r;
    struct sample s = build_named("dns-query"), t;
    (void)state;

    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_string_equal(r.text, "ns.example.com");
    assert_int_equal(r.flags, 0);
    s = build_named("dns-response");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_true(r.flags & ITM_ID_RESPONSE);
    s = build_named("dns-tcp-query");
    assert_int_equal(run_s(&s, &r), ITM_V_MATCH);
    assert_string_equal(r.text, "ns.example.com");
    /* 200 additional records cannot fit the 2-byte length */
    assert_int_equal(poke(&s, 13, 200), ITM_V_MISMATCH);
    s = build_named("dns-query");
    /* over UDP the same may only mean the datagram was cut */
    assert_int_equal(poke(&s, 11, 200), ITM_V_UNKNOWN);
    assert_int_equal(poke(&s, 12, 64), ITM_V_MISMATCH);
    assert_int_equal(poke(&s, 12, 0xc0), ITM_V_MISMATCH); /* a pointer in the question */
    assert_int_equal(poke(&s, 2, 0x18), ITM_V_MISMATCH); /* opcode 3 */
    assert_int_equal(poke(&s, 5, 17), ITM_V_MISMATCH);
    assert_int_equal(poke16(&s, 6, 257), ITM_V_MISMATCH);
    t = s;
    t.n = 12;
    t.b[11] = 0;
    for (int i = 0; i < 5; i++) {
        put8(&t, 63);
        fill(&t, 'a', 63);
    }
    put(&t, LIT("\0\0\1\0\1"));
    assert_int_equal(verdict(ITM_INSPECT_DNS, t.b, t.n), ITM_V_MISMATCH);
    /* Lenient on its own port, strict when naming a protocol anywhere. */
    t.n = 12;
    put(&t, LIT("\3a\1b\0\0\1\0\1"));
    assert_int_equal(verdict(ITM_INSPECT_DNS, t.b, t.n), ITM_V_MATCH);
    assert_int_equal(ident(17, t.b, t.n, &r), ITM_INSPECT_NONE);
    t.n = 12;
    put(&t, LIT("\0\0\2\0\1"));
    assert_int_equal(run(ITM_INSPECT_DNS, t.b, t.n, &r), ITM_V_MATCH);
    assert_string_equal(r.text, ".");
    assert_int_equal(ident(17, t.b, t.n, &r), ITM_INSPECT_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_tftp),
        cmocka_unit_test(test_dhcp),
        cmocka_unit_test(test_snmp),
        cmocka_unit_test(test_wol),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_smb),
        cmocka_unit_test(test_nbns),
        cmocka_unit_test(test_ssh),
        cmocka_unit_test(test_dns),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_identify_samples),
        cmocka_unit_test(test_cross_protocol),
        cmocka_unit_test(test_filled_buffers),
        cmocka_unit_test(test_random_and_irrelevant),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
