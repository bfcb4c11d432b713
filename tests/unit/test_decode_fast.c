/* test_decode_fast.c: the decoder's fast path against its general decoders. For every input
 * itm_decode() must return and fill exactly what itm_decode_slow() does, and so must
 * itm_decode_fast() whenever it takes the frame. Inputs: every frame of the bundled captures
 * at every truncation length, the real captures of ../shared/corpus/real when present (at
 * every length that cuts a header), Ethernet frames built here (swept through every
 * truncation as in the other decoder tests) and a few hundred thousand seeded mutations of
 * them. */
#include <dirent.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itmscope/decode.h"

#include "decode-fixtures.h"

#ifndef ITM_SRCDIR
#define ITM_SRCDIR "."
#endif

/* How many inputs were checked, and how many of them the fast path took. */
struct tally {
    unsigned long inputs, fast;
};

/* Decodes an exact-size heap copy of the first len bytes (so that a sanitizer sees any read
 * past caplen) with each entry point, over differently poisoned summaries, and fails on the
 * first field that differs. what names the input in the message. */
static void check_one(int dlt, const uint8_t *data, uint32_t len, uint32_t wirelen,
                      const char *what, struct tally *t)
{
    uint8_t *buf = malloc(len ? len : 1);
    struct itm_pkt slow, fast, full;
    const char *d;
    int rs, rf, rd;

    assert_non_null(buf);
    if (len > 0)
        memcpy(buf, data, len);
    memset(&slow, 0xa5, sizeof(slow));
    memset(&fast, 0x5a, sizeof(fast));
    memset(&full, 0x3c, sizeof(full));
    rs = itm_decode_slow(dlt, buf, len, wirelen, 77, &slow);
    rf = itm_decode_fast(dlt, buf, len, wirelen, 77, &fast);
    rd = itm_decode(dlt, buf, len, wirelen, 77, &full);
    free(buf);
    if (rd != rs)
        fail_msg("%s, caplen %u: itm_decode returned %d, the slow path %d", what, len, rd, rs);
    d = itm_pkt_diff(&full, &slow);
    if (d)
        fail_msg("%s, caplen %u: field %s differs between itm_decode and the slow path", what,
                 len, d);
    t->inputs++;
    if (rf < 0)
        return;
    t->fast++;
    if (rf != rs)
        fail_msg("%s, caplen %u: the fast path returned %d, the slow path %d", what, len, rf,
                 rs);
    d = itm_pkt_diff(&fast, &slow);
    if (d)
        fail_msg("%s, caplen %u: field %s differs between the fast and the slow path", what,
                 len, d);
}

/* ---- captures ---- */

/* Every frame of one capture at every length, or with headers_only at every length that
 * cuts a header (up to two bytes into the payload the full frame decodes to), every 97th
 * and the last two: past the headers a cut only moves the payload's end. Returns the number
 * of frames, or -1 when the file cannot be read as a capture. */
static long check_capture(const char *path, int headers_only, struct tally *t)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    struct pcap_pkthdr *h;
    const u_char *data;
    long frames = 0;
    int dlt;

    if (!p)
        return -1;
    dlt = pcap_datalink(p);
    while (pcap_next_ex(p, &h, &data) == 1) {
        uint32_t all = h->caplen;

        if (headers_only) {
            struct itm_pkt full;

            itm_decode_slow(dlt, data, h->caplen, h->len, 0, &full);
            all = (full.has_l4 ? full.payload_off : full.l3_off + 60) + 2;
        }
        for (uint32_t len = 0; len <= h->caplen; len++)
            if (len <= all || len + 2 >= h->caplen || len % 97 == 0)
                check_one(dlt, data, len, h->len, path, t);
        frames++;
    }
    pcap_close(p);
    return frames;
}

/* Every capture in dir whose name ends in suffix (any when NULL), in name order so that a
 * failure is the same on every run. */
static unsigned check_dir(const char *dir, const char *suffix, int headers_only,
                          struct tally *t)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    unsigned files = 0;

    if (n < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t nl = strlen(name), sl = suffix ? strlen(suffix) : 0;
        char path[4096];

        if (name[0] != '.' && nl >= sl && (!suffix || strcmp(name + nl - sl, suffix) == 0)) {
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            if (check_capture(path, headers_only, t) >= 0)
                files++;
        }
        free(names[i]);
    }
    free(names);
    return files;
}

