/* out-json.c: JSON Lines events (flow, alert, stats), named after Suricata's EVE so that
 * SIEM pipelines built for it ingest them. One line per event, written as it happens; the
 * schema is in README.md. It sees only const snapshots and never blocks the pipeline on
 * anything but its own file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itmscope/output.h"
#include "out-file.h"
#include "fasthash.h"
#include "jsonw.h"

/* The "itms", "roles" and "flags" members of a label that has no related flow, payload
 * check or reason (nearly every flow), as written the last time a label of that rule,
 * confidence, alternatives, roles and flags was: later events copy them whole. Kept in a
 * table of 256 slots indexed by the key's hash, one label a slot, made again for another
 * database (64 slots missed 12% of the many-flows benchmark's lines, 256 half as many, the
 * rest labels seen once; 1,024 no fewer). */
struct label_key {
    uint16_t rule, alt[ITM_MAX_ALT];
    uint8_t confidence, nalt;
    uint32_t client_roles, server_roles, flags;
};
#define LABEL_MEMO 256u
#define LABEL_TEXT_MAX 1024u
struct label_json {
    const struct itm_sigdb *db; /* NULL: empty */
    struct label_key k;
    uint32_t len;
    char text[LABEL_TEXT_MAX];
};

struct itm_output {
    struct itm_out_file file;         /* first: see out-file.h; --rotate: no file before an event */
    const struct itm_output_ctx *ctx; /* ctx->db follows reloads */
    uint32_t rotate_s;                /* --rotate period, 0: one file */
    uint64_t period_end;              /* seconds; the current file's period ends there */
    const char *base;                 /* --rotate: FILE, to which the period is appended */
    struct label_json *labels; /* LABEL_MEMO of them, allocated at the first label */
    int labels_nomem;
    struct itm_jw w;
};

static int json_open(struct itm_output **out, const char *arg, const struct itm_output_ctx *ctx)
{
    int rc;
    /* lines gathered and written a whole buffer at a time (itm_out_write) */
    struct itm_output *o = itm_out_file_new(sizeof(*o), arg, "w", 1, &rc);

    if (!o)
        return rc;
    o->ctx = ctx;
    *out = o;
    return ITM_OK;
}

/* --rotate: moves to the file of the period holding ts (FILE.YYYYmmddTHHMMSSZ, its start);
 * periods only move forward, so a late event goes to the current file. Appends, so that a
 * restart within a period keeps what was written before it. */
static void json_roll(struct itm_output *o, uint64_t ts_ns)
{
    uint64_t s = ts_ns / 1000000000u, start = s - s % o->rotate_s;
    char name[4200], stamp[32];
    time_t t = (time_t)start;
    struct tm tm;

    if (o->file.f && s < o->period_end)
        return;
    itm_out_flush(&o->file);
    if (o->file.f && fclose(o->file.f) != 0)
        o->file.failed = 1;
    itm_free(o->file.buf);
    o->file.buf = NULL;
    if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
        snprintf(stamp, sizeof(stamp), "%llu", (unsigned long long)start);
    snprintf(name, sizeof(name), "%s.%s", o->base, stamp);
    o->period_end = start + o->rotate_s;
    /* name has the period's suffix: never "-" */
    o->file.f = itm_out_fopen(name, "a", 1, &o->file.is_stdout, &o->file.buf);
    if (!o->file.f)
        o->file.failed = 1;
}

static void json_event_time(struct itm_output *o, uint64_t ts_ns)
{
    if (o->rotate_s)
        json_roll(o, ts_ns);
}

/* arg "SECONDS:FILE": the same events, one file per period. */
static int json_open_rotating(struct itm_output **out, const char *arg,
                              const struct itm_output_ctx *ctx)
{
    char *end;
    unsigned long secs = strtoul(arg, &end, 10);
    struct itm_output *o;

    if (end == arg || *end != ':' || !end[1] || secs == 0 || secs > 86400u * 366u ||
        strcmp(end + 1, "-") == 0) {
        fprintf(stderr, "itmscope: --rotate needs a period in seconds and --json FILE\n");
        return ITM_ERR_INVAL;
    }
    o = itm_calloc(1, sizeof(*o));
    if (!o) {
        fprintf(stderr, "itmscope: %s: out of memory\n", end + 1);
        return ITM_ERR_NOMEM;
    }
    o->ctx = ctx;
    o->rotate_s = (uint32_t)secs;
    o->base = end + 1; /* the caller's argument string, alive until exit */
    *out = o;
    return ITM_OK;
}

