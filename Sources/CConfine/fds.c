/* Descriptors: the tool gets its three pipes as 0, 1, 2 and nothing else. */
#include "internal.h"
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>

static int install(int fd, int target) {
    /* The parent keeps 0-2 open, so the pipes are never 0-2 themselves and dup3 never
     * clobbers a source it still needs. */
    return cc_errno(syscall(SYS_dup3, fd, target, 0));
}

int cc_fds_prepare(const struct cconfine_plan *plan, struct cc_failure *f) {
    if (install(plan->stdin_fd, 0) || install(plan->stdout_fd, 1) || install(plan->stderr_fd, 2))
        return cc_fail(f, CCONFINE_STEP_STDIO, 0, errno);
    /* Every other descriptor closes at exec. CLOEXEC rather than close: the error pipe and the
     * seccomp handoff socket must live until execve succeeds. */
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        return cc_fail(f, CCONFINE_STEP_CLOSE_FDS, 0, errno);
    syscall(SYS_umask, 022);
    return 0;
}
