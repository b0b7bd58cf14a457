import AirlockCore

/// What the log has said so far about tasks, tokens and revocations: the inputs of a decision
/// besides the call, rebuilt record by record in log order.
struct ReplayState {
    struct Task {
        var policyName: String
        var policyDigest: String
        /// The host directory recorded at creation (nil: the task has none).
        var workspace: String?
        var state: DecisionState.TaskState = .active
        var callsMade: [TokenID: UInt64] = [:]
    }

    /// What `call.received` said, kept until its `call.decided`.
    struct Received {
        var tool: String
        var arguments: JSONValue
        var tokenDigest: String?
        var tokenVerified: Bool
    }

    var tasks: [String: Task] = [:]
    /// Unsigned tokens by the SHA-256 of their unsigned body.
    var tokens: [String: CapabilityToken] = [:]
    var revocations = RevocationList()
    /// By task id (or "" for none), then call id.
    var received: [String: [String: Received]] = [:]

    /// Takes in one record that is not a `call.decided`.
    mutating func apply(kind: String, _ r: [String: JSONValue]) {
        let task = r["task"]?.stringValue
        switch kind {
        case LogRecordKind.taskCreated.rawValue:
            guard let task, let name = r["policyName"]?.stringValue, let digest = r["policyDigest"]?.stringValue else { return }
            tasks[task] = Task(policyName: name, policyDigest: digest, workspace: r["workspace"]?.stringValue)
        case LogRecordKind.taskSuspended.rawValue: setState(task, .suspended)
        case LogRecordKind.taskResumed.rawValue: setState(task, .active)
        case LogRecordKind.taskEnded.rawValue: setState(task, .ended)
        case LogRecordKind.tokenMinted.rawValue, LogRecordKind.tokenSeen.rawValue:
            guard let digest = r["tokenDigest"]?.stringValue, let text = r["unsigned"]?.stringValue,
                let token = try? CapabilityToken(unsignedText: text)
            else { return }
            tokens[digest] = token
        case LogRecordKind.tokenRevoked.rawValue:
            if let id = r["token"]?.stringValue.flatMap(TokenID.init(text:)) { revocations.revoke(id) }
        case LogRecordKind.callReceived.rawValue:
            guard let call = r["call"]?.stringValue, let tool = r["tool"]?.stringValue else { return }
            received[task ?? "", default: [:]][call] = Received(
                tool: tool, arguments: r["arguments"] ?? .null, tokenDigest: r["tokenDigest"]?.stringValue,
                tokenVerified: r["tokenVerified"] == .bool(true))
        default: break
        }
    }

    private mutating func setState(_ task: String?, _ state: DecisionState.TaskState) {
        guard let task else { return }
        tasks[task]?.state = state
    }

    /// Counts an allowed call against every id of the grant's lineage, as the broker does.
    mutating func count(task: String, grant: Grant) {
        guard var record = tasks[task] else { return }
        var state = DecisionState(taskId: task, keys: RootKeyring(keys: []), callsMade: record.callsMade)
        state.recordCall(by: grant)
        record.callsMade = state.callsMade
        tasks[task] = record
    }
}
