import AirlockCore
import AirlockSandbox
import Foundation
import Logging
import Synchronization

/// Why the broker could not start: a message that names the file, line or step.
public struct BrokerStartError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The daemon's state and its call path: policies, tasks and tokens (`TaskRegistry`), and the
/// sandboxes (`SandboxRunner`). Routes talk to this; it knows nothing of HTTP but `Problem`.
public final class Broker: Sendable {
    let configuration: BrokerConfiguration
    let policies: [String: Policy]
    let registry: TaskRegistry
    let runner: SandboxRunner
    let logger: Logger
    private let draining = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    init(configuration: BrokerConfiguration, policies: [String: Policy], registry: TaskRegistry, runner: SandboxRunner, logger: Logger) {
        self.configuration = configuration
        self.policies = policies
        self.registry = registry
        self.runner = runner
        self.logger = logger
    }

    var limits: BrokerLimits { configuration.limits }

    static func now() -> EpochSeconds { EpochSeconds(roundingDown: Date()) }

    // MARK: Calls

    /// Authorizes, queues, runs and answers one call. Denials and back-pressure are `Problem`s.
    func call(token: String, request: ToolCall) async throws(Problem) -> JSONValue {
        guard !draining.load(ordering: .relaxed) else { throw Admission.shuttingDown }
        let clock = ContinuousClock()
        let start = clock.now
        var timing = CallTiming()
        let ticket = try await registry.begin(token: token, call: request, now: Self.now(), concurrencyCap: limits.perTaskConcurrency)
        timing.authorize = clock.now - start
        let slot: Slot
        do {
            slot = try await runner.admission.acquire()
        } catch {
            await registry.cancel(ticket)
            throw error
        }
        timing.queue = clock.now - start - timing.authorize
        defer { runner.admission.release(slot) }
        if await registry.attach(ticket, slot: slot.index) {
            await registry.finish(ticket)
            throw Problem.denied(CallDenial(.taskEnded, "the task ended before the call could start"), callId: request.callId)
        }
        let sandboxStart = clock.now
        let (result, killed) = await runner.run(ticket.job, in: slot)
        timing.sandbox = clock.now - sandboxStart
        await registry.finish(ticket)
        timing.total = clock.now - start
        switch result {
        case .success(let outcome):
            let killedBy = killed ? (draining.load(ordering: .relaxed) ? "shutdown" : "task_ended") : nil
            return CallEnvelope(callId: request.callId, taskId: ticket.taskId, tool: request.tool, outcome: outcome, timing: timing, killedBy: killedBy).json
        case .failure(let error):
            logger.error("sandbox could not start", metadata: ["call.id": "\(request.callId)", "task.id": "\(ticket.taskId)", "sandbox.error": "\(error)"])
            throw Problem(.internalServerError, code: "sandbox_failed", detail: "the sandbox for this call could not be set up; the tool did not run")
        }
    }

    /// Ends a task: revokes its token and kills its running calls.
    func endTask(_ id: String) async throws(Problem) {
        let slots = try await registry.end(id)
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
        logger.info("slots removed; broker stopped")
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
}
