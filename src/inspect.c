/* inspect.c: dispatches a payload to one protocol inspector, or tries the port-independent
 * ones in a fixed order, and holds the text helpers the inspectors share. It never reads
 * payload bytes itself beyond what identify's filters need, and never allocates. */
#include <string.h>

#include "inspect-int.h"
#include "itmscope/common.h"
#include "itmscope/inspect.h"

typedef int (*inspect_fn)(const uint8_t *p, size_t len, struct itm_inspect_result *r);

static const inspect_fn inspectors[ITM_INSPECT_COUNT] = {
    [ITM_INSPECT_TFTP] = itm_inspect_tftp, [ITM_INSPECT_DHCP] = itm_inspect_dhcp,
    [ITM_INSPECT_SNMP] = itm_inspect_snmp, [ITM_INSPECT_WOL] = itm_inspect_wol,
    [ITM_INSPECT_HTTP] = itm_inspect_http, [ITM_INSPECT_TLS] = itm_inspect_tls,
    [ITM_INSPECT_SMB] = itm_inspect_smb,   [ITM_INSPECT_NBNS] = itm_inspect_nbns,
    [ITM_INSPECT_SSH] = itm_inspect_ssh,   [ITM_INSPECT_DNS] = itm_inspect_dns,
};

struct probe {
    enum itm_inspect_id id;
    inspect_fn fn;
};

/* Order matters only where shapes could overlap: DNS runs before NBNS but its strict form
 * refuses NetBIOS-encoded names, so each finds its own. */
static const struct probe tcp_probes[] = {
    {ITM_INSPECT_HTTP, itm_inspect_http},
    {ITM_INSPECT_TLS, itm_inspect_tls},
    {ITM_INSPECT_SSH, itm_inspect_ssh},
    {ITM_INSPECT_SMB, itm_inspect_smb},
};

static const struct probe udp_probes[] = {
    {ITM_INSPECT_TFTP, itm_inspect_tftp}, {ITM_INSPECT_DHCP, itm_inspect_dhcp},
    {ITM_INSPECT_SNMP, itm_inspect_snmp}, {ITM_INSPECT_WOL, itm_inspect_wol},
    {ITM_INSPECT_DNS, itm_inspect_dns_strict}, {ITM_INSPECT_NBNS, itm_inspect_nbns},
};

int itm_inspect(enum itm_inspect_id id, const uint8_t *payload, size_t len,
                struct itm_inspect_result *r)
{
    struct itm_inspect_result scratch;

    if (!r)
        r = &scratch;
    memset(r, 0, sizeof(*r));
    if ((unsigned)id >= ITM_INSPECT_COUNT || !inspectors[id] || (!payload && len))
        return ITM_ERR_INVAL;
    r->id = (uint8_t)id;
    if (len == 0) {
        r->verdict = ITM_V_UNKNOWN;
        return ITM_V_UNKNOWN;
    }
    r->verdict = (uint8_t)inspectors[id](payload, len, r);
    return r->verdict;
}

/* Some matches are real but too small or shapeless to name a protocol on a port nobody
 * assigned to it: TFTP DATA/ACK/ERROR are a few bytes anyone could send, and so are the
 * four-byte NetBIOS keepalives and session responses. */
static int identify_accepts(enum itm_inspect_id id, const struct itm_inspect_result *r,
                            const uint8_t *p)
{
    switch (id) {
    case ITM_INSPECT_TFTP:
        return r->subtype == 1 || r->subtype == 2;
    case ITM_INSPECT_SMB:
        return p[0] == 0x00 || p[0] == 0x81;
    default:
        return 1;
    }
}

enum itm_inspect_id itm_inspect_identify(uint8_t ipproto, const uint8_t *payload, size_t len,
                                         struct itm_inspect_result *r)
{
    struct itm_inspect_result scratch;
    const struct probe *probes;
    size_t n;

    if (!r)
        r = &scratch;
    memset(r, 0, sizeof(*r));
    if (!payload || len == 0)
        return ITM_INSPECT_NONE;
    if (ipproto == 6) {
        probes = tcp_probes;
        n = sizeof(tcp_probes) / sizeof(tcp_probes[0]);
    } else if (ipproto == 17) {
        probes = udp_probes;
        n = sizeof(udp_probes) / sizeof(udp_probes[0]);
    } else {
        return ITM_INSPECT_NONE;
    }
    for (size_t i = 0; i < n; i++) {
        memset(r, 0, sizeof(*r));
        if (probes[i].fn(payload, len, r) != ITM_V_MATCH ||
            !identify_accepts(probes[i].id, r, payload))
            continue;
        r->id = (uint8_t)probes[i].id;
        r->verdict = ITM_V_MATCH;
        return probes[i].id;
    }
    memset(r, 0, sizeof(*r));
    return ITM_INSPECT_NONE;
}

int itm_inspect_narrow(struct itm_cur *c, int trunc, size_t n, struct itm_cur *sub,
                       int *sub_trunc)
{
    int clamped;

    if (n > itm_cur_left(c) && !trunc)
        return -1;
    *sub = itm_cur_sub(c, n, &clamped);
    *sub_trunc = clamped;
    return 0;
}

size_t itm_inspect_text_append(char *dst, size_t size, size_t at, const uint8_t *src,
                               size_t n)
{
    for (size_t i = 0; i < n && at + 1 < size; i++) {
        uint8_t b = src[i];
        dst[at++] = (b >= 0x20 && b < 0x7f) ? (char)b : '.';
    }
    dst[at] = '\0';
    return at;
}

void itm_inspect_text(char *dst, size_t size, const uint8_t *src, size_t n)
{
    itm_inspect_text_append(dst, size, 0, src, n);
}

static uint8_t ascii_lower(uint8_t b)
{
    return (b >= 'A' && b <= 'Z') ? (uint8_t)(b + ('a' - 'A')) : b;
}

int itm_inspect_iprefix(const uint8_t *p, size_t n, const char *lit)
{
    for (size_t i = 0; i < n; i++) {
        if (lit[i] == '\0' || ascii_lower(p[i]) != ascii_lower((uint8_t)lit[i]))
            return 0;
    }
    return 1;
}

int itm_inspect_istarts(const uint8_t *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && itm_inspect_iprefix(p, n, lit);
}

int itm_inspect_nb_valid(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 'A' || p[i] > 'P')
            return 0;
    return 1;
}

int itm_inspect_nb_decode(const uint8_t *enc, size_t n, char *dst, size_t size)
{
    uint8_t name[16] = {0};
    size_t k = n / 2, used;

    if (k > sizeof(name))
        k = sizeof(name);
    for (size_t i = 0; i < k && i < sizeof(name); i++)
        name[i] = (uint8_t)(((enc[2 * i] - 'A') & 0xfu) << 4 | ((enc[2 * i + 1] - 'A') & 0xfu));
    used = k < 15 ? k : 15;
    /* Names are space-padded to 15 bytes; the "*" wildcard is NUL-padded instead. */
    while (used > 0 && (name[used - 1] == ' ' || name[used - 1] == '\0'))
        used--;
    itm_inspect_text(dst, size, name, used);
    return k == 16 ? name[15] : -1;
}
