import AirlockCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the host keeps the cgroup controllers Airlock needs (`memory` and `pids`).
///
/// cgroup v2 is used where its hierarchy offers both controllers; otherwise the v1 `memory` and
/// `pids` hierarchies; otherwise none, and only rlimits bound the sandbox (said at start-up).
public enum CgroupLayout: Hashable, Sendable, CustomStringConvertible {
    case v2(root: String)
    case v1(memory: String, pids: String)
    case unavailable(reason: String)

    /// Reads the host's cgroup mounts from `/proc/self/mounts`.
    public static func detect() -> CgroupLayout {
        guard let mounts = try? Host.readFile("/proc/self/mounts", limit: 1 << 20) else {
            return .unavailable(reason: "cannot read /proc/self/mounts")
        }
        var memory: String?, pids: String?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let point = String(fields[1]), type = fields[2]
            let options = Set(fields[3].split(separator: ",").map(String.init))
            if type == "cgroup2", let controllers = try? Host.readFile(point + "/cgroup.controllers") {
                let names = Set(controllers.split(whereSeparator: \.isWhitespace).map(String.init))
                if names.isSuperset(of: ["memory", "pids"]) { return .v2(root: point) }
            } else if type == "cgroup" {
                if options.contains("memory") { memory = point }
                if options.contains("pids") { pids = point }
            }
        }
        if let memory, let pids { return .v1(memory: memory, pids: pids) }
        return .unavailable(reason: "no cgroup v2 hierarchy with the memory and pids controllers, and no v1 memory and pids hierarchies")
    }

    /// The hierarchies a group is made in: one for v2; memory and pids for v1.
    var roots: [String] {
        switch self {
        case .v2(let root): return [root]
        case .v1(let memory, let pids): return [memory, pids]
        case .unavailable: return []
        }
    }

    /// The directories of the group `path` (relative to the hierarchies), one per hierarchy.
    func directories(of path: String) -> [String] { roots.map { $0 + "/" + path } }

    public var description: String {
        switch self {
        case .v2(let root): return "cgroup v2 at \(root)"
        case .v1(let memory, let pids): return "cgroup v1 (\(memory), \(pids))"
        case .unavailable(let reason): return "no cgroups: \(reason)"
        }
    }
}

/// Counters read from a slot's group after a call.
struct CgroupReading: Sendable {
    var peakMemory: UInt64?
    var oomKills: UInt64 = 0
    var pidsLimitHits: UInt64 = 0
}

/// One concurrency slot's cgroup: created once, limits rewritten only when they change, checked
/// empty and its counters reset after each call, removed at shutdown.
final class SlotCgroup: @unchecked Sendable {
    let layout: CgroupLayout
    /// The group directories (one for v2; memory and pids for v1).
    let directories: [String]
    /// Open descriptors the child writes "0" to, one per hierarchy (see `joinFile`).
    private(set) var procsDescriptors: [Int32] = []
    /// What is read after every call, kept open for the slot's life (see `CounterFiles`).
    private var files = CounterFiles()
    private var appliedMemory: UInt64?
    private var appliedProcesses: UInt64?
    private var lastOOMKills: UInt64 = 0
    private var lastPidsHits: UInt64 = 0

    init(layout: CgroupLayout, group: String) throws(SandboxError) {
        self.layout = layout
        directories = layout.directories(of: group)
        for directory in directories {
            try Host.makeDirectories(directory, mode: 0o755)
            procsDescriptors.append(try Host.open(directory + "/" + Self.joinFile(layout), flags: O_WRONLY))
        }
        files = try CounterFiles(layout: layout, directories: directories)
        let counters = readCounters()
        lastOOMKills = counters.oomKills
        lastPidsHits = counters.pidsLimitHits
    }

    /// The file the child writes "0" to. On v1, `tasks` moves only the writing thread, which the
    /// kernel does without taking the global threadgroup lock that `cgroup.procs` takes (an RCU
    /// grace period: tens of microseconds idle, milliseconds under load). The child is a single
    /// thread, so both mean the same. v2 offers `cgroup.procs` only (threaded mode aside).
    static func joinFile(_ layout: CgroupLayout) -> String {
        if case .v1 = layout { return "tasks" }
        return "cgroup.procs"
    }

    /// Sets the limits for the next call, touching the files only when a value changes.
    func apply(memory: UInt64, processes: UInt64) throws(SandboxError) {
        switch layout {
        case .v2(_):
            if appliedMemory != memory {
                try Host.writeFile(directories[0] + "/memory.max", "\(memory)")
                try? Host.writeFile(directories[0] + "/memory.swap.max", "0")
            }
            if appliedProcesses != processes { try Host.writeFile(directories[0] + "/pids.max", "\(processes)") }
        case .v1:
            if appliedMemory != memory {
                try Host.writeFile(directories[0] + "/memory.limit_in_bytes", "\(memory)")
                if Host.exists(directories[0] + "/memory.memsw.limit_in_bytes") {
                    try Host.writeFile(directories[0] + "/memory.memsw.limit_in_bytes", "\(memory)")
                }
            }
            if appliedProcesses != processes { try Host.writeFile(directories[1] + "/pids.max", "\(processes)") }
        case .unavailable:
            return
        }
        appliedMemory = memory
        appliedProcesses = processes
    }

