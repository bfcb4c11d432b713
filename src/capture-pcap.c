/* capture-pcap.c: libpcap sources. Files are opened with fopen and a 1 MiB stdio buffer
 * (libpcap's own open reads 4 KiB at a time), timestamps in nanoseconds, and read by a
 * thread of their own when a second CPU is there (frame-ring.h). It hands frames to the
 * engine, in order, and reports libpcap's errors as one line naming the input; it never
 * decodes. */
#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame-ring.h"
#include "itm-limits.h"
#include "itmscope/capture.h"
#include "itmscope/decode.h"

struct itm_capture {
    pcap_t *p;
    FILE *fp;            /* offline only; owned by p */
    char *rbuf;          /* its stdio buffer (ITM_READ_BUFFER), freed after it is closed */
    char name[256];
    int live;
    int linktype;
    int nano;            /* timestamps in nanoseconds */
    uint64_t size;       /* file size, 0 when unknown */
    uint64_t frames;     /* frames libpcap has handed over (on the reader's thread, if any) */
    struct itm_engine *e;
    /* The reader thread of a file (threaded): it runs libpcap and fills the ring's slots,
     * the caller's thread takes them to the engine. The ring exists while the reader runs;
     * cur is the reader's slot; pos the input position of the frames delivered so far (the
     * progress bar). */
    int threaded;
    struct itm_frame_ring *ring;
    struct itm_frame_slot *cur;
    pthread_t reader;
    uint64_t pos;
    /* On the caller's thread, frames waiting to go to the engine together (copied: libpcap
     * reuses its buffer for the next record); flushed before pcap_dispatch's caller goes on. */
    struct itm_frame_slot batch;
};

static void set_msg(char *msg, size_t len, const char *name, const char *what)
{
    snprintf(msg, len, "%s: %s", name, what);
}

static int apply_filter(struct itm_capture *c, const char *filter, char *msg, size_t len)
{
    struct bpf_program prog;
    char buf[PCAP_ERRBUF_SIZE + 300];

    if (!filter || !*filter)
        return 0;
    if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(buf, sizeof(buf), "bad filter '%s': %s", filter, pcap_geterr(c->p));
        set_msg(msg, len, c->name, buf);
        return -1;
    }
    if (pcap_setfilter(c->p, &prog) != 0) {
        snprintf(buf, sizeof(buf), "cannot set filter '%s': %s", filter, pcap_geterr(c->p));
        set_msg(msg, len, c->name, buf);
        pcap_freecode(&prog);
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

static int check_linktype(struct itm_capture *c, char *msg, size_t len)
{
    char nb[64], buf[160];

    c->linktype = pcap_datalink(c->p);
    if (itm_decode_linktype_supported(c->linktype))
        return 0;
    snprintf(buf, sizeof(buf), "unsupported link type %s (%d)",
             itm_linktype_name(c->linktype, nb, sizeof(nb)), c->linktype);
    set_msg(msg, len, c->name, buf);
    return -1;
}

/* stdin's read buffer, set before its first read: libpcap never closes stdin, so stdio may
 * use its buffer until exit, and a static one outlives every capture (untouched, it takes
 * no memory). */
static void stdin_buffer(void)
{
    static char buf[ITM_READ_BUFFER];
    static int set;

    if (!set) {
        setvbuf(stdin, buf, _IOFBF, sizeof(buf));
        set = 1;
    }
}

/* A capture with its batch, named; NULL with msg when out of memory. */
static struct itm_capture *capture_new(const char *name, char *msg, size_t msglen)
{
    struct itm_capture *c = itm_calloc(1, sizeof(*c));

    if (!c || itm_frame_slot_init(&c->batch, ITM_ENGINE_BATCH, ITM_CAPTURE_ARENA) != ITM_OK) {
        itm_free(c);
        set_msg(msg, msglen, name, "out of memory");
        return NULL;
    }
    snprintf(c->name, sizeof(c->name), "%s", name);
    return c;
}

struct itm_capture *itm_capture_open_file(const char *path, const struct itm_capture_cfg *cfg,
                                          char *msg, size_t msglen)
{
    struct itm_capture *c = capture_new(path, msg, msglen);
    char errbuf[PCAP_ERRBUF_SIZE];
    struct stat st;

    if (!c)
        return NULL;
    if (strcmp(path, "-") == 0) {
        c->fp = stdin;
    } else {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            set_msg(msg, msglen, path, "is a directory");
            goto fail;
        }
        c->fp = fopen(path, "rb");
        if (!c->fp) {
            set_msg(msg, msglen, path, strerror(errno));
            goto fail;
        }
        if (fstat(fileno(c->fp), &st) == 0 && S_ISREG(st.st_mode))
            c->size = (uint64_t)st.st_size;
        if (c->size == 0 && S_ISREG(st.st_mode)) {
            set_msg(msg, msglen, path, "empty file, not a capture");
            goto fail;
        }
    }
    /* glibc takes a buffer's size only with the buffer: given NULL, it keeps its 4 KiB */
    if (c->fp == stdin)
        stdin_buffer();
    else if ((c->rbuf = itm_malloc(ITM_READ_BUFFER)) != NULL)
        setvbuf(c->fp, c->rbuf, _IOFBF, ITM_READ_BUFFER);
    /* One thread at a time reads the file (the caller's, or the reader thread between its
     * start and its join), so stdio's own lock, taken twice a record (libpcap's freads),
     * is dropped: once a second thread exists glibc takes it with atomic instructions. */
    __fsetlocking(c->fp, FSETLOCKING_BYCALLER);
    errbuf[0] = '\0';
    c->p = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!c->p) {
        if (strcmp(errbuf, "unknown file format") == 0)
            set_msg(msg, msglen, path, "not a pcap or pcapng capture (unknown file format)");
        else
            set_msg(msg, msglen, path, errbuf[0] ? errbuf : "cannot read capture");
        goto fail;
    }
    c->fp = NULL; /* pcap_close closes it */
    c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
    if (check_linktype(c, msg, msglen) || apply_filter(c, cfg->filter, msg, msglen))
        goto fail;
    /* A thread of its own only where it can run beside the pipeline, and only for a regular
     * file: a read from a pipe or a terminal may wait for ever, and a stop must not wait
     * for the reader to come back from it. */
    c->threaded = !cfg->no_read_thread && c->size > 0 && itm_cpus_allowed() > 1;
    return c;
