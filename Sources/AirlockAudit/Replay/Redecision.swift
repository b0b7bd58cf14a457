import AirlockCore

/// Everything one recorded decision is made again from, gathered from the replay state: the call
/// as received, the policy, the grant folded from the logged token, the task's state and the
/// recorded `now`. Or why that cannot be done.
struct Redecision {
    var call: ToolCall
    var policy: Policy
    /// nil when the token never verified: the call replays as `token_invalid`.
    var grant: Grant?
    var state: DecisionState
    var now: EpochSeconds
    /// Decided under the policy given in place of the recorded one.
    var overriding: Bool

    struct NotReplayable: Error {
        var reason: String
    }

    static func gather(
        _ record: [String: JSONValue], taskId: String, callId: String, from replay: ReplayState, policies: inout PolicyCache,
        override: Policy?
    ) -> Result<Redecision, NotReplayable> {
        guard let received = replay.received[taskId]?[callId] else { return .failure(.init(reason: "no call.received record for this call")) }
        guard let task = replay.tasks[taskId] else { return .failure(.init(reason: "the call names no task created in this log")) }
        let overriding = override.map { $0.name == task.policyName } ?? false
        guard let policy = overriding ? override : record["policyDigest"]?.stringValue.flatMap({ policies.policy(digest: $0) }) else {
            return .failure(.init(reason: "the policy text it was decided with is not stored beside the log"))
        }
        var grant: Grant?
        if received.tokenVerified {
            guard let digest = received.tokenDigest, let token = replay.tokens[digest], let folded = try? Grant(unverified: token) else {
                return .failure(.init(reason: "the token's caveats are not in the log"))
            }
            grant = overriding ? folded.rebound(toPolicy: PolicyDigest(policyText: policy.text)) : folded
        }
        let workspace = task.workspace.flatMap { try? WorkspaceRoot(hostPath: $0) }
        if grant != nil, let path = task.workspace, workspace == nil, let tool = policy.tools[received.tool],
            !tool.paths.isEmpty || tool.workspace != .none
        {
            return .failure(.init(reason: "its decision depends on the workspace \(path), which no longer exists"))
        }
        var now = EpochSeconds(0)
        if case .integer(let seconds) = record["now"] { now = EpochSeconds(UInt64(clamping: seconds)) }
        let state = DecisionState(
            taskId: taskId, keys: RootKeyring(keys: []), revocations: replay.revocations, callsMade: task.callsMade, workspace: workspace,
            taskState: task.state)
        return .success(
            Redecision(
                call: ToolCall(tool: received.tool, arguments: received.arguments, callId: callId), policy: policy, grant: grant,
                state: state, now: now, overriding: overriding))
    }

    /// `decide()` on the gathered inputs.
    func decide() -> Decision {
        guard let grant else { return .deny(CallDenial(.tokenInvalid, "")) }
        return AirlockCore.decide(call: call, grant: grant, policy: policy, now: now, state: state)
    }
}
