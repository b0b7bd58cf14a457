import AirlockCore
import AirlockSandbox
import Testing

/// What `Sandbox/seccomp/default.json` answers, read from the compiled BPF the child will install.
@Suite struct DefaultSeccompProfileTests {
    let program: SeccompProgram
    let filter: SeccompEvaluator

    /// Compiled once for the suite: Swift Testing makes an instance per test case.
    private static let compiled = Result { () throws(SandboxError) -> SeccompProgram in
        try SeccompCompiler.compile(contentsOf: SeccompFixtures.defaultProfilePath, kernel: SeccompFixtures.kernel618)
    }

    init() throws {
        program = try Self.compiled.get()
        filter = SeccompEvaluator(program)
    }

    private func verdict(_ name: String, _ args: UInt64...) throws -> SeccompEvaluator.Verdict {
        let number = X86_64.number(name)
        try #require(number >= 0, "no x86_64 syscall `\(name)`")
        return try filter.verdict(number, args: args)
    }

    @Test func compilesToAProgramTheKernelAccepts() {
        #expect(!program.bpf.isEmpty)
        #expect(program.bpf.count % 8 == 0)
        #expect(program.instructionCount == program.bpf.count / 8)
        #expect(program.instructionCount <= SeccompCompiler.maximumInstructions)
        #expect(program.digest.count == 64)
    }

    @Test func killRulesNotifySoTheSyscallCanBeNamed() {
        #expect(program.usesNotify)
        #expect(program.installFlags & 8 != 0, "SECCOMP_FILTER_FLAG_NEW_LISTENER")
        #expect(program.installFlags & 1 == 0, "never SECCOMP_FILTER_FLAG_TSYNC")
    }

    @Test func launcherSyscallsAreAllowed() throws {
        for name in ["read", "execve", "write", "exit_group", "sendmsg"] {
            #expect(try verdict(name) == .allow, "\(name)")
        }
    }

    @Test(arguments: [
        "mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr",
        "mount_setattr", "pivot_root", "chroot",
    ])
    func cannotMount(_ name: String) throws {
        #expect(try verdict(name) == .errno(1))
    }

    @Test func cannotCreateNamespacesWithClone() throws {
        for (name, bit) in X86_64.cloneNewNamespaceFlags {
            #expect(try verdict("clone", bit | X86_64.sigchld) == .errno(1), "\(name)")
            #expect(try verdict("clone", bit | X86_64.cloneThreadFlags) == .errno(1), "\(name) with thread flags")
        }
        #expect(try verdict("clone", 0x1000_0000 | 0x4000_0000) == .errno(1), "CLONE_NEWUSER | CLONE_NEWNET")
        #expect(try verdict("unshare", 0x1000_0000) == .errno(1))
        #expect(try verdict("setns", 3, 0) == .errno(1))
    }

    @Test func threadsAndProcessesCanStillBeCreated() throws {
        #expect(try verdict("clone", X86_64.cloneThreadFlags) == .allow)
        #expect(try verdict("clone", X86_64.sigchld) == .allow)
        #expect(try verdict("fork") == .allow)
        #expect(try verdict("vfork") == .allow)
    }