fail:
    if (c->fp && c->fp != stdin)
        fclose(c->fp);
    c->fp = NULL;
    itm_capture_close(c);
    return NULL;
}

static const char *activate_error(int rc, pcap_t *p)
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return "no such interface";
    case PCAP_ERROR_PERM_DENIED:
        return "permission denied (run as root or grant CAP_NET_RAW)";
    case PCAP_ERROR_IFACE_NOT_UP:
        return "interface is not up";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return "permission denied for promiscuous mode (try -p)";
    default:
        return pcap_geterr(p);
    }
}

struct itm_capture *itm_capture_open_live(const char *iface, const struct itm_capture_cfg *cfg,
                                          char *msg, size_t msglen)
{
    struct itm_capture *c = capture_new(iface, msg, msglen);
    char errbuf[PCAP_ERRBUF_SIZE];
    int rc;

    if (!c)
        return NULL;
    c->live = 1;
    c->p = pcap_create(iface, errbuf);
    if (!c->p) {
        set_msg(msg, msglen, iface, errbuf);
        goto fail;
    }
    pcap_set_snaplen(c->p, (int)(cfg->snaplen ? cfg->snaplen : ITM_DEFAULT_SNAPLEN));
    pcap_set_promisc(c->p, cfg->promisc);
    pcap_set_buffer_size(c->p, (int)((cfg->buffer_mb ? cfg->buffer_mb : ITM_DEFAULT_BUFFER_MB) << 20));
    pcap_set_immediate_mode(c->p, cfg->immediate);
    /* a timeout makes the loop come back to check signals and print status */
    pcap_set_timeout(c->p, 250);
    pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
    rc = pcap_activate(c->p);
    if (rc < 0) {
        set_msg(msg, msglen, iface, activate_error(rc, c->p));
        goto fail;
    }
    c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
    if (check_linktype(c, msg, msglen) || apply_filter(c, cfg->filter, msg, msglen))
        goto fail;
    return c;
fail:
    itm_capture_close(c);
    return NULL;
}

static void reader_stop(struct itm_capture *c);

void itm_capture_close(struct itm_capture *c)
{
    if (!c)
        return;
    reader_stop(c);
    if (c->p)
        pcap_close(c->p);
    itm_free(c->rbuf);
    itm_frame_slot_free(&c->batch);
    itm_free(c);
}

int itm_capture_linktype(const struct itm_capture *c)
{
    return c->linktype;
}

int itm_capture_is_live(const struct itm_capture *c)
{
    return c->live;
}

uint32_t itm_capture_snaplen(const struct itm_capture *c)
{
    return (uint32_t)pcap_snapshot(c->p);
}

int itm_capture_fd(const struct itm_capture *c)
{
    return c->live ? pcap_get_selectable_fd(c->p) : -1;
}

/* The frames of a slot, with the same events as one by one from pcap_dispatch: always in
 * batches, their frames being copies already. Even with few flows that pays on the reader's
 * slots: the frames streaming through both cores' caches evict the flow table, whose
 * lookups the batch overlaps (long: 0.53-0.71 to 0.41-0.47 s, docs/performance.md). */
