/* common.h: error codes, host roles, protocol bits and diagnostics shared by every module.
 * Nothing here allocates or touches global state except the allocator hook, which tests
 * use to make allocations fail. */
#ifndef ITMSCOPE_COMMON_H
#define ITMSCOPE_COMMON_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Library functions return 0 or one of these (negative). Only main.c exits. */
enum itm_err {
    ITM_OK = 0,
    ITM_ERR_NOMEM = -1,       /* an allocation failed */
    ITM_ERR_IO = -2,          /* a file could not be opened or read */
    ITM_ERR_PARSE = -3,       /* a text file had errors (each already reported) */
    ITM_ERR_INVAL = -4,       /* a bad argument */
    ITM_ERR_UNSUPPORTED = -5, /* e.g. an unsupported link type */
    ITM_ERR_FULL = -6,        /* a bounded table is full */
    ITM_ERR_NOTFOUND = -7,
};

/* Returns a static string for an itm_err value ("out of memory", ...). */
const char *itm_err_str(int err);

/* IP protocol bits used by signature rules. */
enum itm_proto_bit {
    ITM_P_TCP = 1u << 0,
    ITM_P_UDP = 1u << 1,
    ITM_P_ICMP = 1u << 2, /* ICMP and ICMPv6 */
    ITM_P_IGMP = 1u << 3,
};

/* Maps an IP protocol number (6, 17, 1, 58, 2) to its ITM_P_* bit, 0 for others. */
static inline unsigned itm_proto_bit(uint8_t ipproto)
{
    switch (ipproto) {
    case 6:
        return ITM_P_TCP;
    case 17:
        return ITM_P_UDP;
    case 1:
    case 58:
        return ITM_P_ICMP;
    case 2:
        return ITM_P_IGMP;
    default:
        return 0;
    }
}

/* Host roles. A host may hold several; sets are bitmasks of ITM_ROLE_BIT(role).
 * Names (itm_role_name) are what signature and site files use. */
enum itm_role {
    ITM_ROLE_NONE = 0,         /* "unknown" */
    ITM_ROLE_NS,               /* notification-server */
    ITM_ROLE_TASK_SERVER,      /* task-server */
    ITM_ROLE_PACKAGE_SERVER,   /* package-server */
    ITM_ROLE_GATEWAY,          /* internet-gateway */
    ITM_ROLE_DEPLOYMENT,       /* deployment-server (PXE/TFTP) */
    ITM_ROLE_EVENT_CONSOLE,    /* event-console */
    ITM_ROLE_SQL,              /* sql-server */
    ITM_ROLE_DC,               /* domain-controller */
    ITM_ROLE_MAIL,             /* mail-server */
    ITM_ROLE_MONITOR,          /* monitor-server (Monitor Solution / PPA host) */
    ITM_ROLE_WORKFLOW,         /* workflow-server */
    ITM_ROLE_NETDEV,           /* network-device (SNMP) */
    ITM_ROLE_AGENT,            /* agent: Symantec Management Agent for Windows */
    ITM_ROLE_ULM_AGENT,        /* ulm-agent: agent for Linux/Unix/Mac */
    ITM_ROLE_CONSOLE,          /* console: admin browser, remote console, iPad app */
    ITM_ROLE_SIM,              /* sim-host: Symantec Installation Manager */
    ITM_ROLE_DNS,              /* dns-server */
    ITM_ROLE_FILE_SERVER,      /* file-server (UNC package source) */
    ITM_ROLE_WINS,             /* wins-server */
    ITM_ROLE_VENDOR,           /* vendor-site (download site, Apple APNS) */
    ITM_ROLE_DATA_SOURCE,      /* data-source (Data Connector ODBC/OLEDB) */
    ITM_ROLE_MANAGED_DEVICE,   /* managed-device: AMT, BMC, ESX/vCenter, Hyper-V, storage */
    ITM_ROLE_MDM,              /* mdm-server */
    ITM_ROLE_PXE_CLIENT,       /* pxe-client: a preboot computer */
    ITM_ROLE_COUNT
};
#define ITM_ROLE_BIT(r) (UINT32_C(1) << (r))
/* Every role: "any" in a signature file. */
#define ITM_ROLE_ANY ((UINT32_C(1) << ITM_ROLE_COUNT) - 2u)

/* "notification-server" etc.; "unknown" for ITM_ROLE_NONE; NULL when out of range. */
const char *itm_role_name(enum itm_role role);
/* Returns the role for a name, or -1. "any" is not a role: callers handle it. */
int itm_role_parse(const char *name, size_t len);
/* Writes "a,b,c" (or "unknown" for 0) into buf; returns buf. */
char *itm_roles_format(uint32_t roles, char *buf, size_t len);

