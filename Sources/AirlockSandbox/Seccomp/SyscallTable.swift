import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// x86_64 system call names and numbers up to Linux 6.18, and names for the syscalls of other ABIs.
///
/// libseccomp 2.5.4 (Debian 12) knows the syscalls up to `fchmodat2` (452). Without this table a
/// profile that allows `mseal` or `futex_wake` could not be compiled, and a tool killed for calling
/// syscall 462 could not be told which syscall that was. The table covers the native ABI only; the
/// other ABIs go through libseccomp, whose tables are complete enough for them (the default profile
/// refuses them outright).
public enum SyscallTable {
    /// `AUDIT_ARCH_X86_64`, the `arch` of a native syscall in `struct seccomp_data`. x32 syscalls
    /// carry the same value with `x32SyscallBit` set in the number.
    public static let auditArchX86_64: UInt32 = 0xC000_003E
    /// `AUDIT_ARCH_I386`, the `arch` of an `int 0x80` syscall made by a 64-bit process.
    public static let auditArchI386: UInt32 = 0x4000_0003
    /// `__X32_SYSCALL_BIT`: set in the number of every x32 syscall.
    public static let x32SyscallBit: Int32 = 0x4000_0000

    /// The number of a native (x86_64) syscall, from this table.
    public static func x86_64Number(of name: String) -> Int32? {
        numbersByName[name]
    }

    /// The name of syscall `number` made with `arch` (the `AUDIT_ARCH_*` value that
    /// `struct seccomp_data` and `struct seccomp_notif` carry), or `nil` if no table knows it.
    /// x32 syscalls are named without their ABI; `describe(number:arch:)` adds it.
    public static func name(number: Int32, arch: UInt32) -> String? {
        if arch == auditArchX86_64 && number & x32SyscallBit == 0 {
            return x86_64Name(number) ?? libseccompName(number: number, token: arch)
        }
        // libseccomp's tokens are the AUDIT_ARCH values; its x32 table takes the number with the bit.
        let token = arch == auditArchX86_64 ? airlock_scmp_arch_x32() : arch
        return libseccompName(number: number, token: token)
    }

    /// A syscall as an outcome names it: `mount`, `read (x32 ABI)`, `socketcall (i386 ABI)`, or
    /// `syscall 999 (x86_64 ABI)` when no table knows the number.
    public static func describe(number: Int32, arch: UInt32) -> String {
        let abi = abiName(number: number, arch: arch)
        guard let name = name(number: number, arch: arch) else { return "syscall \(number) (\(abi) ABI)" }
        return abi == "x86_64" ? name : "\(name) (\(abi) ABI)"
    }

    /// Whether any architecture has a syscall of this name: libseccomp's tables (which list every
    /// name on every architecture, with pseudo-numbers where it does not exist), then this table.
    public static func isKnown(_ name: String) -> Bool {
        seccomp_syscall_resolve_name(name) != airlock_scmp_nr_error() || numbersByName[name] != nil
            || newerForeignNames.contains(name)
    }

    /// Syscalls of other architectures that are newer than libseccomp 2.5.4, so that a profile
    /// listing them (Docker's default lists `riscv_hwprobe`) still loads. They are never part of a
    /// filter built here: no architecture this libseccomp filters can make them.
    private static let newerForeignNames: Set<String> = [
        "riscv_hwprobe",  // riscv64 258, Linux 6.4
    ]

    static func x86_64Name(_ number: Int32) -> String? {
        let entry: String
        switch number {
        case 0..<Int32(low.count): entry = low[Int(number)]
        case highBase..<(highBase + Int32(high.count)): entry = high[Int(number - highBase)]
        default: return nil
        }
        return entry.isEmpty ? nil : entry
    }

