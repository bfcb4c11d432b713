/* capture.h: capture sources on libpcap: offline files (pcap, pcapng, stdin) read through a
 * large stdio buffer, and live interfaces. A source only hands frames to the engine; it
 * never decodes them. */
#ifndef ITMSCOPE_CAPTURE_H
#define ITMSCOPE_CAPTURE_H

#include <signal.h>
#include <stdint.h>

#include "itmscope/engine.h"

struct itm_capture_cfg {
    uint32_t snaplen;    /* 0: default */
    int promisc;         /* live: 1 unless -p */
    uint32_t buffer_mb;  /* live: kernel buffer, 0: default */
    int immediate;       /* live: deliver packets at once */
    const char *filter;  /* BPF expression or NULL */
    int no_read_thread;  /* files: read on the caller's thread even with a second CPU */
};

enum itm_capture_end {
    ITM_CAP_EOF = 0,      /* all records read */
    ITM_CAP_STOPPED,      /* stop flag raised */
    ITM_CAP_TRUNCATED,    /* the file ends in the middle of a record (whole ones were read) */
    ITM_CAP_ERROR,        /* read error; msg says why */
};

struct itm_capture;

/* Opens a file ("-" for stdin) or an interface. On failure returns NULL and writes a
 * one-line message naming the input into msg ("FILE: unknown file format", "FILE: bad
 * filter 'EXPR': ...", "FILE: unsupported link type NAME (N)"). */
struct itm_capture *itm_capture_open_file(const char *path, const struct itm_capture_cfg *cfg,
                                          char *msg, size_t msglen);
struct itm_capture *itm_capture_open_live(const char *iface, const struct itm_capture_cfg *cfg,
                                          char *msg, size_t msglen);
void itm_capture_close(struct itm_capture *c);

int itm_capture_linktype(const struct itm_capture *c);
int itm_capture_is_live(const struct itm_capture *c);
uint32_t itm_capture_snaplen(const struct itm_capture *c);
/* Selectable fd of a live capture, -1 otherwise. */
int itm_capture_fd(const struct itm_capture *c);

/* Hook called between batches (live statistics, signals). Returns non-zero to stop. */
typedef int (*itm_capture_tick_fn)(void *ctx);

/* Reads until the end, an error, or *stop becomes non-zero; every frame goes to the engine
 * (itm_engine_packet, or itm_engine_packets once it wants batches), in file order. A
 * regular file is read by a thread of its own when the process may run on more than one
 * CPU, unless no_read_thread (never stdin or a pipe, whose reads may block for ever): the
 * engine, the tick and the outputs still run only on the caller's thread, and the reader
 * has ended when this returns; a thread that cannot start leaves the file to the
 * caller's thread. Returns an itm_capture_end; msg holds the reason for TRUNCATED/ERROR. */
int itm_capture_run(struct itm_capture *c, struct itm_engine *e, volatile sig_atomic_t *stop,
                    itm_capture_tick_fn tick, void *tick_ctx, char *msg, size_t msglen);

/* Kernel counters of a live capture; 0 or -1 when unavailable. */
int itm_capture_stats(struct itm_capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);

/* Bytes read so far and the file size (0 when unknown: stdin, live): for a progress bar. */
void itm_capture_progress(const struct itm_capture *c, uint64_t *done, uint64_t *total);

/* Makes a running itm_capture_run return ITM_CAP_STOPPED promptly, also on a live
 * interface where no packet arrives (libpcap would otherwise keep polling). Async-signal-
 * safe: meant for SIGINT/SIGTERM handlers. */
void itm_capture_breakloop(struct itm_capture *c);

#endif
