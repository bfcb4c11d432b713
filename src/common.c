/* common.c: name tables, diagnostics, the allocator hook and address helpers shared by
 * every module. No packet or flow logic lives here. */
#include "itmscope/common.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

struct tok {
    int value;
    const char *name;
};

static const struct tok err_names[] = {
    {ITM_OK, "success"},
    {ITM_ERR_NOMEM, "out of memory"},
    {ITM_ERR_IO, "input/output error"},
    {ITM_ERR_PARSE, "parse error"},
    {ITM_ERR_INVAL, "invalid argument"},
    {ITM_ERR_UNSUPPORTED, "unsupported"},
    {ITM_ERR_FULL, "table full"},
    {ITM_ERR_NOTFOUND, "not found"},
};

const char *itm_err_str(int err)
{
    for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
        if (err_names[i].value == err)
            return err_names[i].name;
    return "unknown error";
}

static const char *const role_names[ITM_ROLE_COUNT] = {
    [ITM_ROLE_NONE] = "unknown",
    [ITM_ROLE_NS] = "notification-server",
    [ITM_ROLE_TASK_SERVER] = "task-server",
    [ITM_ROLE_PACKAGE_SERVER] = "package-server",
    [ITM_ROLE_GATEWAY] = "internet-gateway",
    [ITM_ROLE_DEPLOYMENT] = "deployment-server",
    [ITM_ROLE_EVENT_CONSOLE] = "event-console",
    [ITM_ROLE_SQL] = "sql-server",
    [ITM_ROLE_DC] = "domain-controller",
    [ITM_ROLE_MAIL] = "mail-server",
    [ITM_ROLE_MONITOR] = "monitor-server",
    [ITM_ROLE_WORKFLOW] = "workflow-server",
    [ITM_ROLE_NETDEV] = "network-device",
    [ITM_ROLE_AGENT] = "agent",
    [ITM_ROLE_ULM_AGENT] = "ulm-agent",
    [ITM_ROLE_CONSOLE] = "console",
    [ITM_ROLE_SIM] = "sim-host",
    [ITM_ROLE_DNS] = "dns-server",
    [ITM_ROLE_FILE_SERVER] = "file-server",
    [ITM_ROLE_WINS] = "wins-server",
    [ITM_ROLE_VENDOR] = "vendor-site",
    [ITM_ROLE_DATA_SOURCE] = "data-source",
    [ITM_ROLE_MANAGED_DEVICE] = "managed-device",
    [ITM_ROLE_MDM] = "mdm-server",
    [ITM_ROLE_PXE_CLIENT] = "pxe-client",
};

const char *itm_role_name(enum itm_role role)
{
    if ((unsigned)role >= ITM_ROLE_COUNT)
        return NULL;
    return role_names[role];
}

int itm_role_parse(const char *name, size_t len)
{
    for (int r = 1; r < ITM_ROLE_COUNT; r++)
        if (strlen(role_names[r]) == len && memcmp(role_names[r], name, len) == 0)
            return r;
    return -1;
}

char *itm_roles_format(uint32_t roles, char *buf, size_t len)
{
    size_t n = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (roles == 0) {
        snprintf(buf, len, "unknown");
        return buf;
    }
    for (int r = 1; r < ITM_ROLE_COUNT; r++) {
        int w;
        if (!(roles & ITM_ROLE_BIT(r)))
            continue;
        w = snprintf(buf + n, len - n, "%s%s", n ? "," : "", role_names[r]);
        if (w < 0 || (size_t)w >= len - n)
            break;
        n += (size_t)w;
    }
    return buf;
}

/* Messages quote bytes from the files they describe: control characters (a NUL, an escape
 * sequence, a newline) must not reach a terminal or split the one-line contract. Each one
 * becomes "\xNN", in place, within the buffer. */
static void sanitize_line(char *buf, size_t size)
{
    char tmp[1024];
    size_t n = 0;

    for (const char *p = buf; *p && n + 5 < sizeof(tmp); p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "\\x%02x", c);
        else
            tmp[n++] = (char)c;
    }
    tmp[n] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void itm_diag_report(struct itm_diag *d, const char *file, unsigned line, unsigned col,
                     const char *fmt, ...)
{
    char msg[512], out[1024];
    va_list ap;

    if (!d)
        return;
    d->errors++;
    if (!d->fn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line == 0)
        snprintf(out, sizeof(out), "%s: %s", file ? file : "-", msg);
    else
        snprintf(out, sizeof(out), "%s:%u:%u: %s", file ? file : "-", line, col, msg);
    sanitize_line(out, sizeof(out));
    d->fn(d->ctx, out);
}

