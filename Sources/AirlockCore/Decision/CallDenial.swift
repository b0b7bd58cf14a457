/// Why a tool call was refused: a stable code for programs and a sentence for the model.
///
/// A denial is an ordinary answer, not a crash. The `code` never changes meaning once shipped
/// (agent frameworks and auditors match on it); the `message` is written so that a model can
/// correct its call, and it never echoes host paths or secrets.
public struct CallDenial: Error, Hashable, Sendable, CustomStringConvertible {
    /// Every reason a call can be refused, across argument rendering and `decide()`: one list, so
    /// the execution log, the API and the documentation share a single vocabulary.
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        // Arguments and rendering (the policy's own checks).
        /// The arguments do not match the tool's JSON Schema, or carry a NUL byte.
        case argumentInvalid = "argument_invalid"
        /// A path argument leaves the workspace (`..`, an absolute path, a symlink).
        case pathOutsideWorkspace = "path_outside_workspace"
        /// The policy has no tool of that name.
        case unknownTool = "unknown_tool"
        /// The tool uses a workspace but the task has none.
        case workspaceMissing = "workspace_missing"

        // The capability token and the task (`decide()`).
        /// The token does not grant this tool (the policy may still define it).
        case toolNotGranted = "tool_not_granted"
        /// The token is past its expiry.
        case tokenExpired = "token_expired"
        /// The token's not-before time is still in the future.
        case tokenNotYetValid = "token_not_yet_valid"
        /// The token or one of its ancestors was revoked.
        case tokenRevoked = "token_revoked"
        /// The token is malformed or its signature chain does not verify.
        case tokenInvalid = "token_invalid"
        /// The token's call budget is spent.
        case callBudgetExhausted = "call_budget_exhausted"
        /// An argument is valid for the tool but outside a constraint the token adds.
        case argumentNotPermitted = "argument_not_permitted"
        /// The policy text changed since the token was minted (its SHA-256 no longer matches).
        case policyChanged = "policy_changed"
        /// The task is suspended.
        case taskSuspended = "task_suspended"
        /// The task has ended.
        case taskEnded = "task_ended"
    }

    public var code: Code
    /// One or more short sentences a model can act on, e.g. `"path" must match ^[a-z]+$`.
    public var message: String
    /// The individual schema violations behind an `argument_invalid`, for structured answers.
    public var violations: [SchemaViolation]

    public init(_ code: Code, _ message: String, violations: [SchemaViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    /// `argument_invalid: "path" must match ^[A-Za-z0-9_./-]+$`.
    public var description: String { "\(code.rawValue): \(message)" }
}
