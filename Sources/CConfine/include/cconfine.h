/*
 * cconfine: the code that runs between clone() and execve() of a confined tool,
 * plus the parent-side supervision of that tool.
 *
 * The child shares the broker's memory (CLONE_VM | CLONE_VFORK) and so may only make
 * async-signal-safe calls: raw system calls on data the parent prepared. It never
 * allocates, never takes a lock, never returns. When a step fails it writes
 * {step, errno} to a close-on-exec pipe and exits; the tool never runs.
 */
#ifndef CCONFINE_H
#define CCONFINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if !__has_feature(nullability)
#define _Nonnull
#define _Nullable
#endif

/* The steps of confinement, in the order the child performs them. */
enum cconfine_step {
    CCONFINE_STEP_NONE = 0,
    CCONFINE_STEP_CLONE,
    CCONFINE_STEP_SIGNALS,
    CCONFINE_STEP_PDEATHSIG,
    CCONFINE_STEP_SETSID,
    CCONFINE_STEP_CGROUP_JOIN,
    CCONFINE_STEP_CGROUP_NAMESPACE,
    CCONFINE_STEP_NETWORK_NAMESPACE,
    CCONFINE_STEP_HOSTNAME,
    CCONFINE_STEP_WORKSPACE,
    CCONFINE_STEP_MOUNT_NAMESPACE,
    CCONFINE_STEP_MOUNT_PRIVATE,
    CCONFINE_STEP_MOUNT_ROOT,
    CCONFINE_STEP_MKDIR,
    CCONFINE_STEP_MKFILE,
    CCONFINE_STEP_MOUNT_BIND,
    CCONFINE_STEP_MOUNT_ATTRIBUTES,
    CCONFINE_STEP_MOUNT_TMPFS,
    CCONFINE_STEP_MOUNT_PROC,
    CCONFINE_STEP_MKNOD,
    CCONFINE_STEP_SYMLINK,
    CCONFINE_STEP_PIVOT_ROOT,
    CCONFINE_STEP_DETACH_OLD_ROOT,
    CCONFINE_STEP_ROOT_READONLY,
    CCONFINE_STEP_CHDIR,
    CCONFINE_STEP_SETGROUPS,
    CCONFINE_STEP_SETGID,
    CCONFINE_STEP_CAPS_BOUNDING,
    CCONFINE_STEP_CAPS_AMBIENT,
    CCONFINE_STEP_SETUID,
    CCONFINE_STEP_CAPS_CLEAR,
    CCONFINE_STEP_NO_NEW_PRIVS,
    CCONFINE_STEP_RLIMIT,
    CCONFINE_STEP_STDIO,
    CCONFINE_STEP_CLOSE_FDS,
    CCONFINE_STEP_SECCOMP,
    CCONFINE_STEP_SECCOMP_HANDOFF,
    CCONFINE_STEP_EXECVE,
    CCONFINE_STEP_GATE,
    CCONFINE_STEP_COUNT
};

/* A stable, human name for a step ("mount bind", "setresuid", "seccomp"). */
const char *_Nonnull cconfine_step_name(int step);

/* One operation on a view's new root, performed in order when the view's template is built.
 * Paths are absolute host paths already joined under the root (e.g. "/run/airlock/root/usr"). */
enum cconfine_mount_kind {
    CCONFINE_MKDIR,      /* mkdir target (mode 0755), EEXIST is fine */
    CCONFINE_MKFILE,     /* create an empty file at target, as a bind mount point */
    CCONFINE_BIND,       /* bind source at target (recursively), then apply attributes */
    CCONFINE_TMPFS,      /* tmpfs at target with size and mode */
    CCONFINE_MKNOD,      /* character device at target (major, minor), mode 0666 */
    CCONFINE_SYMLINK,    /* symlink at target pointing to source */
    CCONFINE_READONLY,   /* make the mount at target read-only (not recursively) */
};

struct cconfine_mount {
    int kind;
    const char *_Nullable source;
    const char *_Nullable target;
    int read_only;        /* BIND, TMPFS: make the mount read-only (recursively for BIND) */
    uint64_t size;        /* TMPFS: size in bytes */
    uint32_t mode;        /* TMPFS: mode of the root directory */
    int allow_devices;    /* TMPFS: device nodes work on it (only /dev) */
    uint32_t dev_major;   /* MKNOD */
    uint32_t dev_minor;   /* MKNOD */
};

/* RLIMIT_NPROC is hidden from Swift's Glibc module (no _GNU_SOURCE); checked in rlimits.c. */
enum { CCONFINE_RLIMIT_NPROC = 6 };

struct cconfine_rlimit {
    int resource;
    rlim_t limit;         /* soft and hard alike */
};

struct cconfine_plan {
    const char *_Nullable executable;
    char *const _Nullable *_Nullable argv;
    char *const _Nullable *_Nullable envp;
    const char *_Nullable working_directory;  /* inside the new root */
    const char *_Nullable hostname;

    int view_fd;                  /* the view's template mount namespace (cconfine_view_create) */
    uint64_t tmp_size;            /* size of the private /tmp */
    const char *_Nullable workspace_source;  /* host directory bound at workspace_target, or NULL */
    const char *_Nullable workspace_target;
    int workspace_read_only;

