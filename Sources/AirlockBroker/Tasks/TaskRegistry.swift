import AirlockAudit
import AirlockCore
import Foundation

/// What `TaskRegistry.begin` made of a call: allowed, or denied with its records queued.
enum CallStart: Sendable {
    case allowed(CallTicket)
    /// The answer, once the decision's records are durable.
    case denied(Problem)
}

/// A call that `decide()` allowed and that holds its place in its task until `finish`.
struct CallTicket: Sendable {
    let taskId: String
    let callId: String
    let allowed: AllowedCall
    /// The tool's output channel: its rules and the exact strings it must never show.
    let channel: OutputChannel
    /// The `call.decided` record's seq: the tool may start once the log is durable through it.
    let decisionSeq: UInt64

    var lineage: [TokenID] { allowed.grant.lineage }
    var job: JobSpec { allowed.job }
}

/// What a new task's creator receives.
struct CreatedTask: Sendable {
    let record: TaskRecord
    let token: String
}

/// What `POST /v1/tasks` may ask for besides the policy.
struct TaskOptions: Sendable {
    var ttl: Milliseconds
    var maxCalls: UInt64?
    /// nil: a workspace when one of the policy's tools uses it.
    var workspace: Bool?
    /// Values no tool output may show (`[REDACTED:declared_secret]`).
    var secrets: [String] = []
    /// Plant a canary in the workspace (a decoy `.env.local`); seeing it in any output is a
    /// `canary_leak`.
    var canary = false
}

