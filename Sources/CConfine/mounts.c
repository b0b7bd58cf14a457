/* The sandbox's root filesystem, in two stages.
 *
 * Once per view (parent side, cconfine_view_create): a template mount namespace whose root is an
 * empty tmpfs holding only what the view lists, a minimal /dev and empty mount points, pivoted
 * into and detached from the host's tree, read-only.
 *
 * Per call (child side, cc_mounts_build): a private copy of the template, a fresh /tmp, a /proc
 * for the new PID namespace and the workspace, cloned from the host before leaving it. The
 * per-call cost is a copy of a handful of mounts instead of building and pivoting a root. */
#include "internal.h"
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/sysmacros.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int set_attributes(const char *target, int read_only, int recursive) {
    struct mount_attr attr = { 0 };
    attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0);
    return cc_errno(syscall(SYS_mount_setattr, AT_FDCWD, target,
                            recursive ? AT_RECURSIVE : 0, &attr, sizeof attr));
}

/* "size=67108864,mode=1777": formatted by hand, snprintf is not async-signal-safe. */
static void tmpfs_options(char *buf, uint64_t size, uint32_t mode) {
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + size % 10); size /= 10; } while (size > 0);
    char *p = buf;
    for (const char *s = "size="; *s; s++) *p++ = *s;
    while (n > 0) *p++ = digits[--n];
    for (const char *s = ",mode="; *s; s++) *p++ = *s;
    *p++ = (char)('0' + ((mode >> 9) & 7));
    *p++ = (char)('0' + ((mode >> 6) & 7));
    *p++ = (char)('0' + ((mode >> 3) & 7));
    *p++ = (char)('0' + (mode & 7));
    *p = '\0';
}

static int apply(const struct cconfine_mount *m, struct cc_failure *f, int index) {
    char options[64];
    switch (m->kind) {
    case CCONFINE_MKDIR:
        if (syscall(SYS_mkdirat, AT_FDCWD, m->target, 0755) != 0 && errno != EEXIST)
            return cc_fail(f, CCONFINE_STEP_MKDIR, index, errno);
        return 0;
    case CCONFINE_MKFILE:
        /* mknod, not open(O_CREAT): this helper shares the broker's descriptor table, and a thread
         * that clones meanwhile copies it. A copied descriptor open for writing would keep a
         * writer on the root after our close, and the root could not be made read-only (EBUSY). */
        if (syscall(SYS_mknodat, AT_FDCWD, m->target, S_IFREG | 0644, 0) != 0 && errno != EEXIST)
            return cc_fail(f, CCONFINE_STEP_MKFILE, index, errno);
        return 0;
    case CCONFINE_BIND:
        if (syscall(SYS_mount, m->source, m->target, NULL, MS_BIND | MS_REC, NULL) != 0)
            return cc_fail(f, CCONFINE_STEP_MOUNT_BIND, index, errno);
        if (set_attributes(m->target, m->read_only, 1) != 0)
            return cc_fail(f, CCONFINE_STEP_MOUNT_ATTRIBUTES, index, errno);
        return 0;
    case CCONFINE_TMPFS:
        tmpfs_options(options, m->size, m->mode);
        if (syscall(SYS_mount, "tmpfs", m->target, "tmpfs", MS_NOSUID | (m->allow_devices ? 0 : MS_NODEV), options) != 0)
            return cc_fail(f, CCONFINE_STEP_MOUNT_TMPFS, index, errno);
        return 0;
    case CCONFINE_MKNOD:
        /* The umask is 0 while the root is built (see cc_mounts_build): the nodes get 0666. */
        if (syscall(SYS_mknodat, AT_FDCWD, m->target, S_IFCHR | 0666, makedev(m->dev_major, m->dev_minor)) != 0)
            return cc_fail(f, CCONFINE_STEP_MKNOD, index, errno);
        return 0;
    case CCONFINE_READONLY: {
        /* Keeps device nodes working: this is how /dev is sealed after its nodes exist. */
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
        if (syscall(SYS_mount_setattr, AT_FDCWD, m->target, 0, &attr, sizeof attr) != 0)
            return cc_fail(f, CCONFINE_STEP_MOUNT_ATTRIBUTES, index, errno);
        return 0;
    }
    case CCONFINE_SYMLINK:
        if (syscall(SYS_symlinkat, m->source, AT_FDCWD, m->target) != 0)
            return cc_fail(f, CCONFINE_STEP_SYMLINK, index, errno);
        return 0;
    }
    return cc_fail(f, CCONFINE_STEP_MKDIR, index, EINVAL);
}

/* Builds the view under `root` in the current (fresh, private) mount namespace and pivots into
 * it. Runs in the template helper child. */