    int netns_fd;                 /* an empty network namespace to join; required */
    int cgroup_procs_fds[2];      /* cgroup.procs files to write "0" to; -1 when unused */
    size_t cgroup_procs_count;

    uid_t uid;
    gid_t gid;
    gid_t workspace_gid;          /* the one supplementary group (owns task workspaces); 0: none */
    int last_cap;                 /* highest capability number the kernel knows */

    const struct cconfine_rlimit *_Nullable rlimits;
    size_t rlimit_count;

    int stdin_fd, stdout_fd, stderr_fd;

    const void *_Nullable seccomp_filter;     /* struct sock_filter[]; NULL: none */
    unsigned short seccomp_instruction_count;
    unsigned int seccomp_flags;   /* flags of seccomp(SECCOMP_SET_MODE_FILTER, ...) */
    int seccomp_notify;           /* the flags ask for a listener: pass it over handoff_fd */
    int handoff_fd;               /* AF_UNIX socket (child end) for the seccomp listener */
    int gate_fd;                  /* read end of a pipe: wait for one byte before going on past the
                                     privilege drop (EOF: give up); -1: no gate */
};

struct cconfine_spawn_result {
    pid_t pid;          /* the tool, PID 1 of its namespace, as the broker sees it */
    int pidfd;          /* pidfd of the tool */
    int failed_step;    /* CCONFINE_STEP_NONE on success */
    int error;          /* errno of the failed step */
    int failed_detail;  /* which item of the step: mount index, rlimit resource */
};

/* Clones a child that confines itself per `plan` and execs the tool. Returns 0 when the tool
 * is running, -1 when a step failed (then `result` names it and the child is already reaped).
 * Blocks only until the child has exec'd or failed. Thread-safe; call from any thread. */
int cconfine_spawn(const struct cconfine_plan *_Nonnull plan,
                   struct cconfine_spawn_result *_Nonnull result);

/* Builds a view's template mount namespace: a tmpfs root on the host directory `root` (empty,
 * private to the helper's namespace), the operations in order, pivot_root, the host's tree
 * detached, the root read-only. Returns a descriptor (O_CLOEXEC) that keeps it alive, or -1
 * with `result` naming the failed step and operation. */
int cconfine_view_create(const char *_Nonnull root, const struct cconfine_mount *_Nullable mounts,
                         size_t count, struct cconfine_spawn_result *_Nonnull result);

/* Creates an empty network namespace with its loopback up and returns a descriptor that keeps
 * it alive (O_CLOEXEC), or -1 with errno set and *failed_step naming the step. */
int cconfine_netns_create(int *_Nonnull failed_step);

/* ----- Supervision: feed stdin, capture output, enforce the deadline, name seccomp kills. */

struct cconfine_stream {
    unsigned char *_Nullable data;   /* malloc'd by the supervisor; caller frees */
    size_t length;                   /* bytes kept (<= cap) */
    uint64_t total;                  /* bytes the tool wrote, kept or drained */
    size_t cap;                      /* in: bytes to keep */
};

struct cconfine_supervision {
    /* in */
    pid_t pid;
    int pidfd;
    int stdin_fd;                    /* write end, or -1; closed by the supervisor */
    const unsigned char *_Nullable stdin_data;
    size_t stdin_length;
    int stdout_fd, stderr_fd;        /* read ends; closed by the supervisor */
    int seccomp_listener;            /* or -1; closed by the supervisor */
    uint64_t deadline_ns;            /* CLOCK_MONOTONIC deadline */
    /* in/out */
    struct cconfine_stream out, err;
    /* out */
    int wait_status;
    struct rusage usage;
    int timed_out;                   /* the deadline killed the namespace */
    int seccomp_killed;              /* a seccomp notification killed the namespace */
    int seccomp_nr;
    uint32_t seccomp_arch;
    uint64_t wall_ns;
    int error;                       /* errno of a supervisor failure, 0 if none */
};

/* Runs until the tool and every process of its namespace are gone. Kills the namespace at the
 * deadline or on a seccomp notification. Never leaves a zombie. */
void cconfine_supervise(struct cconfine_supervision *_Nonnull s);

/* Kills the tool's whole PID namespace (SIGKILL to its PID 1). */
int cconfine_kill(int pidfd);

uint64_t cconfine_monotonic_ns(void);

/* Decoded wait(2) status: the function-like W* macros do not import into Swift. */
struct cconfine_wait_status {
    int exited;
    int exit_code;
    int signaled;
    int signal;
    int core_dumped;
};

struct cconfine_wait_status cconfine_decode_wait_status(int status);

/* Constants Swift's Glibc module hides (it is built without _GNU_SOURCE). */
int cconfine_pipe_cloexec(int fds[_Nonnull 2]);
int cconfine_set_pipe_size(int fd, int size);
int cconfine_socketpair_cloexec(int fds[_Nonnull 2]);
int cconfine_open_cloexec(const char *_Nonnull path, int flags);
/* Receives one descriptor passed with SCM_RIGHTS, without blocking; -1 if none is waiting. */
int cconfine_receive_fd(int socket_fd);

#endif
