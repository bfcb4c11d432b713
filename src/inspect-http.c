/* inspect-http.c: HTTP/1.x check (RFC 9112 3 request line, 4 status line). Request: subtype
 * 1, text2 the method, text the target, ALTIRIS for /Altiris/ paths. Response: subtype 2,
 * RESPONSE, text2 the status code, text the reason. Never reads past the captured bytes. */
#include <string.h>

#include "inspect-int.h"

/* Longest method token accepted; the longest registered ones (e.g. BASELINE-CONTROL) fit. */
#define HTTP_METHOD_MAX 24
/* Servers commonly refuse request lines past 8 KiB; a longer run is not a request line. */
#define HTTP_TARGET_MAX 8192

static const char *const http_methods[] = {
    "GET",   "POST",  "PUT",         "HEAD",         "DELETE", "OPTIONS",
    "PATCH", "TRACE", "RPC_IN_DATA", "RPC_OUT_DATA", "CONNECT",
};

static const char http_version[] = "HTTP/1.";

static int method_char(uint8_t b)
{
    return (b >= 'A' && b <= 'Z') || b == '_' || b == '-';
}

static int known_method(const uint8_t *m, size_t n)
{
    for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
        if (strlen(http_methods[i]) == n && memcmp(m, http_methods[i], n) == 0)
            return 1;
    return 0;
}

/* "HTTP/1." DIGIT, then the end of the line (req) or a space (status line); how far the
 * len bytes at p agree: MATCH when all of it was seen. */
static int version_at(const uint8_t *p, size_t len, int req)
{
    size_t vl = sizeof(http_version) - 1;

    for (size_t i = 0; i < len && i < vl; i++)
        if (p[i] != (uint8_t)http_version[i])
            return ITM_V_MISMATCH;
    if (len <= vl)
        return ITM_V_UNKNOWN;
    if (p[vl] < '0' || p[vl] > '9')
        return ITM_V_MISMATCH;
    if (len == vl + 1)
        return req ? ITM_V_MATCH : ITM_V_UNKNOWN;
    if (req)
        return (p[vl + 1] == '\r' || p[vl + 1] == '\n') ? ITM_V_MATCH : ITM_V_MISMATCH;
    return p[vl + 1] == ' ' ? ITM_V_MATCH : ITM_V_MISMATCH;
}

/* The agent talks to /Altiris/... on the Notification Server; through a proxy the target
 * is in absolute form, http://host:port/Altiris/... */
static int altiris_path(const uint8_t *t, size_t n)
{
    size_t i = 0;

    if (itm_inspect_istarts(t, n, "http://"))
        i = 7;
    else if (itm_inspect_istarts(t, n, "https://"))
        i = 8;
    if (i > 0)
        while (i < n && t[i] != '/')
            i++;
    return itm_inspect_istarts(t + i, n - i, "/altiris/");
}

/* RFC 9112 3: method SP request-target SP HTTP-version CRLF. */
static int http_request(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t m = 0, t, e;

    while (m < len && m <= HTTP_METHOD_MAX && method_char(p[m]))
        m++;
    if (m > HTTP_METHOD_MAX)
        return ITM_V_MISMATCH;
    if (m == len)
        return ITM_V_UNKNOWN;
    if (m == 0 || p[m] != ' ')
        return ITM_V_MISMATCH;
    itm_inspect_text(r->text2, sizeof(r->text2), p, m);
    r->subtype = ITM_HTTP_REQUEST;
    t = m + 1;
    if (t == len)
        return ITM_V_UNKNOWN;
    /* Unknown tokens must look like origin-form requests to count at all. */
    if (!known_method(p, m) && p[t] != '/')
        return ITM_V_MISMATCH;
    for (e = t; e < len && p[e] != ' '; e++)
        if (p[e] < 0x21 || p[e] == 0x7f || e - t >= HTTP_TARGET_MAX)
            return ITM_V_MISMATCH;
    if (e == t)
        return ITM_V_MISMATCH;
    itm_inspect_text(r->text, sizeof(r->text), p + t, e - t);
    if (altiris_path(p + t, e - t))
        r->flags |= ITM_ID_ALTIRIS;
    if (e == len)
        return ITM_V_UNKNOWN;
    return version_at(p + e + 1, len - e - 1, 1);
}

/* RFC 9112 4: HTTP-version SP 3DIGIT SP [reason-phrase] CRLF. */
static int http_status(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t s = sizeof(http_version) + 1, e; /* "HTTP/1.x " */
    int v = version_at(p, len, 0);

    if (v != ITM_V_MATCH)
        return v;
    r->subtype = ITM_HTTP_RESPONSE;
    r->flags |= ITM_ID_RESPONSE;
    for (size_t i = 0; i < 3 && s + i < len; i++)
        if (p[s + i] < (i == 0 ? '1' : '0') || p[s + i] > (i == 0 ? '5' : '9'))
            return ITM_V_MISMATCH;
    if (len < s + 3)
        return ITM_V_UNKNOWN;
    itm_inspect_text(r->text2, sizeof(r->text2), p + s, 3);
    if (len == s + 3)
        return ITM_V_MATCH;
    if (p[s + 3] == '\r' || p[s + 3] == '\n')
        return ITM_V_MATCH;
    if (p[s + 3] != ' ')
        return ITM_V_MISMATCH;
    for (e = s + 4; e < len && p[e] != '\r' && p[e] != '\n'; e++)
        ;
    itm_inspect_text(r->text, sizeof(r->text), p + s + 4, e - s - 4);
    return ITM_V_MATCH;
}

int itm_inspect_http(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t n = len < 5 ? len : 5;

    /* "H", "HT", ... could still become either a HEAD request or a status line. */
    if (memcmp(p, "HTTP/", n) == 0)
        return n < 5 ? ITM_V_UNKNOWN : http_status(p, len, r);
    return http_request(p, len, r);
}
