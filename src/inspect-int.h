/* inspect-int.h: the private contract between the inspect dispatcher and the per-protocol
 * inspectors, plus the helpers they share. Nothing here allocates or keeps state, and no
 * file outside src/inspect*.c includes it. */
#ifndef ITMSCOPE_INSPECT_INT_H
#define ITMSCOPE_INSPECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "itmscope/inspect.h"

/* Each inspector returns an enum itm_verdict and fills details into r, which the caller has
 * zeroed; details may be partly filled on UNKNOWN. p is never NULL (the dispatcher answers
 * for empty payloads), len may be anything. */
int itm_inspect_tftp(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_dhcp(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_snmp(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_wol(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_http(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_tls(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_smb(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_nbns(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_ssh(const uint8_t *p, size_t len, struct itm_inspect_result *r);
int itm_inspect_dns(const uint8_t *p, size_t len, struct itm_inspect_result *r);
/* The DNS check identify uses on any port: one question whose name looks like a host name
 * (and not like a NetBIOS-encoded one), standard query opcode. */
int itm_inspect_dns_strict(const uint8_t *p, size_t len, struct itm_inspect_result *r);

/* The verdict for running out of bytes: UNKNOWN where the window being read may have been
 * cut by snaplen, MISMATCH where its declared end lies inside the payload. */
static inline int itm_inspect_cut(int truncated)
{
    return truncated ? ITM_V_UNKNOWN : ITM_V_MISMATCH;
}

/* Narrows c to the next n bytes (a declared length) as *sub. Fails (-1) when n reaches past
 * a window that is known whole; past a possibly-cut one, *sub_trunc is set instead. */
int itm_inspect_narrow(struct itm_cur *c, int trunc, size_t n, struct itm_cur *sub,
                       int *sub_trunc);

/* Copies n bytes into dst (size bytes, size > 0) as printable ASCII, others as '.',
 * truncated to fit and always NUL-terminated. */
void itm_inspect_text(char *dst, size_t size, const uint8_t *src, size_t n);
/* Appends the same way at dst[at] (at < size); returns the new string length. */
size_t itm_inspect_text_append(char *dst, size_t size, size_t at, const uint8_t *src,
                               size_t n);

/* 1 when the n bytes at p are a prefix of lit ignoring ASCII case (n <= strlen(lit)). */
int itm_inspect_iprefix(const uint8_t *p, size_t n, const char *lit);
/* 1 when p (len bytes) starts with all of lit, ignoring ASCII case. */
int itm_inspect_istarts(const uint8_t *p, size_t len, const char *lit);

/* NetBIOS first-level encoding (RFC 1001 14.1): 32 bytes 'A'..'P' carry 16 name bytes. */
#define ITM_NB_ENC_LEN 32
/* 1 when the n bytes at p are all 'A'..'P'. */
int itm_inspect_nb_valid(const uint8_t *p, size_t n);
/* Decodes the 2*k valid bytes at enc (k <= 16): the first 15 name bytes go to dst trimmed of
 * trailing spaces and NULs, the 16th (the suffix) is returned, or -1 when not reached. */
int itm_inspect_nb_decode(const uint8_t *enc, size_t n, char *dst, size_t size);

#endif
