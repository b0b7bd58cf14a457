import AirlockCore
import AirlockSandbox
import Synchronization

/// Runs jobs in slots, each on its slot's own thread, and can kill what a slot runs.
final class SandboxRunner: Sendable {
    let pool: SlotPool
    let admission: Admission
    private let sandbox: Sandbox
    private let programs: SeccompProgramCache
    private let defaultProfile: String
    private let workers: [SlotWorker]
    /// Slots running a call, and whether that call is to be killed.
    private let running = Mutex<[Int: Bool]>([:])

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

    /// Runs `job` in `slot` on the slot's thread, then `validate` on its outcome on the same
    /// thread (validating a large output is CPU work that must not hold one of the few threads
    /// of Swift's cooperative pool). The caller holds the slot until this returns. `killed`
    /// tells whether `kill(slots:)` ended the call.
    func run<Validated: Sendable>(
        _ job: JobSpec, program: SeccompProgram, in slot: Slot, gate: Int32? = nil, validate: @escaping @Sendable (Outcome) -> Validated
    ) async -> (result: Result<(Outcome, Validated), SandboxError>, killed: Bool) {
        running.withLock { $0[slot.index] = false }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(Outcome, Validated), SandboxError>, Never>) in
            workers[slot.index].submit { [sandbox] in
                let result = Result { () throws(SandboxError) -> (Outcome, Validated) in
                    let outcome = try sandbox.run(job, seccomp: program, in: slot, gate: gate)
                    return (outcome, validate(outcome))
                }
                continuation.resume(returning: result)
                // The call is answered without waiting for its mounts to go.
                slot.tearDownHeldNamespace()
            }
        }
        let killed = running.withLock { $0.removeValue(forKey: slot.index) ?? false }
        return (result, killed)
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

    /// Ends the slot threads and removes the slots' cgroups and namespaces. Only when idle.
    func shutdown() {
        admission.close()
        workers.forEach { $0.stop() }
        pool.shutdown()
    }
}
