/* pcap-floor.c: the libpcap floor for benchmarks: a bare pcap_dispatch loop that reads a
 * capture exactly as itmscope does (fopen, a 64 KiB stdio buffer without stdio's lock,
 * nanosecond timestamps, the same batch size) and only counts. No decoding, no tables: what it reaches is the most
 * any consumer of libpcap can reach on this machine. It never links libitmscope.
 *
 * Usage: pcap-floor [-b BATCH] FILE
 * Prints one line: "packets N bytes N seconds S pps P" (seconds of the read loop alone). */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Same values as itmscope's capture (src/itm-limits.h and src/capture-pcap.c), repeated
 * here so that the tool stays independent of the library it measures. */
#define FLOOR_READ_BUFFER (1u << 16)
#define FLOOR_DEFAULT_BATCH 4096

struct counts {
    uint64_t packets, bytes;
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct counts *c = (struct counts *)user;

    (void)bytes;
    c->packets++;
    c->bytes += h->len;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: pcap-floor [-b BATCH] FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct counts c = {0, 0};
    const char *path;
    long batch = FLOOR_DEFAULT_BATCH;
    double t0, t1;
    pcap_t *p;
    FILE *fp;
    char *rbuf;
    int n, argi = 1;

    if (argc == 4 && strcmp(argv[1], "-b") == 0) {
        char *end;
        errno = 0;
        batch = strtol(argv[2], &end, 10);
        if (errno || *end || batch == 0 || batch > 1000000)
            return usage();
        argi = 3;
    } else if (argc != 2) {
        return usage();
    }
    path = argv[argi];
    fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "pcap-floor: %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* with a NULL buffer glibc ignores the size and reads 4 KiB at a time */
    rbuf = malloc(FLOOR_READ_BUFFER);
    if (rbuf)
        setvbuf(fp, rbuf, _IOFBF, FLOOR_READ_BUFFER);
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
    errbuf[0] = '\0';
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        fprintf(stderr, "pcap-floor: %s: %s\n", path, errbuf[0] ? errbuf : "cannot read");
        fclose(fp);
        free(rbuf);
        return 1;
    }
    t0 = now_s();
    while ((n = pcap_dispatch(p, (int)batch, on_frame, (u_char *)&c)) > 0)
        ;
    t1 = now_s();
    if (n == PCAP_ERROR)
        fprintf(stderr, "pcap-floor: %s: %s\n", path, pcap_geterr(p));
    pcap_close(p);
    free(rbuf);
    printf("packets %llu bytes %llu seconds %.6f pps %.0f\n", (unsigned long long)c.packets,
           (unsigned long long)c.bytes, t1 - t0, t1 > t0 ? (double)c.packets / (t1 - t0) : 0.0);
    return n == PCAP_ERROR ? 1 : 0;
}
