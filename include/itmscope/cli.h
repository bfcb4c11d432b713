/* cli.h: helpers of the command-line front end that are worth unit-testing: strict number
 * and option-value parsing. Messages name the option and the value. */
#ifndef ITMSCOPE_CLI_H
#define ITMSCOPE_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "itmscope/common.h"

/* Plain decimal digits only, within [min, max]; else ITM_ERR_INVAL and a message. */
int itm_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                  char *msg, size_t msglen);
int itm_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out,
                  char *msg, size_t msglen);
/* --timeout "tcp=600,udp=60,..." into seconds per kind (tcp, tcp-closed, udp, icmp, other;
 * "all" sets every kind). Kinds not named keep their value. */
int itm_parse_timeouts(const char *s, uint32_t timeout_s[5], char *msg, size_t msglen);

/* Progress bar of an offline read on a terminal (stderr): nothing during the first second,
 * so small inputs stay silent, then a few redraws a second of one line. */
struct itm_progress {
    FILE *out;
    uint64_t t0_ns, next_ns, pkts0;
    int shown;
    char label[64];
};
void itm_progress_start(struct itm_progress *p, FILE *out, const char *label, uint64_t pkts);
/* 1 when a redraw is due (wall clock). */
int itm_progress_due(struct itm_progress *p);
/* done/total: bytes of the input (total 0: unknown); pkts: packets read so far. */
void itm_progress_draw(struct itm_progress *p, uint64_t done, uint64_t total, uint64_t pkts);
/* Erases the bar, if one was drawn. */
void itm_progress_end(struct itm_progress *p);
/* The bar's text, at most width columns: "LABEL [####....]  45%  1.2/2.7 GiB  812k pkt/s
 * ETA 0:12". eta_s < 0: unknown. Returns the length written. */
size_t itm_progress_format(char *buf, size_t len, unsigned width, const char *label,
                           uint64_t done, uint64_t total, double pps, double eta_s);

#endif
