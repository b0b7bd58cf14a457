/// Everything besides the call, the token, the policy and the clock that a decision depends on:
/// the keys that verify tokens, what was revoked, what was spent, and the task itself.
///
/// A plain value, so a decision is a function of its inputs: the broker keeps the current state
/// and passes a copy in; tests build one by hand; a replay rebuilds it from the execution log.
public struct DecisionState: Sendable {
    /// Whether the task may still make calls.
    public enum TaskState: String, Hashable, Sendable, CaseIterable {
        case active
        /// Paused (by an operator or by anomaly detection); calls are refused until resumed.
        case suspended
        /// Finished or cancelled; calls are refused for good.
        case ended
    }

    /// The task the state belongs to. A token minted for another task is refused, so one task's
    /// token never reaches another task's workspace.
    public var taskId: String
    /// The root keys that verify token chains.
    public var keys: RootKeyring
    public var revocations: RevocationList
    /// Calls counted against each token id. Every call is counted against every id in its grant's
    /// lineage, so a parent's budget sees its children's calls (see `docs/tokens.md`).
    public var callsMade: [TokenID: UInt64]
    /// The task's workspace on the host, bound at `/work`; nil when the task has none.
    public var workspace: WorkspaceRoot?
    public var taskState: TaskState

    public init(
        taskId: String, keys: RootKeyring, revocations: RevocationList = RevocationList(),
        callsMade: [TokenID: UInt64] = [:], workspace: WorkspaceRoot? = nil, taskState: TaskState = .active
    ) {
        self.taskId = taskId
        self.keys = keys
        self.revocations = revocations
        self.callsMade = callsMade
        self.workspace = workspace
        self.taskState = taskState
    }

    /// How many calls were counted against `id`.
    public func calls(by id: TokenID) -> UInt64 { callsMade[id] ?? 0 }

    /// Counts one call against every id in `grant`'s lineage. The caller does this once the
    /// allowed call runs; `decide()` itself changes nothing.
    public mutating func recordCall(by grant: Grant) {
        for id in grant.lineage {
            let (sum, overflow) = calls(by: id).addingReportingOverflow(1)
            callsMade[id] = overflow ? .max : sum
        }
    }
}
