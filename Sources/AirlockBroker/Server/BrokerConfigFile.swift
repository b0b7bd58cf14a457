import AirlockCore
import Foundation

/// Reads the broker's configuration file (YAML or JSON). Every mistake is a `ConfigError` with
/// `file:line:column` and the field path.
///
/// ```yaml
/// roles:                 # who may connect, by uid and by primary gid
///   admin:   { uids: [0, 1000] }
///   agent:   { uids: [1001], gids: [2000] }
///   auditor: { gids: [2001] }
/// socket:
///   group: 2000          # a gid or a group name: socket directory 0750, socket 0660
/// limits:
///   maxBodySize: 1MiB
///   slots: 8
///   queue: 64
///   perTaskConcurrency: 4
///   gracePeriod: 10s
///   defaultTaskTTL: 1h
///   maxTaskTTL: 24h
///   idleTimeout: 60s     # no complete request part for this long: closed
///   requestTimeout: 30s  # a request must be read to its end this long after its head
/// slots:
///   uidBase: 2000000000  # slot i runs as uidBase + i; the workspace group is uidBase - 1
/// ```
/// With a `roles` section, only the uids and gids it lists may connect (root is not implied).
public enum BrokerConfigFile {
    public static func load(file: String, into configuration: inout BrokerConfiguration) throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: file), let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "cannot read the file as UTF-8 text")
        }
        try parse(text, file: file, into: &configuration)
    }

    public static func parse(_ text: String, file: String, into configuration: inout BrokerConfiguration) throws(ConfigError) {
        let root = try ConfigValue.parse(text, file: file).mapping()
        if let roles = root.optional("roles") { configuration.roles = try readRoles(roles) }
        if let socket = root.optional("socket") {
            let m = try socket.mapping()
            if let group = m.optional("group") { configuration.socketGroup = try readGroup(group) }
            try m.finish()
        }
        if let limits = root.optional("limits") { configuration.limits = try readLimits(limits, base: configuration.limits) }
        if let slots = root.optional("slots") {
            let m = try slots.mapping()
            if let base = m.optional("uidBase") {
                let value = try base.uint64()
                // The workspace group is the gid below the range; 0 and the host's low ids are out.
                guard value >= 100_000, value <= UInt64(UInt32.max) - 65_536 else {
                    throw base.error("uidBase must be between 100000 and \(UInt64(UInt32.max) - 65_536), away from the host's own users")
                }
                configuration.slotUIDBase = UInt32(value)
            }
            try m.finish()
        }
        try root.finish()
    }

    private static func readRoles(_ value: ConfigValue) throws(ConfigError) -> RoleMap {
        let m = try value.mapping()
        var byUID: [UInt32: Role] = [:]
        var byGID: [UInt32: Role] = [:]
        for role in Role.allCases {
            guard let entry = m.optional(role.rawValue) else { continue }
            let ids = try entry.mapping()
            try assign(ids.optional("uids"), role: role, kind: "uid", into: &byUID)
            try assign(ids.optional("gids"), role: role, kind: "gid", into: &byGID)
            try ids.finish()
        }
        try m.finish()
        return RoleMap(byUID: byUID, byGID: byGID)
    }

    private static func assign(_ value: ConfigValue?, role: Role, kind: String, into map: inout [UInt32: Role]) throws(ConfigError) {
        guard let value else { return }
        for item in try value.list() {
            let n = try item.uint64()
            guard n <= UInt64(UInt32.max) else { throw item.error("\(n) is not a valid \(kind)") }
            if let other = map[UInt32(n)] {
                throw item.error("\(kind) \(n) is already listed under `\(other)`; a \(kind) has one role")
            }
            map[UInt32(n)] = role
        }
    }

    private static func readGroup(_ value: ConfigValue) throws(ConfigError) -> UInt32 {
        let text = try value.nonEmptyString()
        if let gid = UInt32(text) { return gid }
        guard let group = getgrnam(text) else { throw value.error("no group named `\(text)` on this host") }
        return group.pointee.gr_gid
    }

    private static func readLimits(_ value: ConfigValue, base: BrokerLimits) throws(ConfigError) -> BrokerLimits {
        let m = try value.mapping()
        var limits = base
        if let v = m.optional("maxBodySize") { limits.maxBodyBytes = try intValue(v.byteCount().bytes, v) }
        if let v = m.optional("slots") { limits.slots = try intValue(v.positiveUInt64(), v) }
        if let v = m.optional("queue") { limits.queueLength = try intValue(v.uint64(), v) }
        if let v = m.optional("perTaskConcurrency") { limits.perTaskConcurrency = try intValue(v.positiveUInt64(), v) }
        if let v = m.optional("gracePeriod") { limits.gracePeriod = try v.milliseconds() }
        if let v = m.optional("defaultTaskTTL") { limits.defaultTaskTTL = try v.milliseconds() }
        if let v = m.optional("maxTaskTTL") { limits.maxTaskTTL = try v.milliseconds() }
        if let v = m.optional("idleTimeout") { limits.idleTimeout = try v.milliseconds() }
        if let v = m.optional("requestTimeout") { limits.requestTimeout = try v.milliseconds() }
        try m.finish()
        guard limits.defaultTaskTTL <= limits.maxTaskTTL else {
            throw value.error("defaultTaskTTL (\(limits.defaultTaskTTL)) is longer than maxTaskTTL (\(limits.maxTaskTTL))")
        }
        return limits
    }

    private static func intValue(_ n: UInt64, _ value: ConfigValue) throws(ConfigError) -> Int {
        guard n <= UInt64(Int32.max) else { throw value.error("\(n) is too large") }
        return Int(n)
    }
}
