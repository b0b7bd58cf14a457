import AirlockAudit
import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation

/// `airlock audit replay [DIR] [--task ID] [--policy FILE] [--execute]`.
struct AuditReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Decide every recorded call again, with the recorded policy or a new one.",
        discussion: """
            Rebuilds each decision's inputs from the log: the policy text stored by digest, the task's \
            state, revocations and call counts, the token's caveats and the recorded time. With the \
            recorded policies every decision must come out the same; a difference is a bug and makes \
            the exit status 1. With --policy FILE, the calls of tasks whose policy has that name are \
            decided under FILE instead, and the calls whose decision changes are listed (exit 0). \
            A call whose decision needs a workspace that no longer exists is reported as not replayable.

            --execute runs every call that is allowed again in the sandbox and compares the SHA-256 of \
            its standard output with the recorded one, listing the tools that are not deterministic.
            """
    )

    @OptionGroup var log: LogDirectoryArgument
    @OptionGroup var sandbox: SandboxDirectoryOption
    @Option(help: ArgumentHelp("Only calls of this task.", valueName: "id")) var task: String?
    @Option(help: ArgumentHelp("Decide under this policy file instead of the recorded one.", valueName: "file")) var policy: String?
    @Flag(help: "Run the allowed calls again in the sandbox and compare output digests.") var execute = false

    func run() throws {
        let report: ReplayReport
        do {
            try log.requireExisting()
            let override = try policy.map { file throws(CommandError) in try sandbox.loadPolicy(file) }
            report = try LogReplay(directory: log.directory, sandboxDirectory: sandbox.resolve()).run(task: task, policy: override)
        } catch let error as CommandError {
            throw error.report("audit replay")
        } catch {
            throw CommandError(message: "\(error)").report("audit replay")
        }
        for call in report.calls { if let line = Self.line(call, override: policy != nil) { print(line) } }
        let skipped = report.notReplayable.count
        if policy != nil {
            print("\(report.calls.count) calls: \(report.changes.count) would be decided differently, \(skipped) not replayable")
        } else {
            print("\(report.calls.count) calls: \(report.mismatches.count) mismatches, \(skipped) not replayable")
        }
        var failed = policy == nil && !report.mismatches.isEmpty
        if execute { failed = try ReplayExecution.run(report) || failed }
        if failed { throw ExitCode(1) }
    }

    /// Only the lines worth reading: mismatches, changes, and calls that could not be replayed.
    static func line(_ call: ReplayedCall, override: Bool) -> String? {
        let head = "seq \(call.seq) task \(call.taskId) call \(call.callId) tool \(call.tool): "
        switch call.outcome {
        case .identical, .unchanged: return nil
        case .mismatch:
            return head + "MISMATCH recorded \(call.recorded), replayed \(call.replayed.map(\.description) ?? "-")"
                + (call.recorded.allowed == call.replayed?.allowed ? " (limits, arguments or message differ)" : "")
        case .changed: return head + "\(call.recorded) -> \(call.replayed.map(\.description) ?? "-")"
        case .notReplayable(let why): return head + "not replayable: \(why)"
        }
    }
}

/// `--execute`: runs the replayed allows one after the other in one sandbox slot.
enum ReplayExecution {
    /// Prints one line per tool whose output changed; true when any did.
    static func run(_ report: ReplayReport) throws -> Bool {
        let calls = report.calls.filter { $0.job != nil && $0.recordedOutputSha256 != nil }
        var differing: [String: Int] = [:]
        var runs: [String: Int] = [:]
        for call in calls {
            guard let job = call.job, let recorded = call.recordedOutputSha256, let profile = job.seccompProfile else { continue }
            let outcome: Outcome
            do {
                let seccomp = try SeccompCompiler.compile(contentsOf: profile)
                outcome = try runInOneSlot(job, seccomp: seccomp)
            } catch {
                print("seq \(call.seq) call \(call.callId) tool \(call.tool): could not run: \(error)")
                continue
            }
            runs[call.tool, default: 0] += 1
            let digest = LogDigest.sha256Hex(outcome.stdout.bytes)
            if digest != recorded {
                differing[call.tool, default: 0] += 1
                print("seq \(call.seq) call \(call.callId) tool \(call.tool): output differs (recorded \(recorded.prefix(12)), now \(digest.prefix(12)))")
            }
        }
        for (tool, count) in runs.sorted(by: { $0.key < $1.key }) {
            let changed = differing[tool] ?? 0
            print("tool \(tool): \(count) runs, \(changed == 0 ? "deterministic" : "NOT deterministic (\(changed) differ)")")
        }
        return !differing.isEmpty
    }
}
