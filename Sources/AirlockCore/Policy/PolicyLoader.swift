import Crypto
import Foundation

/// Reads policy files. Every mistake — unknown field, wrong type, bad unit, a slot naming an
/// undeclared argument, an unknown view or seccomp profile, a duplicate key, a YAML syntax
/// error — is a `ConfigError` naming `file:line:column` and the field path.
public struct PolicyLoader: Sendable {
    /// The repository's `Sandbox/` directory, where `view` and `seccomp` names are resolved.
    public var sandboxDirectory: String

    public init(sandboxDirectory: String) {
        self.sandboxDirectory = sandboxDirectory
    }

    public func load(file: String) throws(ConfigError) -> Policy {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(location: start, fieldPath: "", message: "cannot read the policy file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(location: start, fieldPath: "", message: "the policy file is not valid UTF-8")
        }
        return try parse(text, file: file)
    }

    /// Parses policy text; `file` is only used in messages.
    public func parse(_ text: String, file: String) throws(ConfigError) -> Policy {
        let root = try ConfigValue.parse(text, file: file)
        let mapping = try root.mapping()
        let nameValue = try mapping.require("name")
        let name = try nameValue.nonEmptyString()
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw nameValue.error("`\(name)` is not a policy name ([a-z0-9-]+)")
        }
        let description = try mapping.require("description").nonEmptyString()
        let defaults = try readDefaults(mapping.optional("defaults"))
        let toolsValue = try mapping.require("tools")
        try mapping.finish()

        let profiles = SandboxProfiles(directory: sandboxDirectory)
        // Resolved now, so a wrong name in `defaults` is reported even if every tool overrides it.
        if let view = defaults.view { _ = try profiles.view(named: view, default: "default", tool: view) }
        if let seccomp = defaults.seccomp { _ = try profiles.seccompProfile(named: seccomp, default: "default", tool: seccomp) }
        let loader = ToolSpecLoader(defaults: defaults, profiles: profiles)
        let toolsMapping = try toolsValue.mapping()
        guard !toolsMapping.keys.isEmpty else { throw toolsValue.error("a policy must grant at least one tool") }
        var tools: [ToolSpec] = []
        for toolName in toolsMapping.keys {
            let toolValue = try toolsMapping.require(toolName)
            guard Self.isToolName(toolName) else {
                throw toolValue.error("`\(toolName)` is not a tool name ([a-z0-9][a-z0-9_-]*, at most 64 characters)")
            }
            tools.append(try loader.load(name: toolName, toolValue))
        }
        let digest = SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
        return Policy(name: name, description: description, tools: tools, file: file, text: text, digest: digest)
    }

    private func readDefaults(_ value: ConfigValue?) throws(ConfigError) -> ToolSettings {
        guard let value else { return ToolSettings() }
        let mapping = try value.mapping()
        let settings = try ToolSettings.read(from: mapping, slotsAllowed: false)
        try mapping.finish()
        return settings
    }

    /// What a model sends as the tool's name: lowercase, digits, `_` and `-`, as function-calling
    /// APIs accept.
    static func isToolName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}
