import AirlockSandbox
import CSeccomp
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Naming the syscall that ended a tool, including syscalls newer than libseccomp.
@Suite struct SyscallTableTests {
    @Test func namesOldAndNewSyscalls() {
        #expect(SyscallTable.x86_64Number(of: "read") == 0)
        #expect(SyscallTable.x86_64Number(of: "mseal") == 462)
        #expect(SyscallTable.x86_64Number(of: "file_setattr") == 469)
        #expect(SyscallTable.x86_64Number(of: "uretprobe") == 335)
        #expect(SyscallTable.x86_64Number(of: "_llseek") == nil, "not an x86_64 syscall")
        #expect(SyscallTable.name(number: 0, arch: SyscallTable.auditArchX86_64) == "read")
        #expect(SyscallTable.name(number: 462, arch: SyscallTable.auditArchX86_64) == "mseal")
        #expect(SyscallTable.name(number: 457, arch: SyscallTable.auditArchX86_64) == "statmount")
        #expect(SyscallTable.name(number: 400, arch: SyscallTable.auditArchX86_64) == nil)
    }

    @Test func namesSyscallsOfOtherAbis() {
        #expect(SyscallTable.name(number: 102, arch: SyscallTable.auditArchI386) == "socketcall")
        #expect(SyscallTable.describe(number: 102, arch: SyscallTable.auditArchI386) == "socketcall (i386 ABI)")
        #expect(SyscallTable.name(number: 1 | SyscallTable.x32SyscallBit, arch: SyscallTable.auditArchX86_64) == "write")
        #expect(SyscallTable.describe(number: 165 | SyscallTable.x32SyscallBit, arch: SyscallTable.auditArchX86_64) == "mount (x32 ABI)")
        #expect(SyscallTable.describe(number: 165, arch: SyscallTable.auditArchX86_64) == "mount")
        #expect(SyscallTable.describe(number: 999, arch: SyscallTable.auditArchX86_64) == "syscall 999 (x86_64 ABI)")
    }

    @Test func tableAgreesWithLibseccompWhereBothKnowTheNumber() {
        var disagreements: [String] = []
        for number: Int32 in 0..<1024 {
            guard let pointer = seccomp_syscall_resolve_num_arch(SyscallTable.auditArchX86_64, number) else { continue }
            let libseccompName = String(cString: pointer)
            free(pointer)
            let tableName = SyscallTable.name(number: number, arch: SyscallTable.auditArchX86_64)
            if tableName != libseccompName || SyscallTable.x86_64Number(of: libseccompName) != number {
                disagreements.append("\(number): table \(tableName ?? "nil"), libseccomp \(libseccompName)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
    }

    @Test func everyProfileNameOfAnyArchitectureIsKnown() {
        for name in ["read", "_llseek", "socketcall", "arm_fadvise64_64", "s390_pci_mmio_read", "riscv_flush_icache", "mseal", "futex_requeue"] {
            #expect(SyscallTable.isKnown(name), "\(name)")
        }
        #expect(!SyscallTable.isKnown("opne"))
    }
}
