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

    /// Slot `index` (busy or idle), to kill what it runs.
    public func slot(at index: Int) -> Slot? {
        all.indices.contains(index) ? all[index] : nil
    }

    /// Removes every slot's cgroup and closes its namespaces. Call once, when no call runs.
    public func shutdown() {
        all.forEach { $0.close() }
        Self.removeCgroupParent(configuration)
    }

    private static func parentDirectories(_ configuration: SlotConfiguration) -> [String] {
        configuration.cgroupLayout.directories(of: configuration.cgroupName)
    }

    /// cgroup v2 needs the controllers enabled for the children of every level down to the slots.
    private static func prepareCgroupParent(_ configuration: SlotConfiguration) throws(SandboxError) {
        removeStaleCgroups(configuration.cgroupLayout)
        for directory in parentDirectories(configuration) {
            try Host.makeDirectories(directory)
        }
        if case .v2(let root) = configuration.cgroupLayout {
            try Host.writeFile(root + "/cgroup.subtree_control", "+memory +pids")
            try Host.writeFile(root + "/" + configuration.cgroupName + "/cgroup.subtree_control", "+memory +pids")
        }
    }

    /// Removes the cgroups that pools of dead processes left behind (a broker killed with
    /// SIGKILL cannot remove its own): `airlock-<pid>…` groups whose first number is the pid of
    /// a process that no longer exists. Only empty groups can be removed (`rmdir` refuses
    /// others), so a group that still holds a process is left alone.
    static func removeStaleCgroups(_ layout: CgroupLayout) {
        for root in layout.roots {
            for name in Host.listDirectory(root) {
                guard let pid = ownerPid(ofCgroup: name), kill(pid, 0) != 0, errno == ESRCH else { continue }
                let parent = root + "/" + name
                for child in Host.listDirectory(parent) where child.hasPrefix("slot-") {
                    try? Host.removeDirectory(parent + "/" + child)
                }
                try? Host.removeDirectory(parent)
            }
        }
    }

    /// `airlock-4242` and `airlock-test-4242-7` belong to pid 4242.
    static func ownerPid(ofCgroup name: String) -> pid_t? {
        guard name.hasPrefix("airlock-") else { return nil }
        let number = name.dropFirst("airlock-".count).split(separator: "-").first { $0.allSatisfy(\.isNumber) }
        return number.flatMap { pid_t($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    private static func removeCgroupParent(_ configuration: SlotConfiguration) {
        for directory in parentDirectories(configuration) { try? Host.removeDirectory(directory) }
    }
}