static void deliver(struct itm_capture *c, const struct itm_frame_slot *s)
{
    itm_engine_packets(c->e, c->linktype, s->fr, s->n);
}

static void flush(struct itm_capture *c)
{
    deliver(c, &c->batch);
    itm_frame_slot_clear(&c->batch);
}

/* The frame's time in nanoseconds (tv_usec holds nanoseconds when c->nano). */
static uint64_t frame_ns(const struct itm_capture *c, const struct pcap_pkthdr *h)
{
    return (uint64_t)h->ts.tv_sec * 1000000000u +
           (uint64_t)h->ts.tv_usec * (c->nano ? 1u : 1000u);
}

/* Few flows: each frame straight to the engine, uncopied. */
static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct itm_capture *c = (struct itm_capture *)user;

    c->frames++;
    itm_engine_packet(c->e, c->linktype, frame_ns(c, h), bytes, h->caplen, h->len);
}

/* The engine wants batches: frames are copied into the batch until it is full. */
static void on_frame_batch(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct itm_capture *c = (struct itm_capture *)user;
    uint64_t ts = frame_ns(c, h);
    int rc;

    c->frames++;
    rc = itm_frame_slot_add(&c->batch, ts, bytes, h->caplen, h->len);
    if (rc == 1) {
        flush(c);
        rc = itm_frame_slot_add(&c->batch, ts, bytes, h->caplen, h->len);
    }
    /* no memory to grow the batch for a frame larger than it: straight through, after the
     * frames before it (the batch is empty then) */
    if (rc < 0)
        itm_engine_packet(c->e, c->linktype, ts, bytes, h->caplen, h->len);
}

/* libpcap says "truncated dump file" (pcap) or "truncated pcapng" when a file ends in the
 * middle of a record: every whole record before it was delivered. */
static int is_truncation(const char *err)
{
    return strstr(err, "truncated") != NULL;
}

/* libpcap's error after the frames delivered so far, as one line in msg. */
static int read_error(struct itm_capture *c, char *msg, size_t msglen)
{
    const char *err = pcap_geterr(c->p);
    char buf[PCAP_ERRBUF_SIZE + 200];
    int trunc;

    if (!err)
        err = "read error";
    trunc = is_truncation(err);
    /* libpcap cannot deliver a pcapng whose interfaces differ in link type: stop loudly
     * rather than look like a short capture */
    if (strstr(err, "different from the type of the first interface")) {
        snprintf(buf, sizeof(buf),
                 "pcapng interfaces with different link types are not supported, "
                 "stopped after %llu packets (%s); split it per interface first",
                 (unsigned long long)c->frames, err);
        err = buf;
    } else if (!c->live) {
        /* the record number lets a user look at the damage (tcpdump -c, editcap) */
        snprintf(buf, sizeof(buf), "record %llu%s: %s", (unsigned long long)c->frames + 1,
                 trunc ? " is cut short" : " is damaged", err);
        err = buf;
    }
    set_msg(msg, msglen, c->name, err);
    return trunc ? ITM_CAP_TRUNCATED : ITM_CAP_ERROR;
}

/* ---- the reader thread of a file ---- */

/* The input position now, for the progress bar (the reader's thread only). */
static uint64_t file_pos(const struct itm_capture *c)
{
    FILE *fp = pcap_file(c->p);
    off_t pos = fp ? ftello(fp) : -1;

    return pos > 0 ? (uint64_t)pos : 0;
}

/* In the reader: hands its slot to the pipeline with the input position reached. */
static void publish_cur(struct itm_capture *c)
{
    c->cur->pos = file_pos(c);
    itm_frame_ring_publish(c->ring, c->cur);
}

/* In the reader: a frame into the current slot; a full slot goes to the pipeline and the
 * next is claimed (waiting while the pipeline holds them all). */
static void on_frame_ring(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct itm_capture *c = (struct itm_capture *)user;
    uint64_t ts = frame_ns(c, h);
    int rc;

    c->frames++;
    rc = itm_frame_slot_add(c->cur, ts, bytes, h->caplen, h->len);
    if (rc == 1) {
        publish_cur(c);
        c->cur = itm_frame_ring_claim(c->ring);
        if (!c->cur) { /* cancelled: the pipeline stopped */
            pcap_breakloop(c->p);
            return;
        }
        rc = itm_frame_slot_add(c->cur, ts, bytes, h->caplen, h->len);
    }
    if (rc < 0) {
        c->cur->end = ITM_CAP_ERROR;
        snprintf(c->cur->msg, sizeof(c->cur->msg),
                 "%s: record %llu: out of memory for a frame of %u bytes", c->name,
                 (unsigned long long)c->frames, h->caplen);
        pcap_breakloop(c->p);
    }
}

