/* flood-keys.c: flood.sh's helper: client endpoints whose flows to 10.1.0.10:443 share one
 * flow-table bucket under a known seed, found with the table's own key layout and hash so the
 * set stays adversarial as they change. It never touches a capture or a table.
 * usage: flood-keys SEED COUNT BITS   (one "a.b.c.d port" line per key on stdout) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow-int.h"

/* The canonical key of src:sport -> 10.1.0.10:443 as the flow table builds it: endpoint a
 * is the lower (address, port) pair, every other byte zero. */
static void syn_key(uint32_t src, uint16_t sport, struct itm_flow_key *k)
{
    static const uint8_t server[4] = {10, 1, 0, 10};
    uint8_t client[16] = {0};
    int c;

    client[0] = (uint8_t)(src >> 24);
    client[1] = (uint8_t)(src >> 16);
    client[2] = (uint8_t)(src >> 8);
    client[3] = (uint8_t)src;
    memset(k, 0, sizeof(*k));
    c = memcmp(client, server, 4);
    if (c < 0 || (c == 0 && sport <= 443)) {
        memcpy(k->a, client, 4);
        memcpy(k->b, server, 4);
        k->port_a = sport;
        k->port_b = 443;
    } else {
        memcpy(k->a, server, 4);
        memcpy(k->b, client, 4);
        k->port_a = 443;
        k->port_b = sport;
    }
    k->proto = 6;
    k->family = 4;
}

int main(int argc, char **argv)
{
    uint64_t seed[2];
    unsigned long count, bits, found = 0;
    uint32_t mask;

    if (argc != 4) {
        fprintf(stderr, "usage: flood-keys SEED COUNT BITS\n");
        return 2;
    }
    /* the same derivation as itmscope's --seed */
    seed[0] = strtoull(argv[1], NULL, 10);
    seed[1] = seed[0] ^ UINT64_C(0x5bd1e9955bd1e995);
    count = strtoul(argv[2], NULL, 10);
    bits = strtoul(argv[3], NULL, 10);
    if (bits == 0 || bits > 24) {
        fprintf(stderr, "flood-keys: BITS must be 1 to 24\n");
        return 2;
    }
    mask = (UINT32_C(1) << bits) - 1;
    /* candidates: every address of 100.64.0.0/10 (shared address space) with port 1024,
     * then with 1025, and so on */
    for (uint32_t i = 0; found < count && i < (UINT32_C(1) << 30); i++) {
        struct itm_flow_key k;
        uint32_t src = UINT32_C(0x64400000) + (i & 0x3fffffu);
        uint16_t sport = (uint16_t)(1024 + (i >> 22));
        /* uthash picks the bucket from the low bits of the 32-bit hash value */
        syn_key(src, sport, &k);
        if (((unsigned)itm_flow_hash(seed, &k, sizeof(k)) & mask) != 0)
            continue;
        printf("%u.%u.%u.%u %u\n", src >> 24, (src >> 16) & 255, (src >> 8) & 255, src & 255,
               sport);
        found++;
    }
    return found == count ? 0 : 1;
}