void itm_diag_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

/* Allocation failure injection for tests: -1 off, else allocations left before a failure. */
static long alloc_budget = -1;

void itm_alloc_fail_after(long n)
{
    alloc_budget = n;
}

static int alloc_allowed(void)
{
    if (alloc_budget < 0)
        return 1;
    if (alloc_budget == 0)
        return 0;
    alloc_budget--;
    return 1;
}

void *itm_malloc(size_t n)
{
    return alloc_allowed() ? malloc(n ? n : 1) : NULL;
}

void *itm_calloc(size_t nmemb, size_t size)
{
    return alloc_allowed() ? calloc(nmemb ? nmemb : 1, size ? size : 1) : NULL;
}

void *itm_realloc(void *p, size_t n)
{
    return alloc_allowed() ? realloc(p, n ? n : 1) : NULL;
}

char *itm_strndup(const char *s, size_t n)
{
    char *d = itm_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void itm_free(void *p)
{
    free(p);
}

long itm_cpus_allowed(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return CPU_COUNT(&set);
    return sysconf(_SC_NPROCESSORS_ONLN);
}

int itm_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void *itm_alloc_huge(size_t n)
{
    size_t a = ITM_HUGE_BLOCK, head, tail;
    uint8_t *m;

    if (n == 0 || n % a != 0 || n > SIZE_MAX - a || !alloc_allowed())
        return NULL;
    /* map one block more than asked and trim, so the rest starts on a block boundary */
    m = mmap(NULL, n + a, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    head = (a - (uintptr_t)m % a) % a;
    tail = a - head;
    if (head)
        munmap(m, head);
    if (tail)
        munmap(m + head + n, tail);
#ifdef MADV_HUGEPAGE
    (void)madvise(m + head, n, MADV_HUGEPAGE); /* a hint; 4 KiB pages work the same */
#endif
    return m + head;
}

/* A block: its link, then per_block items at max_align_t alignment. */
#define POOL_HEAD ((sizeof(void *) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * \
                   _Alignof(max_align_t))

void itm_pool_init(struct itm_pool *p, size_t size, size_t per_block)
{
    memset(p, 0, sizeof(*p));
    p->size = size < sizeof(void *) ? sizeof(void *) : size;
    p->per_block = per_block;
    p->used = per_block;
}

void *itm_pool_get(struct itm_pool *p)
{
    unsigned char *item = p->free;

    if (item) {
        memcpy(&p->free, item, sizeof(void *));
    } else {
        if (p->used == p->per_block) {
            unsigned char *b = itm_malloc(POOL_HEAD + p->size * p->per_block);
            if (!b)
                return NULL;
            memcpy(b, &p->blocks, sizeof(void *));
            p->blocks = b;
            p->used = 0;
        }
        item = (unsigned char *)p->blocks + POOL_HEAD + p->size * p->used++;
    }
    memset(item, 0, p->size);
    return item;
}

void itm_pool_put(struct itm_pool *p, void *item)
{
    memcpy(item, &p->free, sizeof(void *));
    p->free = item;
}

void itm_pool_free(struct itm_pool *p)
{
    while (p->blocks) {
        void *next;
        memcpy(&next, p->blocks, sizeof(void *));
        itm_free(p->blocks);
        p->blocks = next;
    }
    itm_pool_init(p, p->size, p->per_block);
}

void itm_free_huge(void *p, size_t n)
{
    if (p)
        munmap(p, n);
}

static size_t big_size(size_t n)
{
    return n <= SIZE_MAX - ITM_HUGE_BLOCK ? (n + ITM_HUGE_BLOCK - 1) / ITM_HUGE_BLOCK *
                                                ITM_HUGE_BLOCK
                                          : 0;
}

void *itm_calloc_big(size_t n)
{
    return n < ITM_HUGE_BLOCK ? itm_calloc(1, n) : itm_alloc_huge(big_size(n));
}

void itm_free_big(void *p, size_t n)
{
    if (n < ITM_HUGE_BLOCK)
        itm_free(p);
    else
        itm_free_huge(p, big_size(n));
}

/* The text of every octet, "0" to "255", each padded to 4 bytes: copied whole, then the
 * pointer moves by its length. */
static const char octet_text[256][4] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
    "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
    "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35",
    "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59",
    "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71",
    "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83",
    "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95",
    "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107",
    "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119",
    "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131",
    "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143",
    "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155",
    "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167",
    "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191",
    "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203",
    "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215",
    "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227",
    "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
    "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251",
    "252", "253", "254", "255"
};

