/* inspect-wol.c: Wake-on-LAN magic packet check (AMD "Magic Packet" white paper): six 0xff
 * bytes, the target MAC sixteen times, then an optional 4- or 6-byte SecureOn password,
 * at payload offset 0. mac gets the target. Reads only what was captured. */
#include <string.h>

#include "inspect-int.h"

#define WOL_SYNC_LEN 6
#define WOL_MAC_LEN 6
#define WOL_REPEAT 16
#define WOL_BASE_LEN (WOL_SYNC_LEN + WOL_REPEAT * WOL_MAC_LEN) /* 102 */
#define WOL_PW_SHORT 4
#define WOL_PW_LONG 6

/* The target must be a unicast station address: 0xff-filled or zero-filled buffers repeat
 * "a MAC" as faithfully as a real packet does. */
static int mac_plausible(const uint8_t *p, size_t n)
{
    static const uint8_t zero[WOL_MAC_LEN];

    if (p[0] & 0x01)
        return 0;
    return n < WOL_MAC_LEN || memcmp(p, zero, WOL_MAC_LEN) != 0;
}

int itm_inspect_wol(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t head = len < WOL_BASE_LEN ? len : WOL_BASE_LEN;

    for (size_t i = 0; i < head && i < WOL_SYNC_LEN; i++)
        if (p[i] != 0xff)
            return ITM_V_MISMATCH;
    if (len <= WOL_SYNC_LEN)
        return ITM_V_UNKNOWN;
    if (!mac_plausible(p + WOL_SYNC_LEN, head - WOL_SYNC_LEN))
        return ITM_V_MISMATCH;
    for (size_t i = WOL_SYNC_LEN + WOL_MAC_LEN; i < head; i++)
        if (p[i] != p[i - WOL_MAC_LEN])
            return ITM_V_MISMATCH;
    if (len >= WOL_SYNC_LEN + WOL_MAC_LEN)
        memcpy(r->mac, p + WOL_SYNC_LEN, WOL_MAC_LEN);
    if (len < WOL_BASE_LEN)
        return ITM_V_UNKNOWN;
    if (len == WOL_BASE_LEN || len == WOL_BASE_LEN + WOL_PW_SHORT ||
        len == WOL_BASE_LEN + WOL_PW_LONG)
        return ITM_V_MATCH;
    /* Between the two password sizes the longer one may have been cut short. */
    return len < WOL_BASE_LEN + WOL_PW_LONG ? ITM_V_UNKNOWN : ITM_V_MISMATCH;
}
