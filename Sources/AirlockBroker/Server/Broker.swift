import AirlockAudit
import AirlockCore
import AirlockSandbox
import Foundation
import Logging
import Synchronization

/// Why the broker could not start: a message that names the file, line or step.
public struct BrokerStartError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The daemon's state and its call path: policies, tasks and tokens (`TaskRegistry`), the
/// sandboxes (`SandboxRunner`) and the execution log. Routes talk to this; it knows nothing of
/// HTTP but `Problem`.
public final class Broker: Sendable {
    let configuration: BrokerConfiguration
    let policies: [String: Policy]
    let registry: TaskRegistry
    let runner: SandboxRunner
    let log: ExecutionLog
    let logger: Logger
    private let draining = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    init(
        configuration: BrokerConfiguration, policies: [String: Policy], registry: TaskRegistry, runner: SandboxRunner, log: ExecutionLog,
        logger: Logger
    ) {
        self.configuration = configuration
        self.policies = policies
        self.registry = registry
        self.runner = runner
        self.log = log
        self.logger = logger
    }

    var limits: BrokerLimits { configuration.limits }

    /// Written into the execution log's `broker.started` records.
    public static let version = "0.1.0"

    static func now() -> EpochSeconds { EpochSeconds(roundingDown: Date()) }

    // MARK: Calls

    /// Decides, queues, runs and answers one call. Denials and back-pressure are `Problem`s.
    ///
    /// The order is what makes the log trustworthy: a place is reserved first (so back-pressure
    /// never follows a decision), then the call is decided and its records queued in decision
    /// order, and nothing runs, and no denial is answered, until those records are durable.
    func call(token: String, request: ToolCall, caller: LogCaller) async throws(Problem) -> JSONValue {
        guard !draining.load(ordering: .relaxed) else { throw Admission.shuttingDown }
        let clock = ContinuousClock()
        let start = clock.now
        var timing = CallTiming()
        let reservation = try runner.admission.reserve()
        let begun: CallStart
        do {
            begun = try await registry.begin(
                token: token, call: request, now: Self.now(), concurrencyCap: limits.perTaskConcurrency, caller: caller)
        } catch {
            runner.admission.cancel(reservation)
            throw error
        }
        let ticket: CallTicket
        switch begun {
        case .allowed(let allowed):
            ticket = allowed
        case .denied(let denial):
            runner.admission.cancel(reservation)
            try await syncLog()
            throw denial
        }
        // The decision goes to disk now, while a slot is taken and the child readied; the tool
        // starts only once it is there (the gate, below).
        let decision = DecisionDurability(log: log, seq: ticket.decisionSeq)
        let program: SeccompProgram
        do {
            program = try runner.program(for: ticket.job)
        } catch {
            runner.admission.cancel(reservation)
            await registry.finish(ticket)
            throw error
        }
        timing.authorize = clock.now - start
        let slot: Slot
        do {
            slot = try await runner.admission.acquire(reservation)
        } catch {
            await registry.finish(ticket)
            note(
                .anomaly(taskId: ticket.taskId, callId: ticket.callId, anomaly: "call_not_run", detail: .object(["reason": .string(error.code)])))
            throw error
        }
        timing.queue = clock.now - start - timing.authorize
        defer { runner.admission.release(slot) }
        if await registry.attach(ticket, slot: slot.index) {
            await registry.finish(ticket)
            note(
                .anomaly(taskId: ticket.taskId, callId: ticket.callId, anomaly: "call_not_run", detail: .object(["reason": .string("task_ended")])))
            throw Problem.denied(CallDenial(.taskEnded, "the task ended before the call could start"), callId: request.callId)
        }
        do {
            try log.appendBuffered(.sandboxStarted(taskId: ticket.taskId, callId: ticket.callId, job: ticket.job, seccompDigest: program.digest))
        } catch {
            await registry.finish(ticket)
            throw Problem.logUnavailable(error)
        }
        // The sandbox is set up (or was, before the call came) while the decision's records are
        // made durable; the tool itself starts only once they are (the gate opens), and never if
        // they cannot be.
        let sandboxStart = clock.now
        // On the slot's thread once the tool has ended: the output is validated and `call.finished`
        // queued; once this task has the outcome, that thread writes and fsyncs the record (it may
        // block on the disk; no other thread is woken for it) while this one prepares the answer,
        // which goes out only when the record is durable.
        let (log, channel) = (log, ticket.channel)
        let (taskId, callId) = (ticket.taskId, ticket.callId)
        let launch: SandboxRunner.Launch
        do {
            launch = try runner.start(ticket.job, program: program, in: slot) { outcome in
                let start = ContinuousClock.now
                let output = channel.process(stdout: outcome.stdout, stderr: outcome.stderr)
                let queued = Result { () throws(LogError) in
                    try log.enqueue(.callFinished(taskId: taskId, callId: callId, outcome: outcome, output: output, logRule: channel.rules.log)).seq
                }
                return FinishedCall(output: output, validation: ContinuousClock.now - start, queued: queued)
            } afterHandOver: { finished in
                if case .success(let seq) = finished.queued { _ = try? log.makeDurable(through: seq) }
            }
        } catch {
            await registry.finish(ticket)
            throw error
        }
        decision.opens(launch.gate)
        let logStart = clock.now
        let logFailure = await decision.failure().map(Problem.logUnavailable)
        timing.log += clock.now - logStart
        let (result, killed) = await runner.outcome(of: launch, as: FinishedCall.self)
        timing.sandbox = clock.now - sandboxStart
        await registry.finish(ticket)
        if let logFailure { throw logFailure }
        switch result {
        case .success(let (outcome, finished)):
            let killedBy = killed ? (draining.load(ordering: .relaxed) ? "shutdown" : "task_ended") : nil
            timing.sandbox -= finished.validation
            timing.validate = finished.validation
            let output = finished.output
            if output.hasCanaryLeak { await respondToCanaryLeak(ticket) }
            var envelope = CallEnvelope(callId: request.callId, taskId: ticket.taskId, tool: request.tool, outcome: outcome, output: output, killedBy: killedBy)
                .fields
            // The answer waits for its `call.finished` to be durable (the slot's thread writes it).
            let logStart = clock.now
            do { try await log.sync(through: finished.queued.get()) } catch { throw Problem.logUnavailable(error) }
            timing.log += clock.now - logStart
            timing.total = clock.now - start
            envelope["timing"] = timing.json
            return .object(envelope)
        case .failure(let error):
            logger.error("sandbox could not start", metadata: ["call.id": "\(request.callId)", "task.id": "\(ticket.taskId)", "sandbox.error": "\(error)"])
            note(
                .anomaly(taskId: ticket.taskId, callId: ticket.callId, anomaly: "sandbox_failed", detail: .object(["error": .string("\(error)")])))
            throw Problem(.internalServerError, code: "sandbox_failed", detail: "the sandbox for this call could not be set up; the tool did not run")
        }
    }

