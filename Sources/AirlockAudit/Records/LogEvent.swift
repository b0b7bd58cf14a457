import AirlockCore

/// One event to record, made only through the typed constructors (`LogEvent.taskCreated(…)`,
/// `.callDecided(…)`, …), so the broker cannot write a record with a missing or misspelt field.
///
/// The log adds `seq`, `time`, `prev` and `kind` when it writes the record. Nothing secret goes
/// in: tokens appear as their id and unsigned body (never the signature), environments as their
/// variable names, keys not at all.
public struct LogEvent: Sendable {
    public let kind: LogRecordKind
    /// The kind-specific fields; never `seq`, `time`, `prev` or `kind`.
    public let fields: [String: JSONValue]
    /// A policy text to store by digest (fsync'd) before this record is written.
    let policy: StoredPolicy?
    /// A verified token the log records with `token.seen` the first time it appears.
    let token: CapabilityToken?

    init(_ kind: LogRecordKind, _ fields: [String: JSONValue], policy: StoredPolicy? = nil, token: CapabilityToken? = nil) {
        self.kind = kind
        self.fields = fields
        self.policy = policy
        self.token = token
    }
}

/// A policy text and its digest, written to `policies/<digest>.yaml`.
struct StoredPolicy: Sendable {
    var digest: String
    var text: String
}

/// Every kind of record, as its `kind` field spells it.
public enum LogRecordKind: String, Hashable, Sendable, CaseIterable {
    /// The first record of every log file (written by the log itself).
    case fileStarted = "file.started"
    case brokerStarted = "broker.started"
    case brokerStopped = "broker.stopped"
    case taskCreated = "task.created"
    case taskSuspended = "task.suspended"
    case taskResumed = "task.resumed"
    case taskEnded = "task.ended"
    case tokenMinted = "token.minted"
    /// The first use of a token the log has not seen minted (an attenuated one), written by the
    /// log itself before the `call.received` that carries it.
    case tokenSeen = "token.seen"
    case tokenRevoked = "token.revoked"
    case callReceived = "call.received"
    case callDecided = "call.decided"
    case sandboxStarted = "sandbox.started"
    case callFinished = "call.finished"
    case anomaly
    case incident
    /// A signed statement of the chain head (written by the log itself).
    case checkpoint
}

/// Who asked, as the broker's peer-credential check established it.
public struct LogCaller: Hashable, Sendable {
    public var uid: UInt32
    /// `admin`, `agent` or `auditor`.
    public var role: String

    public init(uid: UInt32, role: String) {
        self.uid = uid
        self.role = role
    }

    var json: JSONValue { .object(["uid": .integer(Int64(uid)), "role": .string(role)]) }
}

extension Optional where Wrapped == String {
    var json: JSONValue { map(JSONValue.string) ?? .null }
}

extension Optional where Wrapped == EpochSeconds {
    var json: JSONValue { map { .integer(Int64(clamping: $0.value)) } ?? .null }
}

extension Optional where Wrapped == UInt64 {
    var json: JSONValue { map { .integer(Int64(clamping: $0)) } ?? .null }
}
