/* cli-progress.c: the progress bar of long offline reads: bytes read of the file's size,
 * packets per second and the time left, redrawn in place on a terminal. Wall-clock time
 * is used only here, never for anything that reaches an output. */
#include <string.h>
#include <time.h>

#include "itmscope/cli.h"

/* Redraws per second: enough to look alive, too few to cost anything. */
#define PROGRESS_HZ 4u
/* Inputs read faster than this stay silent. */
#define PROGRESS_QUIET_NS 1000000000u
#define PROGRESS_WIDTH 79u
/* Room kept for " 100%  1023.9 MiB of 1023.9 MiB  999.9k pkt/s  ETA 99:59". */
#define PROGRESS_TAIL 56u

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void human(double v, const char *const *units, unsigned nunits, double step, char *buf,
                  size_t len)
{
    unsigned u = 0;

    while (v >= step && u + 1 < nunits) {
        v /= step;
        u++;
    }
    snprintf(buf, len, u ? "%.1f%s" : "%.0f%s", v, units[u]);
}

size_t itm_progress_format(char *buf, size_t len, unsigned width, const char *label,
                           uint64_t done, uint64_t total, double pps, double eta_s)
{
    static const char *const bytes[] = {" B", " KiB", " MiB", " GiB", " TiB"};
    static const char *const counts[] = {"", "k", "M", "G"};
    char d[24], t[24], r[24], eta[24], tail[128];
    unsigned bar, fill = 0, pct = 0;
    size_t o;

    human((double)done, bytes, 5, 1024.0, d, sizeof(d));
    human(pps, counts, 4, 1000.0, r, sizeof(r));
    if (eta_s < 0)
        snprintf(eta, sizeof(eta), "--:--");
    else
        snprintf(eta, sizeof(eta), "%u:%02u", (unsigned)(eta_s / 60), (unsigned)eta_s % 60u);
    if (total) {
        human((double)total, bytes, 5, 1024.0, t, sizeof(t));
        pct = done >= total ? 100u : (unsigned)(done * 100u / total);
        snprintf(tail, sizeof(tail), " %3u%%  %s of %s  %s pkt/s  ETA %s", pct, d, t, r, eta);
    } else {
        snprintf(tail, sizeof(tail), "  %s  %s pkt/s", d, r);
    }
    o = (size_t)snprintf(buf, len, "%s", label);
    if (o >= len)
        return len ? len - 1 : 0;
    /* the bar keeps its width while the numbers after it change length */
    bar = width > o + PROGRESS_TAIL + 3 ? width - (unsigned)(o + PROGRESS_TAIL + 3) : 0;
    if (bar > 40)
        bar = 40;
    if (total && bar >= 4) {
        fill = (unsigned)((uint64_t)bar * pct / 100u);
        o += (size_t)snprintf(buf + o, len - o, " [");
        for (unsigned i = 0; i < bar && o + 1 < len; i++)
            buf[o++] = i < fill ? '#' : '.';
        if (o + 1 < len)
            buf[o++] = ']';
        buf[o < len ? o : len - 1] = '\0';
    }
    if (o < len)
        o += (size_t)snprintf(buf + o, len - o, "%s", tail);
    return o < len ? o : (len ? len - 1 : 0);
}

void itm_progress_start(struct itm_progress *p, FILE *out, const char *label, uint64_t pkts)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->t0_ns = mono_ns();
    p->next_ns = p->t0_ns + PROGRESS_QUIET_NS;
    p->pkts0 = pkts;
    snprintf(p->label, sizeof(p->label), "%s", label);
}

int itm_progress_due(struct itm_progress *p)
{
    return p->out && mono_ns() >= p->next_ns;
}

void itm_progress_draw(struct itm_progress *p, uint64_t done, uint64_t total, uint64_t pkts)
{
    uint64_t now = mono_ns();
    double secs = (double)(now - p->t0_ns) / 1e9;
    double pps = secs > 0 ? (double)(pkts - p->pkts0) / secs : 0;
    double eta = -1;
    char line[160];

    if (total && done > 0 && done <= total && secs > 0)
        eta = secs * (double)(total - done) / (double)done;
    itm_progress_format(line, sizeof(line), PROGRESS_WIDTH, p->label, done, total, pps, eta);
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->shown = 1;
    p->next_ns = now + 1000000000u / PROGRESS_HZ;
}

void itm_progress_end(struct itm_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->shown = 0;
}
