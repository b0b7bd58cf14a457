import AirlockAudit
import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation

/// `airlock run`: one tool call end to end without a daemon — decide, confine, collect, answer.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Decide one tool call against a policy and a token, run it confined, and print the result envelope as JSON.",
        discussion: """
            With --task ID a fresh token for that task is minted first (key in <state-dir>/keys, \
            valid 30m); with --token the given token is decided as the broker would, against the \
            keys and the revocation list in <state-dir>. Call budgets are not counted across runs: \
            each run is a single call. The tool runs as an unprivileged uid that owns nothing on the \
            host, so the workspace must be readable by others (and writable, for read-write tools). \
            Its output goes through the tool's output rules, as the broker's does.

            Every run is written to the execution log in <state-dir>/log, like a broker's calls: \
            the task, the call, the decision (durable before the tool starts), the sandbox and the \
            outcome. A broker running on the same state directory holds that log; then the run is \
            refused.

            Exit status: 0 the tool ran and exited 0; 1 the tool ran and did not succeed (non-zero \
            exit, a signal, a limit, or output_invalid: see `termination` and `rejection`); 3 the \
            call was denied (see `reason`); 2 bad arguments, such as --args that is not JSON \
            (nothing was decided); 4 the execution log cannot be written (nothing ran); 125 the \
            sandbox could not be set up.
            """
    )

    @Option(help: ArgumentHelp("The task's policy file.", valueName: "file"))
    var policy: String

    @Option(help: ArgumentHelp("The capability token, or - to read it from standard input.", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("Mint a fresh token for this task id and use it.", valueName: "id"))
    var task: String?

    @Option(help: ArgumentHelp("The tool to call.", valueName: "name"))
    var tool: String

    @Option(name: .customLong("args"), help: ArgumentHelp("The arguments, a JSON object.", valueName: "json"))
    var arguments = "{}"

    @Option(help: ArgumentHelp("The task's workspace, bound at /work.", valueName: "dir"))
    var workspace: String?

    @Option(name: .customLong("call-id"), help: ArgumentHelp("The call's id in the envelope (default: random).", valueName: "id"))
    var callId: String?

    @OptionGroup var state: StateDirectoryOption
    @OptionGroup var sandbox: SandboxDirectoryOption

    /// Everything the decision needs, read from files and flags.
    struct Prepared {
        var call: ToolCall
        var token: String
        var policy: Policy
        var state: DecisionState
        /// The token `--task` minted for this run, to be logged as minted.
        var minted: CapabilityToken?
    }

    func run() async throws {
        let prepared: Prepared
        do { prepared = try prepare() } catch { throw error.report("run") }
        let journal: RunJournal
        do { journal = try RunJournal(stateDirectory: state.stateDirectory) } catch {
            FileHandle.standardError.write(Data("airlock run: the execution log cannot be written: \(error); nothing ran\n".utf8))
            throw ExitCode(4)
        }
        var clock = StageClock()
        let now = currentEpochSeconds()
        let decision = decide(call: prepared.call, token: prepared.token, policy: prepared.policy, now: now, state: prepared.state)
        var envelope = RunEnvelope(call: prepared.call, decision: decision)
        envelope.timing.append(("decide", clock.lap()))
        do { try await journal.recordDecision(prepared, decision: decision, now: now) } catch {
            FileHandle.standardError.write(Data("airlock run: the execution log cannot be written: \(error); nothing ran\n".utf8))
            throw ExitCode(4)
        }
        guard case .allow(let allowed) = decision else {
            await journal.close()
            print(JSONSerializer.string(envelope.json, pretty: true))
            throw ExitCode(3)
        }
        let outcome: Outcome
        do {
            let seccomp = try SeccompCompiler.compile(contentsOf: allowed.call.seccompProfile)
            envelope.timing.append(("compileSeccomp", clock.lap()))
            try journal.recordStart(prepared, job: allowed.job, seccompDigest: seccomp.digest)
            outcome = try runInOneSlot(allowed.job, seccomp: seccomp)
            envelope.timing.append(("sandbox", clock.lap()))
        } catch {
            await journal.close()
            FileHandle.standardError.write(Data("airlock run: the sandbox could not be set up: \(error)\n".utf8))
            throw ExitCode(125)
        }
        let rules = prepared.policy.tools[prepared.call.tool]?.output ?? OutputRules()
        let output = OutputChannel(rules: rules, secrets: RunJournal.secrets(of: prepared), tool: prepared.call.tool)
            .process(stdout: outcome.stdout, stderr: outcome.stderr)
        envelope.timing.append(("validate", clock.lap()))
        envelope.outcome = outcome
        envelope.output = output
        do { try await journal.recordFinish(prepared, outcome: outcome, output: output, rules: rules) } catch {
            FileHandle.standardError.write(Data("airlock run: the execution log cannot be written: \(error)\n".utf8))
            throw ExitCode(4)
        }
        await journal.close()
        print(JSONSerializer.string(envelope.json, pretty: true))
        if outcome.termination != .exited(code: 0) || output.rejection != nil { throw ExitCode(1) }
    }

    func prepare() throws(CommandError) -> Prepared {
        guard (token == nil) != (task == nil) else { throw CommandError(message: "give exactly one of --token TOKEN and --task ID") }
        let arguments: JSONValue
        do { arguments = try JSONParser.parse(self.arguments) } catch { throw CommandError(message: "--args is not valid JSON: \(error)") }
        let policy = try sandbox.loadPolicy(policy)
        var root: WorkspaceRoot?
        if let workspace {
            do { root = try WorkspaceRoot(hostPath: workspace) } catch { throw CommandError(message: "--workspace: \(error)") }
        }
        let tokenText: String
        let taskId: String
        var minted: CapabilityToken?
        if let task {
            let token = try TokenMintCommand.mint(
                policy: policy, task: task, caveats: try Self.noCaveats(), state: state, now: currentEpochSeconds())
            tokenText = token.text
            minted = token
            taskId = task
        } else {
            tokenText = readTokenText(token!)
            // The token names its task; an unreadable token is denied by the decision itself.
            taskId = (try? CapabilityToken(text: tokenText))?.taskId ?? ""
        }
        let decisionState = DecisionState(
            taskId: taskId, keys: try state.existingKeys(), revocations: try state.revocations(), workspace: root)
        let call = ToolCall(tool: tool, arguments: arguments, callId: callId ?? UUID.random().uuidString.lowercased())
        return Prepared(call: call, token: tokenText, policy: policy, state: decisionState, minted: minted)
    }

    private static func noCaveats() throws(CommandError) -> CaveatOptions {
        do { return try CaveatOptions.parse([]) } catch { throw CommandError(message: "\(error)") }
    }
}

/// Microseconds between successive laps, for the envelope's `timing`.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds

    mutating func lap() -> UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return (now - last) / 1000
    }
}
