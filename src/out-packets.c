/* out-packets.c: one line per packet on stdout, tcpdump-like (UTC time, endpoints as sent,
 * protocol, TCP flags, frame length), then the label its flow has at that packet. It reads
 * only the decoded summary and the flow snapshot, never packet bytes. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out-file.h"
#include "report-int.h"

struct itm_output {
    FILE *f;
    int failed;
    const struct itm_output_ctx *ctx;
};

/* "[S.]" as tcpdump spells TCP flags; "." alone is a bare ACK. */
static char *tcp_flags(uint8_t fl, char *buf, size_t len)
{
    static const struct {
        uint8_t bit;
        char c;
    } map[] = {{ITM_TCP_SYN, 'S'}, {ITM_TCP_FIN, 'F'}, {ITM_TCP_RST, 'R'},
               {ITM_TCP_PSH, 'P'}, {ITM_TCP_URG, 'U'}, {0x40, 'E'}, {0x80, 'W'},
               {ITM_TCP_ACK, '.'}};
    size_t o = 0;

    buf[o++] = '[';
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]) && o + 2 < len; i++)
        if (fl & map[i].bit)
            buf[o++] = map[i].c;
    if (o == 1) {
        snprintf(buf, len, "[none]");
        return buf;
    }
    buf[o++] = ']';
    buf[o] = '\0';
    return buf;
}

static void endpoint(const struct itm_ip *ip, int ports, uint16_t port, char *buf, size_t len)
{
    char a[64];

    itm_ip_format(ip, a, sizeof(a));
    if (ports)
        snprintf(buf, len, "%s.%u", a, port);
    else
        snprintf(buf, len, "%s", a);
}

static void put_l4(FILE *f, const struct itm_pkt *p)
{
    char fl[16];

    switch (p->proto) {
    case 6:
        fprintf(f, "tcp %s", p->has_l4 ? tcp_flags(p->tcp_flags, fl, sizeof(fl)) : "[?]");
        break;
    case 17:
        fputs("udp", f);
        break;
    case 1:
    case 58:
        fprintf(f, "%s type %u code %u", p->proto == 1 ? "icmp" : "icmp6", p->icmp_type,
                p->icmp_code);
        break;
    case 2:
        fprintf(f, "igmp type 0x%02x", p->igmp_type);
        break;
    default:
        fprintf(f, "ip-%u", p->proto);
        break;
    }
    if (p->is_frag)
        fprintf(f, " frag@%u%s", p->frag_off, p->frag_more ? "+" : "");
}

static void put_label(struct itm_output *o, const struct itm_flow_rec *rec)
{
    const struct itm_sigdb *db = o->ctx->db;
    const struct itm_rule *r = NULL;
    char fl[200];

    if (!rec) {
        fputs(" | no flow\n", o->f);
        return;
    }
    if (rec->label.rule != ITM_NO_RULE && db)
        r = itm_sigdb_rule(db, rec->label.rule);
    fprintf(o->f, " | #%llu %s", (unsigned long long)rec->id, r ? r->id : "no-rule");
    if (r)
        fprintf(o->f, " (%s)", r->component);
    if (rec->label.flags)
        fprintf(o->f, " !%s", itm_fmt_flags(rec->label.flags, fl, sizeof(fl)));
    fputc('\n', o->f);
}

static void packets_packet(struct itm_output *o, const struct itm_out_pkt *op)
{
    const struct itm_pkt *p = op->pkt;
    time_t sec = (time_t)(p->ts_ns / 1000000000u);
    int ports = p->proto == 6 || p->proto == 17;
    char src[80], dst[80];
    struct tm tm;

    if (!gmtime_r(&sec, &tm))
        memset(&tm, 0, sizeof(tm));
    fprintf(o->f, "%02d:%02d:%02d.%06u ", tm.tm_hour, tm.tm_min, tm.tm_sec,
            (unsigned)(p->ts_ns % 1000000000u / 1000u));
    if (p->ip_ver == 0) {
        fprintf(o->f, "%s %s, len %u", itm_decode_status_name((enum itm_decode_status)p->status),
                itm_decode_reason_name((enum itm_decode_reason)p->reason), p->wirelen);
        put_label(o, op->flow);
        return;
    }
    endpoint(&p->src, ports && p->has_l4, p->sport, src, sizeof(src));
    endpoint(&p->dst, ports && p->has_l4, p->dport, dst, sizeof(dst));
    fprintf(o->f, "IP%s %s > %s: ", p->ip_ver == 6 ? "6" : "", src, dst);
    put_l4(o->f, p);
    fprintf(o->f, ", len %u", p->wirelen);
    if (p->status != ITM_DEC_OK)
        fprintf(o->f, " (%s %s)", itm_decode_status_name((enum itm_decode_status)p->status),
                itm_decode_reason_name((enum itm_decode_reason)p->reason));
    put_label(o, op->flow);
}

static int packets_open(struct itm_output **out, const char *arg,
                        const struct itm_output_ctx *ctx)
{
    struct itm_output *o = itm_calloc(1, sizeof(*o));

    (void)arg;
    if (!o) {
        fprintf(stderr, "itmscope: --packets: out of memory\n");
        return ITM_ERR_NOMEM;
    }
    o->f = stdout;
    o->ctx = ctx;
    /* someone watching a terminal wants each packet as it comes */
    if (isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOLBF, 0);
    *out = o;
    return ITM_OK;
}

static void packets_flow(struct itm_output *o, const struct itm_flow_rec *rec)
{
    (void)o;
    (void)rec;
}

static void packets_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns,
                          int final)
{
    (void)st;
    (void)ts_ns;
    (void)final;
    if (fflush(o->f) != 0)
        o->failed = 1;
}

static int packets_close(struct itm_output *o)
{
    int rc = itm_out_fclose(o->f, 1, o->failed, NULL); /* stdout: flushed, not closed */

    itm_free(o);
    return rc;
}

const struct itm_output_ops itm_out_packets = {
    .name = "packets",
    .open = packets_open,
    .packet = packets_packet,
    .flow = packets_flow,
    .alert = NULL,
    .stats = packets_stats,
    .close = packets_close,
};
