/* inspect-ssh.c: SSH identification string check (RFC 4253 4.2): "SSH-protoversion-
 * softwareversion [SP comments]" CR LF at offset 0. text gets the line without CR LF.
 * Reads only what was captured. */
#include <string.h>

#include "inspect-int.h"

/* The whole line, CR LF included, is at most 255 characters (RFC 4253 4.2). */
#define SSH_LINE_MAX 255
#define SSH_PROTO_MAX 8

static const char ssh_prefix[] = "SSH-";

enum ssh_part { PART_PROTO, PART_SOFTWARE, PART_COMMENT };

/* Software versions are printable without spaces; some servers put '-' in them (older
 * Cisco: "SSH-1.99-Cisco-1.25"), which is tolerated. Comments may hold spaces. */
static int ssh_char_ok(enum ssh_part part, size_t run, uint8_t b)
{
    if (part == PART_PROTO)
        return (b >= '0' && b <= '9') || (b == '.' && run > 0);
    if (part == PART_SOFTWARE)
        return b > 0x20 && b < 0x7f;
    return b >= 0x20 && b < 0x7f;
}

/* Walks the line after "SSH-"; *end gets the offset of the line end (CR, LF or len). */
static int ssh_line(const uint8_t *p, size_t len, size_t *end)
{
    enum ssh_part part = PART_PROTO;
    size_t i, run = 0;

    for (i = sizeof(ssh_prefix) - 1; i < len && i < SSH_LINE_MAX; i++) {
        uint8_t b = p[i];
        if (part == PART_PROTO && b == '-' && run > 0) {
            part = PART_SOFTWARE;
            run = 0;
        } else if (part == PART_SOFTWARE && b == ' ' && run > 0) {
            part = PART_COMMENT;
        } else if ((b == '\r' || b == '\n') && part != PART_PROTO && run > 0) {
            *end = i;
            if (b == '\r' && i + 1 < len && p[i + 1] != '\n')
                return ITM_V_MISMATCH;
            return ITM_V_MATCH;
        } else if (!ssh_char_ok(part, run, b) || (part == PART_PROTO && run >= SSH_PROTO_MAX)) {
            return ITM_V_MISMATCH;
        } else {
            run++;
        }
    }
    *end = i;
    return i < SSH_LINE_MAX ? ITM_V_UNKNOWN : ITM_V_MISMATCH;
}

int itm_inspect_ssh(const uint8_t *p, size_t len, struct itm_inspect_result *r)
{
    size_t n = len < 4 ? len : 4, end = 0;
    int v;

    if (memcmp(p, ssh_prefix, n) != 0)
        return ITM_V_MISMATCH;
    if (len <= n)
        return ITM_V_UNKNOWN;
    v = ssh_line(p, len, &end);
    if (v != ITM_V_MISMATCH)
        itm_inspect_text(r->text, sizeof(r->text), p, end);
    return v;
}
