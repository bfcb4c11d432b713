/* cli-opts.h: the itmscope command's options: what the user asked for, parsed strictly.
 * Parsing prints the usage error and exits 2 (only the command does that, never the
 * library). */
#ifndef ITMSCOPE_CLI_OPTS_H
#define ITMSCOPE_CLI_OPTS_H

#include <stdint.h>

#include "itmscope/capture.h"
#include "itmscope/engine.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define MAX_INPUTS 64

struct opts {
    const char *inputs[MAX_INPUTS + 1];
    unsigned ninputs;
    const char *iface;
    const char *json;
    const char *report, *csv, *pcap, *matrix, *rules;
    int packets;
    uint32_t rotate;
    char json_rotating[4200]; /* "SECONDS:FILE" for the rotating JSON output */
    const char *site;
    const char *sigfile;
    const char *check_sigs;
    const char *user, *chroot_dir; /* live as root: privileges to drop to */
    int list_sigs, roles, one_pass, quiet, fail_on_findings;
    uint32_t stats_interval;
    struct itm_capture_cfg cap;
    struct itm_engine_cfg eng;
};

/* Prints "itmscope: MSG" and a hint to stderr, exits 2. */
void die_usage(const char *msg);
/* Fills o from the command line; prints help/version and exits 0 for -h/-V, exits 2 on a
 * usage error. */
void parse_opts(int argc, char **argv, struct opts *o);

#endif
