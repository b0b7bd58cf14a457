/// What happened to one confined call.
public struct Outcome: Hashable, Sendable, Codable {
    public var termination: TerminationReason
    public var stdout: CapturedStream
    public var stderr: CapturedStream
    public var usage: Usage

    public init(termination: TerminationReason, stdout: CapturedStream, stderr: CapturedStream, usage: Usage) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.usage = usage
    }
}

/// Why the tool stopped. Every case but `exited` means the tool did not finish on its own terms.
public enum TerminationReason: Hashable, Sendable {
    case exited(code: Int32)
    case signaled(signal: Int32)
    case wallTimeout
    case cpuLimit
    case memoryLimit
    case processLimit
    case seccompViolation(syscall: String)
    case spawnFailed(step: String, errno: Int32)

    /// Stable, machine-readable name (`exited`, `wall_timeout`, `seccomp_violation`, …).
    public var code: String {
        switch self {
        case .exited: return "exited"
        case .signaled: return "signaled"
        case .wallTimeout: return "wall_timeout"
        case .cpuLimit: return "cpu_limit"
        case .memoryLimit: return "memory_limit"
        case .processLimit: return "process_limit"
        case .seccompViolation: return "seccomp_violation"
        case .spawnFailed: return "spawn_failed"
        }
    }
}

extension TerminationReason: Codable {
    private enum Keys: String, CodingKey { case reason, exitCode, signal, syscall, step, errno }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(code, forKey: .reason)
        switch self {
        case .exited(let code): try c.encode(code, forKey: .exitCode)
        case .signaled(let signal): try c.encode(signal, forKey: .signal)
        case .seccompViolation(let name): try c.encode(name, forKey: .syscall)
        case .spawnFailed(let step, let errno):
            try c.encode(step, forKey: .step)
            try c.encode(errno, forKey: .errno)
        case .wallTimeout, .cpuLimit, .memoryLimit, .processLimit: break
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(String.self, forKey: .reason) {
        case "exited": self = .exited(code: try c.decode(Int32.self, forKey: .exitCode))
        case "signaled": self = .signaled(signal: try c.decode(Int32.self, forKey: .signal))
        case "wall_timeout": self = .wallTimeout
        case "cpu_limit": self = .cpuLimit
        case "memory_limit": self = .memoryLimit
        case "process_limit": self = .processLimit
        case "seccomp_violation": self = .seccompViolation(syscall: try c.decode(String.self, forKey: .syscall))
        case "spawn_failed":
            self = .spawnFailed(step: try c.decode(String.self, forKey: .step), errno: try c.decode(Int32.self, forKey: .errno))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .reason, in: c, debugDescription: "unknown termination reason \(other)")
        }
    }
}

/// One output stream as captured: at most the cap, with the true total counted.
public struct CapturedStream: Hashable, Sendable, Codable {
    public var bytes: [UInt8]
    /// Everything the tool wrote, including what was drained past the cap.
    public var totalBytes: UInt64
    public var truncated: Bool { totalBytes > UInt64(bytes.count) }

    public init(bytes: [UInt8] = [], totalBytes: UInt64 = 0) {
        self.bytes = bytes
        self.totalBytes = totalBytes
    }

    private enum Keys: String, CodingKey { case text, totalBytes, truncated }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(String(decoding: bytes, as: UTF8.self), forKey: .text)
        try c.encode(totalBytes, forKey: .totalBytes)
        try c.encode(truncated, forKey: .truncated)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        bytes = Array(try c.decode(String.self, forKey: .text).utf8)
        totalBytes = try c.decode(UInt64.self, forKey: .totalBytes)
    }
}

/// Resources the call used.
public struct Usage: Hashable, Sendable, Codable {
    public var wallMicroseconds: UInt64
    public var userCPUMicroseconds: UInt64
    public var systemCPUMicroseconds: UInt64
    /// Peak memory of the whole sandbox (cgroup peak where available, else the largest RSS).
    public var peakMemoryBytes: UInt64

    public init(wallMicroseconds: UInt64 = 0, userCPUMicroseconds: UInt64 = 0, systemCPUMicroseconds: UInt64 = 0, peakMemoryBytes: UInt64 = 0) {
        self.wallMicroseconds = wallMicroseconds
        self.userCPUMicroseconds = userCPUMicroseconds
        self.systemCPUMicroseconds = systemCPUMicroseconds
        self.peakMemoryBytes = peakMemoryBytes
    }
}
