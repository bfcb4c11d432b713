/* test_inspect.c: each payload inspector on its hand-built samples (inspect-fixtures.h) and
 * on hostile variants of them: fields poked one at a time, bad lengths, cut packets, and the
 * API's argument checks. The sweeps over every sample are in test_inspect_sweep.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/common.h"
#include "itmscope/inspect.h"

#include "inspect-fixtures.h"

static struct sample build_named(const char *name)
{
    for (size_t i = 0; i < NBUILDERS; i++)
        if (strcmp(builders[i].name, name) == 0)
            return build(i);
    fail_msg("no sample %s", name);
    return build(0);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
