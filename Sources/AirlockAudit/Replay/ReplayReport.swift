import AirlockCore

/// A decision reduced to what replay compares: allow or deny, the reason, the effective limits
/// and the rendered arguments of an allow.
public struct DecisionSummary: Hashable, Sendable, CustomStringConvertible {
    public var allowed: Bool
    /// The denial's code and message (nil for an allow).
    public var code: String?
    public var message: String?
    /// For an allow.
    public var limits: JSONValue?
    public var rendered: JSONValue?

    public init(_ decision: Decision) {
        switch decision {
        case .allow(let call):
            self.init(allowed: true, code: nil, message: nil, limits: call.effectiveLimits.jsonValue, rendered: call.call.arguments)
        case .deny(let denial):
            self.init(allowed: false, code: denial.code.rawValue, message: denial.message, limits: nil, rendered: nil)
        }
    }

    /// From the fields of a `call.decided` record.
    init?(record: [String: JSONValue]) {
        guard let decision = record["decision"]?.stringValue, decision == "allow" || decision == "deny" else { return nil }
        let reason = record["reason"]?.objectValue
        let limits = record["limits"].flatMap { $0 == .null ? nil : $0 }
        let rendered = record["rendered"].flatMap { $0 == .null ? nil : $0 }
        self.init(
            allowed: decision == "allow", code: reason?["code"]?.stringValue, message: reason?["message"]?.stringValue, limits: limits,
            rendered: rendered)
    }

    init(allowed: Bool, code: String?, message: String?, limits: JSONValue?, rendered: JSONValue?) {
        self.allowed = allowed
        self.code = code
        self.message = message
        self.limits = limits
        self.rendered = rendered
    }

    /// `allow` or `deny (tool_not_granted)`.
    public var description: String { allowed ? "allow" : "deny (\(code ?? "?"))" }
}

/// One recorded call and what replaying it gave.
public struct ReplayedCall: Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Replayed to the recorded decision.
        case identical
        /// With the recorded policy, a different decision: a bug to report.
        case mismatch
        /// Under another policy, the decision changes (a privilege change).
        case changed
        /// Under another policy, the decision stays.
        case unchanged
        /// Could not be decided again, and why (workspace gone, policy text missing, …).
        case notReplayable(String)
    }

    public var seq: UInt64
    public var taskId: String
    public var callId: String
    public var tool: String
    public var recorded: DecisionSummary
    public var replayed: DecisionSummary?
    public var outcome: Outcome
    /// For a replayed allow: the job it would run (for `--execute`).
    public var job: JobSpec?
    /// The `outputSha256` of the call's `call.finished` record, if it has one.
    public var recordedOutputSha256: String?
}

/// Every call replayed, in log order.
public struct ReplayReport: Sendable {
    public var calls: [ReplayedCall] = []
    /// The digest of the policy given in place of the recorded ones, if any.
    public var policyOverride: String?

    public var mismatches: [ReplayedCall] { calls.filter { $0.outcome == .mismatch } }
    public var changes: [ReplayedCall] { calls.filter { $0.outcome == .changed } }
    public var notReplayable: [ReplayedCall] {
        calls.filter {
            if case .notReplayable = $0.outcome { return true }
            return false
        }
    }
}