    private static func libseccompName(number: Int32, token: UInt32) -> String? {
        guard let pointer = seccomp_syscall_resolve_num_arch(token, number) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    private static func abiName(number: Int32, arch: UInt32) -> String {
        switch arch {
        case auditArchX86_64: return number & x32SyscallBit == 0 ? "x86_64" : "x32"
        case auditArchI386: return "i386"
        default: return SeccompArchitecture.all.first { $0.token == arch }?.shortName ?? "arch 0x\(String(arch, radix: 16))"
        }
    }

    private static let numbersByName: [String: Int32] = {
        var result: [String: Int32] = [:]
        for (number, name) in low.enumerated() where !name.isEmpty { result[name] = Int32(number) }
        for (offset, name) in high.enumerated() where !name.isEmpty { result[name] = highBase + Int32(offset) }
        return result
    }()

    /// Syscalls 0...336, indexed by number (`arch/x86/entry/syscalls/syscall_64.tbl`, 64-bit and
    /// common entries). 335 `uretprobe` (6.11) and 336 `uprobe` (6.18) are newer than glibc's headers.
    private static let low: [String] = [
        /*   0 */ "read", "write", "open", "close", "stat", "fstat",
        /*   6 */ "lstat", "poll", "lseek", "mmap", "mprotect", "munmap",
        /*  12 */ "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "pread64",
        /*  18 */ "pwrite64", "readv", "writev", "access", "pipe", "select",
        /*  24 */ "sched_yield", "mremap", "msync", "mincore", "madvise", "shmget",
        /*  30 */ "shmat", "shmctl", "dup", "dup2", "pause", "nanosleep",
        /*  36 */ "getitimer", "alarm", "setitimer", "getpid", "sendfile", "socket",
        /*  42 */ "connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg",
        /*  48 */ "shutdown", "bind", "listen", "getsockname", "getpeername", "socketpair",
        /*  54 */ "setsockopt", "getsockopt", "clone", "fork", "vfork", "execve",
        /*  60 */ "exit", "wait4", "kill", "uname", "semget", "semop",
        /*  66 */ "semctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
        /*  72 */ "fcntl", "flock", "fsync", "fdatasync", "truncate", "ftruncate",
        /*  78 */ "getdents", "getcwd", "chdir", "fchdir", "rename", "mkdir",
        /*  84 */ "rmdir", "creat", "link", "unlink", "symlink", "readlink",
        /*  90 */ "chmod", "fchmod", "chown", "fchown", "lchown", "umask",
        /*  96 */ "gettimeofday", "getrlimit", "getrusage", "sysinfo", "times", "ptrace",
        /* 102 */ "getuid", "syslog", "getgid", "setuid", "setgid", "geteuid",
        /* 108 */ "getegid", "setpgid", "getppid", "getpgrp", "setsid", "setreuid",
        /* 114 */ "setregid", "getgroups", "setgroups", "setresuid", "getresuid", "setresgid",
        /* 120 */ "getresgid", "getpgid", "setfsuid", "setfsgid", "getsid", "capget",
        /* 126 */ "capset", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack",
        /* 132 */ "utime", "mknod", "uselib", "personality", "ustat", "statfs",
        /* 138 */ "fstatfs", "sysfs", "getpriority", "setpriority", "sched_setparam", "sched_getparam",
        /* 144 */ "sched_setscheduler", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "mlock",
        /* 150 */ "munlock", "mlockall", "munlockall", "vhangup", "modify_ldt", "pivot_root",
        /* 156 */ "_sysctl", "prctl", "arch_prctl", "adjtimex", "setrlimit", "chroot",
        /* 162 */ "sync", "acct", "settimeofday", "mount", "umount2", "swapon",
        /* 168 */ "swapoff", "reboot", "sethostname", "setdomainname", "iopl", "ioperm",
        /* 174 */ "create_module", "init_module", "delete_module", "get_kernel_syms", "query_module", "quotactl",
        /* 180 */ "nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security",
        /* 186 */ "gettid", "readahead", "setxattr", "lsetxattr", "fsetxattr", "getxattr",
        /* 192 */ "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr",
        /* 198 */ "lremovexattr", "fremovexattr", "tkill", "time", "futex", "sched_setaffinity",
        /* 204 */ "sched_getaffinity", "set_thread_area", "io_setup", "io_destroy", "io_getevents", "io_submit",
        /* 210 */ "io_cancel", "get_thread_area", "lookup_dcookie", "epoll_create", "epoll_ctl_old", "epoll_wait_old",
        /* 216 */ "remap_file_pages", "getdents64", "set_tid_address", "restart_syscall", "semtimedop", "fadvise64",
        /* 222 */ "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime",
        /* 228 */ "clock_gettime", "clock_getres", "clock_nanosleep", "exit_group", "epoll_wait", "epoll_ctl",
        /* 234 */ "tgkill", "utimes", "vserver", "mbind", "set_mempolicy", "get_mempolicy",
        /* 240 */ "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
        /* 246 */ "kexec_load", "waitid", "add_key", "request_key", "keyctl", "ioprio_set",
        /* 252 */ "ioprio_get", "inotify_init", "inotify_add_watch", "inotify_rm_watch", "migrate_pages", "openat",
        /* 258 */ "mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat", "unlinkat",
        /* 264 */ "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat", "faccessat",
        /* 270 */ "pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list", "splice",
        /* 276 */ "tee", "sync_file_range", "vmsplice", "move_pages", "utimensat", "epoll_pwait",
        /* 282 */ "signalfd", "timerfd_create", "eventfd", "fallocate", "timerfd_settime", "timerfd_gettime",
        /* 288 */ "accept4", "signalfd4", "eventfd2", "epoll_create1", "dup3", "pipe2",
        /* 294 */ "inotify_init1", "preadv", "pwritev", "rt_tgsigqueueinfo", "perf_event_open", "recvmmsg",
        /* 300 */ "fanotify_init", "fanotify_mark", "prlimit64", "name_to_handle_at", "open_by_handle_at", "clock_adjtime",
        /* 306 */ "syncfs", "sendmmsg", "setns", "getcpu", "process_vm_readv", "process_vm_writev",
        /* 312 */ "kcmp", "finit_module", "sched_setattr", "sched_getattr", "renameat2", "seccomp",
        /* 318 */ "getrandom", "memfd_create", "kexec_file_load", "bpf", "execveat", "userfaultfd",
        /* 324 */ "membarrier", "mlock2", "copy_file_range", "preadv2", "pwritev2", "pkey_mprotect",
        /* 330 */ "pkey_alloc", "pkey_free", "statx", "io_pgetevents", "rseq", "uretprobe",
        /* 336 */ "uprobe",
    ]

    /// Numbers 337...423 are unused on x86_64 (512...547 are x32-only entry points); the common
    /// numbering resumes at 424. From 451 on, libseccomp 2.5.4 does not know every entry.
    private static let highBase: Int32 = 424

    /// Syscalls 424...469, indexed by `number - highBase`: 451 `cachestat` (6.5), 452 `fchmodat2`
    /// (6.6), 453 `map_shadow_stack` (6.6), 454–456 futex2 (6.7), 457–458 `statmount`/`listmount`
    /// (6.8), 459–461 LSM syscalls (6.8), 462 `mseal` (6.10), 463–466 `*xattrat` (6.13),
    /// 467 `open_tree_attr` (6.15), 468–469 `file_getattr`/`file_setattr` (6.17).
    private static let high: [String] = [
        /* 424 */ "pidfd_send_signal", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree", "move_mount",
        /* 430 */ "fsopen", "fsconfig", "fsmount", "fspick", "pidfd_open", "clone3",
        /* 436 */ "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise", "epoll_pwait2",
        /* 442 */ "mount_setattr", "quotactl_fd", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "memfd_secret",
        /* 448 */ "process_mrelease", "futex_waitv", "set_mempolicy_home_node", "cachestat", "fchmodat2", "map_shadow_stack",
        /* 454 */ "futex_wake", "futex_wait", "futex_requeue", "statmount", "listmount", "lsm_get_self_attr",
        /* 460 */ "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat", "getxattrat", "listxattrat",
        /* 466 */ "removexattrat", "open_tree_attr", "file_getattr", "file_setattr",
    ]
}
