import AirlockCore
import AirlockSandbox
import Testing

/// A profile written the way Docker writes them (tabs, `archMap`, names for every architecture,
/// capability-gated rules) must load unchanged and mean here what it means under Docker, minus the
/// capabilities a sandbox never holds.
@Suite struct DockerSeccompProfileTests {
    static let profile = """
        {
        \t"defaultAction": "SCMP_ACT_ERRNO",
        \t"defaultErrnoRet": 1,
        \t"archMap": [
        \t\t{
        \t\t\t"architecture": "SCMP_ARCH_X86_64",
        \t\t\t"subArchitectures": [
        \t\t\t\t"SCMP_ARCH_X86",
        \t\t\t\t"SCMP_ARCH_X32"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"architecture": "SCMP_ARCH_AARCH64",
        \t\t\t"subArchitectures": [
        \t\t\t\t"SCMP_ARCH_ARM"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"architecture": "SCMP_ARCH_RISCV64",
        \t\t\t"subArchitectures": null
        \t\t}
        \t],
        \t"flags": ["SECCOMP_FILTER_FLAG_LOG"],
        \t"listenerPath": "/run/seccomp-agent.sock",
        \t"listenerMetadata": "profile=tools",
        \t"syscalls": [
        \t\t{
        \t\t\t"names": [
        \t\t\t\t"read", "write", "close", "exit", "exit_group", "execve", "sendmsg",
        \t\t\t\t"mmap", "mmap2", "brk", "_llseek", "socketcall", "chown32", "futex_time64"
        \t\t\t],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"args": [],
        \t\t\t"comment": "",
        \t\t\t"includes": {},
        \t\t\t"excludes": {}
        \t\t},
        \t\t{
        \t\t\t"name": "getpid",
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"comment": "the legacy single-name form"
        \t\t},
        \t\t{
        \t\t\t"names": ["ptrace"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"includes": {"minKernel": "4.8"}
        \t\t},
        \t\t{
        \t\t\t"names": ["bpf"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"excludes": {"minKernel": "5.8"}
        \t\t},
        \t\t{
        \t\t\t"names": ["arm_fadvise64_64", "s390_pci_mmio_read", "riscv_flush_icache", "riscv_hwprobe", "set_tls"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"includes": {"arches": ["arm", "arm64", "s390", "s390x", "riscv64"]}
        \t\t},
        \t\t{
        \t\t\t"names": ["arch_prctl"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"includes": {"arches": ["amd64", "x32"]}
        \t\t},
        \t\t{
        \t\t\t"names": ["mount", "umount2", "unshare"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"includes": {"caps": ["CAP_SYS_ADMIN"]}
        \t\t},
        \t\t{
        \t\t\t"names": ["clone"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"args": [
        \t\t\t\t{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}
        \t\t\t],
        \t\t\t"excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}
        \t\t},
        \t\t{
        \t\t\t"names": ["clone3"],
        \t\t\t"action": "SCMP_ACT_ERRNO",
        \t\t\t"errnoRet": 38,
        \t\t\t"excludes": {"caps": ["CAP_SYS_ADMIN"]}
        \t\t},
        \t\t{
        \t\t\t"names": ["socket"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"args": [{"index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_NE"}]
        \t\t},
        \t\t{
        \t\t\t"names": ["personality"],
        \t\t\t"action": "SCMP_ACT_ALLOW",
        \t\t\t"args": [
        \t\t\t\t{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
        \t\t\t\t{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}
        \t\t\t],
        \t\t\t"comment": "two comparisons of one argument: either value (runc's reading)"
        \t\t},
        \t\t{
        \t\t\t"names": ["syslog"],
        \t\t\t"action": "SCMP_ACT_ERRNO",
        \t\t\t"errnoRet": 4094
        \t\t},
        \t\t{
        \t\t\t"names": ["kexec_load"],
        \t\t\t"action": "SCMP_ACT_KILL"
        \t\t}
        \t]
        }
        """

