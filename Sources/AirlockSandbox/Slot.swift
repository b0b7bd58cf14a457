import AirlockCore
import CConfine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A concurrency slot: what one running sandbox owns, prepared once at start-up so a call pays
/// none of it. Two running calls never share a slot.
///
/// - a uid/gid of its own from a reserved range, so sandboxes cannot signal or trace each other
///   and `RLIMIT_NPROC` counts only this sandbox's processes;
/// - an empty network namespace (a new one per call costs more than the rest of the spawn);
/// - a cgroup, emptied and reset after each call;
/// - a socket pair over which the child hands over its seccomp listener.
public final class Slot: @unchecked Sendable {
    public let index: Int
    public let uid: UInt32
    public let gid: UInt32
    /// The supplementary group every slot of the pool shares, which owns task workspaces.
    public let workspaceGID: UInt32?
    let networkNamespace: Int32
    let cgroup: SlotCgroup
    /// [0]: the broker's end, [1]: the child's end.
    let handoff: (Int32, Int32)
    /// The last call's mount namespace, held open so that its teardown is not on that call's path
    /// (see `holdMountNamespace(of:)`), or -1.
    private let heldNamespace = Mutex<Int32>(-1)

    init(index: Int, uid: UInt32, workspaceGID: UInt32?, layout: CgroupLayout, cgroupGroup: String) throws(SandboxError) {
        self.index = index
        self.uid = uid
        self.gid = uid
        self.workspaceGID = workspaceGID
        var step: Int32 = 0
        let netns = cconfine_netns_create(&step)
        guard netns >= 0 else {
            throw .hostFailed(step: "create network namespace (\(String(cString: cconfine_step_name(step))))", errno: errno)
        }
        var pair: [Int32] = [-1, -1]
        guard cconfine_socketpair_cloexec(&pair) == 0 else {
            Glibc.close(netns)
            throw .hostFailed(step: "socketpair", errno: errno)
        }
        do {
            self.cgroup = try SlotCgroup(layout: layout, group: cgroupGroup)
        } catch {
            Glibc.close(netns)
            Glibc.close(pair[0])
            Glibc.close(pair[1])
            throw error
        }
        self.networkNamespace = netns
        self.handoff = (pair[0], pair[1])
    }

    /// Kills whatever the slot is running (every process in its cgroup), for a task that ends
    /// mid-call or a shutdown past its grace period; the call's own supervisor then reaps it and
    /// reports the signal. Safe from any thread. Without cgroups nothing can be killed from
    /// outside, and the call's wall-clock limit is the bound.
    @discardableResult
    public func kill() -> Bool {
        cgroup.killAll()
    }

    /// Keeps the mount namespace of `pid` (a child of ours, not yet reaped) alive past the child.
    ///
    /// A child's exit otherwise unmounts its private copy of the view, `/tmp`, `/proc` and the
    /// workspace itself, and waits for an RCU grace period to do so, before the broker can reap it
    /// (about 0.12 ms of a call's round trip here). Held, the mounts go when
    /// `tearDownHeldNamespace()` closes the descriptor, after the call was answered. Best effort:
    /// a child that has already exited has no namespace to hold.
    func holdMountNamespace(of pid: pid_t) {
        replaceHeldNamespace(with: cconfine_open_cloexec("/proc/\(pid)/ns/mnt", O_RDONLY))
    }

    /// The held namespace's descriptor, or -1 (for tests).
    var heldNamespaceDescriptor: Int32 { heldNamespace.withLock { $0 } }

    /// Lets the last call's mount namespace go (its mounts are unmounted now, on this thread).
    public func tearDownHeldNamespace() {
        replaceHeldNamespace(with: -1)
    }

    /// Holds `fd` (or nothing, for -1) instead, and closes what was held.
    private func replaceHeldNamespace(with fd: Int32) {
        let previous = heldNamespace.withLock { held in
            defer { held = fd }
            return held
        }
        if previous >= 0 { Glibc.close(previous) }
    }

    /// Releases everything the slot holds. The slot must be idle.
    func close() {
        tearDownHeldNamespace()
        cgroup.remove()
        Glibc.close(networkNamespace)
        Glibc.close(handoff.0)
        Glibc.close(handoff.1)
    }
}
