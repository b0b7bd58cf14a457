import AirlockAudit

/// What a connected process may do. Decided from its peer credentials, never from anything it
/// sends, so a caller cannot talk its way into a wider role.
public enum Role: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Policies, tasks, tokens and revocation: the platform team or the agent framework's host.
    case admin
    /// Tool calls only, and only with a capability token.
    case agent
    /// Reads task state and policies; changes nothing.
    case auditor

    public var description: String { rawValue }
}

/// The credentials the kernel reports for the process at the other end of the socket
/// (`SO_PEERCRED`): the process that connected, not whatever it claims to be.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}

/// A caller whose role is known: what every route handler sees.
public struct Caller: Sendable, Hashable {
    public var peer: PeerCredentials
    public var role: Role

    public init(peer: PeerCredentials, role: Role) {
        self.peer = peer
        self.role = role
    }
}

extension Caller {
    /// The caller as the execution log records it.
    var logCaller: LogCaller { LogCaller(uid: peer.uid, role: role.rawValue) }
}