/* Dotted quad of 4 bytes; returns the length. Writes 16 bytes from out (a '.' after the
 * text), so out needs that room. */
static size_t ip4_text(const uint8_t *a, char *out)
{
    char *o = out;

    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        memcpy(o, octet_text[v], 4);
        o += 1 + (v >= 10) + (v >= 100);
        *o++ = '.';
    }
    return (size_t)(o - out) - 1;
}

/* "00" to "ff": a group's text two hex digits at a time */
static const char hex_pairs[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* A 16-bit group in lower-case hex without leading zeros. */
static char *hex_group(char *o, unsigned g)
{
    unsigned hi = g >> 8, lo = g & 0xffu;

    if (hi) {
        if (hi >> 4) {
            memcpy(o, hex_pairs + 2 * hi, 2);
            o += 2;
        } else {
            *o++ = hex_pairs[2 * hi + 1];
        }
        memcpy(o, hex_pairs + 2 * lo, 2);
        return o + 2;
    }
    if (lo >> 4) {
        memcpy(o, hex_pairs + 2 * lo, 2);
        return o + 2;
    }
    *o++ = hex_pairs[2 * lo + 1];
    return o;
}

/* The text inet_ntop gives for an IPv6 address (RFC 5952: lower-case hex without leading
 * zeros, the longest run of two or more zero groups as "::", the first of equal runs; and,
 * as glibc does, a trailing dotted quad for ::a.b.c.d and ::ffff:a.b.c.d). inet_ntop costs
 * about 3,000 instructions an address. Returns the length. */
#if defined(__GNUC__)
__attribute__((noinline)) /* keeps the common IPv4 path of itm_ip_text free of its frame */
#endif
static size_t ip6_text(const uint8_t *a, char *out)
{
    unsigned g[8];
    int best = -1, blen = 0, run = 0;
    char *o = out;

    for (int i = 0; i < 8; i++) {
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        run = g[i] ? 0 : run + 1;
        if (run > blen) {
            blen = run;
            best = i - run + 1;
        }
    }
    if (blen < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + blen) {
            if (i == best)
                *o++ = ':';
            continue;
        }
        if (i)
            *o++ = ':';
        if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && g[5] == 0xffff)))
            return (size_t)(o - out) + ip4_text(a + 12, o);
        o = hex_group(o, g[i]);
    }
    if (best >= 0 && best + blen == 8)
        *o++ = ':';
    return (size_t)(o - out);
}

size_t itm_ip_text(const struct itm_ip *ip, char *out)
{
    if (ip->family == 4)
        return ip4_text(ip->a, out);
    if (ip->family == 6)
        return ip6_text(ip->a, out);
    out[0] = '-';
    return 1;
}

char *itm_ip_format(const struct itm_ip *ip, char *buf, size_t len)
{
    char tmp[ITM_IP_TEXT_MAX];
    size_t n;

    if (len >= sizeof(tmp)) {
        n = itm_ip_text(ip, buf);
    } else {
        if (len == 0)
            return buf;
        n = itm_ip_text(ip, tmp);
        if (n >= len)
            n = 0; /* no room: an empty string, never a cut address */
        memcpy(buf, tmp, n);
    }
    buf[n] = '\0';
    return buf;
}

int itm_ip_cmp(const struct itm_ip *a, const struct itm_ip *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->a, b->a, sizeof(a->a));
}

int itm_ip_parse(const char *s, struct itm_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->a) == 1) {
        out->family = 6;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return ITM_ERR_INVAL;
}
