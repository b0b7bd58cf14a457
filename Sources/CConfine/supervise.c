/* Supervising a running tool: feed stdin, capture capped output, enforce the deadline, and
 * stop the sandbox on a seccomp notification. Runs on the broker's thread, not in the child. */
#include "internal.h"
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>

/* After the tool's PID 1 is gone every process of its namespace is gone too, so its pipes close
 * at once; this bound only guards against a reader stuck on something unforeseen. */
static const uint64_t drain_grace_ns = 2000000000ull;

uint64_t cconfine_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* Reads what is available; keeps up to the cap, counts and discards the rest so a flooding
 * tool never blocks on a full pipe. Returns 0 at end of stream. */
static int drain(int fd, struct cconfine_stream *stream) {
    unsigned char scratch[65536];
    for (;;) {
        ssize_t n = read(fd, scratch, sizeof scratch);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : 0;
        if (n == 0) return 0;
        stream->total += (uint64_t)n;
        size_t room = stream->cap - stream->length;
        size_t keep = (size_t)n < room ? (size_t)n : room;
        if (keep > 0) {
            unsigned char *grown = realloc(stream->data, stream->length + keep);
            if (grown == NULL) return 1; /* keep draining; the bytes count as dropped */
            stream->data = grown;
            memcpy(stream->data + stream->length, scratch, keep);
            stream->length += keep;
        }
        if ((size_t)n < sizeof scratch) return 1;
    }
}

static void feed(struct cconfine_supervision *s, size_t *written) {
    while (*written < s->stdin_length) {
        ssize_t n = write(s->stdin_fd, s->stdin_data + *written, s->stdin_length - *written);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            break; /* EPIPE: the tool closed its stdin; that is its business */
        }
        *written += (size_t)n;
    }
    close_fd(&s->stdin_fd);
}

/* Records the forbidden syscall and kills the namespace; the syscall never completes. */
static void on_notification(struct cconfine_supervision *s) {
    struct seccomp_notif_sizes sizes;
    union { struct seccomp_notif notif; unsigned char bytes[512]; } buf;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 && sizes.seccomp_notif <= sizeof buf) {
        memset(&buf, 0, sizeof buf);
        if (ioctl(s->seccomp_listener, SECCOMP_IOCTL_NOTIF_RECV, &buf.notif) == 0 && !s->seccomp_killed) {
            s->seccomp_killed = 1;
            s->seccomp_nr = buf.notif.data.nr;
            s->seccomp_arch = buf.notif.data.arch;
        }
    }
    cconfine_kill(s->pidfd);
    if (!s->seccomp_killed) {
        /* The notification vanished (its thread died); still, a forbidden call was attempted. */
        s->seccomp_killed = 1;
        s->seccomp_nr = -1;
    }
    close_fd(&s->seccomp_listener);
}

static void set_nonblocking(int fd) {
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void cconfine_supervise(struct cconfine_supervision *s) {
    uint64_t start = cconfine_monotonic_ns();
    size_t written = 0;
    int exited = 0;
    uint64_t exited_at = 0;
    set_nonblocking(s->stdin_fd);
    set_nonblocking(s->stdout_fd);
    set_nonblocking(s->stderr_fd);
    if (s->stdin_fd >= 0 && s->stdin_length == 0) close_fd(&s->stdin_fd);

    while (!exited || s->stdout_fd >= 0 || s->stderr_fd >= 0) {
        uint64_t now = cconfine_monotonic_ns();
        if (exited && now - exited_at > drain_grace_ns) break;
        if (!exited && !s->timed_out && now >= s->deadline_ns) {
            cconfine_kill(s->pidfd);
            s->timed_out = 1;
        }
        struct pollfd p[5] = {
            { exited ? -1 : s->pidfd, POLLIN, 0 },
            { s->stdout_fd, POLLIN, 0 },
            { s->stderr_fd, POLLIN, 0 },
            { s->stdin_fd, POLLOUT, 0 },
            { s->seccomp_listener, POLLIN, 0 },
        };
        uint64_t until = exited ? exited_at + drain_grace_ns : (s->timed_out ? now + drain_grace_ns : s->deadline_ns);
        int timeout_ms = until > now ? (int)((until - now + 999999) / 1000000) : 0;
        int ready = poll(p, 5, timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            s->error = errno;
            cconfine_kill(s->pidfd);
            break;
        }
        if (p[4].revents & POLLIN) on_notification(s);
        else if (p[4].revents & (POLLHUP | POLLERR | POLLNVAL)) close_fd(&s->seccomp_listener);
        if (p[1].revents && !drain(s->stdout_fd, &s->out)) close_fd(&s->stdout_fd);
        if (p[2].revents && !drain(s->stderr_fd, &s->err)) close_fd(&s->stderr_fd);
        if (p[3].revents) feed(s, &written);
        if (p[0].revents) {
            exited = 1;
            exited_at = cconfine_monotonic_ns();
        }
    }
    close_fd(&s->stdin_fd);
    close_fd(&s->stdout_fd);
    close_fd(&s->stderr_fd);
    close_fd(&s->seccomp_listener);
    if (!exited) cconfine_kill(s->pidfd);
    while (wait4(s->pid, &s->wait_status, __WALL, &s->usage) < 0 && errno == EINTR) {}
    close_fd(&s->pidfd);
    s->wall_ns = cconfine_monotonic_ns() - start;
}
