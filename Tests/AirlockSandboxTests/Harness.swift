import AirlockCore
import AirlockSandbox
import Foundation
import Synchronization
import AirlockTestSupport

/// Runs jobs on the real kernel, each in a pool of its own that is torn down afterwards, so
/// tests can run in parallel and leave no cgroup, namespace or process behind.
enum Harness {
    private static let counter = Atomic<Int>(0)

    /// The probe, compiled once per test run from `Tests/Fixtures/probe/main.c` as a static
    /// binary, so it needs nothing from the sandbox's view and runs the same on every host.
    static let probePath: String = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/probe/main.c").path
        let output = "/tmp/airlock-probe-\(getpid())"
        for compiler in ["/usr/bin/cc", "/usr/bin/clang", "/opt/swift/usr/bin/clang"] where FileManager.default.isExecutableFile(atPath: compiler) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: compiler)
            process.arguments = ["-O1", "-static", "-o", output, source]
            if (try? process.run()) != nil {
                process.waitUntilExit()
                if process.terminationStatus == 0 {
                    atexit { unlink("/tmp/airlock-probe-\(getpid())") }
                    return output
                }
            }
        }
        fatalError("could not compile \(source): a C compiler with a static libc is needed for the confinement tests")
    }()

    /// The repository's root, where `Sandbox/` lives.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// `Sandbox/seccomp/default.json`, compiled once: every test runs fully confined unless it
    /// says otherwise.
    static let defaultSeccomp: SeccompProgram = {
        do {
            return try SeccompCompiler.compile(contentsOf: repositoryRoot + "/Sandbox/seccomp/default.json")
        } catch {
            fatalError("the default seccomp profile does not compile: \(error)")
        }
    }()

    /// `Sandbox/rootfs/default.yaml`: the view every policy starts from.
    static let defaultView: FilesystemView = {
        do {
            return try RootfsProfile.load(file: repositoryRoot + "/Sandbox/rootfs/default.yaml")
        } catch {
            fatalError("the default view does not load: \(error)")
        }
    }()

    /// Inside the sandbox the probe lives here.
    static let probeTarget = "/opt/probe"

    /// Each test's pool gets uids of its own: tests run in parallel, and a shared uid would share
    /// `RLIMIT_NPROC` and blur which processes belong to whom.
    static func run(_ job: JobSpec, seccomp: SeccompProgram? = Harness.defaultSeccomp, uid: UInt32? = nil) throws -> Outcome {
        let n = counter.add(1, ordering: .relaxed).newValue
        let base = uid ?? SlotConfiguration.defaultUIDBase + 100_000 + UInt32(getpid() % 1000) * 1000 + UInt32(n % 1000)
        let pool = try SlotPool(SlotConfiguration(count: 1, uidBase: base, cgroupName: "airlock-test-\(getpid())-\(n)"))
        defer { pool.shutdown() }
        let sandbox = try Sandbox()
        let slot = pool.tryAcquire()!
        defer { pool.release(slot) }
        return try sandbox.run(job, seccomp: seccomp, in: slot)
    }

    /// Runs the jobs one after another in one slot, as a broker runs its calls; `afterEach` sees
    /// the slot after each call.
    static func runInOneSlot(_ jobs: [JobSpec], seccomp: SeccompProgram? = Harness.defaultSeccomp, afterEach: (Slot) -> Void = { _ in }) throws -> [Outcome] {
        let n = counter.add(1, ordering: .relaxed).newValue
        let base = SlotConfiguration.defaultUIDBase + 100_000 + UInt32(getpid() % 1000) * 1000 + UInt32(n % 1000)
        let pool = try SlotPool(SlotConfiguration(count: 1, uidBase: base, cgroupName: "airlock-test-\(getpid())-\(n)"))
        defer { pool.shutdown() }
        let sandbox = try Sandbox()
        let slot = pool.tryAcquire()!
        defer { pool.release(slot) }
        return try jobs.map { job throws(SandboxError) in
            let outcome = try sandbox.run(job, seccomp: seccomp, in: slot)
            afterEach(slot)
            return outcome
        }
    }

    static func probeJob(_ arguments: [String], limits: Limits = .defaults, extraBinds: [FilesystemView.Bind] = [], workspace: FilesystemView.Bind? = nil, stdin: [UInt8] = []) -> JobSpec {
        var view = defaultView
        view.binds.append(FilesystemView.Bind(source: probePath, target: probeTarget))
        view.binds += extraBinds
        view.workspace = workspace
        return JobSpec(
            executable: probeTarget, arguments: ["airlock-probe"] + arguments,
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: workspace == nil ? "/" : FilesystemView.workspaceTarget,
            view: view, limits: limits, stdin: stdin)
    }

    static func probe(_ arguments: String..., limits: Limits = .defaults, extraBinds: [FilesystemView.Bind] = [], workspace: FilesystemView.Bind? = nil, seccomp: SeccompProgram? = Harness.defaultSeccomp, uid: UInt32? = nil) throws -> Outcome {
        try run(probeJob(arguments, limits: limits, extraBinds: extraBinds, workspace: workspace), seccomp: seccomp, uid: uid)
    }
}

extension Outcome {
    var out: String { String(decoding: stdout.bytes, as: UTF8.self) }
    var err: String { String(decoding: stderr.bytes, as: UTF8.self) }
}

extension Limits {
    func with(_ change: (inout Limits) -> Void) -> Limits {
        var copy = self
        change(&copy)
        return copy
    }
}

