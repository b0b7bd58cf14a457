/// A compiled seccomp program as the child installs it: raw `struct sock_filter` records.
public struct SeccompFilter: Sendable {
    /// 8 bytes per instruction, native byte order, as the kernel reads them.
    public var bpf: [UInt8]
    /// Kill rules were compiled to user notifications: the child hands the listener over and
    /// the supervisor names the forbidden syscall before it kills the sandbox.
    public var usesNotify: Bool
    /// Names a syscall from a notification (number and `AUDIT_ARCH_*`).
    public var syscallName: @Sendable (Int32, UInt32) -> String

    public var instructionCount: Int { bpf.count / 8 }

    public init(bpf: [UInt8], usesNotify: Bool, syscallName: @escaping @Sendable (Int32, UInt32) -> String) {
        self.bpf = bpf
        self.usesNotify = usesNotify
        self.syscallName = syscallName
    }
}
