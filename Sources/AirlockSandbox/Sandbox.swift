import AirlockCore
import CCap
import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// Runs jobs in confined children. One value serves every slot; it holds no per-call state.
public struct Sandbox: Sendable {
    /// An empty host directory on which each child mounts its new root. Each child does so in its
    /// own mount namespace, so every slot can share it; on the host it stays empty.
    public let rootDirectory: String
    public let hostname: String
    let lastCapability: Int32
    let templates: ViewTemplates

    public static let defaultRootDirectory = "/run/airlock/root"

    public init(rootDirectory: String = Sandbox.defaultRootDirectory, hostname: String = "airlock") throws(SandboxError) {
        try Host.makeDirectories(rootDirectory, mode: 0o700)
        // A tool that exits without reading its stdin must not kill the broker with SIGPIPE
        // when the supervisor writes to it; the child resets every signal before exec.
        signal(SIGPIPE, SIG_IGN)
        self.rootDirectory = rootDirectory
        self.hostname = hostname
        self.lastCapability = Int32(cap_max_bits()) - 1
        self.templates = ViewTemplates(rootDirectory: rootDirectory)
    }

    /// Rebuilds every view on its next use (after the host's files under a view changed).
    public func refreshViews() { templates.invalidate() }

    /// Runs `job` in `slot` and reports what happened. Throws only when the sandbox could not be
    /// set up; then the tool has not run. The child's mount namespace outlives it until
    /// `slot.tearDownHeldNamespace()` (or the slot's next call, or the pool's shutdown): a caller
    /// that answers someone tears it down after answering.
    ///
    /// With a `gate` (the read end of a socket pair), the child sets everything up (namespaces,
    /// view, credentials, descriptors, limits, seccomp filter) and then waits for one byte on it
    /// before it executes the tool: another thread writes that byte when the tool may start (the
    /// broker: once the decision is durable), or closes the pair when it may not (then this
    /// throws `stepFailed("wait for the go-ahead (gate)", ECANCELED)` and nothing ran). The wait
    /// counts against the wall-clock limit.
    ///
    /// The steps one by one, for a child prepared before its call: `prepare`, `launch` (which
    /// blocks until the gate opens), `bind` from another thread before it does, then `supervise`.
    public func run(_ job: JobSpec, seccomp: SeccompProgram?, in slot: Slot, gate: Int32? = nil) throws(SandboxError) -> Outcome {
        let start = cconfine_monotonic_ns()
        let child = try prepare(job, seccomp: seccomp, in: slot, gate: gate ?? -1)
        defer { child.close() }
        try child.bind(job)
        let spawned = try launch(child)
        return try supervise(spawned, job: job, since: start)
    }

    /// Everything a child for jobs shaped like `template` needs before it is cloned: the shape
    /// checked, the slot's cgroup limits set, the pipes and the plan. Nothing runs yet.
    public func prepare(_ template: JobSpec, seccomp: SeccompProgram?, in slot: Slot, gate: Int32) throws(SandboxError) -> PreparedChild {
        try Self.validateShape(template)
        let view = try templates.descriptor(for: template.view)
        try slot.cgroup.apply(memory: template.limits.memory.bytes, processes: template.limits.processes)
        let pipes = try StdioPipes(outputCap: template.limits.outputBytes.bytes)
        let child = PreparedChild(key: PreparedChild.Key(template), slot: slot, seccomp: seccomp, pipes: pipes)
        plan(child, template: template, view: view, gate: gate)
        return child
    }

    /// Clones the child of `prepared` and returns once it runs the tool: at once without a gate,
    /// otherwise when the gate opens (after `bind(_:)` named the job). Throws when a step of the
    /// confinement failed or the gate closed; then the child is reaped and nothing ran.
    public func launch(_ prepared: PreparedChild) throws(SandboxError) -> SpawnedChild {
        let slot = prepared.slot
        var result = cconfine_spawn_result()
        let spawned = cconfine_spawn(prepared.plan, &result)
        prepared.pipes.closeChildEnds()
        let usesNotify = prepared.seccomp?.usesNotify == true
        guard spawned == 0 else {
            // A listener passed before a later failure would otherwise wait in the socket.
            if usesNotify {
                let stale = cconfine_receive_fd(slot.handoff.0)
                if stale >= 0 { close(stale) }
            }
            throw .stepFailed(step: String(cString: cconfine_step_name(result.failed_step)), errno: result.error)
        }
        slot.holdMountNamespace(of: result.pid)
        let listener = usesNotify ? cconfine_receive_fd(slot.handoff.0) : -1
        return SpawnedChild(prepared: prepared, pid: result.pid, pidfd: result.pidfd, listener: listener)
    }

