/* Descriptors: the tool gets its three pipes as 0, 1, 2 and nothing else.
 *
 * The child's table is a copy of the broker's, which may hold thousands of descriptors. All are
 * closed here — not merely marked close-on-exec — so that what the child still opens before
 * exec (the seccomp listener) gets a low number, below the tool's RLIMIT_NOFILE. */
#include "internal.h"
#include <fcntl.h>
#include <linux/close_range.h>

static int install(int fd, int target) {
    /* The parent keeps 0-2 open, so the pipes are never 0-2 themselves and dup3 never
     * clobbers a source it still needs. */
    return cc_errno(syscall(SYS_dup3, fd, target, 0));
}

/* Moves *fd to the lowest free number (>= 3), close-on-exec. */
static int move_low(int *fd) {
    long low = syscall(SYS_fcntl, *fd, F_DUPFD_CLOEXEC, 3);
    if (low < 0) return errno;
    if (low < *fd) {
        syscall(SYS_close, *fd);
        *fd = (int)low;
    } else {
        syscall(SYS_close, low);
    }
    return 0;
}

int cc_fds_prepare(const struct cconfine_plan *plan, int *error_fd, int *handoff_fd, int *gate_fd, struct cc_failure *f) {
    if (install(plan->stdin_fd, 0) || install(plan->stdout_fd, 1) || install(plan->stderr_fd, 2))
        return cc_fail(f, CCONFINE_STEP_STDIO, 0, errno);
    /* Close everything from 3 up except the error pipe, the handoff socket and the gate (all
     * above 2: the parent keeps 0-2 open). Closing every copy the child holds matters for the
     * gate: a child that kept the gate's other end could never see it closed. */
    int keep[3] = { *error_fd, *handoff_fd, *gate_fd };
    int n = *gate_fd >= 0 ? 3 : 2;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) { int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t; }
    unsigned int from = 3;
    for (int i = 0; i < n; i++) {
        if ((unsigned int)keep[i] > from && syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0) != 0)
            return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 0, errno);
        from = (unsigned int)keep[i] + 1;
    }
    if (syscall(SYS_close_range, from, ~0U, 0) != 0)
        return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 0, errno);
    /* And bring them down to 3, 4 (and 5); all stay close-on-exec. */
    int err = move_low(error_fd);
    if (err == 0) err = move_low(handoff_fd);
    if (err == 0 && *gate_fd >= 0) err = move_low(gate_fd);
    if (err != 0) return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 1, err);
    /* Group-writable: a task's calls share the workspace group (see credentials.c). */
    syscall(SYS_umask, 002);
    return 0;
}
