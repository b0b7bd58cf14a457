import Testing

@testable import AirlockCore

/// One row of the decision table: a token, a task, a call, and the expected answer.
struct DecideScenario: Sendable, CustomTestStringConvertible {
    enum TokenVariant: Sendable, Equatable {
        case asIssued
        case text(String)
        /// One base64url character inside the final signature changed.
        case tamperedSignature
        case mintedForOtherTask
        case signedByUnknownKey
    }

    var name: String
    /// nil: the call is allowed.
    var expected: CallDenial.Code?
    var tool = "read"
    var arguments = #"{"path": "src/main.c"}"#
    var minted: [Caveat] = []
    var attenuation: [Caveat]? = nil
    var token = TokenVariant.asIssued
    /// Decide against the policy with one byte of its description changed.
    var policyEdited = false
    /// Revoke the minted id.
    var revokeMinted = false
    /// Calls already counted against the minted id.
    var spent: UInt64 = 0
    var taskState = DecisionState.TaskState.active
    var workspace = true
    /// Seconds after the fixture's `now` at which the call is decided.
    var at: UInt64 = 0

    var testDescription: String { name }

    static let now = TokenFixtures.now

    static let all: [DecideScenario] = [
        // Allowed calls.
        .init(name: "allow: a file in the workspace", expected: nil),
        .init(name: "allow: a tool without a workspace", expected: nil, tool: "echo", arguments: #"{"word": "hi"}"#, workspace: false),
        .init(
            name: "allow: inside every caveat", expected: nil,
            minted: [.tools(["read"]), .notBefore(now), .expires(now.adding(seconds: 60)), .maxCalls(3)],
            attenuation: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src"])))], spent: 2, at: 59),
        // 1. The token itself.
        .init(name: "token_invalid: not a token", expected: .tokenInvalid, token: .text("alk1.not-a-token!")),
        .init(name: "token_invalid: another scheme", expected: .tokenInvalid, token: .text("Bearer abc")),
        .init(name: "token_invalid: tampered signature", expected: .tokenInvalid, token: .tamperedSignature),
        .init(name: "token_invalid: signed by a key this broker lacks", expected: .tokenInvalid, token: .signedByUnknownKey),
        .init(name: "token_invalid: minted for another task", expected: .tokenInvalid, token: .mintedForOtherTask),
        // 2. The policy.
        .init(name: "policy_changed: one byte of the policy edited", expected: .policyChanged, policyEdited: true),
        // 3. to 5. Standing.
        .init(name: "token_revoked", expected: .tokenRevoked, revokeMinted: true),
        .init(name: "token_revoked: a parent revoked", expected: .tokenRevoked, attenuation: [.tools(["read"])], revokeMinted: true),
        .init(name: "task_suspended", expected: .taskSuspended, taskState: .suspended),
        .init(name: "task_ended", expected: .taskEnded, taskState: .ended),
        .init(name: "token_not_yet_valid", expected: .tokenNotYetValid, minted: [.notBefore(now.adding(seconds: 10))], at: 9),
        .init(name: "token_expired: at the expiry instant", expected: .tokenExpired, minted: [.expires(now.adding(seconds: 10))], at: 10),
        .init(
            name: "token_expired: an attenuation's earlier expiry", expected: .tokenExpired, minted: [.expires(now.adding(seconds: 100))],
            attenuation: [.expires(now.adding(seconds: 5))], at: 50),
        // 6. The tool.
        .init(name: "tool_not_granted", expected: .toolNotGranted, minted: [.tools(["grep"])]),
        .init(
            name: "tool_not_granted: narrowed by attenuation", expected: .toolNotGranted, minted: [.tools(["grep", "read"])],
            attenuation: [.tools(["grep", "echo"])]),
        .init(name: "unknown_tool", expected: .unknownTool, tool: "rm", arguments: #"{"path": "/"}"#),
        .init(
            name: "unknown_tool: granted by the token, absent from the policy", expected: .unknownTool, tool: "write",
            minted: [.tools(["read", "write"])]),
        // 7. Budgets.
        .init(name: "call_budget_exhausted", expected: .callBudgetExhausted, minted: [.maxCalls(2)], spent: 2),
        .init(
            name: "call_budget_exhausted: the parent's budget", expected: .callBudgetExhausted, minted: [.maxCalls(2)],
            attenuation: [.maxCalls(100)], spent: 2),
        // 8. Arguments.
        .init(name: "argument_invalid: schema pattern", expected: .argumentInvalid, tool: "grep", arguments: #"{"pattern": "A|B"}"#),
        .init(name: "argument_invalid: missing required", expected: .argumentInvalid, arguments: "{}"),
        .init(name: "argument_invalid: undeclared argument", expected: .argumentInvalid, arguments: #"{"path": "a", "output": "/etc/x"}"#),
        .init(
            name: "path_outside_workspace: ../../etc/passwd", expected: .pathOutsideWorkspace, arguments: #"{"path": "../../etc/passwd"}"#),
        .init(name: "path_outside_workspace: absolute host path", expected: .pathOutsideWorkspace, arguments: #"{"path": "/etc/passwd"}"#),
        .init(name: "path_outside_workspace: through a symlink", expected: .pathOutsideWorkspace, arguments: #"{"path": "etc/passwd"}"#),
        .init(name: "workspace_missing", expected: .workspaceMissing, workspace: false),
        // 9. Token argument constraints.
        .init(
            name: "argument_not_permitted: path under another prefix", expected: .argumentNotPermitted,
            minted: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["docs"])))]),
        .init(
            name: "argument_not_permitted: default path is the root", expected: .argumentNotPermitted, tool: "grep",
            arguments: #"{"pattern": "main"}"#,
            attenuation: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src"])))]),
        .init(
            name: "argument_not_permitted: `..` back out of the prefix", expected: .argumentNotPermitted,
            arguments: #"{"path": "src/../docs/readme.md"}"#,
            minted: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src"])))]),
        .init(
            name: "argument_not_permitted: a value outside oneOf", expected: .argumentNotPermitted, tool: "grep",
            arguments: #"{"pattern": "secret"}"#,
            minted: [.argument(ArgumentConstraint(name: "pattern", rule: .oneOf([.string("main")])))]),
        // The order of checks: the first failing check is the reason.
        .init(name: "order: revoked before expired", expected: .tokenRevoked, minted: [.expires(now)], revokeMinted: true),
        .init(name: "order: ended before expired", expected: .taskEnded, minted: [.expires(now)], taskState: .ended),
        .init(name: "order: policy_changed before revoked", expected: .policyChanged, policyEdited: true, revokeMinted: true),
        .init(
            name: "order: tool_not_granted before argument_invalid", expected: .toolNotGranted, arguments: "{}", minted: [.tools(["grep"])]),
        .init(
            name: "order: budget before paths", expected: .callBudgetExhausted, arguments: #"{"path": "../../etc/passwd"}"#,
            minted: [.maxCalls(1)], spent: 1),
        .init(
            name: "order: argument_invalid before argument_not_permitted", expected: .argumentInvalid, tool: "grep",
            arguments: #"{"pattern": "X"}"#,
            minted: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["docs"])))]),
    ]
}

@Suite struct DecideTests {
    @Test(arguments: DecideScenario.all)
    func decisionTable(_ scenario: DecideScenario) throws {
        let f = DecideFixture()
        let (text, mintedId) = try token(for: scenario, fixture: f)
        let policy =
            scenario.policyEdited
            ? try f.sandbox.load(
                DecideFixture.policyText.replacingOccurrences(of: "Decision tests.", with: "Decision tests!"), file: "decide.yaml")
            : f.policy
        let state = f.state(
            workspace: scenario.workspace, taskState: scenario.taskState, revoked: scenario.revokeMinted ? [mintedId] : [],
            callsMade: scenario.spent > 0 ? [mintedId: scenario.spent] : [:])
        let decision = decide(
            call: DecideFixture.call(scenario.tool, scenario.arguments), token: text, policy: policy,
            now: f.now.adding(seconds: scenario.at), state: state)
        guard let expected = scenario.expected else {
            #expect(decision.allowed != nil, "denied: \(decision.denial.map(String.init(describing:)) ?? "")")
            return
        }
        let denial = try #require(decision.denial, "allowed, expected \(expected.rawValue)")
        #expect(denial.code == expected, "\(denial)")
        // A sentence the model can act on, naming no host path and no credential.
        #expect(!denial.message.isEmpty && !denial.message.contains("\n"))
        #expect(!denial.message.contains(f.workspace.path), "\(denial.message)")
        #expect(!denial.message.contains("airlock-test-"), "\(denial.message)")
        #expect(!denial.message.contains(String(text.suffix(20))), "\(denial.message)")
    }

    @Test func tableReachesEveryDenialCode() {
        let reached = Set(DecideScenario.all.compactMap(\.expected))
        #expect(reached == Set(CallDenial.Code.allCases), "missing: \(Set(CallDenial.Code.allCases).subtracting(reached))")
    }

    /// The token text a scenario presents, and the minted id (for revocation and budgets).
    private func token(for scenario: DecideScenario, fixture f: DecideFixture) throws -> (String, TokenID) {
        let task = scenario.token == .mintedForOtherTask ? "task-2" : DecideFixture.taskId
        let key = scenario.token == .signedByUnknownKey ? TokenFixtures.key("otherkey", byte: 9) : f.key
        let minted = try f.mint(scenario.minted, task: task, key: key)
        var token = minted
        if let attenuation = scenario.attenuation { token = try minted.attenuated(with: attenuation) }
        switch scenario.token {
        case .text(let text): return (text, minted.id)
        case .tamperedSignature:
            var characters = Array(token.text)
            let index = characters.count - 10
            characters[index] = characters[index] == "A" ? "B" : "A"
            return (String(characters), minted.id)
        case .asIssued, .mintedForOtherTask, .signedByUnknownKey:
            return (token.text, minted.id)
        }
    }
}
