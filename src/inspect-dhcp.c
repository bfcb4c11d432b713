/* inspect-dhcp.c: BOOTP/DHCP check (RFC 2131 2, RFC 2132, PXE per RFC 4578), the same on
 * 67/68 and on proxyDHCP 4011. Subtype is the option 53 message type, text the option 60
 * vendor class, mac the client hardware address. Never reads past the captured bytes. */
#include <string.h>

#include "inspect-int.h"

#define DHCP_CHADDR_OFF 28
#define DHCP_COOKIE_OFF 236
#define DHCP_OPTS_OFF 240
/* chaddr is 16 bytes (RFC 2131 2); relays drop packets past 16 hops (RFC 1542 4.1.1). */
#define DHCP_HLEN_MAX 16
#define DHCP_HOPS_MAX 16
/* ARP hardware types in use stay well below this (Ethernet 1, InfiniBand 32). */
#define DHCP_HTYPE_MAX 64
/* Message types 1-8 (RFC 2132 9.6), leasequery and bulk/active leasequery up to 18. */
#define DHCP_MSGTYPE_MAX 18

enum {
    OPT_PAD = 0,
    OPT_MSGTYPE = 53,
    OPT_VENDOR_CLASS = 60,
    OPT_END = 255,
};

static const uint8_t dhcp_cookie[4] = {0x63, 0x82, 0x53, 0x63};

/* The fixed BOOTP header and the magic cookie, as far as they were captured. */
static int dhcp_fixed(const uint8_t *p, size_t len)
{
    if (p[0] != 1 && p[0] != 2)
        return ITM_V_MISMATCH;
    if (len > 1 && (p[1] == 0 || p[1] > DHCP_HTYPE_MAX))
        return ITM_V_MISMATCH;
    if (len > 2 && p[2] > DHCP_HLEN_MAX)
        return ITM_V_MISMATCH;
    if (len > 3 && p[3] > DHCP_HOPS_MAX)
        return ITM_V_MISMATCH;
    for (size_t i = 0; i < sizeof(dhcp_cookie); i++)
        if (len > DHCP_COOKIE_OFF + i && p[DHCP_COOKIE_OFF + i] != dhcp_cookie[i])
            return ITM_V_MISMATCH;
    return len >= DHCP_OPTS_OFF ? ITM_V_MATCH : ITM_V_UNKNOWN;
}

static int dhcp_option(uint8_t code, const uint8_t *v, size_t n, struct itm_inspect_result *r)
{
    static const char pxe[] = "PXEClient";

    if (code == OPT_MSGTYPE) {
        if (n != 1 || v[0] == 0 || v[0] > DHCP_MSGTYPE_MAX)
            return -1;
        if (r->subtype == 0)
            r->subtype = v[0];
    } else if (code == OPT_VENDOR_CLASS && r->text[0] == '\0') {
        itm_inspect_text(r->text, sizeof(r->text), v, n);
        if (n >= sizeof(pxe) - 1 && memcmp(v, pxe, sizeof(pxe) - 1) == 0)
            r->flags |= ITM_ID_PXECLIENT;
    }
    return 0;
}

/* RFC 2132 2: code, length, data; pad and end have no length. A length reaching past the
 * captured bytes cannot be told from snaplen, so it ends the walk without a verdict. */
int itm_inspect_dhcp(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    struct itm_cur c;
    int v = dhcp_fixed(p, len);

    if (len >= DHCP_CHADDR_OFF + 6 && p[1] == 1 && p[2] == 6)
        memcpy(r->mac, p + DHCP_CHADDR_OFF, 6);
    if (v != ITM_V_MATCH)
        return v;
    c = itm_cur_make(p + DHCP_OPTS_OFF, len - DHCP_OPTS_OFF);
    while (itm_cur_left(&c) > 0) {
        uint8_t code = itm_cur_u8(&c), n;
        if (code == OPT_PAD)
            continue;
        if (code == OPT_END)
            return ITM_V_MATCH;
        n = itm_cur_u8(&c);
        if (c.err || n > itm_cur_left(&c))
            break;
        if (dhcp_option(code, c.p, n, r) < 0)
            return ITM_V_MISMATCH;
        itm_cur_skip(&c, n);
    }
    return r->subtype ? ITM_V_MATCH : ITM_V_UNKNOWN;
}
