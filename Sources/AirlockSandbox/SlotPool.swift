import AirlockCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How to set up the slots.
public struct SlotConfiguration: Sendable {
    /// How many sandboxes may run at once.
    public var count: Int
    /// The first uid (and gid) of the reserved range; slot `i` runs as `uidBase + i`.
    public var uidBase: UInt32
    /// Name of this pool's cgroup parent (`airlock-<pid>` by default), unique per process.
    public var cgroupName: String
    public var cgroupLayout: CgroupLayout
    /// A group every slot joins as its one supplementary group, so that a task's calls, which
    /// land in different slots, can all write its workspace (owned by this group, mode 2770).
    /// Nil: no supplementary group.
    public var workspaceGID: UInt32?

    /// The reserved range starts here: a broker's slots take `[base, base + count)`.
    public static let defaultUIDBase: UInt32 = 2_000_000_000
    /// One-off runs (`airlock exec`, `airlock run`) take a uid from `[oneOffUIDBase, + oneOffUIDCount)`
    /// derived from their process id, away from any broker's slots.
    public static let oneOffUIDBase: UInt32 = 2_001_000_000
    public static let oneOffUIDCount: UInt32 = 1_000_000

    public init(count: Int, uidBase: UInt32 = SlotConfiguration.defaultUIDBase, cgroupName: String? = nil, cgroupLayout: CgroupLayout = .detect()) {
        self.count = count
        self.uidBase = uidBase
        self.cgroupName = cgroupName ?? "airlock-\(getpid())"
        self.cgroupLayout = cgroupLayout
    }
}

/// The set of slots: created together, handed out one call at a time, removed together.
public final class SlotPool: Sendable {
    public let configuration: SlotConfiguration
    private let free: Mutex<[Slot]>
    private let all: [Slot]

    public init(_ configuration: SlotConfiguration) throws(SandboxError) {
        precondition(configuration.count > 0, "a pool needs at least one slot")
        self.configuration = configuration
        Host.ensureStandardDescriptors()
        try Self.prepareCgroupParent(configuration)
        var slots: [Slot] = []
        do {
            for i in 0..<configuration.count {
                slots.append(try Slot(
                    index: i, uid: configuration.uidBase + UInt32(i), workspaceGID: configuration.workspaceGID, layout: configuration.cgroupLayout,
                    cgroupGroup: "\(configuration.cgroupName)/slot-\(i)"))
            }
        } catch {
            slots.forEach { $0.close() }
            Self.removeCgroupParent(configuration)
            throw error
        }
        self.all = slots
        self.free = Mutex(slots.reversed())
    }

    /// Takes an idle slot, or `nil` when every slot is busy.
    public func tryAcquire() -> Slot? {
        free.withLock { $0.popLast() }
    }

    public func release(_ slot: Slot) {
        free.withLock { $0.append(slot) }
    }

    public var idleCount: Int { free.withLock { $0.count } }

    /// Removes every slot's cgroup and closes its namespaces. Call once, when no call runs.
    public func shutdown() {
        all.forEach { $0.close() }
        Self.removeCgroupParent(configuration)
    }

    private static func parentDirectories(_ configuration: SlotConfiguration) -> [String] {
        switch configuration.cgroupLayout {
        case .v2(let root): return [root + "/" + configuration.cgroupName]
        case .v1(let memory, let pids): return [memory + "/" + configuration.cgroupName, pids + "/" + configuration.cgroupName]
        case .unavailable: return []
        }
    }

    /// cgroup v2 needs the controllers enabled for the children of every level down to the slots.
    private static func prepareCgroupParent(_ configuration: SlotConfiguration) throws(SandboxError) {
        for directory in parentDirectories(configuration) {
            try Host.makeDirectories(directory)
        }
        if case .v2(let root) = configuration.cgroupLayout {
            try Host.writeFile(root + "/cgroup.subtree_control", "+memory +pids")
            try Host.writeFile(root + "/" + configuration.cgroupName + "/cgroup.subtree_control", "+memory +pids")
        }
    }

    private static func removeCgroupParent(_ configuration: SlotConfiguration) {
        for directory in parentDirectories(configuration) { try? Host.removeDirectory(directory) }
    }
}
