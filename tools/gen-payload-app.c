/* gen-payload-app.c: application payloads of itms-gen for HTTP, DNS and DHCP (through
 * libnet's builders), TFTP, SSH, Wake-on-LAN, RMCP, PostgreSQL and the proprietary ITMS
 * messages. Never a real credential, never a wall-clock date. */
#include <string.h>

#include "gen.h"

/* Printable filler: the body reads like the XML the agent exchanges with its servers. */
static size_t xml_body(char *buf, size_t cap, size_t n)
{
    static const char head[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?><events>";
    static const char item[] = "<event class=\"AeX Client Task\" state=\"complete\"/>";
    static const char tail[] = "</events>";
    size_t len = 0;

    if (n > cap)
        n = cap;
    if (n < sizeof(head) + sizeof(tail)) {
        memset(buf, ' ', n);
        return n;
    }
    memcpy(buf, head, sizeof(head) - 1);
    len = sizeof(head) - 1;
    while (len + sizeof(item) - 1 + sizeof(tail) - 1 <= n) {
        memcpy(buf + len, item, sizeof(item) - 1);
        len += sizeof(item) - 1;
    }
    memset(buf + len, ' ', n - len - (sizeof(tail) - 1));
    memcpy(buf + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    return n;
}

size_t pl_http_req(char *buf, size_t cap, const char *method, const char *path,
                   const char *host, const char *agent, size_t body)
{
    int n;

    if (body)
        n = snprintf(buf, cap,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                     "Content-Type: text/xml; charset=utf-8\r\nContent-Length: %zu\r\n"
                     "Connection: Keep-Alive\r\n\r\n",
                     method, path, host, agent, body);
    else
        n = snprintf(buf, cap,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
                     "Connection: Keep-Alive\r\n\r\n",
                     method, path, host, agent);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n + xml_body(buf + n, cap - (size_t)n, body);
}

size_t pl_http_resp(char *buf, size_t cap, const char *ctype, size_t body)
{
    int n = snprintf(buf, cap,
                     "HTTP/1.1 200 OK\r\nCache-Control: private\r\nContent-Type: %s\r\n"
                     "Server: Microsoft-IIS/10.0\r\nDate: Mon, 05 Jan 2026 09:00:00 GMT\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     ctype, body);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n + xml_body(buf + n, cap - (size_t)n, body);
}

/* ---- DNS (RFC 1035 4.1) through libnet_build_dnsv4 ---- */

size_t pl_dns(struct gen *g, uint8_t *buf, size_t cap, uint16_t id, const char *name,
              const uint8_t *answer_v4, int tcp)
{
    uint8_t q[300];
    struct gbuf b = {q, 0, sizeof(q)};
    const char *p = name;
    size_t len = 0;

    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        gb_u8(&b, (uint8_t)n);
        gb_put(&b, p, n);
        p += n + (dot ? 1 : 0);
    }
    gb_u8(&b, 0);
    gb_be16(&b, 1);
    gb_be16(&b, 1);
    if (answer_v4) {
        gb_put(&b, "\xc0\x0c\x00\x01\x00\x01", 6);
        gb_be32(&b, 3600);
        gb_be16(&b, 4);
        gb_put(&b, answer_v4, 4);
    }
    if (libnet_build_dnsv4(tcp ? LIBNET_TCP_DNSV4_H : LIBNET_UDP_DNSV4_H, id,
                           answer_v4 ? 0x8580 : 0x0100, 1, answer_v4 ? 1 : 0, 0, 0, q,
                           (uint32_t)b.len, g->ln, 0) < 0) {
        gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
        libnet_clear_packet(g->ln);
        return 0;
    }
    return gen_libnet_bytes(g, buf, cap, &len) < 0 ? 0 : len;
}

/* ---- DHCP with PXE options (RFC 2131, RFC 4578) through libnet_build_dhcpv4 ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void dhcp_opt(struct gbuf *b, uint8_t code, const void *v, size_t n)
{
    gb_u8(b, code);
    gb_u8(b, (uint8_t)n);
    gb_put(b, v, n);
}

static void dhcp_client_opts(struct gbuf *o, const struct gen_dhcp *d)
{
    static const uint8_t params[] = {1, 3, 6, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133};
    static const char vendor[] = "PXEClient:Arch:00007:UNDI:003016";
    uint8_t uuid[17] = {0};

    memcpy(uuid + 11, d->mac, 6);
    dhcp_opt(o, 57, "\x05\xc0", 2);
    dhcp_opt(o, 93, "\x00\x07", 2);
    dhcp_opt(o, 94, "\x01\x03\x10", 3);
    dhcp_opt(o, 97, uuid, sizeof(uuid));
    dhcp_opt(o, 55, params, sizeof(params));
    dhcp_opt(o, 60, vendor, sizeof(vendor) - 1);
    if (d->msgtype == 3 && !d->proxy) {
        dhcp_opt(o, 50, d->yiaddr, 4);
        dhcp_opt(o, 54, d->siaddr, 4);
    }
}

static void dhcp_server_opts(struct gbuf *o, const struct gen_dhcp *d)
{
    static const uint8_t mask[4] = {255, 255, 255, 0}, router[4] = {10, 1, 4, 1};
    static const uint8_t dns[4] = {10, 1, 0, 53};
    /* PXE vendor options: discovery control 8 (boot file from this reply), end */
    static const uint8_t pxe[] = {6, 1, 8, 255};
    uint8_t lease[4] = {0, 1, 0x51, 0x80};

    dhcp_opt(o, 54, d->siaddr, 4);
    if (!d->proxy) {
        dhcp_opt(o, 51, lease, 4);
        dhcp_opt(o, 1, mask, 4);
        dhcp_opt(o, 3, router, 4);
        dhcp_opt(o, 6, dns, 4);
    }
    dhcp_opt(o, 60, "PXEClient", 9);
    dhcp_opt(o, 43, pxe, sizeof(pxe));
}

size_t pl_dhcp(struct gen *g, uint8_t *buf, size_t cap, const struct gen_dhcp *d)
{
    uint8_t opts[312], chaddr[16] = {0};
    struct gbuf o = {opts, 0, sizeof(opts)};
    int client = d->msgtype == 1 || d->msgtype == 3;
    uint32_t ci, yi, si;
    size_t len = 0;

    dhcp_opt(&o, 53, &d->msgtype, 1);
    if (client)
        dhcp_client_opts(&o, d);
    else
        dhcp_server_opts(&o, d);
    gb_u8(&o, 255);
    while (o.len < 60) /* BOOTP's 300-byte minimum (RFC 951) */
        gb_u8(&o, 0);
    memcpy(chaddr, d->mac, 6);
    /* libnet_build_dhcpv4 applies htonl() to these: hand them over in host order */
    ci = be32(d->ciaddr);
    yi = client || d->proxy ? 0 : be32(d->yiaddr);
    si = client ? 0 : be32(d->siaddr);
    if (libnet_build_dhcpv4(client ? 1 : 2, 1, 6, 0, d->xid, client ? 4 : 0,
                            d->proxy ? 0 : 0x8000, ci, yi, si, 0, chaddr, NULL,
                            client ? NULL : d->bootfile, opts, (uint32_t)o.len, g->ln, 0) < 0) {
        gen_fail(g, "libnet: %s", libnet_geterror(g->ln));
        libnet_clear_packet(g->ln);
        return 0;
    }
    return gen_libnet_bytes(g, buf, cap, &len) < 0 ? 0 : len;
}

/* ---- TFTP (RFC 1350) ---- */

size_t pl_tftp_rrq(uint8_t *buf, size_t cap, const char *file)
{
    struct gbuf b = {buf, 0, cap};
    gb_be16(&b, 1);
    gb_str(&b, file);
    gb_u8(&b, 0);
    gb_str(&b, "octet");
    gb_u8(&b, 0);
    return b.len;
}

size_t pl_tftp_data(struct gen *g, uint8_t *buf, size_t cap, uint16_t block, size_t n)
{
    struct gbuf b = {buf, 0, cap};
    gb_be16(&b, 3);
    gb_be16(&b, block);
    gb_fill(&b, g, n);
    return b.len;
}

size_t pl_tftp_ack(uint8_t *buf, size_t cap, uint16_t block)
{
    struct gbuf b = {buf, 0, cap};
    gb_be16(&b, 4);
    gb_be16(&b, block);
    return b.len;
}

/* ---- Wake-on-LAN magic packet ---- */

size_t pl_wol(uint8_t *buf, size_t cap, const uint8_t *mac)
{
    struct gbuf b = {buf, 0, cap};
    gb_put(&b, "\xff\xff\xff\xff\xff\xff", 6);
    for (int i = 0; i < 16; i++)
        gb_put(&b, mac, 6);
    return b.len;
}

/* ---- SSH transport (RFC 4253 section 6, 7) ---- */

size_t pl_ssh_banner(char *buf, size_t cap, const char *soft)
{
    int n = snprintf(buf, cap, "SSH-2.0-%s\r\n", soft);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static void ssh_packet(struct gbuf *b, struct gen *g, const uint8_t *payload, size_t n)
{
    size_t pad = 8 - ((5 + n) % 8);
    if (pad < 4)
        pad += 8;
    gb_be32(b, (uint32_t)(1 + n + pad));
    gb_u8(b, (uint8_t)pad);
    gb_put(b, payload, n);
    gb_fill(b, g, pad);
}

static void ssh_string(struct gbuf *b, const void *s, size_t n)
{
    gb_be32(b, (uint32_t)n);
    gb_put(b, s, n);
}

size_t pl_ssh_kexinit(struct gen *g, uint8_t *buf, size_t cap)
{
    static const char *const lists[10] = {
        "curve25519-sha256,ecdh-sha2-nistp256",
        "rsa-sha2-512,rsa-sha2-256,ssh-ed25519",
        "aes128-ctr,aes256-gcm@openssh.com",
        "aes128-ctr,aes256-gcm@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-256",
        "none",
        "none",
        "",
        "",
    };
    uint8_t pl[512];
    struct gbuf p = {pl, 0, sizeof(pl)}, b = {buf, 0, cap};

    gb_u8(&p, 20);
    gb_fill(&p, g, 16);
    for (int i = 0; i < 10; i++)
        ssh_string(&p, lists[i], strlen(lists[i]));
    gb_u8(&p, 0);
    gb_be32(&p, 0);
    ssh_packet(&b, g, pl, p.len);
    return b.len;
}

size_t pl_ssh_kex(struct gen *g, uint8_t *buf, size_t cap, int server)
{
    uint8_t pl[1024], key[32], blob[300], sig[300], n[257];
    struct gbuf p = {pl, 0, sizeof(pl)}, b = {buf, 0, cap};
    struct gbuf kb = {blob, 0, sizeof(blob)}, sb = {sig, 0, sizeof(sig)};
    struct gbuf nb = {n, 0, sizeof(n)};

    for (size_t i = 0; i < sizeof(key); i += 8) {
        uint64_t r = gen_rand(g);
        memcpy(key + i, &r, 8);
    }
    if (!server) {
        gb_u8(&p, 30);
        ssh_string(&p, key, sizeof(key));
        ssh_packet(&b, g, pl, p.len);
        return b.len;
    }
    /* RSA host key (RFC 4253 6.6): e = 65537 and a 2048-bit modulus as mpints */
    gb_u8(&nb, 0);
    gb_u8(&nb, 0xc1);
    gb_fill(&nb, g, 255);
    ssh_string(&kb, "ssh-rsa", 7);
    ssh_string(&kb, "\x01\x00\x01", 3);
    ssh_string(&kb, n, nb.len);
    ssh_string(&sb, "ssh-rsa", 7);
    gb_be32(&sb, 256);
    gb_fill(&sb, g, 256);
    gb_u8(&p, 31);
    ssh_string(&p, blob, kb.len);
    ssh_string(&p, key, sizeof(key));
    ssh_string(&p, sig, sb.len);
    ssh_packet(&b, g, pl, p.len);
    b.len += pl_ssh_newkeys(g, buf + b.len, cap - b.len);
    return b.len;
}

size_t pl_ssh_newkeys(struct gen *g, uint8_t *buf, size_t cap)
{
    static const uint8_t newkeys = 21;
    struct gbuf b = {buf, 0, cap};
    ssh_packet(&b, g, &newkeys, 1);
    return b.len;
}

/* ---- Proprietary ITMS messages ----
 * The wire formats of tickles, package multicast, the PXE service on 4433, Event Console
 * alerts and the Metric Provider are not public. The generator sends an opaque record: a
 * length, an ASCII tag naming the message, a GUID and filler. Classification must not
 * depend on these bytes; only on ports and roles. */
size_t pl_itms_msg(struct gen *g, uint8_t *buf, size_t cap, const char *kind, size_t extra)
{
    struct gbuf b = {buf, 0, cap};
    size_t n = strlen(kind) + 1 + 16 + extra;

    gb_be32(&b, (uint32_t)n);
    gb_str(&b, kind);
    gb_u8(&b, 0);
    gb_fill(&b, g, 16 + extra);
    return b.len;
}

/* ---- ASF RMCP presence ping/pong (DMTF DSP0136 3.2.4) ---- */

size_t pl_rmcp_ping(uint8_t *buf, size_t cap, int pong)
{
    struct gbuf b = {buf, 0, cap};
    gb_put(&b, "\x06\x00\xff\x06", 4);
    gb_be32(&b, 4542);
    gb_u8(&b, pong ? 0x40 : 0x80);
    gb_u8(&b, 0x11);
    gb_u8(&b, 0);
    gb_u8(&b, pong ? 16 : 0);
    if (pong) {
        gb_be32(&b, 4542);
        gb_be32(&b, 0);
        gb_put(&b, "\x81\x00\x00\x00\x00\x00\x00\x00", 8);
    }
    return b.len;
}

/* ---- PostgreSQL startup (protocol 3.0) for a Data Connector source ---- */

size_t pl_pgsql_startup(uint8_t *buf, size_t cap, int response)
{
    static const char params[] = "user\0itms_reader\0database\0inventory\0";
    struct gbuf b = {buf, 0, cap};

    if (response) {
        gb_put(&b, "R\x00\x00\x00\x08\x00\x00\x00\x00", 9);
        gb_put(&b, "Z\x00\x00\x00\x05I", 6);
        return b.len;
    }
    gb_be32(&b, (uint32_t)(8 + sizeof(params)));
    gb_be32(&b, 196608);
    gb_put(&b, params, sizeof(params));
    return b.len;
}
