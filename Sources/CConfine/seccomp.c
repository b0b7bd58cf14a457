/* Installing the prepared seccomp program: the last step before execve. */
#include "internal.h"
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/socket.h>

/* Passes the notification listener to the broker, which names and stops forbidden syscalls.
 * Only sendmsg runs here, and the profile compiler refuses profiles that deny it. */
static int hand_off(int socket_fd, int listener) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    char byte = 'L';
    struct iovec iov = { &byte, 1 };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
    return syscall(SYS_sendmsg, socket_fd, &msg, MSG_NOSIGNAL) == 1 ? 0 : (errno ? errno : EIO);
}

int cc_seccomp_install(const struct cconfine_plan *plan, int handoff_fd, struct cc_failure *f) {
    if (plan->seccomp_filter == NULL) return 0;
    struct sock_fprog prog = {
        .len = plan->seccomp_instruction_count,
        .filter = (struct sock_filter *)plan->seccomp_filter,
    };
    unsigned int flags = plan->seccomp_flags | (plan->seccomp_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (listener < 0) return cc_fail(f, CCONFINE_STEP_SECCOMP, 0, errno);
    if (plan->seccomp_notify) {
        /* The listener is close-on-exec: the tool never holds it. */
        int err = hand_off(handoff_fd, (int)listener);
        if (err != 0) return cc_fail(f, CCONFINE_STEP_SECCOMP_HANDOFF, 0, err);
    }
    return 0;
}