    @Test func clone3AndIoUringFallBackWithENOSYS() throws {
        for name in ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"] {
            #expect(try verdict(name) == .errno(38), "\(name)")
        }
    }

    @Test(arguments: [
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at", "iopl",
        "ioperm", "reboot", "swapon", "swapoff", "acct",
    ])
    func attackSyscallsEndTheToolAndAreNamed(_ name: String) throws {
        #expect(try verdict(name) == .notify)
    }

    @Test(arguments: [
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "bpf", "perf_event_open", "userfaultfd",
        "keyctl", "add_key", "request_key", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "quotactl",
        "vhangup", "syslog", "sethostname", "setdomainname", "fanotify_init", "lookup_dcookie", "nfsservctl",
        "name_to_handle_at",
    ])
    func dangerousSyscallsAreDenied(_ name: String) throws {
        let answer = try verdict(name)
        #expect(answer != .allow && answer != .log, "\(name): \(answer)")
    }

    @Test func x32SyscallsHitTheBadArchitectureAction() throws {
        // x32 shares AUDIT_ARCH_X86_64 and sets bit 30 in the number: read, execve (520), mount.
        for number: Int32 in [0, 520, 165] {
            #expect(try filter.verdict(number | SyscallTable.x32SyscallBit) == .notify, "x32 \(number)")
        }
    }

    @Test func i386AndOtherAbisHitTheBadArchitectureAction() throws {
        #expect(try filter.verdict(11, arch: SyscallTable.auditArchI386) == .notify, "int 0x80 execve")
        #expect(try filter.verdict(3, arch: SyscallTable.auditArchI386) == .notify, "int 0x80 read")
        #expect(try filter.verdict(63, arch: 0xC000_00B7) == .notify, "aarch64 read")
    }

    @Test func unknownAndFutureSyscallsGetENOSYS() throws {
        for number: Int32 in [470, 999, 337] {
            #expect(try filter.verdict(number) == .errno(38), "syscall \(number)")
        }
    }

    @Test func syscallsNewerThanLibseccompAreAllowedFromTheTable() throws {
        for name in ["mseal", "futex_wake", "futex_wait", "map_shadow_stack", "fchmodat2", "setxattrat", "file_getattr"] {
            #expect(try verdict(name) == .allow, "\(name)")
        }
        #expect(try verdict("statmount") == .errno(38))
    }

    @Test func onlyNamespacedOrHarmlessSocketFamiliesOpen() throws {
        for family: UInt64 in [1, 2, 10, 16] {
            #expect(try verdict("socket", family, 1, 0) == .allow, "family \(family)")
        }
        for family: UInt64 in [40, 38, 17, 15] {  // AF_VSOCK, AF_ALG, AF_PACKET, AF_KEY
            #expect(try verdict("socket", family, 1, 0) != .allow, "family \(family)")
        }
        #expect(try verdict("socket", 0x1_0000_0028, 1, 0) != .allow, "AF_VSOCK with the upper half set")
    }

    @Test func toolMayAddFiltersButNotAListener() throws {
        #expect(try verdict("seccomp", 1, 0, 0) == .allow)
        #expect(try verdict("seccomp", 1, 8, 0) == .errno(1), "SECCOMP_FILTER_FLAG_NEW_LISTENER")
        #expect(try verdict("seccomp", 1, 8 | 1, 0) == .errno(1), "NEW_LISTENER | TSYNC")
    }

    @Test func aslrCannotBeTurnedOffThroughPersonality() throws {
        #expect(try verdict("personality", 0) == .allow)
        #expect(try verdict("personality", 0xFFFF_FFFF) == .allow)
        #expect(try verdict("personality", 0x0004_0000) != .allow, "ADDR_NO_RANDOMIZE")
        #expect(try verdict("personality", 0x0040_0000) != .allow, "READ_IMPLIES_EXEC")
    }

    @Test func everyNativeSyscallIsConsideredByTheProfile() throws {
        let profile = try loadDefault()
        let named = Set(profile.syscalls.flatMap(\.names))
        var unlisted: [String] = []
        for number: Int32 in 0..<1024 {
            if let name = SyscallTable.name(number: number, arch: SyscallTable.auditArchX86_64), !named.contains(name),
                SyscallTable.x86_64Number(of: name) == number
            {
                unlisted.append(name)
            }
        }
        #expect(unlisted.isEmpty, "x86_64 syscalls the default profile never mentions: \(unlisted)")
    }

    @Test func everyRuleSaysWhy() throws {
        let profile = try loadDefault()
        for rule in profile.syscalls {
            let comment = rule.comment ?? ""
            #expect(!comment.isEmpty, "rule at \(rule.origin.location) for \(rule.names) has no comment")
        }
    }

    @Test func onlyTheNativeArchitectureIsAccepted() throws {
        let profile = try loadDefault()
        #expect(profile.architectures.map(\.profileName) == ["SCMP_ARCH_X86_64"])
        #expect(profile.archMap.isEmpty)
    }

    private func loadDefault() throws -> SeccompProfile {
        let bytes = try SeccompFixtures.read(SeccompFixtures.defaultProfilePath)
        return try SeccompProfile.parse(String(decoding: bytes, as: UTF8.self), file: "default.json")
    }
}