/* Diagnostics for text files (signatures, site). Every message is one line,
 * "file:line:col: message"; fn may be NULL (then messages are only counted). */
typedef void (*itm_diag_fn)(void *ctx, const char *line);
struct itm_diag {
    itm_diag_fn fn;
    void *ctx;
    unsigned errors;
};
/* Formats "file:line:col: message" and hands it to d->fn; counts one error. */
void itm_diag_report(struct itm_diag *d, const char *file, unsigned line, unsigned col,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* A ready-made fn that prints the line to stderr. */
void itm_diag_stderr(void *ctx, const char *line);

/* Every allocation of the library goes through these, so tests can inject failures.
 * itm_alloc_fail_after(n): the next n allocations succeed, the one after fails, and so on
 * (n < 0 turns injection off). */
void *itm_malloc(size_t n);
void *itm_calloc(size_t nmemb, size_t size);
void *itm_realloc(void *p, size_t n);
char *itm_strndup(const char *s, size_t n);
void itm_free(void *p);
void itm_alloc_fail_after(long n);

/* Large zero-filled blocks for tables that grow big (flow slabs): n bytes, a multiple of
 * ITM_HUGE_BLOCK, aligned to it, mapped from the system and marked for transparent huge
 * pages, so that a table of a million flows takes hundreds of page faults and TLB entries
 * rather than tens of thousands. Pages are touched lazily. Counts as an allocation for
 * itm_alloc_fail_after. Freed with itm_free_huge and the same n. */
#define ITM_HUGE_BLOCK ((size_t)2 << 20)
void *itm_alloc_huge(size_t n);
void itm_free_huge(void *p, size_t n);
/* An array of n zero-filled bytes that may grow large (a hash table's buckets or slots):
 * from itm_alloc_huge, rounded up to whole blocks, from ITM_HUGE_BLOCK on, else from
 * itm_calloc. Freed with itm_free_big and the same n. */
void *itm_calloc_big(size_t n);
void itm_free_big(void *p, size_t n);

/* CPUs this process may run on (taskset, cgroups' cpusets), else those online: a second
 * thread confined to the first's only CPU would take turns with it, not run beside it. */
long itm_cpus_allowed(void);
/* Starts fn(arg) on a thread of its own that takes no signal: signals are for the main
 * thread, whose handlers raise its flags (in a reader or a writer, one would cut a read or
 * a write short). pthread_create's result. */
int itm_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

/* A pool of fixed-size items for tables that hold many small records (hosts, scan
 * sources): items come from blocks of per_block, handed out in order, and come back to a
 * free list (linked through an item's first bytes once its owner let go of it), with no
 * allocator header per item. Everything goes at once with itm_pool_free. */
struct itm_pool {
    size_t size, per_block, used; /* used: items handed out of the newest block */
    void *blocks;                 /* newest first, linked through their first pointer */
    void *free;
};
void itm_pool_init(struct itm_pool *p, size_t size, size_t per_block);
/* A zeroed item, or NULL when out of memory. */
void *itm_pool_get(struct itm_pool *p);
void itm_pool_put(struct itm_pool *p, void *item);
void itm_pool_free(struct itm_pool *p);

/* A random key for one run (getrandom; a clock-derived key when no entropy is ready). */
void itm_hash_new_key(uint64_t key[2], const void *salt);

/* IP address of either family; v4 in a[0..3], the rest zero. */
struct itm_ip {
    uint8_t family; /* 4 or 6, 0 when unset */
    uint8_t a[16];
};
/* The address's text as inet_ntop writes it ("-" for an unset one), not terminated, into
 * out, which has room for ITM_IP_TEXT_MAX bytes (it may write past the text); returns the
 * text's length. About 40 instructions an IPv4 address, where inet_ntop takes 2,000. */
size_t itm_ip_text(const struct itm_ip *ip, char *out);
#define ITM_IP_TEXT_MAX 46 /* INET6_ADDRSTRLEN: the text is 39 characters at most */
/* The same text terminated in buf of len bytes; an empty string when it does not fit.
 * Returns buf. */
char *itm_ip_format(const struct itm_ip *ip, char *buf, size_t len);
/* Orders addresses for sorted listings: IPv4 before IPv6, then by bytes (numeric order).
 * <0, 0 or >0 as memcmp. */
int itm_ip_cmp(const struct itm_ip *a, const struct itm_ip *b);
/* 1 for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address. */
static inline int itm_ip_is_multicast(const struct itm_ip *ip)
{
    if (ip->family == 4)
        return (ip->a[0] & 0xf0) == 0xe0;
    return ip->family == 6 && ip->a[0] == 0xff;
}
/* Parses a literal v4 or v6 address; 0 on success. */
int itm_ip_parse(const char *s, struct itm_ip *out);

#endif