/* The reader: libpcap until the end, an error or a cancel; the last slot says how it ended
 * (a cancelled reader publishes nothing more: nobody waits for it). */
static void *reader_main(void *arg)
{
    struct itm_capture *c = arg;
    int n;

    c->cur = itm_frame_ring_claim(c->ring);
    while (c->cur) {
        n = pcap_dispatch(c->p, 4096, on_frame_ring, (u_char *)c);
        if (!c->cur)
            break;
        if (c->cur->end >= 0) {
            /* set by on_frame_ring */
        } else if (n == PCAP_ERROR) {
            c->cur->end = read_error(c, c->cur->msg, sizeof(c->cur->msg));
        } else if (n == 0) {
            c->cur->end = ITM_CAP_EOF;
        } else {
            continue;
        }
        publish_cur(c);
        c->cur = NULL;
    }
    return NULL;
}

/* Starts the reader thread; -1 when its ring or the thread cannot be had (the caller then
 * reads on its own thread: the thread is a speed-up, never a condition). */
static int reader_start(struct itm_capture *c)
{
    int err;

    c->ring = itm_frame_ring_new(ITM_READ_SLOTS, ITM_READ_SLOT_FRAMES, ITM_READ_SLOT_BYTES, &err);
    if (!c->ring)
        return -1;
    if (itm_thread_start(&c->reader, reader_main, c) != 0) {
        itm_frame_ring_free(c->ring);
        c->ring = NULL;
        return -1;
    }
    return 0;
}

/* Cancels and joins the reader, if one runs (it may be waiting for a slot), then frees the
 * ring. */
static void reader_stop(struct itm_capture *c)
{
    if (!c->ring)
        return;
    itm_frame_ring_cancel(c->ring);
    pthread_join(c->reader, NULL);
    itm_frame_ring_free(c->ring);
    c->ring = NULL;
}

/* itm_capture_run with the reader thread (started): the same order of frames, ticks
 * between slots and the same ends. */
static int run_threaded(struct itm_capture *c, volatile sig_atomic_t *stop,
                        itm_capture_tick_fn tick, void *tick_ctx, char *msg, size_t msglen)
{
    int end = ITM_CAP_STOPPED;

    for (;;) {
        struct itm_frame_slot *s;
        int fin;
        if (stop && *stop)
            break;
        s = itm_frame_ring_next(c->ring);
        deliver(c, s);
        c->pos = s->pos;
        fin = s->end;
        if (fin == ITM_CAP_TRUNCATED || fin == ITM_CAP_ERROR)
            snprintf(msg, msglen, "%s", s->msg);
        itm_frame_ring_release(c->ring, s);
        if (tick && tick(tick_ctx))
            break;
        if (fin >= 0) {
            end = fin;
            break;
        }
    }
    reader_stop(c);
    return end;
}

int itm_capture_run(struct itm_capture *c, struct itm_engine *e, volatile sig_atomic_t *stop,
                    itm_capture_tick_fn tick, void *tick_ctx, char *msg, size_t msglen)
{
    c->e = e;
    if (c->threaded) {
        if (reader_start(c) == 0)
            return run_threaded(c, stop, tick, tick_ctx, msg, msglen);
        c->threaded = 0;
    }
    for (;;) {
        int n;
        if (stop && *stop)
            return ITM_CAP_STOPPED;
        /* asked once per pcap_dispatch: batches pay for their copy only with many flows */
        n = pcap_dispatch(c->p, 4096, itm_engine_wants_batches(e) ? on_frame_batch : on_frame,
                          (u_char *)c);
        flush(c);
        if (tick && tick(tick_ctx))
            return ITM_CAP_STOPPED;
        if (n == PCAP_ERROR_BREAK)
            return ITM_CAP_STOPPED;
        if (n == PCAP_ERROR)
            return read_error(c, msg, msglen);
        if (n == 0 && !c->live)
            return ITM_CAP_EOF;
    }
}

int itm_capture_stats(struct itm_capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
    struct pcap_stat ps;

    if (!c->live || pcap_stats(c->p, &ps) != 0)
        return -1;
    *recv = ps.ps_recv;
    *drop = ps.ps_drop;
    *ifdrop = ps.ps_ifdrop;
    return 0;
}

void itm_capture_progress(const struct itm_capture *c, uint64_t *done, uint64_t *total)
{
    *total = c->size;
    /* the reader thread owns the file: the position comes with its slots */
    *done = c->live ? 0 : c->threaded ? c->pos : file_pos(c);
}

void itm_capture_breakloop(struct itm_capture *c)
{
    /* libpcap 1.10 wakes its poll() through an eventfd here; only write() is involved */
    pcap_breakloop(c->p);
}
