/* privdrop.h: giving up root once a live capture is open (needs libcap-ng, ITM_HAVE_CAPNG):
 * afterwards the process runs as an unprivileged user with no capabilities, no supplementary
 * groups and an empty bounding set. Nothing here ever raises a privilege. */
#ifndef ITMSCOPE_PRIVDROP_H
#define ITMSCOPE_PRIVDROP_H

#include <stddef.h>

#include "itmscope/common.h"

/* The default account for -u. */
#define ITM_PRIVDROP_DEFAULT_USER "nobody"

/* Drops privileges. When the effective user is root: looks up user (getpwnam, before any
 * chroot), optionally chroots into chroot_dir (NULL: none), then switches to the user's
 * uid and primary gid with every capability cleared (effective, permitted, inheritable,
 * ambient, bounding) and sets no_new_privs, and verifies the result. A target user with uid
 * 0 is refused. When not root: only clears whatever capabilities the process holds (file
 * capabilities such as cap_net_raw), and chroot_dir is refused since it needs root.
 * Returns 0, or ITM_ERR_INVAL (unknown or root user, chroot without root) or ITM_ERR_IO (a
 * system call failed) with one line in msg naming the step. On failure the caller must exit:
 * the process may hold part of its old privileges. */
int itm_privdrop(const char *user, const char *chroot_dir, char *msg, size_t msglen);

#endif
