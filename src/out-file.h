/* out-file.h: how every file-writing output plug-in opens and closes its file, so that "-",
 * error messages and write-error detection behave the same in all of them. */
#ifndef ITMSCOPE_OUT_FILE_H
#define ITMSCOPE_OUT_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Bytes an output file is written in. */
#define ITM_OUT_BUFFER (1u << 16)

/* Opens arg for writing ("-" is stdout, *is_stdout set) with a buffer of ITM_OUT_BUFFER
 * bytes, *buf (NULL for stdout, or when there is no memory for one: stdio's own then), to be
 * freed once the file is closed. Without own_buffer, *buf is the stream's buffer; with it,
 * the stream is unbuffered and *buf is the plug-in's to fill and write whole (stdio would
 * copy every byte once more). On failure prints "itmscope: ARG: reason" to stderr and
 * returns NULL. */
FILE *itm_out_fopen(const char *arg, const char *mode, int own_buffer, int *is_stdout,
                    char **buf);
/* Flushes, then closes unless it is stdout, then frees buf (itm_out_fopen's). failed: the
 * plug-in already saw a short write. Returns 0 or ITM_ERR_IO. */
int itm_out_fclose(FILE *f, int is_stdout, int failed, char *buf);

/* The file of a plug-in that writes one; the FIRST member of its struct itm_output, so that
 * the struct can be allocated, opened and closed by the two functions below. */
struct itm_out_file {
    FILE *f;
    char *buf;      /* f's buffer, or with gather the bytes gathered (itm_out_fopen) */
    size_t pending; /* bytes gathered in buf, not written yet */
    int gather;     /* opened with own_buffer: itm_out_write gathers into buf */
    int is_stdout;
    int failed; /* a short write was seen: close reports ITM_ERR_IO */
};

/* Allocates a zeroed plug-in struct of size bytes (a struct itm_out_file first) and opens
 * arg into it as itm_out_fopen does (own_buffer likewise). NULL on failure, *rc then
 * ITM_ERR_NOMEM or ITM_ERR_IO, the reason already printed as "itmscope: ARG: reason". */
void *itm_out_file_new(size_t size, const char *arg, const char *mode, int own_buffer,
                       int *rc);
/* Writes n bytes. Opened with own_buffer (and a buffer), they are gathered in buf and
 * written a whole buffer at a time (a line's fwrite cost about 200 instructions, stdio's
 * copy included); else, and on stdout (whose lines must stay in order with other outputs'),
 * through the stream. A short write sets failed. */
void itm_out_write(struct itm_out_file *o, const void *s, size_t n);
/* Writes what is gathered; before a close, a flush of the stream, or a rotation. */
void itm_out_flush(struct itm_out_file *o);
/* Closes the file of a struct from itm_out_file_new (as itm_out_fclose, after
 * itm_out_flush) and frees the struct; the plug-in frees what it owns first. Returns 0 or
 * ITM_ERR_IO. */
int itm_out_file_close(void *out);

#endif
