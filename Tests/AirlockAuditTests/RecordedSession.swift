import AirlockTestSupport
import Foundation

@testable import AirlockAudit
@testable import AirlockCore

/// Plays the broker: a task with a workspace, tokens, and calls decided with `decide()` and
/// recorded exactly as the broker records them (call.received with the verified token, then
/// call.decided with the `now` used, then counting an allowed call).
final class RecordedSession: @unchecked Sendable {
    static let policyText = """
        name: session
        description: Replay tests.
        defaults:
          workspace: read-only
          limits: {wallTime: 10s, memory: 256MiB, processes: 8}
        tools:
          read:
            description: Print a file.
            executable: /usr/bin/head
            argv: [head, --, "{path}"]
            arguments:
              type: object
              properties: {path: {type: string, minLength: 1}}
              required: [path]
            paths: [path]
          grep:
            description: Search.
            executable: /usr/bin/grep
            argv: [grep, -r, --, "{pattern}", "{path}"]
            arguments:
              type: object
              properties:
                pattern: {type: string, pattern: "^[a-z]+$"}
                path: {type: string, default: "."}
              required: [pattern]
            paths: [path]
          echo:
            description: Echo a word.
            executable: /usr/bin/echo
            argv: [echo, "{word}"]
            workspace: none
            arguments: {type: object, properties: {word: {type: string}}}
        """

    static let taskId = "task-replay"
    let scratch = TemporaryDirectory()
    var sandboxDirectory: String { scratch.path + "/sandbox" }
    var workspace: String { scratch.path + "/work" }
    var state: String { scratch.path + "/state" }
    var logDirectory: String { state + "/log" }
    let policy: Policy
    let key = RootKey.generate()
    var decisionState: DecisionState
    let log: ExecutionLog
    let start = EpochSeconds(1_900_000_000)
    /// The decisions as made live, by call id.
    var decisions: [String: Decision] = [:]
    private let agent = LogCaller(uid: 1000, role: "agent")

    init() throws {
        scratch.write("sandbox/rootfs/default.yaml", "readOnly: [/usr, /bin]\noptional: [/lib64]\n")
        scratch.write("sandbox/seccomp/default.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n")
        scratch.write("sandbox/redaction/default.yaml", try String(contentsOfFile: repositoryRoot + "/Sandbox/redaction/default.yaml", encoding: .utf8))
        scratch.write("work/src/main.c", "int main(void) { return 0; }\n")
        scratch.write("work/docs/readme.md", "read me\n")
        policy = try PolicyLoader(sandboxDirectory: scratch.path + "/sandbox").parse(Self.policyText, file: "session.yaml")
        decisionState = DecisionState(
            taskId: Self.taskId, keys: RootKeyring(keys: [key]), workspace: try WorkspaceRoot(hostPath: scratch.path + "/work"))
        log = try ExecutionLog.open(ExecutionLog.Options(stateDirectory: scratch.path + "/state", node: "test"))
    }

    func createTask() async throws {
        try await log.append(
            .taskCreated(
                taskId: Self.taskId, policy: policy, ttlSeconds: 86_400, expires: start.adding(seconds: 86_400), maxCalls: nil,
                workspace: workspace, by: LogCaller(uid: 0, role: "admin")))
    }

    func mint(_ caveats: [Caveat]) async throws -> CapabilityToken {
        let token = try CapabilityToken.mint(
            key: key, taskId: Self.taskId, policyName: policy.name, policyDigest: PolicyDigest(policyText: policy.text), caveats: caveats)
        try await log.append(.tokenMinted(token, by: LogCaller(uid: 0, role: "admin")))
        return token
    }

