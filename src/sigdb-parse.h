/* sigdb-parse.h: state shared by the signature file's reader (sigdb-parse.c: lines,
 * sections, rules, the finished database) and its key readers (sigdb-keys.c: one value at
 * a time, and the checks between keys). Only those two files include it. */
#ifndef ITMSCOPE_SIGDB_PARSE_H
#define ITMSCOPE_SIGDB_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "itmscope/sigdb.h"
#include "textlex.h"

enum sig_key_id {
    K_ID, K_SUITE, K_COMPONENT, K_PROTOS, K_PROTOS_EXTRA, K_ICMP_TYPE, K_PORTS, K_CLIENT,
    K_SERVER, K_SERVICES, K_CONFIGURABLE, K_NOTE, K_FLAGS, K_GROUP, K_FOLLOWS, K_CHECK, K_PATHS,
    K_COUNT
};

enum sig_str {
    S_ID, S_SUITE, S_COMPONENT, S_SERVICES, S_CONFIGURABLE, S_NOTE, S_FOLLOWS, S_PATHS, S_COUNT
};

#define SIG_NO_STR SIZE_MAX
#define SIG_ERR(p, ln, cl, ...) itm_lex_error(&(p)->lx, (ln), (cl), __VA_ARGS__)
#define SIG_ERR_AT(p, pos, ...) itm_lex_error(&(p)->lx, (pos).line, (pos).col, __VA_ARGS__)
#define KBIT(k) (UINT32_C(1) << (k))
#define SIG_REQUIRED                                                                           \
    (KBIT(K_ID) | KBIT(K_SUITE) | KBIT(K_COMPONENT) | KBIT(K_PROTOS) | KBIT(K_PORTS) |         \
     KBIT(K_CLIENT) | KBIT(K_SERVER))

struct sig_pos {
    unsigned line, col;
};

/* A rule while its file is read: strings are pool offsets because the pool still grows. */
struct sig_draft {
    struct itm_rule r;
    size_t str[S_COUNT];         /* SIG_NO_STR when unset */
    struct sig_pos at;           /* the [rule] header */
    struct sig_pos key[K_COUNT]; /* where each key was given */
    uint32_t seen, bad;          /* KBIT sets: keys given, keys whose value was rejected */
    unsigned dup_of;             /* line of the first rule with the same id, 0 if unique */
};

/* One value or list item, with the position of its first character. */
struct sig_val {
    const char *s;
    size_t len;
    unsigned line, col;
    int quoted;
};

struct sig_parser {
    struct itm_lex lx;
    struct sig_draft *drafts;
    size_t ndrafts, cap;
    char *pool; /* offset 0 holds "" */
    size_t plen, pcap;
    int in_rule;  /* keys fill drafts[ndrafts - 1] */
    int skipping; /* in an unknown section or past the rule limit: keys are ignored */
    int too_many;
    int nomem;
};


/* Adds len bytes of s and a NUL to the pool; the offset, or SIG_NO_STR (p->nomem set). */
size_t itm_sig_pool_add(struct sig_parser *p, const char *s, size_t len);

/* The key named s[0..len), or -1; and a key's name. */
int itm_sig_key_lookup(const char *s, size_t len);
const char *itm_sig_key_name(int k);
/* Reads the value of key k into draft d; -1 when it was rejected (reported). */
int itm_sig_set_value(struct sig_parser *p, struct sig_draft *d, int k, const struct sig_val *v);
/* The checks between the keys of a closed rule, each reported where it belongs. */
void itm_sig_rule_check(struct sig_parser *p, const struct sig_draft *d);

#endif
