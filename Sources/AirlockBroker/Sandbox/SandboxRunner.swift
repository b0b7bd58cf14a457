import AirlockCore
import AirlockSandbox
import CConfine
import Synchronization

/// Runs jobs in slots, each on its slot's own thread, and can kill what a slot runs.
///
/// After a call, a slot's thread prepares the next child at once, for a job shaped like the one
/// it just ran (same tool of the same task: `PreparedChild.Key`): cloned, in its namespaces, its
/// view mounted, its privileges dropped, waiting at its gate. A next call of that shape takes it
/// and only names the executable, arguments and environment, so the set-up is off the call's
/// path; any other call stops it at its gate and has its own child made. Each call still gets a
/// child of its own, never one that ran anything before.
final class SandboxRunner: Sendable {
    let pool: SlotPool
    let admission: Admission
    private let sandbox: Sandbox
    private let programs: SeccompProgramCache
    private let defaultProfile: String
    private let workers: [SlotWorker]
    /// Slots running a call, and whether that call is to be killed.
    private let running = Mutex<[Int: Bool]>([:])
    private let standing = Mutex(Standing())

    /// The children waiting in the slots, and what may no longer get one.
    private struct Standing {
        var children: [Int: StandbyChild] = [:]
        /// Workspaces of ended tasks: no child is prepared for them again.
        var retired: Set<String> = []
        /// False once shut down: no more children are prepared.
        var open = true
    }

    init(pool: SlotPool, queueLength: Int, sandboxDirectory: String) throws(SandboxError) {
        self.pool = pool
        self.admission = Admission(pool: pool, queueLength: queueLength)
        self.sandbox = try Sandbox()
        self.programs = SeccompProgramCache()
        self.defaultProfile = sandboxDirectory + "/seccomp/default.json"
        self.workers = (0..<pool.configuration.count).map { SlotWorker(name: "airlock-slot-\($0)") }
    }

    /// Compiles a profile now, so the first call that needs it does not pay for it.
    func precompile(profile path: String) throws(SandboxError) {
        _ = try programs.program(contentsOf: path)
    }

    /// The compiled seccomp program `job` runs under (compiled once per profile file).
    func program(for job: JobSpec) throws(Problem) -> SeccompProgram {
        do { return try programs.program(contentsOf: job.seccompProfile ?? defaultProfile) } catch {
            throw Problem(.internalServerError, code: "sandbox_failed", detail: "the tool's seccomp profile cannot be used; the tool did not run")
        }
    }

    /// A call on its way into a slot: its child waits at `gate` until the caller opens it (or
    /// closes it: then nothing runs), and `outcome()` tells how it went.
    struct Launch: Sendable {
        let gate: Gate
        fileprivate let slot: Int
        fileprivate let result: OneShot<Result<(Outcome, any Sendable), SandboxError>>
    }

    /// Starts `job` in `slot`: takes the child waiting there if it was prepared for this shape of
    /// job, or has one made on the slot's thread. Either way the tool starts only when the
    /// caller opens `launch.gate`. After the tool, `validate` runs on the slot's thread on its
    /// outcome (validating a large output is CPU work that must not hold one of the few threads
    /// of Swift's cooperative pool), and `afterHandOver` once the caller has it. The caller holds
    /// the slot until `outcome(of:)` returns.
    func start<Validated: Sendable>(
        _ job: JobSpec, program: SeccompProgram, in slot: Slot, validate: @escaping @Sendable (Outcome) -> Validated,
        afterHandOver: @escaping @Sendable (Validated) -> Void = { _ in }
    ) throws(Problem) -> Launch {
        let result = OneShot<Result<(Outcome, any Sendable), SandboxError>>()
        let finish: @Sendable (Result<Outcome, SandboxError>) -> Void = { outcome in
            let validated = outcome.map { ($0, validate($0)) }
            result.fulfil(validated.map { ($0.0, $0.1 as any Sendable) })
            if case .success(let (_, value)) = validated { afterHandOver(value) }
        }
        running.withLock { $0[slot.index] = false }
        do {
            // Under the lock, either the waiting child is taken or a fresh launch is queued: the
            // slot's thread offers a child only while nothing is queued behind it (`standBy`).
            let taken = try standing.withLock { standing throws(Problem) -> Taken in
                if let waiting = standing.children.removeValue(forKey: slot.index) { return .waiting(waiting) }
                return .queued(try queue(job, program: program, in: slot, finish: finish))
            }
            switch taken {
            case .queued(let gate):
                return Launch(gate: gate, slot: slot.index, result: result)
            case .waiting(let waiting):
                if waiting.claim(job, program: program, start: cconfine_monotonic_ns(), finish: finish) {
                    return Launch(gate: waiting.gate, slot: slot.index, result: result)
                }
                // A dropped child ends its slot thread's wait: that thread offers no other before
                // it has run the launch queued now.
                waiting.drop()
                return Launch(gate: try queue(job, program: program, in: slot, finish: finish), slot: slot.index, result: result)
            }
        } catch {
            running.withLock { _ = $0.removeValue(forKey: slot.index) }
            throw error
        }
    }