static void test_bundled_captures(void **state)
{
    struct tally t = {0, 0};
    unsigned files;

    (void)state;
    files = check_dir(ITM_SRCDIR "/pcaps", ".pcap", 0, &t);
    print_message("bundled captures: %u files, %lu inputs, %lu on the fast path\n", files,
                  t.inputs, t.fast);
    assert_true(files >= 3);
    assert_true(t.fast > 0 && t.fast < t.inputs);
}

static void test_real_captures(void **state)
{
    const char *dir = ITM_SRCDIR "/../shared/corpus/real";
    struct tally t = {0, 0};
    unsigned files;
    DIR *d = opendir(dir);

    (void)state;
    if (!d) {
        print_message("%s absent: real captures not checked\n", dir);
        skip();
    }
    closedir(d);
    files = check_dir(dir, NULL, 1, &t);
    print_message("real captures: %u files, %lu inputs, %lu on the fast path\n", files,
                  t.inputs, t.fast);
    assert_true(files > 0);
    assert_true(t.fast > 0);
}

/* ---- frames built here, and mutations of them ---- */

/* A valid frame and where its headers start. */
struct templ {
    struct frame f;
    size_t l3, l4;
    int ver;
};

static void build(struct templ *t, unsigned ntags, int ver, unsigned proto, size_t pad)
{
    unsigned inner = ver == 4 ? 0x0800 : 0x86dd;

    init(&t->f, 1);
    if (ntags == 0) {
        eth(&t->f, inner);
    } else {
        eth(&t->f, ntags == 2 ? 0x88a8 : 0x8100);
        for (unsigned i = 0; i < ntags; i++) {
            put16(&t->f, 0x2000 | (100 + i));
            put16(&t->f, i + 1 < ntags ? 0x8100 : inner);
            mark(&t->f, ITM_R_VLAN);
        }
    }
    t->l3 = t->f.n;
    t->ver = ver;
    if (ver == 4)
        ip4(&t->f, proto, NULL, 0, 0x4000); /* DF set: still a whole datagram */
    else
        ip6(&t->f, proto);
    t->l4 = t->f.n;
    switch (proto) {
    case 6:
        tcp(&t->f, 50123, 443, ITM_TCP_PSH | ITM_TCP_ACK, ver == 4 ? 12 : 0);
        break;
    case 17:
        udp(&t->f, 5353, 53);
        break;
    default: /* echo request, ICMP or ICMPv6 */
        put8(&t->f, proto == 1 ? 8 : 128);
        put8(&t->f, 0);
        put16(&t->f, 0);
        put16(&t->f, 0x4242);
        put16(&t->f, 1);
        mark(&t->f, ITM_R_ICMP);
        break;
    }
    text(&t->f, "GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    finish(&t->f);
    if (pad)
        fill(&t->f, 0, pad); /* Ethernet padding after the datagram */
}

#define NTEMPL 12

static void build_all(struct templ *t)
{
    build(&t[0], 0, 4, 6, 0);
    build(&t[1], 0, 4, 17, 0);
    build(&t[2], 0, 6, 6, 0);
    build(&t[3], 0, 6, 17, 0);
    build(&t[4], 1, 4, 6, 0);
    build(&t[5], 2, 6, 17, 0);
    build(&t[6], 0, 4, 1, 0);
    build(&t[7], 0, 6, 58, 0);
    build(&t[8], 0, 4, 6, 6);
    build(&t[9], 1, 6, 6, 10);
    build(&t[10], 2, 4, 17, 4);
    build(&t[11], 1, 4, 1, 0);
}

/* Every template decodes on the fast path to the expected outcome, and so does every
 * truncation of it (sweep() also compares the fast and the slow path at each length). */
static void test_templates(void **state)
{
    static struct templ t[NTEMPL];
    struct tally tl = {0, 0};

    (void)state;
    build_all(t);
    for (int i = 0; i < NTEMPL; i++) {
        struct itm_pkt ref, fast;

        sweep(&t[i].f, &ref);
        assert_int_equal(ref.status, ITM_DEC_OK);
        assert_int_equal(itm_decode_fast(1, t[i].f.b, (uint32_t)t[i].f.n, (uint32_t)t[i].f.n,
                                         1, &fast), ITM_DEC_OK);
        check_one(1, t[i].f.b, (uint32_t)t[i].f.n, (uint32_t)t[i].f.n, "template", &tl);
    }
    assert_int_equal(tl.fast, NTEMPL);
}

/* xorshift64*: a fixed sequence, the same on every run and platform. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)((rnd(s) >> 33) % n);
}

static void put_be16(uint8_t *b, size_t n, size_t at, unsigned v)
{
    if (at + 2 <= n) {
        b[at] = (uint8_t)(v >> 8);
        b[at + 1] = (uint8_t)v;
    }
}

/* Values near every boundary the decoders test, or anything. */
static unsigned near(uint64_t *s, unsigned exact)
{
    static const int delta[] = {-9, -8, -1, 0, 0, 1, 2, 8, 40};

    switch (pick(s, 4)) {
    case 0:
        return pick(s, 48);
    case 1:
        return pick(s, 65536);
    default:
        return (exact + (unsigned)delta[pick(s, sizeof(delta) / sizeof(delta[0]))]) & 0xffff;
    }
}

/* One mutation of a copy of a template: a bit flip in the headers, or a field the fast path
 * decides on set to a value near a boundary or at random. */
static void mutate(uint64_t *s, const struct templ *t, uint8_t *b, size_t n)
{
    static const unsigned types[] = {0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x0806,
                                     0x8864, 0x8847, 0x05dc, 0x0000};
    static const unsigned protos[] = {6, 17, 1, 58, 2, 4, 41, 47, 50, 0, 43, 44, 51, 60, 255};
    static const unsigned fragw[] = {0, 0x4000, 0x2000, 0x0001, 0x1fff, 0x8000, 0x6000};
    size_t l3 = t->l3, l4 = t->l4;
    uint8_t proto = t->ver == 4 ? b[l3 + 9] : b[l3 + 6];

    switch (pick(s, 10)) {
    case 0: /* a bit anywhere in the headers */
    case 1: {
        size_t at = pick(s, (unsigned)(l4 + 20 < n ? l4 + 20 : n));
        b[at] ^= (uint8_t)(1u << pick(s, 8));
        break;
    }
    case 2: /* an ethertype, at the link header or after a tag */
        put_be16(b, n, l3 > 14 && pick(s, 2) ? l3 - 2 : 12,
                 pick(s, 4) ? types[pick(s, sizeof(types) / sizeof(types[0]))]
                            : pick(s, 65536));
        break;
    case 3: /* version and header length */
        b[l3] = (uint8_t)(pick(s, 3) ? (t->ver << 4 | pick(s, 16)) : pick(s, 256));
        break;
    case 4: /* IPv4 flags and fragment offset, or the IPv6 payload length */
        if (t->ver == 4)
            put_be16(b, n, l3 + 6, pick(s, 4) ? fragw[pick(s, 7)] : pick(s, 65536));
        else
            put_be16(b, n, l3 + 4, near(s, (unsigned)(b[l3 + 4] << 8 | b[l3 + 5])));
        break;
    case 5: /* IPv4 total length */
        if (t->ver == 4)
            put_be16(b, n, l3 + 2, near(s, (unsigned)(b[l3 + 2] << 8 | b[l3 + 3])));
        break;
    case 6: /* the protocol or next header */
        b[t->ver == 4 ? l3 + 9 : l3 + 6] =
            (uint8_t)(pick(s, 4) ? protos[pick(s, sizeof(protos) / sizeof(protos[0]))]
                                 : pick(s, 256));
        break;
    case 7: /* TCP data offset, UDP length, ICMP type */
        if (proto == 6)
            b[l4 + 12] = (uint8_t)(pick(s, 16) << 4 | (b[l4 + 12] & 0x0f));
        else if (proto == 17)
            put_be16(b, n, l4 + 4, near(s, (unsigned)(b[l4 + 4] << 8 | b[l4 + 5])));
        else
            b[l4] = (uint8_t)pick(s, 256);
        break;
    default: /* a random byte in the headers */
        b[pick(s, (unsigned)(l4 + 20 < n ? l4 + 20 : n))] = (uint8_t)pick(s, 256);
        break;
    }
}

#define MUTATIONS 300000

static void test_mutations(void **state)
{
    static struct templ t[NTEMPL];
    struct tally tl = {0, 0};
    uint64_t s = UINT64_C(0x9e3779b97f4a7c15);

    (void)state;
    build_all(t);
    for (unsigned long i = 0; i < MUTATIONS; i++) {
        const struct templ *tp = &t[pick(&s, NTEMPL)];
        uint8_t b[MAXF];
        size_t n = tp->f.n;
        uint32_t len, wire;
        unsigned k = 1 + pick(&s, 3);

        memcpy(b, tp->f.b, n);
        if (pick(&s, 8) == 0) { /* trailing bytes: padding, or a longer capture */
            size_t more = pick(&s, 64);
            for (size_t j = 0; j < more; j++)
                b[n + j] = (uint8_t)pick(&s, 256);
            n += more;
        }
        while (k-- > 0)
            mutate(&s, tp, b, n);
        len = (uint32_t)(pick(&s, 4) == 0 ? pick(&s, (unsigned)n + 1) : n);
        wire = len + (pick(&s, 4) == 0 ? pick(&s, 2000) : 0);
        check_one(1, b, len, wire, "mutation", &tl);
    }
    print_message("mutations: %lu inputs, %lu on the fast path\n", tl.inputs, tl.fast);
    /* both paths must have had their share, or the comparison proves little */
    assert_true(tl.fast > tl.inputs / 5);
    assert_true(tl.inputs - tl.fast > tl.inputs / 5);
}

/* Frames the fast path leaves to the general decoders: another link type, PPPoE, a
 * malformed TCP header. The general decoders still decode them as before. */
static void test_declined(void **state)
{
    struct templ t;
    struct frame f;
    struct itm_pkt p;

    (void)state;
    build(&t, 0, 4, 6, 0);
    assert_int_equal(itm_decode_fast(113, t.f.b, (uint32_t)t.f.n, (uint32_t)t.f.n, 1, &p), -1);
    assert_int_equal(itm_decode_fast(12, t.f.b + 14, (uint32_t)t.f.n - 14,
                                     (uint32_t)t.f.n - 14, 1, &p), -1);

    init(&f, 1);
    eth(&f, 0x8864);
    pppoe(&f, 0x0021);
    tcp4_body(&f);
    assert_int_equal(itm_decode_fast(1, f.b, (uint32_t)f.n, (uint32_t)f.n, 1, &p), -1);
    sweep(&f, &p);
    assert_int_equal(p.status, ITM_DEC_OK);
    assert_int_equal(p.sport, 50123);

    /* three tags: more than the summary keeps, counted by the general decoder */
    init(&f, 1);
    eth(&f, 0x88a8);
    for (unsigned i = 0; i < 3; i++) {
        put16(&f, 200 + i);
        put16(&f, i < 2 ? 0x8100 : et(4));
        mark(&f, ITM_R_VLAN);
    }
    tcp4_body(&f);
    assert_int_equal(itm_decode_fast(1, f.b, (uint32_t)f.n, (uint32_t)f.n, 1, &p), -1);
    sweep(&f, &p);
    assert_int_equal(p.nvlan, 3);

    init(&f, 1);
    eth(&f, et(4));
    ip4(&f, 6, NULL, 0, 0);
    tcp(&f, 1025, 80, ITM_TCP_SYN, 0);
    f.b[f.n - 20 + 12] = 0x40; /* data offset 4: shorter than the fixed header */
    finish(&f);
    assert_int_equal(itm_decode_fast(1, f.b, (uint32_t)f.n, (uint32_t)f.n, 1, &p), -1);
    expect_bad(&f, ITM_DEC_INVALID, ITM_R_TCP, &p);

    /* and one it takes, built by the helpers the other decoder tests share */
    init(&f, 1);
    eth(&f, et(6));
    udp6_body(&f);
    assert_int_equal(itm_decode_fast(1, f.b, (uint32_t)f.n, (uint32_t)f.n, 1, &p), ITM_DEC_OK);
    sweep(&f, &p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_declined),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_bundled_captures),
        cmocka_unit_test(test_real_captures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
