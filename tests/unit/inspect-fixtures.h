/* inspect-fixtures.h: helpers of the payload inspector tests: hand-built packets of
 * real-world shape for every inspector, and runners that hand the inspectors exact-size heap
 * copies (so ASan catches any overread) and check every result's text fields. */
#ifndef ITMSCOPE_INSPECT_FIXTURES_H
#define ITMSCOPE_INSPECT_FIXTURES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

#endif
