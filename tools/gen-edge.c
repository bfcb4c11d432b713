/* gen-edge.c: the "edge" scenario of itms-gen: IP fragments in and out of order, frames cut
 * by a snap length, QinQ, IPv6 extension headers, TCP port reuse and mid-stream starts, all
 * on ordinary ITMS flows. The only malformed-looking frames are the deliberately cut ones. */
#include <netinet/in.h>
#include <string.h>

#include "gen-site.h"

static void frags_v4(struct gen *g, const struct gen_site *s)
{
    static const unsigned first_last[] = {1, 2, 0};
    uint8_t b[4096];
    char descr[3300];
    struct gen_pkt p;
    uint32_t id = (uint32_t)gen_rand(g) & 0x7fffffff;
    uint16_t sport = gen_eport_win(g);
    size_t fid;

    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, H("ps"), sport, H("pgroup"), 52030, "ps-multicast-udp",
                       NULL, 0);
    gen_flow_note(g, fid, "one 3000-byte datagram in 3 IPv4 fragments, in order; pkts counts "
                          "frames");
    memset(&p, 0, sizeof(p));
    p.src = H("ps");
    p.dst = H("pgroup");
    p.proto = IPPROTO_UDP;
    p.sport = sport;
    p.dport = 52030;
    p.data = b;
    p.len = pl_itms_msg(g, b, sizeof(b), "PKG-MCAST-DATA", 2960);
    gen_emit_frags(g, fid, &p, 1480, NULL, 0);

    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    sport = gen_eport_win(g);
    fid = gen_flow_new(g, IPPROTO_UDP, H("ns"), sport, H("switch"), 161, "nd-snmp", "ppa-snmp",
                       0);
    gen_flow_note(g, fid, "SNMP get; the response is 3 IPv4 fragments sent 2nd, 3rd, then "
                          "1st (first fragment last); pkts counts frames");
    p.src = H("ns");
    p.dst = H("switch");
    p.sport = sport;
    p.dport = 161;
    p.len = pl_snmp(b, sizeof(b), 0xa0, id, "public", NULL);
    gen_emit(g, fid, &p);
    gen_wait(g, 1 * GEN_MS, 3 * GEN_MS);
    memset(descr, 'x', sizeof(descr) - 1);
    memcpy(descr, "Access switch, full inventory ", 30);
    descr[sizeof(descr) - 1] = 0;
    p.src = H("switch");
    p.dst = H("ns");
    p.sport = 161;
    p.dport = sport;
    p.len = pl_snmp(b, sizeof(b), 0xa2, id, "public", descr);
    gen_emit_frags(g, fid, &p, 1480, first_last, 3);
}

static void frags_v6(struct gen *g, const struct gen_site *s)
{
    static const unsigned first_last[] = {1, 2, 0};
    uint8_t b[3000];
    struct gen_pkt p;
    uint16_t sport = gen_eport_win(g);
    size_t fid;

    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, H("w1v6"), sport, H("w2v6"), 56118, "win-p2p", NULL, 0);
    gen_flow_note(g, fid, "one 2600-byte datagram in 3 IPv6 fragments (fragment header), "
                          "first fragment last; pkts counts frames");
    memset(&p, 0, sizeof(p));
    p.src = H("w1v6");
    p.dst = H("w2v6");
    p.proto = IPPROTO_UDP;
    p.sport = sport;
    p.dport = 56118;
    p.data = b;
    p.len = pl_itms_msg(g, b, sizeof(b), "P2P-DATA", 2560);
    gen_emit_frags(g, fid, &p, 1232, first_last, 3);
}

/* A download captured with a 96-byte snap length, plus one frame cut inside its TCP
 * header: that frame cannot be tied to the flow and is left out of its packet count. */
