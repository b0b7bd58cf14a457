/* Parent side of a spawn: clone the child with signals blocked, learn whether it reached
 * execve, reap it if it did not. */
#include "internal.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

enum { child_stack_size = 256 * 1024 };

static char *mmap_stack(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}


/* One stack per spawning thread, reused: the child runs on it while this thread waits. */
static __thread char *thread_stack;

static char *stack_top(void) {
    if (thread_stack == NULL) thread_stack = mmap_stack(child_stack_size);
    return thread_stack == NULL ? NULL : thread_stack + child_stack_size;
}

int cc_run_helper(int (*fn)(void *), void *arg, int flags) {
    char *stack = stack_top();
    if (stack == NULL) return errno;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t pid = clone(fn, stack, CLONE_VM | CLONE_VFORK | flags, arg);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0) return clone_errno;
    int status;
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
    return 0;
}

static void read_report(int fd, struct cconfine_spawn_result *result) {
    int32_t report[3];
    ssize_t n;
    do {
        n = read(fd, report, sizeof report);
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof report) {
        result->failed_step = report[0];
        result->error = report[1];
        result->failed_detail = report[2];
    } else if (n != 0) {
        /* Neither a report nor a clean close-on-exec: treat as failure, never as success. */
        result->failed_step = CCONFINE_STEP_EXECVE;
        result->error = n < 0 ? errno : EIO;
    }
}

int cconfine_spawn(const struct cconfine_plan *plan, struct cconfine_spawn_result *result) {
    memset(result, 0, sizeof *result);
    result->pid = -1;
    result->pidfd = -1;
    char *stack = stack_top();
    if (stack == NULL) {
        result->failed_step = CCONFINE_STEP_CLONE;
        result->error = errno;
        return -1;
    }
    int report_pipe[2];
    if (pipe2(report_pipe, O_CLOEXEC) != 0) {
        result->failed_step = CCONFINE_STEP_CLONE;
        result->error = errno;
        return -1;
    }
    struct cc_child_context context = { plan, report_pipe[1] };

    /* No signal handler of the broker may run on the child's stack before it resets them. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int pidfd = -1;
    /* Exit signal 0: no SIGCHLD, so a broker that ignores SIGCHLD cannot auto-reap the tool
     * before we read its status; we wait with __WALL. */
    /* No CLONE_NEWNS: the child enters its view's template namespace and copies that instead
     * of the host's. */
    pid_t pid = clone(cc_child_main, stack,
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS,
                      &context, &pidfd);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(report_pipe[1]);

    if (pid < 0) {
        close(report_pipe[0]);
        result->failed_step = CCONFINE_STEP_CLONE;
        result->error = clone_errno;
        return -1;
    }
    /* CLONE_VFORK: the child has exec'd (the pipe closed) or exited (a report waits). */
    read_report(report_pipe[0], result);
    close(report_pipe[0]);
    if (result->failed_step != CCONFINE_STEP_NONE) {
        int status;
        while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
        close(pidfd);
        return -1;
    }
    result->pid = pid;
    result->pidfd = pidfd;
    return 0;
}

int cconfine_kill(int pidfd) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

int cconfine_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cconfine_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }

int cconfine_socketpair_cloexec(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds);
}

int cconfine_open_cloexec(const char *path, int flags) { return open(path, flags | O_CLOEXEC); }

int cconfine_receive_fd(int socket_fd) {
    char byte;
    struct iovec iov = { &byte, 1 };
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(socket_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1) return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
        errno = EPROTO;
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}
