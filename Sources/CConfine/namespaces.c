/* Namespaces the child enters after clone: cgroup, network, UTS name. PID, mount, IPC and UTS
 * namespaces come from the clone flags (spawn.c). */
#include "internal.h"
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

int cc_namespaces_enter(const struct cconfine_plan *plan, struct cc_failure *f) {
    /* Join the slot's cgroups before anything else, so every byte and process counts. Writing
     * "0" moves the writer; the descriptors (v1 `tasks`, v2 `cgroup.procs`) were opened by the
     * parent. */
    for (size_t i = 0; i < plan->cgroup_procs_count; i++) {
        if (write(plan->cgroup_procs_fds[i], "0", 1) != 1)
            return cc_fail(f, CCONFINE_STEP_CGROUP_JOIN, (int)i, errno);
    }
    /* A cgroup namespace rooted at the slot's group: the tool sees "/" as its cgroup. */
    if (syscall(SYS_unshare, CLONE_NEWCGROUP) != 0)
        return cc_fail(f, CCONFINE_STEP_CGROUP_NAMESPACE, 0, errno);
    /* The slot's empty network namespace: loopback only, nothing of the host's. */
    if (syscall(SYS_setns, plan->netns_fd, CLONE_NEWNET) != 0)
        return cc_fail(f, CCONFINE_STEP_NETWORK_NAMESPACE, 0, errno);
    if (syscall(SYS_sethostname, plan->hostname, strlen(plan->hostname)) != 0)
        return cc_fail(f, CCONFINE_STEP_HOSTNAME, 0, errno);
    return 0;
}

/* ---- Creating an empty network namespace (parent side, once per slot). ---- */

struct netns_child { int fd; int step; int error; };

static int netns_child_main(void *arg) {
    struct netns_child *out = arg;
    /* Bring loopback up so tools that listen on 127.0.0.1 work inside the sandbox. */
    int sock = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) { out->step = 1; out->error = errno; syscall(SYS_exit_group, 1); }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    if (syscall(SYS_ioctl, sock, SIOCSIFFLAGS, &ifr) != 0) {
        out->step = 2; out->error = errno; syscall(SYS_exit_group, 1);
    }
    syscall(SYS_close, sock);
    /* CLONE_FILES: this descriptor lands in the parent's table and keeps the namespace alive. */
    out->fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (out->fd < 0) { out->step = 3; out->error = errno; syscall(SYS_exit_group, 1); }
    syscall(SYS_exit_group, 0);
    return 0;
}

int cconfine_netns_create(int *failed_step) {
    struct netns_child out = { -1, 0, 0 };
    int err = cc_run_helper(netns_child_main, &out, CLONE_FILES | CLONE_NEWNET);
    if (err != 0) { *failed_step = CCONFINE_STEP_CLONE; errno = err; return -1; }
    if (out.fd < 0) {
        *failed_step = CCONFINE_STEP_NETWORK_NAMESPACE;
        errno = out.error ? out.error : EIO;
        return -1;
    }
    return out.fd;
}