/// The tasks, their counters and the revocation list: the broker's only mutable call state, kept
/// in one actor so that authorization, budget counting and lifecycle changes are atomic.
///
/// Every change is queued in the execution log, in the order the changes happen, before the
/// change is made: when the log refuses a record the change does not happen (`503
/// log_unavailable`). The records become durable with the next fsync; the broker waits for it
/// (`ExecutionLog.sync()`) before it answers or starts a sandbox.
actor TaskRegistry {
    private var tasks: [String: TaskRecord] = [:]
    private var order: [String] = []
    private var revocations: RevocationList
    private let keyring: RootKeyring
    private let policies: [String: Policy]
    private let stateDirectory: String
    private let workspaces: WorkspaceStore
    private let log: ExecutionLog
    /// The root keys in every text form they could be printed in: no output may show them.
    private let keyForms: [String]

    init(
        keyring: RootKeyring, revocations: RevocationList, policies: [String: Policy], stateDirectory: String, workspaceGID: UInt32,
        log: ExecutionLog
    ) {
        self.log = log
        self.keyForms = OutputSecrets.textForms(of: keyring)
        self.keyring = keyring
        self.revocations = revocations
        self.policies = policies
        self.stateDirectory = stateDirectory
        self.workspaces = WorkspaceStore(stateDirectory: stateDirectory, group: workspaceGID)
    }

    // MARK: Tasks

    func create(policyName: String, options: TaskOptions, now: EpochSeconds, by caller: LogCaller) throws(Problem) -> CreatedTask {
        let (ttl, maxCalls) = (options.ttl, options.maxCalls)
        guard let policy = policies[policyName], let digest = PolicyDigest(hex: policy.digest) else {
            let known = policies.keys.sorted().joined(separator: ", ")
            throw Problem(.unprocessableContent, code: "unknown_policy", detail: "there is no policy \(policyName); this broker has \(known)")
        }
        guard let key = keyring.current else {
            throw Problem(.internalServerError, code: "no_root_key", detail: "the broker holds no root key to mint tokens with")
        }
        let id = UUID.random().uuidString.lowercased()
        let needsWorkspace = options.workspace ?? policy.tools.values.contains { $0.workspace != .none }
        if options.canary && !needsWorkspace {
            throw Problem.badRequest("invalid_request", "a canary is planted in the task's workspace, and this task has none")
        }
        let workspace = try needsWorkspace ? workspaces.create(taskId: id) : nil
        var canaries: [String] = []
        if options.canary, let workspace {
            let canary = Canary.make()
            do { try workspaces.plantCanary(canary, in: workspace) } catch {
                workspaces.remove(workspace)
                throw error
            }
            canaries.append(canary)
        }
        let expires = now.adding(seconds: ttl.secondsRoundedUp)
        var caveats: [Caveat] = [.expires(expires)]
        if let maxCalls { caveats.append(.maxCalls(maxCalls)) }
        let token: CapabilityToken
        do {
            token = try CapabilityToken.mint(key: key, taskId: id, policyName: policy.name, policyDigest: digest, caveats: caveats)
        } catch {
            throw Problem(.internalServerError, code: "mint_failed", detail: "the token could not be minted: \(error.code)")
        }
        let record = TaskRecord(
            id: id, policyName: policy.name, policyDigest: digest, tokenId: token.id, created: now, expires: expires,
            maxCalls: maxCalls, workspace: workspace, secrets: options.secrets, canaries: canaries)
        do {
            try journal(
                .taskCreated(
                    taskId: id, policy: policy, ttlSeconds: ttl.secondsRoundedUp, expires: expires, maxCalls: maxCalls, workspace: workspace,
                    by: caller),
                .tokenMinted(token, by: caller))
        } catch {
            if let workspace { workspaces.remove(workspace) }
            throw error
        }
        tasks[id] = record
        order.append(id)
        return CreatedTask(record: record, token: token.text)
    }

    func list(now: EpochSeconds) -> [JSONValue] {
        order.compactMap { tasks[$0]?.json(now: now) }
    }

    func show(_ id: String, now: EpochSeconds) throws(Problem) -> JSONValue {
        try task(id).json(now: now)
    }

    func suspend(_ id: String, now: EpochSeconds, by caller: LogCaller) throws(Problem) -> JSONValue {
        try apply(.suspend, to: id, logging: .taskSuspended(taskId: id, by: caller.role, reason: "requested by uid \(caller.uid)"))
        return try task(id).json(now: now)
    }

    func resume(_ id: String, now: EpochSeconds, by caller: LogCaller) throws(Problem) -> JSONValue {
        try apply(.resume, to: id, logging: .taskResumed(taskId: id, by: caller.role, reason: "requested by uid \(caller.uid)"))
        return try task(id).json(now: now)
    }

    /// Ends the task and revokes its token. Returns the slots of its running calls, to be killed,
    /// and its workspace.
    func end(_ id: String, by caller: LogCaller) throws(Problem) -> (runningIn: [Int], workspace: String?) {
        let task = try task(id)
        guard
            case .endTask = try apply(
                .end, to: id, logging: .taskEnded(taskId: id, by: caller.role, reason: "ended by uid \(caller.uid)"),
                .tokenRevoked(tokenId: task.tokenId, by: caller, reason: "the task ended"))
        else { return ([], task.workspace) }
        try revokeAndSave(task.tokenId)
        return (task.runningCalls.values.compactMap { $0 }, task.workspace)
    }

    /// Runs a lifecycle event; when it changes the task, `events` are logged first.
    @discardableResult
    private func apply(_ event: TaskLifecycle.Event, to id: String, logging events: AirlockAudit.LogEvent...) throws(Problem) -> TaskLifecycle.Action {
        var task = try task(id)
        let before = task.lifecycle.state
        let action = task.lifecycle.handle(event)
        if case .refuse(let reason) = action { throw Problem(.conflict, code: "task_ended", detail: reason) }
        if task.lifecycle.state != before { try journal(events) }
        tasks[id] = task
        return action
    }

    private func task(_ id: String) throws(Problem) -> TaskRecord {
        guard let task = tasks[id] else { throw Problem.notFound("there is no task \(id)") }
        return task
    }

    // MARK: Tokens

    func revoke(_ id: TokenID, by caller: LogCaller) throws(Problem) {
        try journal(.tokenRevoked(tokenId: id, by: caller, reason: nil))
        try revokeAndSave(id)
    }

    private func revokeAndSave(_ id: TokenID) throws(Problem) {
        revocations.revoke(id)
        do { try revocations.save(stateDirectory: stateDirectory) } catch {
            throw Problem(.internalServerError, code: "revocation_not_saved", detail: "the revocation holds until restart but could not be saved: \(error.code)")
        }
    }

    // MARK: Log

    /// Queues `events` in the execution log, in order, and returns the seq of the last; a refused
    /// record refuses the change.
    @discardableResult
    private func journal(_ events: AirlockAudit.LogEvent...) throws(Problem) -> UInt64 {
        try journal(events)
    }

    @discardableResult
    private func journal(_ events: [AirlockAudit.LogEvent]) throws(Problem) -> UInt64 {
        var seq: UInt64 = 0
        for event in events {
            do { seq = try log.appendBuffered(event).seq } catch { throw Problem.logUnavailable(error) }
        }
        return seq
    }

    // MARK: Calls

    /// Decides the call (`decide()`, with this task's state), logs what arrived and what was
    /// decided, and, if it may run, counts it and reserves its place in the task.
    ///
    /// The token is parsed here only to find the task it claims; `decide()` verifies that claim
    /// before anything else, and a denial is counted against a task only once the token verified.
    /// A call the task has no room for (`429 task_busy`) is back-pressure, not a decision: it is
    /// thrown before anything is decided or logged. A denial is returned, not thrown: its records
    /// are queued, and the caller must make them durable before answering.
    func begin(token text: String, call: ToolCall, now: EpochSeconds, concurrencyCap: Int, caller: LogCaller) throws(Problem) -> CallStart {
        let token = try? CapabilityToken(text: text)
        guard let token, var task = tasks[token.taskId], let policy = policies[task.policyName] else {
            let message = token == nil ? "the bearer token is not valid; use the token the task was created with" : "the token names a task this broker does not know"
            let denial = CallDenial(.tokenInvalid, message)
            try journal(
                .callReceived(call, taskId: nil, token: token, tokenVerified: false, caller: caller),
                .callDecided(taskId: nil, callId: call.callId, decision: .deny(denial), policy: nil, now: now))
            return .denied(Problem.denied(denial, callId: call.callId))
        }
        guard task.runningCalls[call.callId] == nil else {
            throw Problem(.conflict, code: "call_id_in_use", detail: "a call with id \(call.callId) is already running in this task")
        }
        guard task.lifecycle.state != .active || task.lifecycle.running < concurrencyCap else {
            throw Problem.tooBusy("task_busy", "this task already runs \(concurrencyCap) calls at once; retry when one finishes")
        }
        let decision = decide(call: call, token: token, policy: policy, now: now, state: decisionState(of: task))
        let verified = decision.denial?.code != .tokenInvalid
        let decisionSeq = try journal(
            .callReceived(call, taskId: task.id, token: token, tokenVerified: verified, caller: caller),
            .callDecided(taskId: task.id, callId: call.callId, decision: decision, policy: policy, now: now))
        switch decision {
        case .deny(let denial):
            if verified {
                task.callsDenied += 1
                tasks[task.id] = task
            }
            return .denied(Problem.denied(denial, callId: call.callId))
        case .allow(let allowed):
            guard case .startCall = task.lifecycle.handle(.callRequested(concurrencyCap: concurrencyCap)) else {
                preconditionFailure("an active task below its cap always starts an allowed call")
            }
            for id in allowed.grant.lineage { task.callsCounted[id, default: 0] += 1 }
            task.callsMade += 1
            task.runningCalls[call.callId] = .some(nil)
            let channel = outputChannel(for: &task, tool: call.tool, token: text, policy: policy)
            tasks[task.id] = task
            return .allowed(CallTicket(taskId: task.id, callId: call.callId, allowed: allowed, channel: channel, decisionSeq: decisionSeq))
        }
    }

    /// The output channel of `tool` for calls with `token`, compiled once (its scanner holds the
    /// task's secrets and the token) and kept with the task. At most 64 are kept per task: an
    /// agent minting attenuated tokens without end costs compilations, not memory.
    private func outputChannel(for task: inout TaskRecord, tool: String, token: String, policy: Policy) -> OutputChannel {
        let key = tool + "\u{0}" + token
        if let channel = task.channels[key] { return channel }
        if task.channels.count >= 64 { task.channels.removeAll() }
        let secrets = OutputSecrets(declared: task.secrets, alwaysSecret: [token] + keyForms, canaries: task.canaries)
        let channel = OutputChannel(rules: policy.tools[tool]?.output ?? OutputRules(), secrets: secrets, tool: tool)
        task.channels[key] = channel
        return channel
    }

    /// What `decide()` needs to know of a task besides the call, the token and the policy.
    private func decisionState(of task: TaskRecord) -> DecisionState {
        let taskState: DecisionState.TaskState
        switch task.lifecycle.state {
        case .active: taskState = .active
        case .suspended: taskState = .suspended
        case .ended: taskState = .ended
        }
        return DecisionState(
            taskId: task.id, keys: keyring, revocations: revocations, callsMade: task.callsCounted,
            workspace: task.workspace.flatMap { try? WorkspaceRoot(hostPath: $0) }, taskState: taskState)
    }

    /// Records the slot a call runs in. Returns true when the task ended meanwhile: kill it.
    func attach(_ ticket: CallTicket, slot: Int) -> Bool {
        guard var task = tasks[ticket.taskId] else { return true }
        task.runningCalls[ticket.callId] = .some(slot)
        tasks[ticket.taskId] = task
        return task.lifecycle.state == .ended
    }

    func finish(_ ticket: CallTicket) {
        guard var task = tasks[ticket.taskId] else { return }
        task.runningCalls[ticket.callId] = nil
        _ = task.lifecycle.handle(.callFinished)
        tasks[ticket.taskId] = task
    }
}
