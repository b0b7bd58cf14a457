/* Giving up root: supplementary groups, gid, every capability set, uid, no_new_privs. */
#include "internal.h"
#include <linux/capability.h>
#include <sys/prctl.h>

int cc_credentials_drop(const struct cconfine_plan *plan, struct cc_failure *f) {
    /* No supplementary group but the workspace group, if the slot has one: every slot of a
     * broker shares it, so files one call creates in a task's workspace (mode 2770, umask 002)
     * stay writable by the task's later calls in other slots. */
    gid_t groups[1] = { plan->workspace_gid };
    if (syscall(SYS_setgroups, plan->workspace_gid != 0 ? 1 : 0, groups) != 0)
        return cc_fail(f, CCONFINE_STEP_SETGROUPS, 0, errno);
    if (syscall(SYS_setresgid, plan->gid, plan->gid, plan->gid) != 0)
        return cc_fail(f, CCONFINE_STEP_SETGID, 0, errno);
    /* The bounding set limits what any exec can ever regain; dropping needs CAP_SETPCAP, so it
     * happens while we still have it. */
    for (int cap = 0; cap <= plan->last_cap; cap++) {
        if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            return cc_fail(f, CCONFINE_STEP_CAPS_BOUNDING, cap, errno);
    }
    if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        return cc_fail(f, CCONFINE_STEP_CAPS_AMBIENT, 0, errno);
    /* With every uid non-zero the kernel clears the permitted and effective sets. */
    if (syscall(SYS_setresuid, plan->uid, plan->uid, plan->uid) != 0)
        return cc_fail(f, CCONFINE_STEP_SETUID, 0, errno);
    /* And the inheritable set, explicitly: nothing left in any set. */
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    if (syscall(SYS_capset, &header, data) != 0)
        return cc_fail(f, CCONFINE_STEP_CAPS_CLEAR, 0, errno);
    /* No exec can grant privileges again: setuid bits and file capabilities are ignored. It is
     * also what lets an unprivileged process install a seccomp filter. */
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return cc_fail(f, CCONFINE_STEP_NO_NEW_PRIVS, 0, errno);
    return 0;
}
