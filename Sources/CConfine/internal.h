/* Internal to cconfine: raw system calls for the child and one function per kernel concern.
 *
 * The child shares the broker's memory, so it calls the kernel directly: glibc's wrappers for
 * set*id() broadcast to every thread of what glibc believes is its process (the broker's
 * threads), and others take locks. syscall(2) only sets errno. */
#ifndef CCONFINE_INTERNAL_H
#define CCONFINE_INTERNAL_H
#define _GNU_SOURCE
#include "cconfine.h"
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where a step failed: the step, and which item of it (mount index, rlimit resource). */
struct cc_failure { int step; int detail; };

/* Each returns 0 on success or the errno of the first failure, filling *f. */
int cc_namespaces_enter(const struct cconfine_plan *plan, struct cc_failure *f);
int cc_mounts_build(const struct cconfine_plan *plan, struct cc_failure *f);
int cc_credentials_drop(const struct cconfine_plan *plan, struct cc_failure *f);
int cc_rlimits_apply(const struct cconfine_plan *plan, struct cc_failure *f);
int cc_fds_prepare(const struct cconfine_plan *plan, int *error_fd, int *handoff_fd, int *gate_fd, struct cc_failure *f);
int cc_seccomp_install(const struct cconfine_plan *plan, int handoff_fd, struct cc_failure *f);

/* Marks the failing step and returns its errno, for `return fail(f, STEP, i, errno)`. */
static inline int cc_fail(struct cc_failure *f, int step, int detail, int error) {
    f->step = step;
    f->detail = detail;
    return error;
}

/* The child's entry point (confine.c). */
struct cc_child_context {
    const struct cconfine_plan *plan;
    int error_fd;
};
int cc_child_main(void *context);

static inline int cc_errno(long rc) { return rc < 0 ? errno : 0; }

/* Runs fn(arg) in a CLONE_VM | CLONE_VFORK child with `flags`, signals blocked around the
 * clone, and reaps it. Returns 0, or the errno of clone. (spawn.c) */
int cc_run_helper(int (*fn)(void *), void *arg, int flags);

#endif
