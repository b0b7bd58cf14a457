/// Which uids and gids hold which role. A uid entry wins over a gid entry; a uid or gid may
/// appear under one role only (the loader refuses anything else), so the answer never depends on
/// the order of the file.
public struct RoleMap: Sendable, Hashable {
    public private(set) var byUID: [UInt32: Role] = [:]
    public private(set) var byGID: [UInt32: Role] = [:]

    public init(byUID: [UInt32: Role] = [:], byGID: [UInt32: Role] = [:]) {
        self.byUID = byUID
        self.byGID = byGID
    }

    /// The default when no configuration file is given: root and the user running the broker are
    /// admins, nobody else may connect.
    public static func defaults(servingUID: UInt32) -> RoleMap {
        var byUID: [UInt32: Role] = [0: .admin]
        byUID[servingUID] = .admin
        return RoleMap(byUID: byUID)
    }

    /// The caller's role, or nil for a peer the configuration does not name (refused with 403).
    public func role(for peer: PeerCredentials) -> Role? {
        byUID[peer.uid] ?? byGID[peer.gid]
    }
}
