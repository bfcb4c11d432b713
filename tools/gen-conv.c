/* gen-conv.c: whole conversations of itms-gen (TCP request/reply, HTTP, TLS, opaque ITMS
 * messages, UDP request/reply, ICMP echo), each one truth-table flow after an idle gap.
 * Conversations only combine payload builders and the TCP machinery; no frame bytes here. */
#include <netinet/in.h>
#include <string.h>

#include "gen.h"

struct gen_conv gen_cv(const struct gen_host *c, const struct gen_host *s, uint16_t port,
                       const char *rule, const char *alt)
{
    struct gen_conv cv;
    memset(&cv, 0, sizeof(cv));
    cv.c = c;
    cv.s = s;
    cv.port = port;
    cv.rule = rule;
    cv.alt = alt;
    return cv;
}

static size_t conv_flow(struct gen *g, const struct gen_conv *cv, uint8_t proto, uint16_t *cport)
{
    size_t fid;

    *cport = cv->cport ? cv->cport : gen_eport(g, cv->c);
    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, proto, cv->c, *cport, cv->s, cv->port, cv->rule, cv->alt, cv->flags);
    if (cv->note)
        gen_flow_note(g, fid, "%s", cv->note);
    return fid;
}

size_t gen_tcp_conv(struct gen *g, const struct gen_conv *cv, const void *req, size_t reqlen,
                    const void *resp, size_t resplen)
{
    struct gen_tcp t;
    uint16_t cport;
    size_t fid = conv_flow(g, cv, IPPROTO_TCP, &cport);

    gen_tcp_init(&t, g, fid, cv->c, cport, cv->s, cv->port);
    gen_tcp_open(&t);
    if (reqlen)
        gen_tcp_send(&t, GEN_C2S, req, reqlen);
    if (resplen) {
        gen_wait(g, 100 * GEN_US, 8 * GEN_MS);
        gen_tcp_send(&t, GEN_S2C, resp, resplen);
    }
    gen_tcp_close(&t, GEN_C2S);
    return fid;
}

size_t gen_udp_conv(struct gen *g, const struct gen_conv *cv, const void *req, size_t reqlen,
                    const void *resp, size_t resplen)
{
    struct gen_pkt p;
    uint16_t cport;
    size_t fid = conv_flow(g, cv, IPPROTO_UDP, &cport);

    memset(&p, 0, sizeof(p));
    p.src = cv->c;
    p.dst = cv->s;
    p.proto = IPPROTO_UDP;
    p.sport = cport;
    p.dport = cv->port;
    p.data = req;
    p.len = reqlen;
    gen_emit(g, fid, &p);
    if (resp) {
        gen_wait(g, 200 * GEN_US, 3 * GEN_MS);
        p.src = cv->s;
        p.dst = cv->c;
        p.sport = cv->port;
        p.dport = cport;
        p.data = resp;
        p.len = resplen;
        gen_emit(g, fid, &p);
    }
    return fid;
}

size_t gen_ping(struct gen *g, const struct gen_host *c, const struct gen_host *s,
                const char *rule, unsigned count)
{
    static const uint8_t pad[] = "abcdefghijklmnopqrstuvwabcdefghi"; /* Windows ping data */
    uint16_t id = (uint16_t)gen_range(g, 1, 0xffff);
    uint8_t proto = c->ip.fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    struct gen_pkt p;
    size_t fid;

    gen_wait(g, 2 * GEN_MS, 300 * GEN_MS);
    fid = gen_flow_new(g, proto, c, id, s, id, rule, NULL, 0);
    memset(&p, 0, sizeof(p));
    p.proto = proto;
    p.sport = id;
    p.data = pad;
    p.len = sizeof(pad) - 1;
    for (unsigned i = 1; i <= count && !g->failed; i++) {
        p.src = c;
        p.dst = s;
        p.dport = (uint16_t)i;
        p.icmp_type = proto == IPPROTO_ICMP ? 8 : 128;
        gen_emit(g, fid, &p);
        gen_wait(g, 300 * GEN_US, 2 * GEN_MS);
        p.src = s;
        p.dst = c;
        p.icmp_type = proto == IPPROTO_ICMP ? 0 : 129;
        gen_emit(g, fid, &p);
        gen_wait(g, 900 * GEN_MS, 1100 * GEN_MS);
    }
    gen_flow_note(g, fid, "echo request/reply x%u, id %u", count, id);
    return fid;
}

size_t gen_http(struct gen *g, const struct gen_conv *cv, const char *method, const char *path,
                const char *host, const char *ua, size_t reqbody, size_t respbody)
{
    char req[8192], resp[16384];
    size_t rq = pl_http_req(req, sizeof(req), method, path, host, ua, reqbody);
    size_t rs = pl_http_resp(resp, sizeof(resp), "text/xml; charset=utf-8", respbody);
    return gen_tcp_conv(g, cv, req, rq, resp, rs);
}

size_t gen_tls(struct gen *g, const struct gen_conv *cv, const char *sni, size_t up,
               size_t down)
{
    uint8_t buf[16384];
    struct gen_tcp t;
    uint16_t cport;
    size_t fid = conv_flow(g, cv, IPPROTO_TCP, &cport);

    gen_tcp_init(&t, g, fid, cv->c, cport, cv->s, cv->port);
    gen_tcp_open(&t);
    gen_tcp_send(&t, GEN_C2S, buf, pl_tls_client_hello(g, buf, sizeof(buf), sni));
    gen_tcp_send(&t, GEN_S2C, buf, pl_tls_server_hello(g, buf, sizeof(buf)));
    gen_tcp_send(&t, GEN_C2S, buf, pl_tls_finish(g, buf, sizeof(buf), 1));
    gen_tcp_send(&t, GEN_S2C, buf, pl_tls_finish(g, buf, sizeof(buf), 0));
    if (up)
        gen_tcp_send(&t, GEN_C2S, buf, pl_tls_appdata(g, buf, sizeof(buf), up));
    if (down) {
        gen_wait(g, 200 * GEN_US, 10 * GEN_MS);
        gen_tcp_send(&t, GEN_S2C, buf, pl_tls_appdata(g, buf, sizeof(buf), down));
    }
    gen_tcp_close(&t, GEN_C2S);
    return fid;
}

size_t gen_msg(struct gen *g, const struct gen_conv *cv, const char *kind, size_t up,
               size_t down)
{
    uint8_t req[4096], resp[4096];
    size_t rq = pl_itms_msg(g, req, sizeof(req), kind, up);
    size_t rs = down ? pl_itms_msg(g, resp, sizeof(resp), "ACK", down) : 0;
    return gen_tcp_conv(g, cv, req, rq, resp, rs);
}

size_t gen_udp_msg(struct gen *g, const struct gen_conv *cv, const char *kind, size_t up,
                   size_t down)
{
    uint8_t req[4096], resp[4096];
    size_t rq = pl_itms_msg(g, req, sizeof(req), kind, up);
    size_t rs = down ? pl_itms_msg(g, resp, sizeof(resp), "ACK", down) : 0;
    return gen_udp_conv(g, cv, req, rq, down ? resp : NULL, rs);
}

/* SMB2 NEGOTIATE request and response. Built one after the other: both draw GUIDs from
 * the PRNG, and argument evaluation order would differ between compilers. */
size_t gen_smb(struct gen *g, const struct gen_conv *cv)
{
    uint8_t q[512], a[512];
    size_t nq = pl_smb2_negotiate(g, q, sizeof(q), 0);
    size_t na = pl_smb2_negotiate(g, a, sizeof(a), 1);
    return gen_tcp_conv(g, cv, q, nq, a, na);
}
