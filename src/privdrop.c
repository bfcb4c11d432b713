/* privdrop.c: leaves root after the capture handle is active (see privdrop.h). It only ever
 * lowers privileges, checks that they really went, and never keeps a capability "just in
 * case": whatever needs one must happen before this call. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>

#include "itmscope/privdrop.h"

static int fail(char *msg, size_t msglen, int err, const char *fmt, const char *arg)
{
    snprintf(msg, msglen, fmt, arg, strerror(errno));
    return err;
}

static const char *change_id_error(int rc)
{
    switch (rc) {
    case -2:
        return "cannot keep capabilities across the uid change";
    case -3:
        return "cannot apply the intermediate capabilities";
    case -4:
        return "cannot change the group id";
    case -5:
        return "cannot drop supplementary groups";
    case -6:
        return "cannot change the user id";
    case -7:
        return "cannot stop retaining capabilities";
    case -8:
        return "cannot clear the capability bounding set";
    case -9:
        return "cannot drop CAP_SETPCAP or ambient capabilities";
    default:
        return "libcap-ng failed";
    }
}

/* The kernel's view after the change: every id is the target, no group is left over, no
 * capability is held and root cannot be regained. A half-dropped process is worse than
 * none because it looks safe. */
static int verify(uid_t uid, gid_t gid, char *msg, size_t msglen)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
        ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
        snprintf(msg, msglen, "privilege drop: user or group ids did not change");
        return ITM_ERR_IO;
    }
    if (getgroups(0, NULL) != 0) {
        snprintf(msg, msglen, "privilege drop: supplementary groups are still set");
        return ITM_ERR_IO;
    }
    if (setuid(0) == 0 || seteuid(0) == 0) {
        snprintf(msg, msglen, "privilege drop: root could be regained");
        return ITM_ERR_IO;
    }
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_get_caps_process() != 0 || capng_have_capabilities(CAPNG_SELECT_BOTH) != CAPNG_NONE) {
        snprintf(msg, msglen, "privilege drop: capabilities are still held");
        return ITM_ERR_IO;
    }
    return ITM_OK;
}

/* Not root: a binary given cap_net_raw by file capabilities needs it no longer. */
static int drop_caps_only(const char *chroot_dir, char *msg, size_t msglen)
{
    if (chroot_dir) {
        snprintf(msg, msglen, "--chroot %s: needs root", chroot_dir);
        return ITM_ERR_INVAL;
    }
    if (capng_get_caps_process() != 0) {
        snprintf(msg, msglen, "privilege drop: cannot read the process capabilities");
        return ITM_ERR_IO;
    }
    if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
        capng_clear(CAPNG_SELECT_CAPS);
        if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
            snprintf(msg, msglen, "privilege drop: cannot clear capabilities");
            return ITM_ERR_IO;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(msg, msglen, ITM_ERR_IO, "%sno_new_privs: %s", "privilege drop: ");
    return ITM_OK;
}

static int enter_chroot(const char *dir, char *msg, size_t msglen)
{
    /* chdir first so that no directory outside the new root stays reachable through ".." */
    if (chdir(dir) != 0)
        return fail(msg, msglen, ITM_ERR_IO, "--chroot %s: %s", dir);
    if (chroot(".") != 0)
        return fail(msg, msglen, ITM_ERR_IO, "--chroot %s: %s", dir);
    if (chdir("/") != 0)
        return fail(msg, msglen, ITM_ERR_IO, "--chroot %s: %s", dir);
    return ITM_OK;
}

int itm_privdrop(const char *user, const char *chroot_dir, char *msg, size_t msglen)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;
    int rc;

    if (!user || !*user)
        user = ITM_PRIVDROP_DEFAULT_USER;
    if (geteuid() != 0)
        return drop_caps_only(chroot_dir, msg, msglen);
    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        if (errno)
            return fail(msg, msglen, ITM_ERR_IO, "-u %s: %s", user);
        snprintf(msg, msglen, "-u %s: no such user", user);
        return ITM_ERR_INVAL;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (uid == 0) {
        snprintf(msg, msglen, "-u %s: has uid 0, which would keep every privilege", user);
        return ITM_ERR_INVAL;
    }
    if (chroot_dir && (rc = enter_chroot(chroot_dir, msg, msglen)) != 0)
        return rc;
    capng_clear(CAPNG_SELECT_BOTH);
    rc = capng_change_id((int)uid, (int)gid,
                         CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
    if (rc != 0) {
        snprintf(msg, msglen, "-u %s: privilege drop failed: %s", user, change_id_error(rc));
        return ITM_ERR_IO;
    }
    /* no exec'd helper could gain privileges back through setuid or file capabilities */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(msg, msglen, ITM_ERR_IO, "-u %s: no_new_privs: %s", user);
    return verify(uid, gid, msg, msglen);
}