static int build_view(const char *root, const struct cconfine_mount *mounts, size_t count, struct cc_failure *f) {
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_PRIVATE, 0, errno);
    if (syscall(SYS_mount, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1048576,mode=0755") != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_ROOT, 0, errno);
    /* Modes below are meant exactly; fds.c sets the tool's umask (002) before exec. */
    syscall(SYS_umask, 0);
    for (size_t i = 0; i < count; i++) {
        int err = apply(&mounts[i], f, (int)i);
        if (err != 0) return err;
    }
    /* pivot_root(".", "."): the old root ends up stacked on the new one; detach it. */
    if (syscall(SYS_chdir, root) != 0) return cc_fail(f, CCONFINE_STEP_PIVOT_ROOT, 0, errno);
    if (syscall(SYS_pivot_root, ".", ".") != 0) return cc_fail(f, CCONFINE_STEP_PIVOT_ROOT, 0, errno);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0) return cc_fail(f, CCONFINE_STEP_DETACH_OLD_ROOT, 0, errno);
    /* The root tmpfs (mount points, links) becomes read-only; per-call mounts keep their own. */
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof attr) != 0)
        return cc_fail(f, CCONFINE_STEP_ROOT_READONLY, 0, errno);
    return 0;
}

struct view_child {
    const char *root;
    const struct cconfine_mount *mounts;
    size_t count;
    int fd;
    struct cc_failure failure;
    int error;
};

static int view_child_main(void *arg) {
    struct view_child *c = arg;
    /* CLONE_FILES: this descriptor lands in the parent's table and keeps the namespace alive.
     * Opened before pivot_root, after which there is no /proc. */
    c->fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        c->failure.step = CCONFINE_STEP_MOUNT_PRIVATE;
        c->error = errno;
        syscall(SYS_exit_group, 1);
    }
    c->error = build_view(c->root, c->mounts, c->count, &c->failure);
    if (c->error != 0) {
        syscall(SYS_close, c->fd);
        c->fd = -1;
    }
    syscall(SYS_exit_group, c->error ? 1 : 0);
    return 0;
}

int cconfine_view_create(const char *root, const struct cconfine_mount *mounts, size_t count,
                         struct cconfine_spawn_result *result) {
    memset(result, 0, sizeof *result);
    struct view_child c = { root, mounts, count, -1, { 0, 0 }, 0 };
    int err = cc_run_helper(view_child_main, &c, CLONE_NEWNS | CLONE_FILES);
    if (err != 0) {
        result->failed_step = CCONFINE_STEP_CLONE;
        result->error = err;
        return -1;
    }
    if (c.fd < 0) {
        result->failed_step = c.failure.step;
        result->failed_detail = c.failure.detail;
        result->error = c.error ? c.error : EIO;
        return -1;
    }
    return c.fd;
}

int cc_mounts_build(const struct cconfine_plan *plan, struct cc_failure *f) {
    /* The workspace is cloned from the host's tree while we can still see it. */
    int workspace = -1;
    if (plan->workspace_source != NULL) {
        workspace = (int)syscall(SYS_open_tree, AT_FDCWD, plan->workspace_source,
                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (workspace < 0) return cc_fail(f, CCONFINE_STEP_WORKSPACE, 0, errno);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                               (plan->workspace_read_only ? MOUNT_ATTR_RDONLY : 0) };
        if (syscall(SYS_mount_setattr, workspace, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
            return cc_fail(f, CCONFINE_STEP_WORKSPACE, 0, errno);
    }
    /* Enter the view's template and take a private copy of it: what we mount next is ours. */
    if (syscall(SYS_setns, plan->view_fd, CLONE_NEWNS) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_NAMESPACE, 0, errno);
    if (syscall(SYS_unshare, CLONE_NEWNS) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_NAMESPACE, 0, errno);
    char options[64];
    tmpfs_options(options, plan->tmp_size, 01777);
    if (syscall(SYS_mount, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_TMPFS, 0, errno);
    /* Mounted by PID 1 of the new PID namespace: it shows only the sandbox's processes. */
    if (syscall(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_PROC, 0, errno);
    if (workspace >= 0) {
        if (syscall(SYS_move_mount, workspace, "", AT_FDCWD, plan->workspace_target, MOVE_MOUNT_F_EMPTY_PATH) != 0)
            return cc_fail(f, CCONFINE_STEP_WORKSPACE, 0, errno);
        syscall(SYS_close, workspace);
    }
    if (syscall(SYS_chdir, plan->working_directory) != 0)
        return cc_fail(f, CCONFINE_STEP_CHDIR, 0, errno);
    return 0;
}
