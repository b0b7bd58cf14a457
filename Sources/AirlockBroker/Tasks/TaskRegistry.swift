import AirlockCore
import Foundation

/// A call that `decide()` allowed and that holds its place in its task until `finish` or `cancel`.
struct CallTicket: Sendable {
    let taskId: String
    let callId: String
    let allowed: AllowedCall

    var lineage: [TokenID] { allowed.grant.lineage }
    var job: JobSpec { allowed.job }
}

/// What a new task's creator receives.
struct CreatedTask: Sendable {
    let record: TaskRecord
    let token: String
}

/// The tasks, their counters and the revocation list: the broker's only mutable call state, kept
/// in one actor so that authorization, budget counting and lifecycle changes are atomic.
actor TaskRegistry {
    private var tasks: [String: TaskRecord] = [:]
    private var order: [String] = []
    private var revocations: RevocationList
    private let keyring: RootKeyring
    private let policies: [String: Policy]
    private let stateDirectory: String
    private let workspaces: WorkspaceStore

    init(keyring: RootKeyring, revocations: RevocationList, policies: [String: Policy], stateDirectory: String, workspaceGID: UInt32) {
        self.keyring = keyring
        self.revocations = revocations
        self.policies = policies
        self.stateDirectory = stateDirectory
        self.workspaces = WorkspaceStore(stateDirectory: stateDirectory, group: workspaceGID)
    }

    // MARK: Tasks

    func create(policyName: String, ttl: Milliseconds, maxCalls: UInt64?, workspace wanted: Bool?, now: EpochSeconds) throws(Problem) -> CreatedTask {
        guard let policy = policies[policyName], let digest = PolicyDigest(hex: policy.digest) else {
            let known = policies.keys.sorted().joined(separator: ", ")
            throw Problem(.unprocessableContent, code: "unknown_policy", detail: "there is no policy \(policyName); this broker has \(known)")
        }
        guard let key = keyring.current else {
            throw Problem(.internalServerError, code: "no_root_key", detail: "the broker holds no root key to mint tokens with")
        }
        let id = UUID().uuidString.lowercased()
        let needsWorkspace = wanted ?? policy.tools.values.contains { $0.workspace != .none }
        let workspace = try needsWorkspace ? workspaces.create(taskId: id) : nil
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
            maxCalls: maxCalls, workspace: workspace)
        tasks[id] = record
        order.append(id)
        return CreatedTask(record: record, token: token.text)
    }

    func list(now: EpochSeconds) -> [JSONValue] {
        order.compactMap { tasks[$0]?.json(now: now) }
    }

    func show(_ id: String, now: EpochSeconds) throws(Problem) -> JSONValue {
        try record(id).json(now: now)
    }

    func suspend(_ id: String, now: EpochSeconds) throws(Problem) -> JSONValue {
        try apply(.suspend, to: id)
        return try record(id).json(now: now)
    }

    func resume(_ id: String, now: EpochSeconds) throws(Problem) -> JSONValue {
        try apply(.resume, to: id)
        return try record(id).json(now: now)
    }

    /// Ends the task and revokes its token. Returns the slots of its running calls, to be killed.
    func end(_ id: String) throws(Problem) -> [Int] {
        guard case .endTask = try apply(.end, to: id) else { return [] }
        let task = try record(id)
        try revoke(task.tokenId)
        return task.runningCalls.values.compactMap { $0 }
    }

    @discardableResult
    private func apply(_ event: TaskLifecycle.Event, to id: String) throws(Problem) -> TaskLifecycle.Action {
        var task = try record(id)
        let action = task.lifecycle.handle(event)
        tasks[id] = task
        if case .refuse(let reason) = action { throw Problem(.conflict, code: "task_ended", detail: reason) }
        return action
    }

    private func record(_ id: String) throws(Problem) -> TaskRecord {
        guard let task = tasks[id] else { throw Problem.notFound("there is no task \(id)") }
        return task
    }

    // MARK: Tokens

    func revoke(_ id: TokenID) throws(Problem) {
        revocations.revoke(id)
        do { try revocations.save(stateDirectory: stateDirectory) } catch {
            throw Problem(.internalServerError, code: "revocation_not_saved", detail: "the revocation holds until restart but could not be saved: \(error.code)")
        }
    }

    // MARK: Calls

    /// Decides the call (`decide()`, with this task's state) and, if it may run, counts it and
    /// reserves its place in the task.
    ///
    /// The token is parsed here only to find the task it claims; `decide()` verifies that claim
    /// before anything else, and a denial is counted against a task only once the token verified.
    func begin(token text: String, call: ToolCall, now: EpochSeconds, concurrencyCap: Int) throws(Problem) -> CallTicket {
        let token: CapabilityToken
        do { token = try CapabilityToken(text: text) } catch {
            throw Problem.denied(CallDenial(.tokenInvalid, "the bearer token is not valid (\(error.code)); use the token the task was created with"), callId: call.callId)
        }
        guard var task = tasks[token.taskId], let policy = policies[task.policyName] else {
            throw Problem.denied(CallDenial(.tokenInvalid, "the token names a task this broker does not know"), callId: call.callId)
        }
        let allowed: AllowedCall
        switch decide(call: call, token: token, policy: policy, now: now, state: decisionState(of: task)) {
        case .deny(let denial):
            if denial.code != .tokenInvalid {
                task.callsDenied += 1
                tasks[task.id] = task
            }
            throw Problem.denied(denial, callId: call.callId)
        case .allow(let call):
            allowed = call
        }
        guard task.runningCalls[call.callId] == nil else {
            throw Problem(.conflict, code: "call_id_in_use", detail: "a call with id \(call.callId) is already running in this task")
        }
        switch task.lifecycle.handle(.callRequested(concurrencyCap: concurrencyCap)) {
        case .startCall:
            for id in allowed.grant.lineage { task.callsCounted[id, default: 0] += 1 }
            task.callsMade += 1
            task.runningCalls[call.callId] = .some(nil)
            tasks[task.id] = task
            return CallTicket(taskId: task.id, callId: call.callId, allowed: allowed)
        case .denyCall(let code):
            task.callsDenied += 1
            tasks[task.id] = task
            let message = code == .taskSuspended ? "the task is suspended; retry after its owner resumes it" : "the task has ended"
            throw Problem.denied(CallDenial(code, message), callId: call.callId)
        case .rejectBusy:
            throw Problem.tooBusy("task_busy", "this task already runs \(concurrencyCap) calls at once; retry when one finishes")
        case .none, .refuse, .endTask:
            preconditionFailure("a call request never yields \(String(describing: task.lifecycle))")
        }
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

    /// Gives back a call that never ran (no slot was free): its budget and count are refunded.
    func cancel(_ ticket: CallTicket) {
        guard var task = tasks[ticket.taskId] else { return }
        for id in ticket.lineage { task.callsCounted[id, default: 1] -= 1 }
        task.callsMade -= 1
        tasks[ticket.taskId] = task
        finish(ticket)
    }
}