static void truncated(struct gen *g, const struct gen_site *s)
{
    char req[1024], resp[8192];
    struct gen_tcp t;
    uint16_t cport = gen_eport_win(g);
    size_t fid, nq, nr;

    nq = pl_http_req(req, sizeof(req), "GET", "/Altiris/PS/Share/{4f6c9d1e}/cache/setup.msi",
                     "ps01.itms.example", UA_AGENT, 0);
    nr = pl_http_resp(resp, sizeof(resp), "application/octet-stream", 6000);
    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("w3"), cport, H("ps"), 80, "ps-http", NULL, 0);
    gen_flow_note(g, fid, "captured with snaplen 96: data frames have caplen < len; one more "
                          "frame of this connection is cut at 44 bytes (inside the TCP header) "
                          "and is not counted in pkts");
    gen_tcp_init(&t, g, fid, H("w3"), cport, H("ps"), 80);
    t.snap = 96;
    gen_tcp_open(&t);
    gen_tcp_send(&t, GEN_C2S, (const uint8_t *)req, nq);
    gen_tcp_send(&t, GEN_S2C, (const uint8_t *)resp, nr);
    t.fid = GEN_NOFLOW;
    gen_tcp_seg(&t, GEN_C2S, TH_ACK, NULL, 0, 14 + 20 + 10);
    t.fid = fid;
    gen_wait(g, 1 * GEN_MS, 5 * GEN_MS);
    gen_tcp_close(&t, GEN_C2S);
}

static void qinq(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("q1"), H("ns"), 443, "agent-policy",
                                "agent-initial,cta-ts-list,win-ns-web,win-agent-out");

    cv.note = "QinQ: outer 802.1ad tag 300 (0x88a8), inner 802.1Q tag 120";
    gen_tls(g, &cv, "ns01.itms.example", 1400, 700);
    cv = gen_cv(H("ns"), H("q1"), 52028, "win-tickle-udp", NULL);
    cv.note = "QinQ: outer 802.1ad tag 300 (0x88a8), inner 802.1Q tag 120";
    gen_udp_msg(g, &cv, "TICKLE", 48, 0);
}

static void v6_ext_tcp(struct gen *g, const struct gen_host *c, const struct gen_host *sv,
                       uint16_t port, uint8_t ext, const char *note)
{
    char req[4096], resp[4096];
    struct gen_tcp t;
    uint16_t cport = gen_eport(g, c);
    size_t fid, nq, nr;

    nq = pl_http_req(req, sizeof(req), "POST", "/Altiris/NS/Agent/PostEvent.asp",
                     "ns01.itms.example", c->unixlike ? UA_ULM : UA_AGENT, 900);
    nr = pl_http_resp(resp, sizeof(resp), "text/xml; charset=utf-8", 120);
    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, c, cport, sv, port,
                       c->unixlike ? "ulm-agent-ns" : "agent-policy",
                       c->unixlike ? "ulm-ns-web"
                                   : "agent-initial,cta-ts-list,win-ns-web,win-agent-out",
                       0);
    gen_flow_note(g, fid, "%s", note);
    gen_tcp_init(&t, g, fid, c, cport, sv, port);
    t.ext = ext;
    gen_tcp_open(&t);
    gen_tcp_send(&t, GEN_C2S, (const uint8_t *)req, nq);
    gen_tcp_send(&t, GEN_S2C, (const uint8_t *)resp, nr);
    gen_tcp_close(&t, GEN_C2S);
}

static void v6_ext(struct gen *g, const struct gen_site *s)
{
    uint8_t b[256];
    struct gen_pkt p;
    uint16_t sport = gen_eport_win(g);
    size_t fid;

    v6_ext_tcp(g, H("w2v6"), H("ns6"), 80, GEN_X_DST,
               "every packet carries an IPv6 destination options header");
    v6_ext_tcp(g, H("u1v6"), H("ns6"), 80, GEN_X_HBH,
               "every packet carries an IPv6 hop-by-hop header (router alert)");
    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_UDP, H("ns6"), sport, H("w1v6"), 52028, "win-tickle-udp",
                       NULL, 0);
    gen_flow_note(g, fid, "extension chain hop-by-hop, fragment (atomic), destination "
                          "options, then UDP");
    memset(&p, 0, sizeof(p));
    p.src = H("ns6");
    p.dst = H("w1v6");
    p.proto = IPPROTO_UDP;
    p.sport = sport;
    p.dport = 52028;
    p.ext = GEN_X_HBH | GEN_X_FRAG | GEN_X_DST;
    p.data = b;
    p.len = pl_itms_msg(g, b, sizeof(b), "TICKLE", 48);
    gen_emit(g, fid, &p);
}

