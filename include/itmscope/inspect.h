/* inspect.h: payload checks, one small bounds-checked inspector per protocol. Each looks
 * at the first payload of one direction of a flow and says whether it is that protocol,
 * with a few details worth reporting. Inspectors are pure: no allocation, no state. */
#ifndef ITMSCOPE_INSPECT_H
#define ITMSCOPE_INSPECT_H

#include <stddef.h>
#include <stdint.h>

enum itm_inspect_id {
    ITM_INSPECT_NONE = 0,
    ITM_INSPECT_TFTP,  /* "tftp": opcode 1-5, RRQ/WRQ filename and mode */
    ITM_INSPECT_DHCP,  /* "dhcp": BOOTP/DHCP, option 60 "PXEClient", proxyDHCP on 4011 */
    ITM_INSPECT_SNMP,  /* "snmp": BER sequence, version, PDU type */
    ITM_INSPECT_WOL,   /* "wol": 6 x 0xff then 16 x target MAC */
    ITM_INSPECT_HTTP,  /* "http": request line (method, path; /Altiris/ prefix) or status line */
    ITM_INSPECT_TLS,   /* "tls": handshake record, ClientHello SNI */
    ITM_INSPECT_SMB,   /* "smb": NetBIOS session + SMB1/SMB2 magic */
    ITM_INSPECT_NBNS,  /* "nbns": NetBIOS name service header and encoded name */
    ITM_INSPECT_SSH,   /* "ssh": "SSH-x.y-" banner */
    ITM_INSPECT_DNS,   /* "dns": header sanity (counts, opcode, qdcount) */
    ITM_INSPECT_COUNT
};

enum itm_verdict {
    ITM_V_UNKNOWN = 0, /* too little data to say (e.g. payload cut by snaplen) */
    ITM_V_MATCH,       /* the payload is this protocol */
    ITM_V_MISMATCH,    /* the payload is not this protocol */
};

/* struct itm_inspect_result.subtype of an HTTP check. */
enum itm_http_subtype { ITM_HTTP_REQUEST = 1, ITM_HTTP_RESPONSE = 2 };

/* Details, where the protocol has them. */
enum itm_inspect_detail_flag {
    ITM_ID_ALTIRIS = 1u << 0,     /* HTTP path starts with /Altiris/ (case-insensitive) */
    ITM_ID_PXECLIENT = 1u << 1,   /* DHCP option 60 starts with "PXEClient" */
    ITM_ID_RESPONSE = 1u << 2,    /* HTTP status line, DNS/NBNS response, SNMP response */
    ITM_ID_SMB2 = 1u << 3,        /* SMB2/3 rather than SMB1 */
    ITM_ID_TRAP = 1u << 4,        /* SNMP trap / inform */
    ITM_ID_CLIENT_HELLO = 1u << 5,/* TLS ClientHello */
};

struct itm_inspect_result {
    uint8_t id;       /* enum itm_inspect_id */
    uint8_t verdict;  /* enum itm_verdict */
    uint8_t subtype;  /* TFTP opcode, DHCP message type, SNMP PDU tag (0xa0..0xa7),
                       * SNMP version, TLS handshake type, HTTP: 1 request 2 response */
    uint8_t flags;    /* enum itm_inspect_detail_flag */
    uint8_t mac[6];   /* WoL target MAC; DHCP client hardware address */
    char text[96];    /* TFTP filename, TLS SNI, HTTP path, SSH banner, NetBIOS name,
                       * DHCP vendor class; printable ASCII only, NUL-terminated */
    char text2[24];   /* TFTP mode, HTTP method, SNMP community; same rules */
};

/* Runs one inspector on a payload (which may be cut short by snaplen: then UNKNOWN rather
 * than MISMATCH where the bytes seen so far agree). Fills r (zeroed first) and returns
 * r->verdict. Safe on any bytes and any length, including 0 and NULL with len 0. */
int itm_inspect(enum itm_inspect_id id, const uint8_t *payload, size_t len,
                struct itm_inspect_result *r);

/* Tries the inspectors that can recognise a protocol on any port (HTTP, TLS, SMB, SSH,
 * TFTP for UDP, DHCP for UDP, SNMP for UDP, WoL for UDP) in a fixed order and returns the
 * first MATCH's id (r filled), or ITM_INSPECT_NONE. ipproto is 6 or 17. */
enum itm_inspect_id itm_inspect_identify(uint8_t ipproto, const uint8_t *payload, size_t len,
                                         struct itm_inspect_result *r);

/* "tftp", "dhcp", ...; "none" for 0; NULL out of range. */
const char *itm_inspect_name(enum itm_inspect_id id);
/* The id for a name, or -1. */
int itm_inspect_parse(const char *name, size_t len);

#endif
