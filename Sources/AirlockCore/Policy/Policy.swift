/// A task policy: the tools one kind of agent task may use, and how each is confined.
///
/// Loaded by `PolicyLoader` from `Policies/<name>.yaml` (format: docs/policy.md). The exact text
/// and its SHA-256 are kept, because capability tokens bind to that digest: when the file
/// changes, old tokens stop working (`policy_changed`) instead of inheriting the new grants.
public struct Policy: Sendable {
    /// `[a-z0-9-]+`.
    public var name: String
    public var description: String
    /// Tool names in the order the file lists them.
    public var toolNames: [String]
    public var tools: [String: ToolSpec]
    /// Where the policy was read from (for messages).
    public var file: String
    /// The policy file exactly as read.
    public var text: String
    /// Lowercase hex SHA-256 of `text`'s bytes.
    public var digest: String

    public init(name: String, description: String, tools: [ToolSpec], file: String, text: String, digest: String) {
        self.name = name
        self.description = description
        self.toolNames = tools.map(\.name)
        self.tools = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })
        self.file = file
        self.text = text
        self.digest = digest
    }

    /// The tool called `name`, or an `unknown_tool` denial that lists the tools there are.
    public func tool(named name: String) throws(CallDenial) -> ToolSpec {
        guard let tool = tools[name] else {
            throw CallDenial(.unknownTool, "there is no tool \(shortQuoted(name)); this task's tools are \(toolNames.joined(separator: ", "))")
        }
        return tool
    }
}
