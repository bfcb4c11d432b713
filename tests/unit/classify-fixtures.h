/* classify-fixtures.h: helpers of the classifier tests: the shipped signature database with a
 * site, flows as the flow table hands them over, the engine's events on them, and the payloads
 * both test files send. */
#ifndef ITMSCOPE_CLASSIFY_FIXTURES_H
#define ITMSCOPE_CLASSIFY_FIXTURES_H

#include <stdint.h>
#include <string.h>

#include "itmscope/classify.h"

#define SIG ITM_SRCDIR "/signatures/itms.sig"
#define SEC UINT64_C(1000000000)
#define T0 (UINT64_C(1700000000) * SEC)

static const char base_site[] = "[roles]\n"
                                "10.1.0.10 notification-server\n"
                                "10.1.0.20 task-server\n"
                                "10.1.0.30 package-server\n"
                                "10.1.0.40 deployment-server\n"
                                "10.1.0.50 dns-server\n"
                                "10.1.16.0/20 agent\n"
                                "10.1.16.25 agent console\n"
                                "10.1.32.0/24 ulm-agent\n";

struct fx {
    struct itm_sigdb *db;
    struct itm_site *site;
    struct itm_classifier *c;
};

static struct itm_ip ip(const char *s)
{
    struct itm_ip a;
    assert_int_equal(itm_ip_parse(s, &a), 0);
    return a;
}

static void fx_open_lim(struct fx *f, const char *site_text, const struct itm_classify_limits *lim)
{
    struct itm_diag d = {itm_diag_stderr, NULL, 0};
    int err = 0;

    memset(f, 0, sizeof(*f));
    f->db = itm_sigdb_load_file(SIG, &d, &err);
    assert_non_null(f->db);
    if (site_text) {
        f->site = itm_site_load_mem("test.site", site_text, strlen(site_text), &d, &err);
        assert_non_null(f->site);
        assert_int_equal(itm_site_apply_moves(f->site, f->db, &d), 0);
    }
    f->c = itm_classifier_new(f->db, f->site, lim, &err);
    assert_non_null(f->c);
    assert_int_equal(err, 0);
}

static void fx_open(struct fx *f, const char *site_text)
{
    fx_open_lim(f, site_text, NULL);
}

static void fx_close(struct fx *f)
{
    itm_classifier_free(f->c);
    itm_site_free(f->site);
    itm_sigdb_free(f->db);
}

/* A flow as the flow table hands it over: TCP opened by a SYN, UDP by its first sender. */
static struct itm_flow_rec flow_at(uint64_t id, uint8_t proto, const char *c, uint16_t cp,
                                   const char *s, uint16_t sp, uint64_t t)
{
    struct itm_flow_rec r;

    memset(&r, 0, sizeof(r));
    r.id = id;
    r.client = ip(c);
    r.server = ip(s);
    r.client_port = cp;
    r.server_port = sp;
    r.ipproto = proto;
    r.orient = proto == 6 ? 0 : 2;
    r.tcp_state = proto == 6 ? ITM_TCPS_SYN : ITM_TCPS_NONE;
    r.pkts[ITM_DIR_TOSERVER] = 1;
    r.first_ns = r.last_ns = t;
    r.label.rule = ITM_NO_RULE;
    return r;
}

static struct itm_flow_rec flow(uint64_t id, uint8_t proto, const char *c, uint16_t cp,
                                const char *s, uint16_t sp)
{
    return flow_at(id, proto, c, cp, s, sp, T0 + id * SEC / 1000);
}

static void answer(struct itm_flow_rec *r)
{
    r->pkts[ITM_DIR_TOCLIENT] = 2;
    if (r->ipproto == 6)
        r->tcp_state = ITM_TCPS_ESTABLISHED;
}

static struct itm_pkt pkt_of(const struct itm_flow_rec *r, int dir, const void *pl, size_t n)
{
    struct itm_pkt p;

    memset(&p, 0, sizeof(p));
    p.ts_ns = r->last_ns;
    p.frame = pl;
    p.caplen = p.wirelen = (uint32_t)n;
    p.ip_ver = r->client.family;
    p.proto = r->ipproto;
    p.src = dir == ITM_DIR_TOSERVER ? r->client : r->server;
    p.dst = dir == ITM_DIR_TOSERVER ? r->server : r->client;
    p.sport = dir == ITM_DIR_TOSERVER ? r->client_port : r->server_port;
    p.dport = dir == ITM_DIR_TOSERVER ? r->server_port : r->client_port;
    p.has_l4 = 1;
    p.tcp_flags = ITM_TCP_ACK;
    p.payload_len = (uint32_t)n;
    return p;
}

static uint32_t ev_pkt(struct fx *f, struct itm_flow_rec *r, enum itm_classify_event e, int dir,
                       const struct itm_pkt *p)
{
    return itm_classify(f->c, r, e == ITM_CE_END ? NULL : p, e, dir, &r->label);
}

static uint32_t ev(struct fx *f, struct itm_flow_rec *r, enum itm_classify_event e, int dir,
                   const void *pl, size_t n)
{
    struct itm_pkt p = pkt_of(r, dir, pl, n);
    return ev_pkt(f, r, e, dir, &p);
}

/* NEW, REPLY when answered, the client's payload if any, END: what the engine does. */
static uint32_t life(struct fx *f, struct itm_flow_rec *r, int answered, const void *pl, size_t n)
{
    uint32_t raised = ev(f, r, ITM_CE_NEW, ITM_DIR_TOSERVER, NULL, 0);

    if (answered) {
        answer(r);
        raised |= ev(f, r, ITM_CE_REPLY, ITM_DIR_TOCLIENT, NULL, 0);
    }
    if (pl)
        raised |= ev(f, r, ITM_CE_PAYLOAD, ITM_DIR_TOSERVER, pl, n);
    raised |= ev(f, r, ITM_CE_END, ITM_DIR_TOSERVER, NULL, 0);
    assert_int_equal(raised, r->label.flags);
    return raised;
}

static const char *rid(const struct fx *f, uint16_t rule)
{
    return rule == ITM_NO_RULE ? "-" : itm_sigdb_rule(f->db, rule)->id;
}

#define RB(r) ITM_ROLE_BIT(ITM_ROLE_##r)

/* ---- payloads ---- */

static const char http_altiris[] = "GET /Altiris/NS/Agent/GetClientPolicies.aspx HTTP/1.1\r\n"
                                   "Host: ns\r\n\r\n";
static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.6\r\n";
static const char tftp_rrq[] = "\0\1pxelinux.0\0octet";

#endif
