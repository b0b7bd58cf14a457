import CSeccomp
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One libseccomp filter context for one architecture, released when it goes away.
///
/// The compiler builds one context per architecture and merges them, because libseccomp can only
/// skip a rule on some architectures of a multi-architecture context by refusing the whole rule:
/// a syscall newer than its tables (`mseal`) exists natively but cannot be translated for x86, and
/// an x86-only name (`_llseek`) would leave a dead pseudo-number comparison in the native section.
final class LibseccompFilter {
    private var context: scmp_filter_ctx?

    /// A filter for one architecture whose unmatched syscalls get `defaultAction`.
    init(defaultAction: UInt32, badArchitectureAction: UInt32, architecture: SeccompArchitecture) throws(SandboxError) {
        guard let context = seccomp_init(defaultAction) else {
            throw .seccompCompile(step: "seccomp_init", errno: EINVAL)
        }
        self.context = context
        try check(seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, badArchitectureAction), "seccomp_attr_set(SCMP_FLTATR_ACT_BADARCH)")
        // The child sets no_new_privs itself, before installing the filter with seccomp(2).
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set(SCMP_FLTATR_CTL_NNP)")
        // A binary tree of syscall numbers: a few comparisons per syscall instead of hundreds.
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2), "seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE)")
        guard let token = architecture.token else {
            throw .seccompCompile(step: "seccomp_arch_add(\(architecture.profileName))", errno: EDOM)
        }
        if token != seccomp_arch_native() {
            try check(seccomp_arch_add(context, token), "seccomp_arch_add(\(architecture.profileName))")
            try check(seccomp_arch_remove(context, airlock_scmp_arch_native()), "seccomp_arch_remove(SCMP_ARCH_NATIVE)")
        }
    }

    deinit {
        if let context { seccomp_release(context) }
    }

    /// Adds one rule. `syscall` is in libseccomp's native numbering (a pseudo-number for a syscall
    /// that exists only on this filter's architecture); libseccomp translates it by name.
    func add(action: UInt32, syscall: Int32, conditions: [SeccompProfile.Argument], name: String) throws(SandboxError) {
        let comparisons = conditions.map { condition in
            scmp_arg_cmp(arg: UInt32(condition.index), op: condition.op.libseccomp, datum_a: condition.value, datum_b: condition.valueTwo)
        }
        let result = comparisons.withUnsafeBufferPointer { buffer in
            seccomp_rule_add_array(context, action, syscall, UInt32(buffer.count), buffer.baseAddress)
        }
        try check(result, "seccomp_rule_add_array(\(name))")
    }

    /// Moves every architecture of `other` into this filter.
    func merge(_ other: LibseccompFilter) throws(SandboxError) {
        try check(seccomp_merge(context, other.context), "seccomp_merge")
        other.context = nil  // libseccomp released it
    }

    /// The BPF program, exactly as `seccomp_export_bpf` writes it: an array of `struct sock_filter`.
    func exportBPF() throws(SandboxError) -> [UInt8] {
        let raw = airlock_memfd("airlock-seccomp")
        guard raw >= 0 else { throw .hostFailed(step: "memfd_create", errno: errno) }
        let memfd = FileDescriptor(rawValue: raw)
        defer { try? memfd.close() }
        try check(seccomp_export_bpf(context, raw), "seccomp_export_bpf")
        do {
            let size = try memfd.seek(offset: 0, from: .current)
            _ = try memfd.seek(offset: 0, from: .start)
            var bytes = [UInt8](repeating: 0, count: Int(size))
            var filled = 0
            while filled < bytes.count {
                let count = try bytes.withUnsafeMutableBytes { buffer in
                    try memfd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), retryOnInterrupt: true)
                }
                guard count > 0 else { throw Errno.ioError }
                filled += count
            }
            return bytes
        } catch let error as Errno {
            throw .hostFailed(step: "read seccomp program from memfd", errno: error.rawValue)
        } catch {
            throw .hostFailed(step: "read seccomp program from memfd", errno: EIO)
        }
    }

    /// libseccomp returns `-errno` on failure.
    private func check(_ result: Int32, _ step: String) throws(SandboxError) {
        if result < 0 { throw .seccompCompile(step: step, errno: -result) }
    }
}

extension SeccompProfile.Comparison {
    var libseccomp: scmp_compare {
        switch self {
        case .notEqual: return SCMP_CMP_NE
        case .lessThan: return SCMP_CMP_LT
        case .lessOrEqual: return SCMP_CMP_LE
        case .equal: return SCMP_CMP_EQ
        case .greaterOrEqual: return SCMP_CMP_GE
        case .greaterThan: return SCMP_CMP_GT
        case .maskedEqual: return SCMP_CMP_MASKED_EQ
        }
    }
}
