/* cli-num.c: strict parsing of numeric command-line values. Anything but plain decimal
 * digits inside the allowed range is refused with a message naming the option; strtoul's
 * acceptance of "-1" (as a huge number) and of leading blanks is exactly what we avoid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itmscope/cli.h"

int itm_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                  char *msg, size_t msglen)
{
    unsigned long long v;
    char *end = NULL;

    if (!s || !*s || strspn(s, "0123456789") != strlen(s))
        goto bad;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    snprintf(msg, msglen, "%s: '%s' is not a whole number from %llu to %llu", opt, s ? s : "",
             (unsigned long long)min, (unsigned long long)max);
    return ITM_ERR_INVAL;
}

int itm_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out,
                  char *msg, size_t msglen)
{
    uint64_t v;
    int rc = itm_parse_u64(opt, s, min, max, &v, msg, msglen);

    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

/* "tcp=600,udp=60": keys tcp, tcp-closed, udp, icmp, other, all. */
int itm_parse_timeouts(const char *s, uint32_t timeout_s[5], char *msg, size_t msglen)
{
    static const char *const keys[5] = {"tcp", "tcp-closed", "udp", "icmp", "other"};
    char buf[256], *save = NULL, *item;

    if (strlen(s) >= sizeof(buf)) {
        snprintf(msg, msglen, "--timeout: value too long");
        return ITM_ERR_INVAL;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        uint32_t v;
        int found = 0;
        if (!eq) {
            snprintf(msg, msglen, "--timeout: '%s' is not KIND=SECONDS", item);
            return ITM_ERR_INVAL;
        }
        *eq = '\0';
        if (itm_parse_u32("--timeout", eq + 1, 1, 100000000u, &v, msg, msglen))
            return ITM_ERR_INVAL;
        for (int i = 0; i < 5; i++)
            if (strcmp(item, keys[i]) == 0 || strcmp(item, "all") == 0) {
                timeout_s[i] = v;
                found = 1;
            }
        if (!found) {
            snprintf(msg, msglen,
                     "--timeout: unknown kind '%s' (tcp, tcp-closed, udp, icmp, other, all)",
                     item);
            return ITM_ERR_INVAL;
        }
    }
    return 0;
}