    /// One call, start to decision, the way the broker makes it.
    @discardableResult
    func call(_ id: String, _ tool: String, _ arguments: String, token text: String, at offset: UInt64 = 0) async throws -> Decision {
        let call = ToolCall(tool: tool, arguments: try JSONParser.parse(arguments), callId: id)
        let parsed = try? CapabilityToken(text: text)
        let grant = parsed.flatMap { try? decisionState.keys.verify($0) }
        try await log.append(.callReceived(call, taskId: Self.taskId, token: parsed, tokenVerified: grant != nil, caller: agent))
        let now = start.adding(seconds: offset)
        let decision =
            grant.map { decide(call: call, grant: $0, policy: policy, now: now, state: decisionState) }
            ?? decide(call: call, token: text, policy: policy, now: now, state: decisionState)
        try await log.append(.callDecided(taskId: Self.taskId, callId: id, decision: decision, policy: policy, now: now))
        if case .allow(let allowed) = decision {
            decisionState.recordCall(by: allowed.grant)
            try await log.append(
                .sandboxStarted(taskId: Self.taskId, callId: id, job: allowed.job, seccompDigest: LogDigest.sha256Hex(Array("x".utf8))))
            // What echo really prints; a made-up output for the other tools.
            let word = allowed.call.arguments.objectValue?["word"]?.stringValue
            let stdout = Array((tool == "echo" ? "\(word ?? "")\n" : "out \(id)\n").utf8)
            let outcome = Outcome(
                termination: .exited(code: 0), stdout: CapturedStream(bytes: stdout, totalBytes: UInt64(stdout.count)),
                stderr: CapturedStream(), usage: Usage())
            try await log.append(
                .callFinished(
                    taskId: Self.taskId, callId: id, outcome: outcome,
                    output: OutputChannel(rules: OutputRules()).process(stdout: outcome.stdout, stderr: outcome.stderr),
                    logRule: OutputRules.LogRule()))
        }
        decisions[id] = decision
        return decision
    }

    func setTask(_ state: DecisionState.TaskState) async throws {
        decisionState.taskState = state
        switch state {
        case .suspended: try await log.append(.taskSuspended(taskId: Self.taskId, by: "operator", reason: "test"))
        case .active: try await log.append(.taskResumed(taskId: Self.taskId, by: "operator", reason: "test"))
        case .ended: try await log.append(.taskEnded(taskId: Self.taskId, by: "operator", reason: "test"))
        }
    }

    func revoke(_ id: TokenID) async throws {
        decisionState.revocations.revoke(id)
        try await log.append(.tokenRevoked(tokenId: id, by: LogCaller(uid: 0, role: "admin"), reason: "test"))
    }

    /// Allows and denies of every kind the log can replay.
    static func recorded() async throws -> RecordedSession {
        let s = try RecordedSession()
        try await s.createTask()
        let t0 = try await s.mint([.expires(s.start.adding(seconds: 3600))])
        try await s.call("c1", "read", #"{"path": "src/main.c"}"#, token: t0.text)
        try await s.call("c2", "read", #"{"path": "../etc/passwd"}"#, token: t0.text)
        try await s.call("c3", "nope", "{}", token: t0.text)
        try await s.call("c4", "grep", #"{"pattern": "main"}"#, token: t0.text)
        let t1 = try t0.attenuated(with: [.maxCalls(1), .tools(["echo", "grep"])])
        try await s.call("c5", "echo", #"{"word": "hi"}"#, token: t1.text)
        try await s.call("c6", "echo", #"{"word": "again"}"#, token: t1.text)
        try await s.call("c7", "read", #"{"path": "docs/readme.md"}"#, token: t1.text)
        try await s.setTask(.suspended)
        try await s.call("c8", "echo", #"{"word": "x"}"#, token: t0.text)
        try await s.setTask(.active)
        try await s.call("c9", "echo", #"{"word": "y"}"#, token: t0.text, at: 10)
        var tampered = Array(t0.text)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        try await s.call("c10", "echo", "{}", token: String(tampered))
        try await s.revoke(t0.id)
        try await s.call("c11", "echo", "{}", token: t0.text, at: 20)
        let t2 = try await s.mint([.expires(s.start.adding(seconds: 60))])
        try await s.call("c12", "echo", "{}", token: t2.text, at: 120)
        try await s.call("c13", "grep", #"{"pattern": "read", "path": "docs"}"#, token: t2.text, at: 30)
        try await s.log.close()
        return s
    }
}