    /// What `start` found in the slot: a waiting child, or none (then a fresh launch is queued).
    private enum Taken {
        case waiting(StandbyChild)
        case queued(Gate)
    }

    /// Queues a fresh child for `job` on the slot's thread, waiting at the returned gate; after
    /// the call the thread prepares the next one (`standBy`).
    private func queue(
        _ job: JobSpec, program: SeccompProgram, in slot: Slot, finish: @escaping @Sendable (Result<Outcome, SandboxError>) -> Void
    ) throws(Problem) -> Gate {
        let gate = try Gate()
        workers[slot.index].submit { [self] in
            let result = Result { () throws(SandboxError) in try sandbox.run(job, seccomp: program, in: slot, gate: gate.readEnd) }
            let again = isWorthPreparingAfter(result, in: slot)
            finish(result)
            gate.closeReadEnd()
            // The call is answered without waiting for its mounts to go.
            slot.tearDownHeldNamespace()
            if again { standBy(for: job, program: program, in: slot) }
        }
        return gate
    }

    /// Waits for the call of `launch`: its outcome and what `validate` made of it, or why its
    /// sandbox could not be set up; and whether `kill(slots:)` ended it.
    func outcome<Validated: Sendable>(of launch: Launch, as: Validated.Type = Validated.self) async -> (
        result: Result<(Outcome, Validated), SandboxError>, killed: Bool
    ) {
        let result = await launch.result.value()
        let killed = running.withLock { $0.removeValue(forKey: launch.slot) ?? false }
        return (result.map { ($0.0, $0.1 as! Validated) }, killed)
    }

    /// Whether a call that ended with `result` is worth a child prepared for the next like it: not
    /// when its sandbox failed (the next would too) or it was killed (its task ended, or the
    /// broker is stopping).
    private func isWorthPreparingAfter(_ result: Result<Outcome, SandboxError>, in slot: Slot) -> Bool {
        guard case .success = result else { return false }
        return running.withLock { $0[slot.index] != true }
    }

    /// On the slot's thread, after a call: prepares a child for the next call shaped like `job`
    /// and waits in its launch until a call takes it (then runs that call to the end and prepares
    /// the next) or it is dropped. Does nothing while other work for the slot is queued, after
    /// shutdown, or for the workspace of an ended task.
    private func standBy(for job: JobSpec, program: SeccompProgram, in slot: Slot) {
        var job = job
        while true {
            guard let gate = try? Gate() else { return }
            let prepared: PreparedChild
            do { prepared = try sandbox.prepare(job, seccomp: program, in: slot, gate: gate.readEnd) } catch {
                gate.close(open: false)
                gate.closeReadEnd()
                return
            }
            let standby = StandbyChild(child: prepared, gate: gate)
            let offered = standing.withLock { standing in
                guard standing.open, !workers[slot.index].hasQueuedWork else { return false }
                if let workspace = prepared.key.workspace, standing.retired.contains(workspace) { return false }
                standing.children[slot.index] = standby
                return true
            }
            guard offered else {
                standby.release()
                return
            }
            let launched = Result { () throws(SandboxError) in try sandbox.launch(prepared) }
            gate.closeReadEnd()
            guard let claim = standby.end() else {
                // Dropped (it stopped at its closed gate) or killed there: nothing ran.
                standing.withLock { standing in
                    if standing.children[slot.index] === standby { standing.children[slot.index] = nil }
                }
                if case .success(let spawned) = launched { sandbox.discard(spawned) }
                standby.release()
                slot.tearDownHeldNamespace()
                return
            }
            let result = Result { () throws(SandboxError) in try sandbox.supervise(launched.get(), job: claim.job, since: claim.start) }
            let again = isWorthPreparingAfter(result, in: slot)
            claim.finish(result)
            prepared.close()
            slot.tearDownHeldNamespace()
            guard again else { return }
            job = claim.job
        }
    }