    /// Feeds the tool its input, captures its output and waits until it and every process of its
    /// namespace are gone (killing them at the deadline: `since` plus the wall-clock limit).
    public func supervise(_ spawned: SpawnedChild, job: JobSpec, since start: UInt64) throws(SandboxError) -> Outcome {
        let cap = Int(min(job.limits.outputBytes.bytes, UInt64(Int.max)))
        var s = job.stdin.withUnsafeBufferPointer { input in
            Self.supervise(spawned, input: input, deadline: start + job.limits.wallTime.value * 1_000_000, cap: cap)
        }
        defer {
            free(s.out.data)
            free(s.err.data)
        }
        s.wall_ns = cconfine_monotonic_ns() - start
        let reading = try spawned.prepared.slot.cgroup.finishCall()
        return outcome(of: s, reading: reading, job: job, seccomp: spawned.prepared.seccomp)
    }

    /// Kills and reaps a launched child that runs no call (one killed at its gate, whose launch
    /// returned without a job bound to it).
    public func discard(_ spawned: SpawnedChild) {
        let s = Self.supervise(spawned, input: UnsafeBufferPointer(start: nil, count: 0), deadline: 0, cap: 0)
        free(s.out.data)
        free(s.err.data)
        _ = try? spawned.prepared.slot.cgroup.finishCall()
    }

    private static func supervise(_ spawned: SpawnedChild, input: UnsafeBufferPointer<UInt8>, deadline: UInt64, cap: Int) -> cconfine_supervision {
        let pipes = spawned.prepared.pipes
        var s = cconfine_supervision()
        s.pid = spawned.pid
        s.pidfd = spawned.pidfd
        s.stdin_fd = pipes.takeParentStdin()
        s.stdout_fd = pipes.takeParentStdout()
        s.stderr_fd = pipes.takeParentStderr()
        s.seccomp_listener = spawned.listener
        s.deadline_ns = deadline
        s.out.cap = cap
        s.err.cap = cap
        s.stdin_data = input.baseAddress
        s.stdin_length = input.count
        cconfine_supervise(&s)
        return s
    }

    private func outcome(of s: cconfine_supervision, reading: CgroupReading, job: JobSpec, seccomp: SeccompProgram?) -> Outcome {
        let user = UInt64(s.usage.ru_utime.tv_sec) * 1_000_000 + UInt64(s.usage.ru_utime.tv_usec)
        let system = UInt64(s.usage.ru_stime.tv_sec) * 1_000_000 + UInt64(s.usage.ru_stime.tv_usec)
        let evidence = TerminationEvidence(
            waitStatus: s.wait_status, timedOut: s.timed_out != 0,
            seccompSyscall: s.seccomp_killed != 0 ? SyscallTable.describe(number: s.seccomp_nr, arch: s.seccomp_arch) : nil,
            oomKills: reading.oomKills, pidsLimitHits: reading.pidsLimitHits,
            cpuMicroseconds: user + system, cpuLimit: job.limits.cpuTime)
        let usage = Usage(
            wallMicroseconds: s.wall_ns / 1000, userCPUMicroseconds: user, systemCPUMicroseconds: system,
            peakMemoryBytes: reading.peakMemory ?? UInt64(s.usage.ru_maxrss) * 1024)
        return Outcome(
            termination: evidence.reason,
            stdout: CapturedStream(bytes: Self.bytes(s.out), totalBytes: s.out.total),
            stderr: CapturedStream(bytes: Self.bytes(s.err), totalBytes: s.err.total),
            usage: usage)
    }

