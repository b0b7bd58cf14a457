/* The sandbox's root filesystem: an empty tmpfs with only what the view lists, then
 * pivot_root into it and detach the host's tree. */
#include "internal.h"
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
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
    case CCONFINE_MKFILE: {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, m->target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) return cc_fail(f, CCONFINE_STEP_MKFILE, index, errno);
        syscall(SYS_close, fd);
        return 0;
    }
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
    case CCONFINE_PROC:
        /* Mounted by PID 1 of the new PID namespace: it shows only the sandbox's processes. */
        if (syscall(SYS_mount, "proc", m->target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
            return cc_fail(f, CCONFINE_STEP_MOUNT_PROC, index, errno);
        return 0;
    case CCONFINE_MKNOD:
        if (syscall(SYS_mknodat, AT_FDCWD, m->target, S_IFCHR | 0666, makedev(m->dev_major, m->dev_minor)) != 0)
            return cc_fail(f, CCONFINE_STEP_MKNOD, index, errno);
        /* mknod obeys the umask; the nodes must be usable by the sandbox user. */
        if (syscall(SYS_fchmodat, AT_FDCWD, m->target, 0666) != 0)
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

int cc_mounts_build(const struct cconfine_plan *plan, struct cc_failure *f) {
    /* Nothing we mount may propagate back to the host, and no host mount event may reach us. */
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_PRIVATE, 0, errno);
    if (syscall(SYS_mount, "tmpfs", plan->root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1048576,mode=0755") != 0)
        return cc_fail(f, CCONFINE_STEP_MOUNT_ROOT, 0, errno);
    for (size_t i = 0; i < plan->mount_count; i++) {
        int err = apply(&plan->mounts[i], f, (int)i);
        if (err != 0) return err;
    }
    /* pivot_root(".", "."): the old root ends up stacked on the new one; detach it. */
    if (syscall(SYS_chdir, plan->root) != 0)
        return cc_fail(f, CCONFINE_STEP_PIVOT_ROOT, 0, errno);
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        return cc_fail(f, CCONFINE_STEP_PIVOT_ROOT, 0, errno);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0)
        return cc_fail(f, CCONFINE_STEP_DETACH_OLD_ROOT, 0, errno);
    /* The root tmpfs itself (mount points, /dev nodes) becomes read-only; /tmp and the workspace
     * are their own mounts and keep their own flags. */
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID };
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof attr) != 0)
        return cc_fail(f, CCONFINE_STEP_ROOT_READONLY, 0, errno);
    if (syscall(SYS_chdir, plan->working_directory) != 0)
        return cc_fail(f, CCONFINE_STEP_CHDIR, 0, errno);
    return 0;
}
