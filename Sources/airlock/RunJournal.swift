import AirlockAudit
import AirlockCore
import Foundation

/// What `airlock run` writes to the execution log of its state directory, in the broker's
/// order: each run is a task of one call (`task.created`, the token if one was minted,
/// `call.received`, `call.decided` durable before the tool starts, `sandbox.started`,
/// `call.finished`), so `airlock audit replay` decides it again like any broker call.
struct RunJournal {
    let log: ExecutionLog
    private let caller = LogCaller(uid: getuid(), role: "cli")

    /// Opens `<state>/log` (creating it); fails when another process (a broker) is writing it.
    init(stateDirectory: String) throws {
        log = try ExecutionLog.open(ExecutionLog.Options(stateDirectory: stateDirectory))
    }

    /// Everything up to the decision, durable when this returns.
    func recordDecision(_ run: RunCommand.Prepared, decision: Decision, now: EpochSeconds) async throws {
        let taskId = run.state.taskId.isEmpty ? nil : run.state.taskId
        let token = try? CapabilityToken(text: run.token)
        if let taskId {
            try log.appendBuffered(
                .taskCreated(
                    taskId: taskId, policy: run.policy, ttlSeconds: nil, expires: nil, maxCalls: nil, workspace: run.state.workspace?.hostPath,
                    by: caller))
        }
        if let minted = run.minted { try log.appendBuffered(.tokenMinted(minted, by: caller)) }
        let verified = token != nil && decision.denial?.code != .tokenInvalid
        try log.appendBuffered(.callReceived(run.call, taskId: taskId, token: token, tokenVerified: verified, caller: caller))
        try await log.append(.callDecided(taskId: taskId, callId: run.call.callId, decision: decision, policy: run.policy, now: now))
    }

    func recordStart(_ run: RunCommand.Prepared, job: JobSpec, seccompDigest: String) throws {
        try log.appendBuffered(.sandboxStarted(taskId: run.state.taskId, callId: run.call.callId, job: job, seccompDigest: seccompDigest))
    }

    func recordFinish(_ run: RunCommand.Prepared, outcome: Outcome, output: OutputResult, rules: OutputRules) async throws {
        try await log.append(.callFinished(taskId: run.state.taskId, callId: run.call.callId, outcome: outcome, output: output, logRule: rules.log))
    }

    /// What no output may show: the token used and the root keys of the state directory.
    static func secrets(of run: RunCommand.Prepared) -> OutputSecrets {
        OutputSecrets(alwaysSecret: [run.token] + OutputSecrets.textForms(of: run.state.keys))
    }

    func close() async {
        try? await log.close()
    }
}
