/// How a tool may use the task's workspace (the host directory bound at `/work`).
public enum WorkspaceAccess: String, Hashable, Sendable, Codable, CaseIterable {
    /// Not bound at all.
    case none
    case readOnly = "read-only"
    case readWrite = "read-write"
}

/// An environment variable's value: a literal, or one whole argument slot (`"{name}"`).
public enum EnvironmentValue: Hashable, Sendable {
    case literal(String)
    case slot(String)
}

/// The settings a policy's `defaults` gives every tool and a tool may override, as written:
/// `nil` (or an empty override) means "not set here".
struct ToolSettings {
    var limits = LimitsOverride()
    var workspace: WorkspaceAccess?
    var network: NetworkMode?
    var view: ConfigValue?
    var seccomp: ConfigValue?
    var environment: [(name: String, value: EnvironmentValue, at: ConfigValue)] = []

    static let fields = ["limits", "workspace", "network", "view", "seccomp", "environment"]

    /// Reads the shared fields from `mapping`; the caller reads its own fields and calls `finish()`.
    static func read(from mapping: ConfigMapping, slotsAllowed: Bool) throws(ConfigError) -> ToolSettings {
        var settings = ToolSettings()
        if let value = mapping.optional("limits") { settings.limits = try LimitsOverride.parse(value) }
        if let value = mapping.optional("workspace") {
            settings.workspace = WorkspaceAccess(rawValue: try value.oneOf(WorkspaceAccess.allCases.map(\.rawValue)))
        }
        if let value = mapping.optional("network") {
            settings.network = NetworkMode(rawValue: try value.oneOf([NetworkMode.none.rawValue]))
        }
        settings.view = mapping.optional("view")
        settings.seccomp = mapping.optional("seccomp")
        if let value = mapping.optional("environment") {
            settings.environment = try environment(value, slotsAllowed: slotsAllowed)
        }
        return settings
    }

    private static func environment(_ value: ConfigValue, slotsAllowed: Bool) throws(ConfigError) -> [(name: String, value: EnvironmentValue, at: ConfigValue)] {
        let mapping = try value.mapping()
        var result: [(name: String, value: EnvironmentValue, at: ConfigValue)] = []
        for name in mapping.keys {
            let entry = try mapping.require(name)
            guard isEnvironmentName(name) else {
                throw entry.error("`\(name)` is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
            }
            let text = try entry.string()
            guard !text.contains("\0") else { throw entry.error("an environment value must not contain a NUL byte") }
            if let (slot, spread) = ArgvTemplate.wholeSlot(text) {
                guard slotsAllowed else { throw entry.error("`\(text)`: slots are only allowed in a tool's environment, not in defaults") }
                guard !spread else { throw entry.error("`\(text)`: an environment variable takes one value; `{name*}` is for argv") }
                result.append((name, .slot(slot), entry))
            } else {
                result.append((name, .literal(text), entry))
            }
        }
        return result
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// Limits as written in a policy: each field optional, applied over a base field by field.
struct LimitsOverride {
    var fields: [(apply: (inout Limits) -> Void, name: String)] = []

    static func parse(_ value: ConfigValue) throws(ConfigError) -> LimitsOverride {
        let mapping = try value.mapping()
        var result = LimitsOverride()
        func duration(_ key: String, _ set: @escaping (inout Limits, Milliseconds) -> Void) throws(ConfigError) {
            guard let field = mapping.optional(key) else { return }
            let parsed = try field.milliseconds()
            result.fields.append(({ set(&$0, parsed) }, key))
        }
        func size(_ key: String, _ set: @escaping (inout Limits, ByteCount) -> Void) throws(ConfigError) {
            guard let field = mapping.optional(key) else { return }
            let parsed = try field.byteCount()
            result.fields.append(({ set(&$0, parsed) }, key))
        }
        func count(_ key: String, _ set: @escaping (inout Limits, UInt64) -> Void) throws(ConfigError) {
            guard let field = mapping.optional(key) else { return }
            let parsed = try field.positiveUInt64()
            result.fields.append(({ set(&$0, parsed) }, key))
        }
        try duration("wallTime") { $0.wallTime = $1 }
        try duration("cpuTime") { $0.cpuTime = $1 }
        try size("memory") { $0.memory = $1 }
        try size("addressSpace") { $0.addressSpace = $1 }
        try count("processes") { $0.processes = $1 }
        try count("openFiles") { $0.openFiles = $1 }
        try size("fileSize") { $0.fileSize = $1 }
        try size("outputBytes") { $0.outputBytes = $1 }
        try size("tmpSize") { $0.tmpSize = $1 }
        try mapping.finish()
        return result
    }

    func applied(to base: Limits) -> Limits {
        var limits = base
        for field in fields { field.apply(&limits) }
        return limits
    }
}
