/// One tool call as the model produced it: which tool, with which arguments, under which id.
///
/// Everything in it is untrusted. `tool` and `arguments` are only ever looked up in the policy
/// and checked against the tool's schema; `callId` is the caller's handle for the answer and
/// the execution log, never a file name or a key.
public struct ToolCall: Hashable, Sendable {
    /// The tool's name as the policy spells it (`search`, `run_script`).
    public var tool: String
    /// The arguments object; `null` is read as `{}`.
    public var arguments: JSONValue
    /// The id the agent framework gave the call (or one the broker made up), echoed in the answer.
    public var callId: String

    public init(tool: String, arguments: JSONValue, callId: String) {
        self.tool = tool
        self.arguments = arguments
        self.callId = callId
    }
}
