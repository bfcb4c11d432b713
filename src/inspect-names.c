/* inspect-names.c: the name table of payload checks, used by the signature parser
 * ("check = tftp") and by outputs. No inspection logic here. */
#include <string.h>

#include "itmscope/inspect.h"

static const char *const inspect_names[ITM_INSPECT_COUNT] = {
    [ITM_INSPECT_NONE] = "none", [ITM_INSPECT_TFTP] = "tftp", [ITM_INSPECT_DHCP] = "dhcp",
    [ITM_INSPECT_SNMP] = "snmp", [ITM_INSPECT_WOL] = "wol",   [ITM_INSPECT_HTTP] = "http",
    [ITM_INSPECT_TLS] = "tls",   [ITM_INSPECT_SMB] = "smb",   [ITM_INSPECT_NBNS] = "nbns",
    [ITM_INSPECT_SSH] = "ssh",   [ITM_INSPECT_DNS] = "dns",
};

const char *itm_inspect_name(enum itm_inspect_id id)
{
    if ((unsigned)id >= ITM_INSPECT_COUNT)
        return NULL;
    return inspect_names[id];
}

int itm_inspect_parse(const char *name, size_t len)
{
    for (int i = 0; i < ITM_INSPECT_COUNT; i++)
        if (strlen(inspect_names[i]) == len && memcmp(inspect_names[i], name, len) == 0)
            return i;
    return -1;
}
