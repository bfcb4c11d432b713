/* flow-names.c: name tables for flow states, end reasons, confidences and flags, shared
 * by every output so that the JSON, CSV and report spell them the same way. */
#include <stdio.h>
#include <string.h>

#include "itmscope/flow.h"

static const char *const tcp_state_names[ITM_TCPS_STATE_COUNT] = {
    [ITM_TCPS_NONE] = "none",       [ITM_TCPS_SYN] = "syn",
    [ITM_TCPS_SYNACK] = "synack",   [ITM_TCPS_ESTABLISHED] = "established",
    [ITM_TCPS_FIN] = "fin",         [ITM_TCPS_CLOSED] = "closed",
    [ITM_TCPS_RESET] = "reset",     [ITM_TCPS_MIDSTREAM] = "midstream",
};

static const char *const end_names[ITM_END_REASON_COUNT] = {
    [ITM_END_NONE] = "none",       [ITM_END_FIN] = "fin",         [ITM_END_RST] = "rst",
    [ITM_END_TIMEOUT] = "timeout", [ITM_END_EVICTED] = "evicted", [ITM_END_EOF] = "eof",
    [ITM_END_SHUTDOWN] = "shutdown",
};

static const char *const flag_names[ITM_F_COUNT_BITS] = {
    "unexpected_port", "role_mismatch",    "lateral_movement", "scan",
    "wrong_multicast_group", "external",   "nonstandard_port", "cleartext",
    "payload_mismatch", "role_contradiction",
};

static const char *const conf_names[] = {
    [ITM_CONF_NONE] = "none",       [ITM_CONF_PORT] = "port",
    [ITM_CONF_ROLE] = "port+role",  [ITM_CONF_PAYLOAD] = "payload-verified",
    [ITM_CONF_RELATED] = "related",
};

const char *itm_tcp_state_name(enum itm_tcp_state s)
{
    return (unsigned)s < ITM_TCPS_STATE_COUNT ? tcp_state_names[s] : "unknown";
}

const char *itm_end_reason_name(enum itm_end_reason r)
{
    return (unsigned)r < ITM_END_REASON_COUNT ? end_names[r] : "unknown";
}

const char *itm_confidence_name(enum itm_confidence c)
{
    return (unsigned)c < sizeof(conf_names) / sizeof(conf_names[0]) ? conf_names[c] : "unknown";
}

const char *itm_flag_name(uint32_t flag_bit)
{
    for (unsigned i = 0; i < ITM_F_COUNT_BITS; i++)
        if (flag_bit == (1u << i))
            return flag_names[i];
    return NULL;
}

uint32_t itm_flag_parse(const char *name, size_t len)
{
    for (unsigned i = 0; i < ITM_F_COUNT_BITS; i++)
        if (strlen(flag_names[i]) == len && memcmp(flag_names[i], name, len) == 0)
            return 1u << i;
    return 0;
}

const char *itm_ipproto_name(uint8_t proto, char *buf, size_t len)
{
    static const struct {
        uint8_t num;
        const char *name;
    } names[] = {{1, "ICMP"}, {2, "IGMP"}, {4, "IPIP"},  {6, "TCP"},   {17, "UDP"},
                 {41, "IPv6"}, {47, "GRE"}, {50, "ESP"}, {51, "AH"},  {58, "IPv6-ICMP"},
                 {89, "OSPF"}, {103, "PIM"}, {112, "VRRP"}, {132, "SCTP"}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].num == proto) {
            /* a copy, not snprintf: this runs for every flow event */
            size_t n = strlen(names[i].name);
            if (len == 0)
                return buf;
            if (n >= len)
                n = len - 1;
            memcpy(buf, names[i].name, n);
            buf[n] = '\0';
            return buf;
        }
    snprintf(buf, len, "IP-%u", proto);
    return buf;
}
