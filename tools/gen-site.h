/* gen-site.h: the simulated ITMS site shared by the site, attacks and edge scenarios of
 * itms-gen: its hosts by name and the traffic groups the scenarios compose. Private to the
 * generator; nothing here is part of itmscope. */
#ifndef ITMS_GEN_SITE_H
#define ITMS_GEN_SITE_H

#include "gen.h"

#define GEN_SITE_MAX 96

struct gen_site {
    struct gen_host h[GEN_SITE_MAX];
    const char *name[GEN_SITE_MAX];
    size_t n;
};

/* User agents. Invented, plausible strings: the real ones are not needed to classify. */
#define UA_AGENT "Altiris-Agent/8.7 (Windows NT 10.0; x64)"
#define UA_ULM "Altiris-ULM-Agent/8.7 (Linux x86_64)"
#define UA_SERVER "Altiris-Server/8.7 (Windows NT 10.0; x64)"
#define UA_BROWSER "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0"

struct gen_site *gen_site_new(struct gen *g);
void gen_site_free(struct gen_site *s);
/* The host of that name; the scenarios only ask for names the table defines. */
const struct gen_host *gen_site_host(const struct gen_site *s, const char *name);
#define H(name) gen_site_host(s, name)
/* Adds a host (attacks and edge plant a few of their own). NULL when full or bad. */
struct gen_host *gen_site_add(struct gen_site *s, const char *name, const char *addr,
                              uint32_t roles);
/* Writes the site file: roles (then extra_roles verbatim), local networks, policy (then
 * extra_policy verbatim). */
void gen_site_write(FILE *out, const char *title, const char *extra_roles,
                    const char *extra_policy);

/* Traffic groups of the site scenario, in the order it runs them. */
void site_sim(struct gen *g, const struct gen_site *s);
void site_ns(struct gen *g, const struct gen_site *s);
void site_tasks(struct gen *g, const struct gen_site *s);
void site_packages(struct gen *g, const struct gen_site *s);
void site_pkg_multicast(struct gen *g, const struct gen_site *s, uint8_t *blk, size_t cap);
void site_agents(struct gen *g, const struct gen_site *s);
void site_ulm(struct gen *g, const struct gen_site *s);
void site_ipv6(struct gen *g, const struct gen_site *s);
void site_deploy(struct gen *g, const struct gen_site *s);
void site_events(struct gen *g, const struct gen_site *s);
void site_gateway(struct gen *g, const struct gen_site *s);
void site_monitor(struct gen *g, const struct gen_site *s);
void site_misc(struct gen *g, const struct gen_site *s);
void site_background(struct gen *g, const struct gen_site *s);
/* All of the above. */
void gen_site_traffic(struct gen *g, const struct gen_site *s);

#endif
