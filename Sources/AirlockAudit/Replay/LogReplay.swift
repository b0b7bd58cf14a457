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
        var result = ReplayedCall(
            seq: seq, taskId: taskId, callId: callId, tool: state.received[taskId]?[callId]?.tool ?? "?", recorded: recorded,
            replayed: nil, outcome: .notReplayable(""))
        // A token that did not verify (or named no task) is refused before anything else is read,
        // under any policy; why is not logged (it may name the key), so only the code compares.
        if let received = state.received[taskId]?[callId], !received.tokenVerified {
            var replayed = DecisionSummary(.deny(CallDenial(.tokenInvalid, "")))
            replayed.message = recorded.message
            result.replayed = replayed
            if override != nil { return with(result, recorded.allowed ? .changed : .unchanged) }
            return with(result, replayed == recorded ? .identical : .mismatch)
        }
        let inputs: Redecision
        switch Redecision.gather(record, taskId: taskId, callId: callId, from: state, policies: &policies, override: override) {
        case .failure(let why): return with(result, .notReplayable(why.reason))
        case .success(let gathered): inputs = gathered
        }
        let decision = inputs.decide()
        var replayed = DecisionSummary(decision)
        // Why a token did not verify is not logged (it may name the key); only the code compares.
        if inputs.grant == nil { replayed.message = recorded.message }
        result.replayed = replayed
        result.job = decision.allowed?.job
        if let grant = inputs.grant, inputs.overriding ? replayed.allowed : recorded.allowed { state.count(task: taskId, grant: grant) }
        if inputs.overriding {
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
