import AirlockCore
import Crypto
import Synchronization
import SystemPackage

/// Compiles seccomp profiles, once, in the parent, into the BPF program the confined child
/// installs with `seccomp(2)` just before `execve`. The child never calls libseccomp: it runs
/// between `clone` and `execve`, where only async-signal-safe code may run.
public enum SeccompCompiler {
    /// The kernel's limit on one filter (`BPF_MAXINSNS`).
    public static let maximumInstructions = 4096
    /// Larger files are refused before parsing; Docker's profile is 20 KiB.
    public static let maximumProfileBytes = 1 << 20

    /// Reads, parses and compiles the profile at `path`. `path` names the profile in errors
    /// and in `SeccompProgram.name`.
    public static func compile(contentsOf path: String, kernel: KernelVersion = .running()) throws(SandboxError) -> SeccompProgram {
        try compile(bytes: try readProfile(at: path), name: path, kernel: kernel)
    }

    /// Parses and compiles a profile's file bytes; `name` is the file name errors show.
    public static func compile(bytes: [UInt8], name: String, kernel: KernelVersion = .running()) throws(SandboxError) -> SeccompProgram {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let start = SourceLocation(file: name, line: 1, column: 1)
            throw .invalidProfile(ConfigError(location: start, fieldPath: "", message: "the file is not UTF-8"))
        }
        let profile: SeccompProfile
        do {
            profile = try SeccompProfile.parse(text, file: name)
        } catch {
            throw .invalidProfile(error)
        }
        return try compile(profile, name: name, digest: digest(of: bytes), kernel: kernel)
    }

    /// Compiles a parsed profile. `kernel` decides the rules with `minKernel`; it is a parameter
    /// so that a broker can compile for the kernel it runs on and tests for any kernel.
    public static func compile(
        _ profile: SeccompProfile, name: String, digest: String, kernel: KernelVersion = .running()
    ) throws(SandboxError) -> SeccompProgram {
        let plan: SeccompPlan
        do {
            plan = try SeccompPlan(profile, kernel: kernel)
        } catch {
            throw .invalidProfile(error)
        }
        let bpf = try libseccomp.withLock { (_: inout Void) throws(SandboxError) -> [UInt8] in try build(plan) }
        let program = SeccompProgram(
            name: name, digest: digest, bpf: bpf, usesNotify: plan.usesNotify, installFlags: plan.installFlags, notes: plan.notes)
        guard program.instructionCount <= maximumInstructions else {
            throw .invalidProfile(profile.defaultActionOrigin.error(
                "the profile compiles to \(program.instructionCount) BPF instructions and the kernel accepts at most "
                    + "\(maximumInstructions): list fewer architectures or fewer argument rules"))
        }
        return program
    }

    /// SHA-256 of a profile's file bytes, lowercase hex: the program's identity in the cache and
    /// in execution-log records.
    public static func digest(of bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in SHA256.hash(data: bytes) {
            result += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// One libseccomp context per architecture, merged into the native one, then exported.
    private static func build(_ plan: SeccompPlan) throws(SandboxError) -> [UInt8] {
        var filters: [LibseccompFilter] = []
        for architecture in plan.architectures {
            let filter = try LibseccompFilter(
                defaultAction: plan.defaultAction, badArchitectureAction: SeccompPlan.badArchitectureAction,
                architecture: architecture)
            for rule in plan.rules where rule.architecture == architecture {
                try filter.add(action: rule.action, syscall: rule.libseccompNumber, conditions: rule.conditions, name: rule.syscall)
            }
            filters.append(filter)
        }
        let native = filters[0]
        for other in filters.dropFirst() {
            try native.merge(other)
        }
        return try native.exportBPF()
    }

    static func readProfile(at path: String) throws(SandboxError) -> [UInt8] {
        do {
            let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
            return try descriptor.closeAfter {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0, retryOnInterrupt: true) }
                    if count == 0 { return bytes }
                    bytes += chunk[..<count]
                    guard bytes.count <= maximumProfileBytes else { throw Errno.fileTooLarge }
                }
            }
        } catch let error as Errno {
            throw .invalidJob(field: "seccompProfile", reason: "cannot read \(path): \(errnoName(error.rawValue))")
        } catch {
            throw .invalidJob(field: "seccompProfile", reason: "cannot read \(path): \(error)")
        }
    }
}

/// libseccomp keeps process-wide state (the kernel's API level, probed lazily); one compile at a
/// time keeps it consistent. Compiling is rare: once per profile, at start-up.
private let libseccomp = Mutex<Void>(())
