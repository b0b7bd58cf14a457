/* The ordered confinement of one child, from a freshly cloned process to execve(2).
 *
 * On entry the child is PID 1 of new PID, mount, IPC and UTS namespaces (from clone flags),
 * still root with every capability, sharing the broker's memory until it execs. */
#include "internal.h"
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

struct cc_report { int32_t step; int32_t error; int32_t detail; };

static void report_and_exit(int fd, int step, int error, int detail) {
    struct cc_report report = { step, error, detail };
    ssize_t rc;
    do {
        rc = write(fd, &report, sizeof report);
    } while (rc < 0 && errno == EINTR);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/* Signal handlers are broker code: none may run in the child, and none may survive exec. */
static int reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        /* Raw rt_sigaction: glibc reserves and filters some signal numbers. */
        (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
    }
    sigset_t none;
    sigemptyset(&none);
    return cc_errno(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, _NSIG / 8));
}

#define STEP(s, call)                                               \
    do {                                                            \
        int _err = (call);                                          \
        if (_err != 0) report_and_exit(error_fd, (s), _err, 0);     \
    } while (0)

#define STEPS(call)                                                 \
    do {                                                            \
        struct cc_failure _f = { CCONFINE_STEP_NONE, 0 };           \
        int _err = (call);                                          \
        if (_err != 0) report_and_exit(error_fd, _f.step, _err, _f.detail); \
    } while (0)

/* Whether the read end of the error pipe is closed: the process that spawned us is gone. */
static int parent_gone(int error_fd) {
    struct pollfd p = { .fd = error_fd, .events = POLLOUT, .revents = 0 };
    struct timespec now = { 0, 0 };
    return syscall(SYS_ppoll, &p, 1, &now, NULL, (size_t)8) == 1 && (p.revents & POLLERR) != 0;
}

int cc_child_main(void *context) {
    const struct cc_child_context *ctx = context;
    const struct cconfine_plan *plan = ctx->plan;
    /* Both move to low numbers when the other descriptors are closed (fds.c). */
    int error_fd = ctx->error_fd;
    int handoff_fd = plan->handoff_fd;

    STEP(CCONFINE_STEP_SIGNALS, reset_signals());
    /* A new session: no controlling terminal, no job-control signals from the caller's tty. */
    STEP(CCONFINE_STEP_SETSID, cc_errno(syscall(SYS_setsid)));

    /* Namespaces: join the slot's cgroup, then a cgroup namespace rooted there; the slot's empty
     * network namespace; our own hostname. */
    STEPS(cc_namespaces_enter(plan, &_f));

    /* A private copy of the view's template root (the view read-only, a minimal /dev, nothing
     * of the host's), plus a fresh /tmp, a /proc of our own and the workspace. */
    STEPS(cc_mounts_build(plan, &_f));

    /* ---- privilege boundary: from here on the child is no longer root. ---- */
    STEPS(cc_credentials_drop(plan, &_f));

    /* If the broker thread that spawned us dies, so do we (the PID namespace takes the rest).
     * Only now: the kernel clears the parent-death signal when the uid or gid changes. A broker
     * that died before this point left the error pipe without a reader: then stop here. */
    STEP(CCONFINE_STEP_PDEATHSIG, cc_errno(syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)));
    STEP(CCONFINE_STEP_PDEATHSIG, parent_gone(error_fd) ? ESRCH : 0);

    /* Descriptors before rlimits: RLIMIT_NOFILE must not count the broker's. */
    int gate_fd = plan->gate_fd;
    STEPS(cc_fds_prepare(plan, &error_fd, &handoff_fd, &gate_fd, &_f));

    STEPS(cc_rlimits_apply(plan, &_f));

    /* ---- seccomp: after it, nothing but passing the listener, the gate and execve. ---- */
    STEPS(cc_seccomp_install(plan, handoff_fd, &_f));

    /* The gate: everything is done (clone, namespaces, the mount tree, credentials, limits, the
     * filter); the tool may not start until the broker says so, which it does once the call's
     * decision is on disk. A closed gate (end of file) means it never will. A child prepared
     * before its call waits here until a call names what it executes (the plan's executable,
     * argv and envp, read only after the gate). The gate is close-on-exec; the profile compiler
     * makes sure the filter allows this read. After the descriptors are closed: a copy of the
     * gate's other end in this child would keep it from ever seeing the close. */
    if (gate_fd >= 0) {
        char go = 0;
        long n;
        do { n = syscall(SYS_read, gate_fd, &go, 1); } while (n < 0 && errno == EINTR);
        STEP(CCONFINE_STEP_GATE, n == 1 ? 0 : (n == 0 ? ECANCELED : errno));
    }

    syscall(SYS_execve, plan->executable, plan->argv, plan->envp);
    report_and_exit(error_fd, CCONFINE_STEP_EXECVE, errno, 0);
    return 127;
}

