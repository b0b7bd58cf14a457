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

int cc_fds_prepare(const struct cconfine_plan *plan, int *error_fd, int *handoff_fd, struct cc_failure *f) {
    if (install(plan->stdin_fd, 0) || install(plan->stdout_fd, 1) || install(plan->stderr_fd, 2))
        return cc_fail(f, CCONFINE_STEP_STDIO, 0, errno);
    /* Close everything from 3 up except the error pipe and the handoff socket. */
    int a = *error_fd < *handoff_fd ? *error_fd : *handoff_fd;
    int b = *error_fd < *handoff_fd ? *handoff_fd : *error_fd;
    if ((a > 3 && syscall(SYS_close_range, 3, a - 1, 0) != 0) ||
        (b > a + 1 && syscall(SYS_close_range, a + 1, b - 1, 0) != 0) ||
        syscall(SYS_close_range, b + 1, ~0U, 0) != 0)
        return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 0, errno);
    /* And bring those two down to 3 and 4; both stay close-on-exec. */
    int err = move_low(error_fd);
    if (err == 0) err = move_low(handoff_fd);
    if (err != 0) return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 1, err);
    /* Group-writable: a task's calls share the workspace group (see credentials.c). */
    syscall(SYS_umask, 002);
    return 0;
}
