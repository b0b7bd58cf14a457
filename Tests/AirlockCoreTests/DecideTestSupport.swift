import Foundation

@testable import AirlockCore
import AirlockTestSupport

/// A policy with three tools, a workspace with a few files and an outward symlink, a root key,
/// and helpers to mint tokens and decide calls against them.
final class DecideFixture {
    static let policyText = """
        name: decide
        description: Decision tests.
        defaults:
          workspace: read-only
          environment: {LC_ALL: C.UTF-8}
          limits: {wallTime: 10s, memory: 256MiB, processes: 8, openFiles: 64}
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
            limits: {wallTime: 20s}
          echo:
            description: Echo a word.
            executable: /usr/bin/echo
            argv: [echo, "{word}"]
            workspace: none
            arguments: {type: object, properties: {word: {type: string}}}
        """

    static let taskId = "task-1"
    let sandbox = SandboxFixture()
    let workspace = TemporaryDirectory()
    let policy: Policy
    let key = TokenFixtures.key()
    let now = TokenFixtures.now

    init() {
        workspace.write("src/main.c", "int main(void) { return 0; }\n")
        workspace.write("docs/readme.md", "read me\n")
        workspace.symlink("etc", to: "/etc")
        policy = try! sandbox.load(Self.policyText, file: "decide.yaml")
    }

    var keyring: RootKeyring { RootKeyring(keys: [key]) }

    func mint(_ caveats: [Caveat] = [], task: String = DecideFixture.taskId, key: RootKey? = nil, policy: Policy? = nil) throws
        -> CapabilityToken
    {
        let policy = policy ?? self.policy
        return try CapabilityToken.mint(
            key: key ?? self.key, taskId: task, policyName: policy.name, policyDigest: PolicyDigest(hex: policy.digest)!, caveats: caveats)
    }

    func state(
        workspace: Bool = true, taskState: DecisionState.TaskState = .active, revoked: [TokenID] = [], callsMade: [TokenID: UInt64] = [:]
    ) -> DecisionState {
        DecisionState(
            taskId: Self.taskId, keys: keyring, revocations: RevocationList(revoked: Set(revoked)), callsMade: callsMade,
            workspace: workspace ? try! WorkspaceRoot(hostPath: self.workspace.path) : nil, taskState: taskState)
    }

    static func call(_ tool: String, _ arguments: String = "{}") -> ToolCall {
        ToolCall(tool: tool, arguments: try! JSONParser.parse(arguments), callId: "call-1")
    }

    func decide(_ call: ToolCall, _ token: CapabilityToken, state: DecisionState? = nil, now: EpochSeconds? = nil, policy: Policy? = nil)
        -> Decision
    {
        AirlockCore.decide(call: call, token: token.text, policy: policy ?? self.policy, now: now ?? self.now, state: state ?? self.state())
    }
}