static const char *const step_names[CCONFINE_STEP_COUNT] = {
    [CCONFINE_STEP_NONE] = "none",
    [CCONFINE_STEP_CLONE] = "clone",
    [CCONFINE_STEP_SIGNALS] = "reset signals",
    [CCONFINE_STEP_PDEATHSIG] = "prctl(PR_SET_PDEATHSIG)",
    [CCONFINE_STEP_SETSID] = "setsid",
    [CCONFINE_STEP_CGROUP_JOIN] = "join cgroup",
    [CCONFINE_STEP_CGROUP_NAMESPACE] = "unshare(CLONE_NEWCGROUP)",
    [CCONFINE_STEP_NETWORK_NAMESPACE] = "setns(network namespace)",
    [CCONFINE_STEP_HOSTNAME] = "sethostname",
    [CCONFINE_STEP_WORKSPACE] = "mount workspace",
    [CCONFINE_STEP_MOUNT_NAMESPACE] = "enter view mount namespace",
    [CCONFINE_STEP_MOUNT_PRIVATE] = "make mounts private",
    [CCONFINE_STEP_MOUNT_ROOT] = "mount root tmpfs",
    [CCONFINE_STEP_MKDIR] = "mkdir mount point",
    [CCONFINE_STEP_MKFILE] = "create mount point",
    [CCONFINE_STEP_MOUNT_BIND] = "mount bind",
    [CCONFINE_STEP_MOUNT_ATTRIBUTES] = "mount_setattr",
    [CCONFINE_STEP_MOUNT_TMPFS] = "mount tmpfs",
    [CCONFINE_STEP_MOUNT_PROC] = "mount proc",
    [CCONFINE_STEP_MKNOD] = "mknod",
    [CCONFINE_STEP_SYMLINK] = "symlink",
    [CCONFINE_STEP_PIVOT_ROOT] = "pivot_root",
    [CCONFINE_STEP_DETACH_OLD_ROOT] = "detach old root",
    [CCONFINE_STEP_ROOT_READONLY] = "make root read-only",
    [CCONFINE_STEP_CHDIR] = "chdir",
    [CCONFINE_STEP_SETGROUPS] = "setgroups",
    [CCONFINE_STEP_SETGID] = "setresgid",
    [CCONFINE_STEP_CAPS_BOUNDING] = "drop bounding capabilities",
    [CCONFINE_STEP_CAPS_AMBIENT] = "clear ambient capabilities",
    [CCONFINE_STEP_SETUID] = "setresuid",
    [CCONFINE_STEP_CAPS_CLEAR] = "capset",
    [CCONFINE_STEP_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
    [CCONFINE_STEP_RLIMIT] = "setrlimit",
    [CCONFINE_STEP_STDIO] = "set up stdio",
    [CCONFINE_STEP_CLOSE_FDS] = "close descriptors",
    [CCONFINE_STEP_SECCOMP] = "seccomp",
    [CCONFINE_STEP_SECCOMP_HANDOFF] = "pass seccomp listener",
    [CCONFINE_STEP_EXECVE] = "execve",
    [CCONFINE_STEP_GATE] = "wait for the go-ahead (gate)",
};

const char *cconfine_step_name(int step) {
    if (step < 0 || step >= CCONFINE_STEP_COUNT || step_names[step] == NULL) return "unknown step";
    return step_names[step];
}
