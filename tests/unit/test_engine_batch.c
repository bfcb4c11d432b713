/* test_engine_batch.c: feeding the engine frames in batches (itm_engine_packets, as the
 * capture does) gives byte for byte the events and evidence of feeding them one at a time
 * (itm_engine_packet), for every batch size from 1 to past ITM_ENGINE_BATCH, on the bundled
 * captures (fragments, PXE, scans, lateral movement, malformed frames). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "itmscope/engine.h"
#include "itmscope/output.h"
#include "itmscope/sigdb.h"
#include "itmscope/site.h"

struct frames {
    struct itm_frame *v;
    uint8_t **bytes;
    size_t n;
    int linktype;
};

static void load_frames(const char *path, struct frames *fs)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    struct pcap_pkthdr *h;
    const u_char *b;
    size_t cap = 0;

    assert_non_null(p);
    memset(fs, 0, sizeof(*fs));
    fs->linktype = pcap_datalink(p);
    while (pcap_next_ex(p, &h, &b) == 1) {
        if (fs->n == cap) {
            cap = cap ? cap * 2 : 1024;
            fs->v = realloc(fs->v, cap * sizeof(*fs->v));
            fs->bytes = realloc(fs->bytes, cap * sizeof(*fs->bytes));
            assert_non_null(fs->v);
            assert_non_null(fs->bytes);
        }
        fs->bytes[fs->n] = malloc(h->caplen ? h->caplen : 1);
        assert_non_null(fs->bytes[fs->n]);
        memcpy(fs->bytes[fs->n], b, h->caplen);
        fs->v[fs->n] = (struct itm_frame){fs->bytes[fs->n],
                                          (uint64_t)h->ts.tv_sec * 1000000000u +
                                              (uint64_t)h->ts.tv_usec,
                                          h->caplen, h->len};
        fs->n++;
    }
    pcap_close(p);
    assert_true(fs->n > 10);
}

static void free_frames(struct frames *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->bytes[i]);
    free(fs->bytes);
    free(fs->v);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Runs one engine over the frames, batch sizes cycling from 1 to max (0: one at a time),
 * with JSON events and the evidence pcap written to files named after tag. */
static void run(const struct frames *fs, const struct itm_sigdb *db, const struct itm_site *site,
                size_t max, const char *json, const char *pcap)
{
    struct itm_engine_cfg cfg;
    struct itm_output_ctx octx;
    const char *const inputs[] = {"test", NULL};
    struct itm_engine *e;
    int err = 0;
    size_t i = 0, size = 1;

    memset(&cfg, 0, sizeof(cfg));
    cfg.seed[0] = 1;
    cfg.seed[1] = 2;
    e = itm_engine_new(&cfg, db, site, &err);
    assert_non_null(e);
    memset(&octx, 0, sizeof(octx));
    octx.db = db;
    octx.cls = itm_engine_classifier(e);
    octx.inputs = inputs;
    octx.linktype = fs->linktype;
    octx.snaplen = 262144;
    assert_int_equal(itm_engine_add_output(e, &itm_out_json, json, &octx), 0);
    assert_int_equal(itm_engine_add_output(e, &itm_out_pcap, pcap, &octx), 0);
    while (i < fs->n) {
        if (max == 0) {
            const struct itm_frame *f = &fs->v[i++];
            itm_engine_packet(e, fs->linktype, f->ts_ns, f->data, f->caplen, f->wirelen);
            continue;
        }
        size_t m = fs->n - i < size ? fs->n - i : size;
        itm_engine_packets(e, fs->linktype, fs->v + i, m);
        i += m;
        size = size % max + 1;
    }
    assert_int_equal(itm_engine_finish(e, ITM_END_EOF), 0);
    itm_engine_free(e);
}

static void same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);

    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

static void check_capture(const char *name)
{
    char path[512], tmpl[] = "/tmp/itm-batch-XXXXXX", ja[600], jb[600], pa[600], pb[600];
    struct itm_sigdb *db;
    struct itm_site *site;
    struct frames fs;
    int err = 0;
    const size_t maxes[] = {1, 7, ITM_ENGINE_BATCH, ITM_ENGINE_BATCH + 9};

    assert_non_null(mkdtemp(tmpl));
    db = itm_sigdb_load_file(ITM_SRCDIR "/signatures/itms.sig", NULL, &err);
    assert_non_null(db);
    snprintf(path, sizeof(path), ITM_SRCDIR "/pcaps/%s.site", name);
    site = itm_site_load_file(path, NULL, &err);
    assert_non_null(site);
    assert_int_equal(itm_site_apply_moves(site, db, NULL), 0);
    snprintf(path, sizeof(path), ITM_SRCDIR "/pcaps/%s.pcap", name);
    load_frames(path, &fs);
    snprintf(ja, sizeof(ja), "%s/one.json", tmpl);
    snprintf(pa, sizeof(pa), "%s/one.pcap", tmpl);
    run(&fs, db, site, 0, ja, pa);
    for (size_t k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
        snprintf(jb, sizeof(jb), "%s/batch.json", tmpl);
        snprintf(pb, sizeof(pb), "%s/batch.pcap", tmpl);
        run(&fs, db, site, maxes[k], jb, pb);
        same_file(ja, jb);
        same_file(pa, pb);
        unlink(jb);
        unlink(pb);
    }
    unlink(ja);
    unlink(pa);
    rmdir(tmpl);
    free_frames(&fs);
    itm_site_free(site);
    itm_sigdb_free(db);
}

static void test_site(void **state)
{
    (void)state;
    check_capture("site");
}

static void test_attacks(void **state)
{
    (void)state;
    check_capture("attacks");
}

static void test_edge(void **state)
{
    (void)state;
    check_capture("edge");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_site),
        cmocka_unit_test(test_attacks),
        cmocka_unit_test(test_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
