import AirlockCore
import Foundation

/// Decides every recorded call again from the log alone: the policy text stored by digest, the
/// task's state, revocations and call counts rebuilt from the records before it, the token's
/// caveats from its `token.minted` / `token.seen` record, and the exact `now` of `call.decided`.
///
/// With the recorded policies every decision must come out the same (`mismatch` is a bug). With
/// `policy` given, calls of tasks whose policy has the same name are decided under it instead and
/// the report lists the calls whose decision changes. Call budgets then count the calls the new
/// policy would have allowed.
public struct LogReplay {
    public let directory: String
    /// The repository's `Sandbox/` directory, to load policies (views and seccomp profiles).
    public let sandboxDirectory: String

    public init(directory: String, sandboxDirectory: String) {
        self.directory = directory
        self.sandboxDirectory = sandboxDirectory
    }

    public func run(task filter: String? = nil, policy override: Policy? = nil) throws -> ReplayReport {
        var state = ReplayState()
        var policies = PolicyCache(directory: directory, loader: PolicyLoader(sandboxDirectory: sandboxDirectory))
        var report = ReplayReport(policyOverride: override?.digest)
        var outputs: [String: String] = [:]
        try LogReader(directory: directory).forEachRecord { text in
            guard let record = text.json, let kind = record["kind"]?.stringValue else { return true }
            if kind == LogRecordKind.callFinished.rawValue, let digest = record["outputSha256"]?.stringValue {
                outputs[Self.key(record["task"]?.stringValue ?? "", record["call"]?.stringValue ?? "")] = digest
            }
            guard kind == LogRecordKind.callDecided.rawValue else {
                state.apply(kind: kind, record)
                return true
            }
            guard let call = replay(record, seq: text.seq, state: &state, policies: &policies, override: override) else { return true }
            if filter == nil || filter == call.taskId { report.calls.append(call) }
            return true
        }
        for index in report.calls.indices {
            report.calls[index].recordedOutputSha256 = outputs[Self.key(report.calls[index].taskId, report.calls[index].callId)]
        }
        return report
    }

    private static func key(_ task: String, _ call: String) -> String { task + "\u{0}" + call }

    private func replay(
        _ record: [String: JSONValue], seq: UInt64, state: inout ReplayState, policies: inout PolicyCache, override: Policy?
    ) -> ReplayedCall? {
        guard let recorded = DecisionSummary(record: record), let callId = record["call"]?.stringValue else { return nil }
        let taskId = record["task"]?.stringValue ?? ""
        let received = state.received[taskId]?[callId]
        var result = ReplayedCall(
            seq: seq, taskId: taskId, callId: callId, tool: received?.tool ?? "?", recorded: recorded, replayed: nil,
            outcome: .notReplayable(""))
        guard let received else { return with(result, .notReplayable("no call.received record for this call")) }
        // A token that did not verify (or named no task) is refused before anything else is read,
        // under any policy.
        if !received.tokenVerified {
            var replayed = DecisionSummary(.deny(CallDenial(.tokenInvalid, "")))
            replayed.message = recorded.message
            result.replayed = replayed
            if override != nil { return with(result, recorded.allowed ? .changed : .unchanged) }
            return with(result, replayed == recorded ? .identical : .mismatch)
        }
        guard let task = state.tasks[taskId] else { return with(result, .notReplayable("the call names no task created in this log")) }
        let overriding = override.map { $0.name == task.policyName } ?? false
        let policy: Policy
        if overriding, let override {
            policy = override
        } else {
            guard let digest = record["policyDigest"]?.stringValue, let recordedPolicy = policies.policy(digest: digest) else {
                return with(result, .notReplayable("the policy text it was decided with is not stored beside the log"))
            }
            policy = recordedPolicy
        }
        let decision: Decision
        var grant: Grant?
        do {
            guard let digest = received.tokenDigest, let token = state.tokens[digest], let folded = try? Grant(unverified: token) else {
                return with(result, .notReplayable("the token's caveats are not in the log"))
            }
            let bound = overriding ? folded.rebound(toPolicy: PolicyDigest(policyText: policy.text)) : folded
            grant = bound
            let workspace = task.workspace.flatMap { try? WorkspaceRoot(hostPath: $0) }
            if task.workspace != nil, workspace == nil, let tool = policy.tools[received.tool], !tool.paths.isEmpty || tool.workspace != .none {
                return with(result, .notReplayable("its decision depends on the workspace \(task.workspace ?? ""), which no longer exists"))
            }
            let decisionState = DecisionState(
                taskId: taskId, keys: RootKeyring(keys: []), revocations: state.revocations, callsMade: task.callsMade,
                workspace: workspace, taskState: task.state)
            var now = EpochSeconds(0)
            if case .integer(let seconds) = record["now"] { now = EpochSeconds(UInt64(clamping: seconds)) }
            decision = decide(
                call: ToolCall(tool: received.tool, arguments: received.arguments, callId: callId), grant: bound, policy: policy, now: now,
                state: decisionState)
        }
        let replayed = DecisionSummary(decision)
        result.replayed = replayed
        result.job = decision.allowed?.job
        if let grant, overriding ? replayed.allowed : recorded.allowed { state.count(task: taskId, grant: grant) }
        if overriding {
            let same = replayed.allowed == recorded.allowed && replayed.code == recorded.code
            return with(result, same ? .unchanged : .changed)
        }
        return with(result, replayed == recorded ? .identical : .mismatch)
    }

    private func with(_ call: ReplayedCall, _ outcome: ReplayedCall.Outcome) -> ReplayedCall {
        var call = call
        call.outcome = outcome
        return call
    }
}

/// Policies stored beside the log, loaded once per digest.
struct PolicyCache {
    let directory: String
    let loader: PolicyLoader
    private var loaded: [String: Policy?] = [:]

    init(directory: String, loader: PolicyLoader) {
        self.directory = directory
        self.loader = loader
    }

    mutating func policy(digest: String) -> Policy? {
        if let cached = loaded[digest] { return cached }
        let path = LogDirectory.policyPath(directory, digest: digest)
        let policy = (try? LogIO.read(path)).flatMap { $0 }.flatMap { String(validating: $0, as: UTF8.self) }
            .flatMap { try? loader.parse($0, file: path) }
            .flatMap { $0.digest == digest ? $0 : nil }
        loaded[digest] = policy
        return policy
    }
}