    let program: SeccompProgram
    let filter: SeccompEvaluator

    init() throws {
        program = try SeccompFixtures.compile(Self.profile, file: "docker.json")
        filter = SeccompEvaluator(program)
    }

    private func native(_ name: String, _ args: UInt64...) throws -> SeccompEvaluator.Verdict {
        try filter.verdict(X86_64.number(name), args: args)
    }

    @Test func loadsUnchangedAndSaysWhatItIgnored() throws {
        #expect(program.bpf.count % 8 == 0 && !program.bpf.isEmpty)
        #expect(program.notes.contains { $0.contains("listenerPath") })
        #expect(program.notes.contains { $0.contains("listenerMetadata") })
        #expect(program.installFlags & 2 != 0, "SECCOMP_FILTER_FLAG_LOG is honoured")
        let parsed = try SeccompProfile.parse(Self.profile, file: "docker.json")
        #expect(parsed.syscalls.count == 13)
        #expect(parsed.syscalls[1].names == ["getpid"])
    }

    @Test func archMapAddsTheNativeEntrysSubArchitectures() throws {
        #expect(try native("read") == .allow)
        #expect(try filter.verdict(3, arch: SyscallTable.auditArchI386) == .allow, "i386 read")
        #expect(try filter.verdict(140, arch: SyscallTable.auditArchI386) == .allow, "i386 _llseek")
        #expect(try filter.verdict(102, arch: SyscallTable.auditArchI386) == .allow, "i386 socketcall")
        #expect(try filter.verdict(212, arch: SyscallTable.auditArchI386) == .allow, "i386 chown32")
        #expect(try filter.verdict(0 | SyscallTable.x32SyscallBit) == .allow, "x32 read")
        #expect(try filter.verdict(63, arch: 0xC000_00B7) == .notify, "aarch64 is another machine's entry")
    }

    @Test func otherArchitectureNamesAreSkippedNatively() throws {
        // 140 is getpriority on x86_64: an i386-only name must not leak its number into the native section.
        #expect(try native("getpriority") == .errno(1))
        #expect(try native("getpid") == .allow, "legacy `name`")
        #expect(try native("arch_prctl") == .allow, "includes.arches names amd64")
    }

    @Test func capabilityRulesFollowAnEmptyBoundingSet() throws {
        #expect(try native("mount") == .errno(1), "includes.caps never applies")
        #expect(try native("unshare") == .errno(1))
        #expect(try native("clone", X86_64.cloneThreadFlags) == .allow, "excludes.caps always applies")
        #expect(try native("clone", 0x1000_0000 | X86_64.sigchld) == .errno(1), "CLONE_NEWUSER falls to the default")
        #expect(try native("clone3") == .errno(38))
    }

    @Test func minKernelIsComparedWithTheKernel() throws {
        #expect(try native("ptrace") == .allow)
        #expect(try native("bpf") == .errno(1), "excluded from 5.8 on")
        let old = SeccompEvaluator(try SeccompFixtures.compile(Self.profile, kernel: KernelVersion(major: 4, minor: 4)))
        #expect(try old.verdict(X86_64.number("ptrace")) == .errno(1), "included only from 4.8 on")
        #expect(try old.verdict(X86_64.number("bpf")) == .allow)
    }

    @Test func argumentsAreCompared() throws {
        #expect(try native("socket", 1, 1, 0) == .allow)
        #expect(try native("socket", 40, 1, 0) == .errno(1), "AF_VSOCK")
        #expect(try native("personality", 0) == .allow)
        #expect(try native("personality", 8) == .allow)
        #expect(try native("personality", 0x0004_0000) == .errno(1))
        #expect(try native("syslog") == .errno(4094), "the largest errno libseccomp accepts")
    }

    @Test func killActionsNotify() throws {
        #expect(program.usesNotify)
        #expect(try native("kexec_load") == .notify)
    }
}