static void put_line(struct itm_output *o)
{
    if (o->w.overflow) {
        /* never emit broken JSON: say what was lost instead */
        jw_reset(&o->w);
        jw_obj_open(&o->w, NULL);
        jw_str(&o->w, "event_type", "error");
        jw_str(&o->w, "error", "event larger than the line buffer");
    }
    jw_obj_close(&o->w);
    jw_raw(&o->w, "\n", 1);
    itm_out_write(&o->file, o->w.buf, o->w.n);
}

/* More than the fixed part of an event's header takes: its keys and punctuation (93
 * characters), the timestamp, the flow id and the two ports, the event type ("flow",
 * "alert") and the protocol's name (pn below) quoted, two addresses. */
#define HEADER_MAX (128 + JW_TS_LEN + 3 * JW_U64_MAX + 2 * (2 + 16) + 2 * JW_IP_MAX)

/* The event's header; returns where the timestamp's text starts in the line. The fixed part
 * is written in one reserved piece, every event having one. */
static size_t put_header(struct itm_output *o, const struct itm_flow_rec *r, const char *type,
                         uint64_t ts_ns)
{
    char pn[16];
    struct itm_jw *w = &o->w;
    int ports = r->ipproto == 6 || r->ipproto == 17;
    size_t ts_at;
    char *p;

    jw_reset(w);
    p = jw_spot(w, HEADER_MAX);
    if (!p) { /* not with an empty line of ITM_JW_SIZE: the line is replaced */
        w->overflow = 1;
        return 0;
    }
    p = JW_PUT_LIT(p, "{\"timestamp\":");
    ts_at = (size_t)(p - w->buf);
    p = jw_put_ts(w, p, ts_ns);
    p = JW_PUT_LIT(p, ",\"flow_id\":");
    p = jw_put_u64(p, r->id);
    p = JW_PUT_LIT(p, ",\"event_type\":");
    p = jw_put_name(p, type);
    p = JW_PUT_LIT(p, ",\"proto\":");
    /* the two protocols of nearly every flow without the name table's walk */
    p = jw_put_name(p, r->ipproto == 6    ? "TCP"
                       : r->ipproto == 17 ? "UDP"
                                          : itm_ipproto_name(r->ipproto, pn, sizeof(pn)));
    p = JW_PUT_LIT(p, ",\"src_ip\":");
    p = jw_put_ip(p, &r->client);
    if (ports) {
        p = JW_PUT_LIT(p, ",\"src_port\":");
        p = jw_put_u64(p, r->client_port);
    }
    p = JW_PUT_LIT(p, ",\"dest_ip\":");
    p = jw_put_ip(p, &r->server);
    if (ports) {
        p = JW_PUT_LIT(p, ",\"dest_port\":");
        p = jw_put_u64(p, r->server_port);
    }
    jw_spot_done(w, p);
    if (r->ipproto == 1 || r->ipproto == 58) {
        jw_u64(w, "icmp_type", r->icmp_type);
        jw_u64(w, "icmp_code", r->icmp_code);
        jw_u64(w, "icmp_id", r->client_port);
    }
    if (r->nvlan) {
        jw_arr_open(w, "vlan");
        for (unsigned i = 0; i < r->nvlan && i < 2; i++)
            jw_u64(w, NULL, r->vlan[i]);
        jw_arr_close(w);
    }
    return ts_at;
}

static void put_roles(struct itm_jw *w, const char *key, uint32_t roles)
{
    uint32_t set = roles & ITM_ROLE_ANY;

    jw_arr_open(w, key);
    /* only the bits that are set, in order: this runs twice for every event */
    for (; set; set &= set - 1)
        jw_name(w, NULL, itm_role_name((enum itm_role)__builtin_ctz(set)));
    jw_arr_close(w);
}

