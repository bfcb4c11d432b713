/* fuzz_pipeline.c: libFuzzer target for the whole offline pipeline: the input, as a memfd the
 * ordinary file source opens through /proc/self/fd, goes through libpcap, the capture loop,
 * both engine passes and the JSON output. It never writes anywhere but /dev/null. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "itmscope/capture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    (void)itm_fuzz_db();
    return 0;
}

static int write_all(int fd, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n <= 0)
            return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

/* One pass over the capture, as main.c's run_files does it. Returns the capture end, or -1
 * when the capture did not open (then msg must name the input). */
static int one_pass(const char *path, struct itm_engine *e)
{
    struct itm_capture_cfg cfg;
    struct itm_capture *c;
    char msg[1024];
    int end;

    memset(&cfg, 0, sizeof(cfg));
    msg[0] = '\0';
    c = itm_capture_open_file(path, &cfg, msg, sizeof(msg));
    if (!c) {
        ITM_FUZZ_CHECK(strncmp(msg, path, strlen(path)) == 0 && strchr(msg, '\n') == NULL);
        return -1;
    }
    end = itm_capture_run(c, e, NULL, NULL, NULL, msg, sizeof(msg));
    ITM_FUZZ_CHECK(end == ITM_CAP_EOF || end == ITM_CAP_TRUNCATED || end == ITM_CAP_ERROR);
    itm_capture_close(c);
    return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct itm_engine *e;
    int fd, first;
    uint64_t packets;

    fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
    if (fd < 0)
        itm_fuzz_fail("memfd_create");
    if (write_all(fd, data, size) != 0)
        itm_fuzz_fail("write to memfd");
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    e = itm_fuzz_engine(1);
    /* first pass: observe only, as main.c runs seekable files; then the labelling pass */
    itm_engine_set_observe_only(e, 1);
    first = one_pass(path, e);
    packets = itm_engine_stats(e)->packets;
    itm_engine_end_pass(e);
    ITM_FUZZ_CHECK(itm_engine_stats(e)->packets == 0);
    if (first >= 0) {
        ITM_FUZZ_CHECK(one_pass(path, e) == first);
        /* the same bytes read twice give the same frames */
        ITM_FUZZ_CHECK(itm_engine_stats(e)->packets == packets);
    }
    ITM_FUZZ_CHECK(itm_engine_finish(e, ITM_END_EOF) == 0);
    itm_engine_free(e);
    close(fd);
    return 0;
}
