import AirlockCore

#if canImport(Glibc)
import Glibc
#endif

/// Everything `airlock serve` needs to start, from its flags and its configuration file.
/// Shared by `serve` and the tests through `buildApplication(_:)`.
public struct BrokerConfiguration: Sendable {
    /// Keys, revocations, task workspaces and (by default) the socket live here.
    public var stateDirectory: String
    /// Defaults to `<stateDirectory>/airlock.sock`.
    public var socketPath: String?
    /// The `*.yaml` task policies that tasks may name.
    public var policiesDirectory: String
    /// The `Sandbox/` directory (seccomp profiles, base views); found next to the executable
    /// when nil (see `SandboxDirectory.locate()`).
    public var sandboxDirectory: String?
    public var roles: RoleMap
    /// When set, the socket's directory is mode 0750 and the socket 0660, both in this group, so
    /// its members (typically agents running as other users) can connect. Otherwise only the
    /// owner can: directory 0700, socket 0600.
    public var socketGroup: UInt32?
    public var limits: BrokerLimits
    /// The first uid of this broker's slot range (slot `i` runs as `slotUIDBase + i`).
    public var slotUIDBase: UInt32
    /// A name unique to this broker for its cgroup parent; defaults to `airlock-<pid>`.
    public var cgroupName: String?

    public init(
        stateDirectory: String = ".airlock", socketPath: String? = nil, policiesDirectory: String = "Policies",
        sandboxDirectory: String? = nil, roles: RoleMap? = nil, socketGroup: UInt32? = nil,
        limits: BrokerLimits = BrokerLimits(), slotUIDBase: UInt32 = 2_000_000_000, cgroupName: String? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.policiesDirectory = policiesDirectory
        self.sandboxDirectory = sandboxDirectory
        self.roles = roles ?? RoleMap.defaults(servingUID: geteuid())
        self.socketGroup = socketGroup
        self.limits = limits
        self.slotUIDBase = slotUIDBase
        self.cgroupName = cgroupName
    }

    /// The group that owns task workspaces and that every slot joins: the gid just below the
    /// slot range, so it is as unused on the host as the slot uids are.
    public var workspaceGID: UInt32 { slotUIDBase - 1 }

    /// The socket path in effect.
    public var effectiveSocketPath: String { socketPath ?? stateDirectory + "/airlock.sock" }
}

/// The broker's back-pressure and timing limits. Each has a default that suits one small host.
public struct BrokerLimits: Sendable, Hashable {
    /// Largest request body read; a larger one is answered 413 and its connection closed.
    public var maxBodyBytes: Int = 1 << 20
    /// Sandboxes that may run at once (one slot each).
    public var slots: Int = BrokerLimits.defaultSlots
    /// Calls that may wait for a slot; one more is answered 429.
    public var queueLength: Int = 64
    /// Calls of one task that may run or wait at once; one more is answered 429, so one busy task
    /// cannot take every slot from the others.
    public var perTaskConcurrency: Int = 4
    /// On SIGTERM/SIGINT, how long running calls may go on before their sandboxes are killed.
    public var gracePeriod: Milliseconds = .seconds(10)
    /// A task's lifetime when `POST /v1/tasks` names none, and the longest it may ask for.
    public var defaultTaskTTL: Milliseconds = .seconds(3600)
    public var maxTaskTTL: Milliseconds = .seconds(24 * 3600)
    /// A connection that sends no complete request part (head, body chunk) for this long while no
    /// request is being answered is closed; a head sent a byte at a time is cut off here.
    public var idleTimeout: Milliseconds = .seconds(60)
    /// A request whose head has arrived must be read to its end within this; a client that
    /// dribbles its body is disconnected.
    public var requestTimeout: Milliseconds = .seconds(30)

    public init() {}

    /// Number of cores × 4: most tool calls wait on I/O or on the tool's own start-up.
    public static var defaultSlots: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) * 4)
    }
}