    /// After a call: what it used and hit, then reset for the next one.
    func finishCall() throws(SandboxError) -> CgroupReading {
        try waitUntilEmpty()
        let counters = readCounters()
        var reading = CgroupReading()
        reading.oomKills = counters.oomKills &- lastOOMKills
        reading.pidsLimitHits = counters.pidsLimitHits &- lastPidsHits
        lastOOMKills = counters.oomKills
        lastPidsHits = counters.pidsLimitHits
        if let peak = files.peak {
            reading.peakMemory = UInt64((try? peak.read())?.split(separator: "\n").first ?? "")
            switch layout {
            case .v2: try? peak.write("0")  // memory.peak: where a kernel cannot reset it, it keeps rising
            case .v1: try peak.write("0")
            case .unavailable: break
            }
        }
        return reading
    }

    /// A PID namespace dies with its first process, but the kernel detaches exiting tasks from
    /// the cgroup a moment later; a call is done only when its group is truly empty.
    private func waitUntilEmpty() throws(SandboxError) {
        for procs in files.procs {
            var attempts = 0
            while let listed = try? procs.read(), !listed.isEmpty {
                attempts += 1
                if attempts > 2000 { throw .hostFailed(step: "cgroup \(procs.path) still has processes", errno: EBUSY) }
                usleep(500)
            }
        }
    }

    private func readCounters() -> (oomKills: UInt64, pidsLimitHits: UInt64) {
        (Self.field("oom_kill", in: files.oomEvents), Self.field("max", in: files.pidsEvents))
    }

    private static func field(_ name: String, in file: OpenFile?) -> UInt64 {
        guard let text = try? file?.read() else { return 0 }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name, let n = UInt64(parts[1]) { return n }
        }
        return 0
    }

    /// SIGKILL to every process in the group: `cgroup.kill` on v2 (one write, no process can fork
    /// away meanwhile), else each pid listed in `cgroup.procs`. Returns whether anything was
    /// signalled (v2: whether the write succeeded).
    @discardableResult
    func killAll() -> Bool {
        if case .v2 = layout, let directory = directories.first, (try? Host.writeFile(directory + "/cgroup.kill", "1")) != nil {
            return true
        }
        guard let directory = directories.last, let text = try? Host.readFile(directory + "/cgroup.procs", limit: 1 << 20) else { return false }
        var signalled = false
        for line in text.split(separator: "\n") {
            if let pid = pid_t(line), pid > 0, kill(pid, SIGKILL) == 0 { signalled = true }
        }
        return signalled
    }

    /// Removes the group; it must be empty.
    func remove() {
        for fd in procsDescriptors { close(fd) }
        procsDescriptors = []
        files.close()
        for directory in directories { try? Host.removeDirectory(directory) }
    }
}

/// A cgroup file kept open and read again from its start (or written) each time.
private struct OpenFile {
    let fd: Int32
    let path: String

    init(_ path: String, flags: Int32) throws(SandboxError) {
        self.path = path
        fd = try Host.open(path, flags: flags)
    }

    func read() throws(SandboxError) -> String { try Host.reread(fd, path: path) }
    func write(_ text: String) throws(SandboxError) { try Host.rewrite(fd, text, path: path) }
}

/// The files `finishCall` reads after every call, opened once: each call then costs a `pread`
/// per file instead of an open, a read into a fresh buffer and a close. On v2, `memory.peak` is
/// also per open file since Linux 6.12: writing through this descriptor resets the peak that
/// this descriptor reports, so each reading is the call's own.
private struct CounterFiles {
    /// `cgroup.procs` of each hierarchy: empty once the call's processes are gone.
    var procs: [OpenFile] = []
    var oomEvents: OpenFile?
    var pidsEvents: OpenFile?
    /// The peak memory counter, reset after each reading.
    var peak: OpenFile?

    init() {}

    init(layout: CgroupLayout, directories: [String]) throws(SandboxError) {
        procs = try directories.map { directory throws(SandboxError) in try OpenFile(directory + "/cgroup.procs", flags: O_RDONLY) }
        switch layout {
        case .v2:
            oomEvents = try OpenFile(directories[0] + "/memory.events", flags: O_RDONLY)
            pidsEvents = try OpenFile(directories[0] + "/pids.events", flags: O_RDONLY)
            peak = try? OpenFile(directories[0] + "/memory.peak", flags: O_RDWR)
        case .v1:
            oomEvents = try OpenFile(directories[0] + "/memory.oom_control", flags: O_RDONLY)
            pidsEvents = try OpenFile(directories[1] + "/pids.events", flags: O_RDONLY)
            peak = try OpenFile(directories[0] + "/memory.max_usage_in_bytes", flags: O_RDWR)
        case .unavailable:
            break
        }
    }

    mutating func close() {
        for file in procs + [oomEvents, pidsEvents, peak].compactMap({ $0 }) { Glibc.close(file.fd) }
        self = CounterFiles()
    }
}