    /// Stops the waiting children whose job binds `workspace`, and prepares none for it again
    /// (its task ended).
    func retire(workspace: String) {
        let dropped = standing.withLock { standing -> [StandbyChild] in
            standing.retired.insert(workspace)
            let matching = standing.children.filter { $0.value.child.key.workspace == workspace }
            for slot in matching.keys { standing.children[slot] = nil }
            return Array(matching.values)
        }
        dropped.forEach { $0.drop() }
    }

    var runningCount: Int { running.withLock { $0.count } }

    /// Kills the calls running in `slots`, and keeps killing until each has ended: a call caught
    /// between taking its slot and joining the slot's cgroup is killed on the next pass.
    func kill(slots: [Int]) {
        let marked = running.withLock { running in
            slots.filter { running[$0] != nil }.map { slot -> Int in
                running[slot] = true
                return slot
            }
        }
        for slot in marked {
            pool.slot(at: slot)?.kill()
            Task { [self] in
                while running.withLock({ $0[slot] == true }) {
                    try? await Task.sleep(for: .milliseconds(20))
                    pool.slot(at: slot)?.kill()
                }
            }
        }
    }

    func killAll() {
        kill(slots: running.withLock { Array($0.keys) })
    }

    /// Stops the waiting children, ends the slot threads and removes the slots' cgroups and
    /// namespaces. Only when idle.
    func shutdown() {
        admission.close()
        let waiting = standing.withLock { standing -> [StandbyChild] in
            defer {
                standing.open = false
                standing.children = [:]
            }
            return Array(standing.children.values)
        }
        waiting.forEach { $0.drop() }
        workers.forEach { $0.stop() }
        pool.shutdown()
    }
}

/// A prepared child waiting at its gate in a slot, and who gets it: the first call that claims
/// it, or nobody once it is dropped or its launch returned unclaimed.
private final class StandbyChild: Sendable {
    struct Claim: Sendable {
        let job: JobSpec
        /// When the call took the child; its wall-clock limit counts from here.
        let start: UInt64
        let finish: @Sendable (Result<Outcome, SandboxError>) -> Void
    }

    private enum State {
        case waiting
        case claimed(Claim)
        case over
    }

    let child: PreparedChild
    let gate: Gate
    private let state = Mutex(State.waiting)

    init(child: PreparedChild, gate: Gate) {
        self.child = child
        self.gate = gate
    }

    /// Binds `job` to the waiting child; false if it is no longer waiting, or `job` under `program`
    /// does not fit it (`PreparedChild.fits`), or is invalid.
    func claim(
        _ job: JobSpec, program: SeccompProgram, start: UInt64, finish: @escaping @Sendable (Result<Outcome, SandboxError>) -> Void
    ) -> Bool {
        guard child.fits(job, seccomp: program) else { return false }
        return state.withLock { state in
            guard case .waiting = state, (try? child.bind(job)) != nil else { return false }
            state = .claimed(Claim(job: job, start: start, finish: finish))
            return true
        }
    }

    /// Stops the child at its gate, unless a call has claimed it.
    func drop() {
        let dropped = state.withLock { state -> Bool in
            guard case .waiting = state else { return false }
            state = .over
            return true
        }
        if dropped { gate.close(open: false) }
    }

    /// Closes the gate and the pipes of a child that ran no call (never launched, or stopped).
    func release() {
        gate.close(open: false)
        gate.closeReadEnd()
        child.close()
    }

    /// On the slot's thread once the launch returned: the claim, if a call made one; from now on
    /// nobody can.
    func end() -> Claim? {
        state.withLock { state in
            defer { state = .over }
            if case .claimed(let claim) = state { return claim }
            return nil
        }
    }
}
