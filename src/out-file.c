/* out-file.c: opening and closing output files for the plug-ins (see out-file.h). It
 * reports problems on stderr itself because plug-ins have no other channel at open time. */
#include <errno.h>
#include <string.h>

#include "itmscope/common.h"
#include "out-file.h"

/* ITM_OUT_BUFFER: glibc keeps its 4 KiB buffer when setvbuf is given a size without a
 * buffer, which made 150,000 write calls of the JSON of a million flows. */

FILE *itm_out_fopen(const char *arg, const char *mode, int own_buffer, int *is_stdout,
                    char **buf)
{
    FILE *f;

    *buf = NULL;
    *is_stdout = strcmp(arg, "-") == 0;
    if (*is_stdout)
        return stdout;
    f = fopen(arg, mode);
    if (!f) {
        fprintf(stderr, "itmscope: %s: %s\n", arg, strerror(errno));
        return NULL;
    }
    *buf = itm_malloc(ITM_OUT_BUFFER);
    if (*buf)
        setvbuf(f, own_buffer ? NULL : *buf, own_buffer ? _IONBF : _IOFBF, ITM_OUT_BUFFER);
    return f;
}

int itm_out_fclose(FILE *f, int is_stdout, int failed, char *buf)
{
    int rc = failed ? ITM_ERR_IO : ITM_OK;

    if (f) {
        if (fflush(f) != 0 || ferror(f))
            rc = ITM_ERR_IO;
        if (!is_stdout && fclose(f) != 0)
            rc = ITM_ERR_IO;
    }
    itm_free(buf);
    return rc;
}

void *itm_out_file_new(size_t size, const char *arg, const char *mode, int own_buffer,
                       int *rc)
{
    struct itm_out_file *o = itm_calloc(1, size);

    if (!o) {
        fprintf(stderr, "itmscope: %s: out of memory\n", arg);
        *rc = ITM_ERR_NOMEM;
        return NULL;
    }
    o->f = itm_out_fopen(arg, mode, own_buffer, &o->is_stdout, &o->buf);
    o->gather = own_buffer;
    if (!o->f) {
        itm_free(o);
        *rc = ITM_ERR_IO;
        return NULL;
    }
    *rc = ITM_OK;
    return o;
}

void itm_out_flush(struct itm_out_file *o)
{
    if (o->pending && (!o->f || fwrite(o->buf, 1, o->pending, o->f) != o->pending))
        o->failed = 1;
    o->pending = 0;
}

void itm_out_write(struct itm_out_file *o, const void *s, size_t n)
{
    const char *p = s;

    if (!o->gather || !o->buf) {
        if (!o->f || fwrite(p, 1, n, o->f) != n)
            o->failed = 1;
        return;
    }
    while (n > 0) {
        size_t k = ITM_OUT_BUFFER - o->pending;
        if (k > n)
            k = n;
        memcpy(o->buf + o->pending, p, k);
        o->pending += k;
        p += k;
        n -= k;
        if (o->pending == ITM_OUT_BUFFER)
            itm_out_flush(o);
    }
}

int itm_out_file_close(void *out)
{
    struct itm_out_file *o = out;
    int rc;

    itm_out_flush(o);
    rc = itm_out_fclose(o->f, o->is_stdout, o->failed, o->buf);

    itm_free(o);
    return rc;
}