    private static func bytes(_ stream: cconfine_stream) -> [UInt8] {
        guard let data = stream.data, stream.length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: stream.length))
    }

    /// Checks what a child is prepared with: the working directory and the workspace.
    static func validateShape(_ job: JobSpec) throws(SandboxError) {
        guard job.workingDirectory.hasPrefix("/") else {
            throw .invalidJob(field: "workingDirectory", reason: "must be an absolute path inside the sandbox")
        }
        if job.workingDirectory.utf8.contains(0) { throw Self.nulByte }
        if let workspace = job.view.workspace {
            guard workspace.target == FilesystemView.workspaceTarget else {
                throw .invalidJob(field: "workspace", reason: "the workspace is always at \(FilesystemView.workspaceTarget), not \(workspace.target)")
            }
            var info = stat()
            guard stat(workspace.source, &info) == 0 else {
                throw .invalidJob(field: "workspace", reason: "cannot bind \(workspace.source): \(errnoName(errno))")
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .invalidJob(field: "workspace", reason: "\(workspace.source) is not a directory")
            }
        }
    }

    /// Checks what a prepared child is given last: the executable, its arguments and environment.
    static func validateCommand(_ job: JobSpec) throws(SandboxError) {
        guard job.executable.hasPrefix("/") else {
            throw .invalidJob(field: "executable", reason: "must be an absolute path, got `\(job.executable)`")
        }
        guard !job.arguments.isEmpty else { throw .invalidJob(field: "arguments", reason: "argv must hold at least argv[0]") }
        let strings = [job.executable] + job.arguments + job.environment.flatMap { [$0.key, $0.value] }
        if strings.contains(where: { $0.utf8.contains(0) }) { throw Self.nulByte }
        if let key = job.environment.keys.first(where: { $0.isEmpty || $0.contains("=") }) {
            throw .invalidJob(field: "environment", reason: "invalid variable name `\(key)`")
        }
    }

    private static let nulByte = SandboxError.invalidJob(field: "arguments", reason: "a NUL byte cannot be passed to a program")

    /// With a pids cgroup, `RLIMIT_NPROC` sits one above `pids.max` so that the cgroup refuses the
    /// fork first and counts it (which names the termination); without one, the rlimit is the limit.
    private func rlimits(_ limits: Limits, cgroupCountsProcesses: Bool) -> [cconfine_rlimit] {
        let pairs: [(Int32, UInt64)] = [
            (Int32(RLIMIT_CPU.rawValue), limits.cpuTime.secondsRoundedUp),
            (Int32(RLIMIT_AS.rawValue), limits.addressSpace.bytes),
            (Int32(CCONFINE_RLIMIT_NPROC), limits.processes + (cgroupCountsProcesses ? 1 : 0)),
            (Int32(RLIMIT_NOFILE.rawValue), limits.openFiles),
            (Int32(RLIMIT_FSIZE.rawValue), limits.fileSize.bytes),
            (Int32(RLIMIT_CORE.rawValue), 0),
        ]
        return pairs.map { cconfine_rlimit(resource: $0.0, limit: rlim_t($0.1)) }
    }

    /// Fills in the plan of `child` from `template`, all but what `PreparedChild.bind(_:)` sets.
    private func plan(_ child: PreparedChild, template job: JobSpec, view: Int32, gate: Int32) {
        let arena = child.arena
        let slot = child.slot
        let limits = rlimits(job.limits, cgroupCountsProcesses: !slot.cgroup.directories.isEmpty)
        let c = child.plan
        c.pointee.gate_fd = gate
        c.pointee.working_directory = UnsafePointer(arena.string(job.workingDirectory))
        c.pointee.hostname = UnsafePointer(arena.string(hostname))
        c.pointee.view_fd = view
        c.pointee.tmp_size = job.limits.tmpSize.bytes
        if let workspace = job.view.workspace {
            c.pointee.workspace_source = UnsafePointer(arena.string(workspace.source))
            c.pointee.workspace_target = UnsafePointer(arena.string(workspace.target))
            c.pointee.workspace_read_only = workspace.writable ? 0 : 1
        }
        c.pointee.netns_fd = slot.networkNamespace
        let procs = slot.cgroup.procsDescriptors
        c.pointee.cgroup_procs_fds = (procs.count > 0 ? procs[0] : -1, procs.count > 1 ? procs[1] : -1)
        c.pointee.cgroup_procs_count = procs.count
        c.pointee.uid = slot.uid
        c.pointee.gid = slot.gid
        c.pointee.workspace_gid = slot.workspaceGID ?? 0
        c.pointee.last_cap = lastCapability
        c.pointee.rlimits = UnsafePointer(arena.array(limits))
        c.pointee.rlimit_count = limits.count
        c.pointee.stdin_fd = child.pipes.stdin.0
        c.pointee.stdout_fd = child.pipes.stdout.1
        c.pointee.stderr_fd = child.pipes.stderr.1
        if let seccomp = child.seccomp {
            c.pointee.seccomp_filter = arena.bytes(seccomp.bpf)
            c.pointee.seccomp_instruction_count = UInt16(seccomp.instructionCount)
            c.pointee.seccomp_notify = seccomp.usesNotify ? 1 : 0
            c.pointee.seccomp_flags = seccomp.installFlags
        }
        c.pointee.handoff_fd = slot.handoff.1
    }
}