static void put_label_members(struct itm_output *o, const struct itm_flow_rec *r)
{
    const struct itm_label *l = &r->label;
    const struct itm_sigdb *db = o->ctx->db;
    const struct itm_rule *rule = l->rule != ITM_NO_RULE ? itm_sigdb_rule(db, l->rule) : NULL;
    struct itm_jw *w = &o->w;
    static const char *const verdicts[] = {"unknown", "match", "mismatch"};

    jw_obj_open(w, "itms");
    jw_str(w, "rule", rule ? rule->id : NULL);
    jw_str(w, "component", rule ? rule->component : NULL);
    jw_str(w, "suite", rule ? rule->suite : NULL);
    jw_name(w, "confidence", itm_confidence_name((enum itm_confidence)l->confidence));
    if (l->nalt) {
        jw_arr_open(w, "alternatives");
        for (unsigned i = 0; i < l->nalt && i < ITM_MAX_ALT; i++) {
            const struct itm_rule *alt = itm_sigdb_rule(db, l->alt[i]);
            if (alt)
                jw_str(w, NULL, alt->id);
        }
        jw_arr_close(w);
    }
    if (l->related_id)
        jw_u64(w, "related_flow_id", l->related_id);
    if (l->insp.id) {
        jw_obj_open(w, "check");
        jw_name(w, "name", itm_inspect_name((enum itm_inspect_id)l->insp.id));
        jw_name(w, "verdict", l->insp.verdict < 3 ? verdicts[l->insp.verdict] : "unknown");
        if (l->insp.text[0])
            jw_str(w, "detail", l->insp.text);
        if (l->insp.text2[0])
            jw_str(w, "detail2", l->insp.text2);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    if (!((l->client_roles | l->server_roles) & ITM_ROLE_ANY)) {
        /* most flows: no roles on either end */
        static const char no_roles[] = "\"roles\":{\"client\":[],\"server\":[]}";
        jw_piece(w, no_roles, sizeof(no_roles) - 1);
    } else {
        jw_obj_open(w, "roles");
        put_roles(w, "client", l->client_roles);
        put_roles(w, "server", l->server_roles);
        jw_obj_close(w);
    }
    jw_arr_open(w, "flags");
    /* the set bits only, lowest first */
    for (uint32_t set = l->flags & ((1u << ITM_F_COUNT_BITS) - 1u); set; set &= set - 1)
        jw_name(w, NULL, itm_flag_name(1u << __builtin_ctz(set)));
    jw_arr_close(w);
    if (l->reason[0])
        jw_str(w, "reason", l->reason);
}

/* The key of a label whose members can be kept (0), or -1 (a related flow, a payload check
 * or a reason: text of its own). Padding zeroed: keys compare whole. */
static int label_key(const struct itm_label *l, struct label_key *k)
{
    if (l->related_id || l->insp.id || l->reason[0])
        return -1;
    memset(k, 0, sizeof(*k));
    k->rule = l->rule;
    k->confidence = l->confidence;
    k->nalt = l->nalt < ITM_MAX_ALT ? l->nalt : ITM_MAX_ALT;
    memcpy(k->alt, l->alt, k->nalt * sizeof(k->alt[0]));
    k->client_roles = l->client_roles & ITM_ROLE_ANY;
    k->server_roles = l->server_roles & ITM_ROLE_ANY;
    k->flags = l->flags & ((1u << ITM_F_COUNT_BITS) - 1u);
    return 0;
}

/* The label's members, from the table when the same label was written last in its slot. */
static void put_label(struct itm_output *o, const struct itm_flow_rec *r)
{
    struct itm_jw *w = &o->w;
    struct label_key k;
    struct label_json *lj;
    size_t start = w->n;
    uint64_t h;

    /* the members follow a value: the kept text starts with its comma */
    if (!w->need_comma || w->overflow || label_key(&r->label, &k) != 0) {
        put_label_members(o, r);
        return;
    }
    if (!o->labels && !o->labels_nomem) {
        o->labels = itm_calloc(LABEL_MEMO, sizeof(*o->labels));
        o->labels_nomem = !o->labels;
    }
    if (!o->labels) {
        put_label_members(o, r);
        return;
    }
    h = itm_fasthash((const uint64_t[2]){0, 0}, &k, sizeof(k));
    lj = &o->labels[(h ^ h >> 32) % LABEL_MEMO];
    if (lj->db == o->ctx->db && memcmp(&lj->k, &k, sizeof(k)) == 0) {
        jw_raw(w, lj->text, lj->len);
        w->need_comma = 1;
        return;
    }
    put_label_members(o, r);
    if (w->overflow || w->n - start > sizeof(lj->text))
        return;
    lj->db = o->ctx->db;
    lj->k = k;
    lj->len = (uint32_t)(w->n - start);
    memcpy(lj->text, w->buf + start, lj->len);
}

static void json_flow(struct itm_output *o, const struct itm_flow_rec *r)
{
    struct itm_jw *w = &o->w;
    size_t ts_at;
    char *p;

    json_event_time(o, r->last_ns);
    ts_at = put_header(o, r, "flow", r->last_ns);
    /* the counters, times, state and end in one reserved piece (keys and punctuation: 141
     * characters; names of 16 at most) */
    p = jw_spot(w, 192 + 4 * JW_U64_MAX + 2 * JW_TS_LEN + JW_SECS_MAX);
    if (!p) {
        w->overflow = 1;
        put_line(o);
        return;
    }
    p = JW_PUT_LIT(p, ",\"flow\":{\"pkts_toserver\":");
    p = jw_put_u64(p, r->pkts[ITM_DIR_TOSERVER]);
    p = JW_PUT_LIT(p, ",\"pkts_toclient\":");
    p = jw_put_u64(p, r->pkts[ITM_DIR_TOCLIENT]);
    p = JW_PUT_LIT(p, ",\"bytes_toserver\":");
    p = jw_put_u64(p, r->bytes[ITM_DIR_TOSERVER]);
    p = JW_PUT_LIT(p, ",\"bytes_toclient\":");
    p = jw_put_u64(p, r->bytes[ITM_DIR_TOCLIENT]);
    p = JW_PUT_LIT(p, ",\"start\":");
    p = jw_put_ts(w, p, r->first_ns);
    p = JW_PUT_LIT(p, ",\"end\":");
    /* the event's time is the flow's end: its text, written in the header, again */
    p = jw_put_raw(p, w->buf + ts_at, JW_TS_LEN);
    p = JW_PUT_LIT(p, ",\"age\":");
    p = jw_put_secs(p, r->last_ns - r->first_ns);
    p = JW_PUT_LIT(p, ",\"state\":");
    p = jw_put_name(p, r->ipproto == 6 ? itm_tcp_state_name((enum itm_tcp_state)r->tcp_state)
                       : (r->pkts[ITM_DIR_TOCLIENT] ? "established" : "new"));
    p = JW_PUT_LIT(p, ",\"reason\":");
    p = jw_put_name(p, itm_end_reason_name((enum itm_end_reason)r->end_reason));
    p = r->label.flags ? JW_PUT_LIT(p, ",\"alerted\":true}") : JW_PUT_LIT(p, ",\"alerted\":false}");
    jw_spot_done(w, p); /* after the flow object's end: its next key takes a comma */
    put_label(o, r);
    put_line(o);
}

static void json_alert(struct itm_output *o, const struct itm_flow_rec *r, uint32_t flag,
                       uint64_t ts_ns)
{
    struct itm_jw *w = &o->w;

    json_event_time(o, ts_ns);
    put_header(o, r, "alert", ts_ns);
    jw_obj_open(w, "alert");
    jw_str(w, "signature", itm_flag_name(flag));
    jw_str(w, "category", "itms-policy");
    jw_str(w, "reason", r->label.reason[0] ? r->label.reason : itm_flag_name(flag));
    jw_obj_close(w);
    put_label(o, r);
    put_line(o);
}

static void put_reason_counts(struct itm_jw *w, const char *key, const uint64_t *c)
{
    jw_obj_open(w, key);
    for (int r = 0; r < ITM_R_COUNT; r++)
        if (c[r])
            jw_u64(w, itm_decode_reason_name((enum itm_decode_reason)r), c[r]);
    jw_obj_close(w);
}

static void put_decoder(struct itm_jw *w, const struct itm_stats *st)
{
    char nb[64], num[16];

    jw_obj_open(w, "decoder");
    jw_u64(w, "ok", st->by_status[ITM_DEC_OK]);
    jw_u64(w, "non_ip", st->by_status[ITM_DEC_NON_IP]);
    jw_u64(w, "truncated", st->by_status[ITM_DEC_TRUNCATED]);
    jw_u64(w, "invalid", st->by_status[ITM_DEC_INVALID]);
    jw_u64(w, "unsupported", st->by_status[ITM_DEC_UNSUPPORTED]);
    put_reason_counts(w, "truncated_by", st->truncated);
    put_reason_counts(w, "invalid_by", st->invalid);
    put_reason_counts(w, "non_ip_by", st->non_ip);
    jw_u64(w, "ipv4", st->ipv4);
    jw_u64(w, "ipv6", st->ipv6);
    jw_u64(w, "tcp", st->tcp);
    jw_u64(w, "udp", st->udp);
    jw_u64(w, "icmp", st->icmp);
    jw_u64(w, "igmp", st->igmp);
    jw_u64(w, "other_ip", st->other_ip);
    jw_obj_open(w, "other_proto");
    for (int p = 0; p < 256; p++)
        if (st->other_proto[p]) {
            snprintf(num, sizeof(num), "%d", p);
            jw_u64(w, num, st->other_proto[p]);
        }
    jw_obj_close(w);
    jw_obj_open(w, "link");
    for (int i = 0; i < 8 && st->link_types[i] != -1; i++)
        jw_u64(w, itm_linktype_name(st->link_types[i], nb, sizeof(nb)), st->link_packets[i]);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void json_stats(struct itm_output *o, const struct itm_stats *st, uint64_t ts_ns, int final)
{
    struct itm_jw *w = &o->w;

    json_event_time(o, ts_ns);
    jw_reset(w);
    jw_obj_open(w, NULL);
    jw_ts(w, "timestamp", ts_ns);
    jw_str(w, "event_type", "stats");
    jw_obj_open(w, "stats");
    jw_bool(w, "final", final);
    jw_u64(w, "packets", st->packets);
    jw_u64(w, "bytes", st->bytes);
    jw_ts(w, "first", st->first_ns);
    jw_ts(w, "last", st->last_ns);
    put_decoder(w, st);
    jw_obj_open(w, "fragments");
    jw_u64(w, "packets", st->fragments);
    jw_u64(w, "datagrams", st->frag_datagrams);
    jw_u64(w, "orphans", st->frag_orphans);
    jw_u64(w, "evicted", st->frag_dropped);
    jw_u64(w, "pending_max", st->frag_pending_max);
    jw_obj_close(w);
    jw_obj_open(w, "flows");
    jw_u64(w, "created", st->flows_created);
    jw_u64(w, "ended", st->flows_ended);
    jw_u64(w, "expired", st->flows_expired);
    jw_u64(w, "evicted", st->flows_evicted);
    jw_u64(w, "active_max", st->flows_active_max);
    jw_u64(w, "unlabelled", st->flows_unlabelled);
    jw_u64(w, "alerts", st->alerts);
    jw_obj_close(w);
    jw_obj_open(w, "classify");
    jw_u64(w, "payload_checks", st->cls.payload_checks);
    jw_u64(w, "payload_mismatch", st->cls.payload_mismatch);
    jw_u64(w, "expect_created", st->cls.expect_created);
    jw_u64(w, "expect_matched", st->cls.expect_matched);
    jw_u64(w, "expect_expired", st->cls.expect_expired);
    jw_u64(w, "expect_dropped", st->cls.expect_dropped);
    jw_u64(w, "hosts_dropped", st->cls.hosts_dropped);
    jw_u64(w, "scan_dropped", st->cls.scan_dropped);
    jw_obj_close(w);
    if (st->live) {
        jw_obj_open(w, "capture");
        jw_u64(w, "kernel_packets", st->kernel_recv);
        jw_u64(w, "kernel_drops", st->kernel_drop);
        jw_u64(w, "iface_drops", st->iface_drop);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    put_line(o);
    /* what was written so far reaches the file at every periodic stats event (live runs) */
    if (!final) {
        itm_out_flush(&o->file);
        if (o->file.f && fflush(o->file.f) != 0)
            o->file.failed = 1;
    }
}

static int json_close(struct itm_output *o)
{
    itm_free(o->labels);
    return itm_out_file_close(o);
}

const struct itm_output_ops itm_out_json = {
    .name = "json",
    .open = json_open,
    .packet = NULL,
    .flow = json_flow,
    .alert = json_alert,
    .stats = json_stats,
    .close = json_close,
};

const struct itm_output_ops itm_out_json_rotating = {
    .name = "json",
    .open = json_open_rotating,
    .packet = NULL,
    .flow = json_flow,
    .alert = json_alert,
    .stats = json_stats,
    .close = json_close,
};