    /// A canary planted for the task came out of a tool: something read what it should not have
    /// and tried to pass it on. The task is suspended (its owner decides what next) and the
    /// anomaly and the action are logged. The call's own answer still goes out, redacted.
    private func respondToCanaryLeak(_ ticket: CallTicket) async {
        logger.warning("canary leaked: task suspended", metadata: ["task.id": "\(ticket.taskId)", "call.id": "\(ticket.callId)"])
        note(.anomaly(taskId: ticket.taskId, callId: ticket.callId, anomaly: "canary_leak", detail: .object(["severity": .string("high")])))
        note(.incident(taskId: ticket.taskId, action: "suspend_task", by: "broker", reason: "a canary planted for the task appeared in a tool's output"))
        _ = try? await registry.suspend(ticket.taskId, now: Self.now(), by: LogCaller(uid: getuid(), role: "broker"))
        _ = try? await log.sync()
    }

    /// Waits until every record queued so far is on disk.
    func syncLog() async throws(Problem) {
        do { try await log.sync() } catch { throw Problem.logUnavailable(error) }
    }

    /// Records what became of a call that was decided but did not run. Best effort: the call
    /// failed already, and a log that refuses this refuses the next decision too.
    private func note(_ event: AirlockAudit.LogEvent) {
        _ = try? log.appendBuffered(event)
    }

    /// Ends a task: revokes its token, kills its running calls and stops the children prepared
    /// for its next calls.
    func endTask(_ id: String, by caller: LogCaller) async throws(Problem) {
        let (slots, workspace) = try await registry.end(id, by: caller)
        if let workspace { runner.retire(workspace: workspace) }
        try await syncLog()
        if !slots.isEmpty {
            logger.info("killing running calls of an ended task", metadata: ["task.id": "\(id)", "slots": "\(slots)"])
            runner.kill(slots: slots)
        }
    }

    // MARK: Shutdown

    /// First half of shutdown: refuse new calls at once, and kill the running ones if they are
    /// still running when `grace` is over. Returns immediately, so the server can stop accepting.
    func beginShutdown(grace: Duration) {
        guard !draining.exchange(true, ordering: .relaxed) else { return }
        runner.admission.close()
        logger.info("shutting down", metadata: ["calls.running": "\(runner.runningCount)"])
        Task { [self] in
            let clock = ContinuousClock()
            let deadline = clock.now + grace
            while runner.runningCount > 0 && clock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if runner.runningCount > 0 {
                logger.warning("grace period over: killing running calls", metadata: ["calls.running": "\(runner.runningCount)"])
                runner.killAll()
            }
        }
    }

    /// Second half: once every call has ended (killed ones are reaped within moments), remove the
    /// slots' cgroups and namespaces. Waits at most `grace` plus ten seconds.
    func finishShutdown(grace: Duration) async {
        beginShutdown(grace: grace)
        let clock = ContinuousClock()
        let deadline = clock.now + grace + .seconds(10)
        while runner.runningCount > 0 && clock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard runner.runningCount == 0 else {
            logger.error("calls still running after SIGKILL; slots left in place", metadata: ["calls.running": "\(runner.runningCount)"])
            return
        }
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        runner.shutdown()
        do {
            try await log.append(.brokerStopped(reason: "shutdown"))
            try await log.close()
        } catch {
            logger.error("the execution log could not be closed cleanly", metadata: ["error": "\(error)"])
        }
        logger.info("slots removed; broker stopped")
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
}

/// What the slot's thread hands back after the tool: the validated output, and the seq of its
/// `call.finished` record (queued, not yet durable), or why it could not be queued.
private struct FinishedCall: Sendable {
    let output: OutputResult
    let validation: Duration
    let queued: Result<UInt64, LogError>
}
