/// Resource limits for one confined call. Every field has a default (`Limits.defaults`), so a
/// job never runs unbounded; policies and tokens may only lower them.
public struct Limits: Hashable, Sendable, Codable {
    /// Wall-clock deadline; at it the whole PID namespace is killed.
    public var wallTime: Milliseconds
    /// CPU time per process (`RLIMIT_CPU`, rounded up to whole seconds).
    public var cpuTime: Milliseconds
    /// Memory for the whole sandbox (cgroup `memory.max` / `memory.limit_in_bytes`).
    public var memory: ByteCount
    /// Address space per process (`RLIMIT_AS`): a backstop where cgroups are missing.
    public var addressSpace: ByteCount
    /// Processes and threads (cgroup `pids.max`, and `RLIMIT_NPROC` for the sandbox uid).
    public var processes: UInt64
    /// Open descriptors per process (`RLIMIT_NOFILE`).
    public var openFiles: UInt64
    /// Largest file a process may write (`RLIMIT_FSIZE`).
    public var fileSize: ByteCount
    /// Bytes captured per output stream; the rest is drained, counted and marked truncated.
    public var outputBytes: ByteCount
    /// Size of the private `/tmp` (a tmpfs).
    public var tmpSize: ByteCount

    public init(
        wallTime: Milliseconds, cpuTime: Milliseconds, memory: ByteCount, addressSpace: ByteCount,
        processes: UInt64, openFiles: UInt64, fileSize: ByteCount, outputBytes: ByteCount,
        tmpSize: ByteCount
    ) {
        self.wallTime = wallTime
        self.cpuTime = cpuTime
        self.memory = memory
        self.addressSpace = addressSpace
        self.processes = processes
        self.openFiles = openFiles
        self.fileSize = fileSize
        self.outputBytes = outputBytes
        self.tmpSize = tmpSize
    }

    public static let defaults = Limits(
        wallTime: .seconds(10), cpuTime: .seconds(5), memory: .mib(256), addressSpace: .gib(4),
        processes: 64, openFiles: 256, fileSize: .mib(16), outputBytes: .mib(1), tmpSize: .mib(64)
    )

    /// The field-by-field minimum: what applies when a policy and a token both limit a call.
    public func tightened(by other: Limits) -> Limits {
        Limits(
            wallTime: min(wallTime, other.wallTime), cpuTime: min(cpuTime, other.cpuTime),
            memory: min(memory, other.memory), addressSpace: min(addressSpace, other.addressSpace),
            processes: min(processes, other.processes), openFiles: min(openFiles, other.openFiles),
            fileSize: min(fileSize, other.fileSize), outputBytes: min(outputBytes, other.outputBytes),
            tmpSize: min(tmpSize, other.tmpSize)
        )
    }
}