static void port_reuse(struct gen *g, const struct gen_site *s)
{
    struct gen_conv cv = gen_cv(H("w4"), H("ns"), 80, "agent-policy",
                                "agent-initial,cta-ts-list,win-ns-web,win-agent-out");

    cv.cport = 50000;
    cv.note = "first of two connections on the same 4-tuple";
    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/PostEvent.asp", "ns01.itms.example", UA_AGENT,
             700, 120);
    gen_wait(g, 2000 * GEN_MS, 2000 * GEN_MS);
    cv.note = "second connection: same 4-tuple reused about 2 s after the first closed "
              "(new SYN, new sequence numbers)";
    gen_http(g, &cv, "POST", "/Altiris/NS/Agent/PostEvent.asp", "ns01.itms.example", UA_AGENT,
             800, 120);
}

static void midstream(struct gen *g, const struct gen_site *s)
{
    uint8_t b[4096];
    struct gen_tcp t;
    uint16_t cport = gen_eport_win(g);
    size_t fid, n;

    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("w5"), cport, H("ns"), 443, "agent-policy",
                       "agent-initial,cta-ts-list,win-ns-web,win-agent-out", 0);
    gen_flow_note(g, fid, "mid-stream: no handshake in the capture; first packet is client "
                          "TLS application data");
    gen_tcp_init(&t, g, fid, H("w5"), cport, H("ns"), 443);
    gen_tcp_send(&t, GEN_C2S, b, pl_tls_appdata(g, b, sizeof(b), 300));
    gen_tcp_send(&t, GEN_S2C, b, pl_tls_appdata(g, b, sizeof(b), 1200));
    gen_tcp_close(&t, GEN_C2S);

    cport = gen_eport_win(g);
    gen_wait(g, 20 * GEN_MS, 200 * GEN_MS);
    fid = gen_flow_new(g, IPPROTO_TCP, H("w6"), cport, H("ns"), 80, "agent-policy",
                       "agent-initial,cta-ts-list,win-ns-web,win-agent-out", 0);
    gen_flow_note(g, fid, "mid-stream, server first: the first packet is the NS's data from "
                          "port 80; the client is the agent by the listening port, not by "
                          "first sender");
    gen_tcp_init(&t, g, fid, H("w6"), cport, H("ns"), 80);
    memset(b, 'A', 2000);
    gen_tcp_send(&t, GEN_S2C, b, 2000);
    n = pl_http_req((char *)b, sizeof(b), "GET", "/Altiris/NS/Agent/GetClientPolicies.aspx",
                    "ns01.itms.example", UA_AGENT, 0);
    gen_tcp_send(&t, GEN_C2S, b, n);
    gen_tcp_send(&t, GEN_S2C, b, pl_http_resp((char *)b, sizeof(b), "text/xml", 800));
    gen_tcp_close(&t, GEN_C2S);
}

int gen_scenario_edge(struct gen *g, FILE *site_out)
{
    void (*const steps[])(struct gen *, const struct gen_site *) = {
        frags_v4, frags_v6, truncated, qinq, v6_ext, port_reuse, midstream,
    };
    struct gen_site *s = gen_site_new(g);
    struct gen_host *q1;

    if (!s)
        return -1;
    q1 = gen_site_add(s, "q1", "10.1.6.21", GR_BIT(GR_AGENT));
    if (!q1) {
        gen_site_free(s);
        gen_fail(g, "site table full");
        return -1;
    }
    gen_host_vlan(q1, 300, 120);
    if (site_out)
        gen_site_write(site_out, "itms-gen edge: decoder and flow-table edge cases",
                       "10.1.6.0/24         agent                 # QinQ 300/120\n", NULL);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !g->failed; i++)
        steps[i](g, s);
    gen_site_free(s);
    return g->failed ? -1 : 0;
}
