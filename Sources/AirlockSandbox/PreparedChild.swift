import AirlockCore
import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// A child's plan, made before its call: the slot, the pipes and the confinement of one shape of
/// job (`Key`). What a call decides (the executable, its arguments and environment) is bound last,
/// with `bind(_:)`, which may come while the child already waits at its gate: the child shares the
/// broker's memory until it executes the tool and reads those fields only after the gate opens.
public final class PreparedChild: @unchecked Sendable {
    /// What a job must share with the one a child was prepared for, to run in that child:
    /// everything but the executable, the arguments, the environment and the input.
    public struct Key: Hashable, Sendable {
        let view: FilesystemView
        let workingDirectory: String
        let network: NetworkMode
        let limits: Limits
        let seccompProfile: String?

        public init(_ job: JobSpec) {
            view = job.view
            workingDirectory = job.workingDirectory
            network = job.network
            limits = job.limits
            seccompProfile = job.seccompProfile
        }

        /// The host directory bound as the workspace, if any.
        public var workspace: String? { view.workspace?.source }
    }

    public let key: Key
    let slot: Slot
    let seccomp: SeccompProgram?
    let pipes: StdioPipes
    /// The plan's strings and arrays; freed with the child's plan, after it executed the tool.
    let arena = CArena()
    let plan: UnsafeMutablePointer<cconfine_plan>

    init(key: Key, slot: Slot, seccomp: SeccompProgram?, pipes: StdioPipes) {
        self.key = key
        self.slot = slot
        self.seccomp = seccomp
        self.pipes = pipes
        plan = .allocate(capacity: 1)
        plan.initialize(to: cconfine_plan())
    }

    /// Whether `job`, under `seccomp`, can run in this child: its shape is the child's, and so is
    /// the filter (a profile changed since the child was prepared is not the child's any more).
    public func fits(_ job: JobSpec, seccomp: SeccompProgram?) -> Bool {
        Key(job) == key && seccomp?.digest == self.seccomp?.digest
    }

    /// Names what the child executes: `job`'s executable, arguments and environment, checked.
    /// `job` must have this child's key. Call before the gate opens (or, without a gate, before
    /// `launch`).
    public func bind(_ job: JobSpec) throws(SandboxError) {
        precondition(Key(job) == key, "a job bound to a child prepared for another shape of job")
        try Sandbox.validateCommand(job)
        let environment = job.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        plan.pointee.executable = UnsafePointer(arena.string(job.executable))
        plan.pointee.argv = UnsafePointer(arena.stringArray(job.arguments))
        plan.pointee.envp = UnsafePointer(arena.stringArray(environment))
    }

    /// Closes whatever pipe ends are still open here (the supervisor closes those it took).
    public func close() {
        pipes.closeAll()
    }

    deinit {
        pipes.closeAll()
        plan.deallocate()
    }
}

/// A prepared child that is running the tool (or was killed at its gate).
public struct SpawnedChild: @unchecked Sendable {
    let prepared: PreparedChild
    let pid: pid_t
    let pidfd: Int32
    /// The seccomp listener the child handed over, or -1.
    let listener: Int32
}
