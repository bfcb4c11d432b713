/* out-file.h: how every file-writing output plug-in opens and closes its file, so that "-",
 * error messages and write-error detection behave the same in all of them. */
#ifndef ITMSCOPE_OUT_FILE_H
#define ITMSCOPE_OUT_FILE_H

#include <stdio.h>

/* Opens arg for writing ("-" is stdout, *is_stdout set) with a 64 KiB buffer. On failure
 * prints "itmscope: ARG: reason" to stderr and returns NULL. */
FILE *itm_out_fopen(const char *arg, const char *mode, int *is_stdout);
/* Flushes, then closes unless it is stdout. failed: the plug-in already saw a short write.
 * Returns 0 or ITM_ERR_IO. */
int itm_out_fclose(FILE *f, int is_stdout, int failed);

#endif
