/* cli.h: helpers of the command-line front end that are worth unit-testing: strict number
 * and option-value parsing. Messages name the option and the value. */
#ifndef ITMSCOPE_CLI_H
#define ITMSCOPE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "itmscope/common.h"

/* Plain decimal digits only, within [min, max]; else ITM_ERR_INVAL and a message. */
int itm_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                  char *msg, size_t msglen);
int itm_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out,
                  char *msg, size_t msglen);
/* --timeout "tcp=600,udp=60,..." into seconds per kind (tcp, tcp-closed, udp, icmp, other;
 * "all" sets every kind). Kinds not named keep their value. */
int itm_parse_timeouts(const char *s, uint32_t timeout_s[5], char *msg, size_t msglen);

#endif
