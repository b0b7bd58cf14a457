import Testing

@testable import AirlockCore

/// Decisions that depend on a token's lineage and caveats over several calls.
@Suite struct DecideGrantTests {
    let f = DecideFixture()

    @Test func allowedCallCarriesTheRenderedJob() throws {
        let token = try f.mint()
        let allowed = try #require(f.decide(DecideFixture.call("grep", #"{"pattern": "main", "path": "src"}"#), token).allowed)
        #expect(allowed.job.executable == "/usr/bin/grep")
        #expect(allowed.job.arguments == ["grep", "-r", "--", "main", "/work/src"])
        #expect(allowed.job.workingDirectory == "/work")
        #expect(allowed.job.view.workspace == FilesystemView.Bind(source: f.workspace.path, target: "/work", writable: false))
        #expect(allowed.job.environment == ["LC_ALL": "C.UTF-8"])
        #expect(allowed.call.arguments == .object(["pattern": .string("main"), "path": .string("/work/src")]))
        #expect(allowed.grant.tokenId == token.id)
    }

    @Test func effectiveLimitsAreTheFieldwiseMinimumOfToolAndToken() throws {
        // The tool: wallTime 20s, memory 256MiB, processes 8, openFiles 64, the rest built in.
        let token = try f.mint([.limits(CaveatLimits(wallTime: .seconds(5), memory: .gib(1), openFiles: 16))])
            .attenuated(with: [.limits(CaveatLimits(wallTime: .seconds(30), tmpSize: .mib(8)))])
        let allowed = try #require(f.decide(DecideFixture.call("grep", #"{"pattern": "main"}"#), token).allowed)
        var expected = Limits.defaults
        expected.wallTime = .seconds(5)  // token lower than the tool's 20s; a later, higher caveat changes nothing
        expected.memory = .mib(256)  // the token's 1GiB is higher: the policy's stands
        expected.processes = 8
        expected.openFiles = 16
        expected.tmpSize = .mib(8)
        #expect(allowed.effectiveLimits == expected)
        #expect(allowed.job.limits == expected)
        #expect(allowed.call.limits.wallTime == .seconds(20), "the rendered call keeps the policy's own limits")
    }

    @Test func budgetsCountEveryCallAgainstEveryIdInTheLineage() throws {
        let parent = try f.mint([.maxCalls(3)])
        let child = try parent.attenuated(with: [.maxCalls(1)])
        let sibling = try parent.attenuated(with: [.maxCalls(10)])
        let call = DecideFixture.call("read", #"{"path": "src/main.c"}"#)
        var state = f.state()
        func use(_ token: CapabilityToken) -> CallDenial.Code? {
            let decision = f.decide(call, token, state: state)
            if let allowed = decision.allowed { state.recordCall(by: allowed.grant) }
            return decision.denial?.code
        }
        #expect(use(parent) == nil)
        #expect(use(child) == nil)  // the child's own budget starts when it is made
        #expect(use(child) == .callBudgetExhausted)  // its budget of 1 is spent; the parent has one left
        #expect(state.calls(by: parent.id) == 2)
        #expect(use(sibling) == nil)  // the parent's third call, made through a sibling
        #expect(use(parent) == .callBudgetExhausted)
        let denial = try #require(f.decide(call, sibling, state: state).denial)
        #expect(denial.code == .callBudgetExhausted)
        #expect(denial.message.contains("derived from"), "\(denial.message)")
    }

    @Test func decideCountsNothingItself() throws {
        let token = try f.mint([.maxCalls(1)])
        let state = f.state()
        let call = DecideFixture.call("read", #"{"path": "src/main.c"}"#)
        for _ in 0..<3 { #expect(f.decide(call, token, state: state).allowed != nil) }
        #expect(state.callsMade.isEmpty)
    }

    @Test func revokingAParentKillsEveryChildButNotTheReverse() throws {
        let parent = try f.mint()
        let child = try parent.attenuated(with: [.tools(["read"])])
        let grandchild = try child.attenuated(with: [.maxCalls(5)])
        let call = DecideFixture.call("read", #"{"path": "src/main.c"}"#)

        let parentRevoked = f.state(revoked: [parent.id])
        for token in [parent, child, grandchild] {
            #expect(f.decide(call, token, state: parentRevoked).denial?.code == .tokenRevoked)
        }
        let childRevoked = f.state(revoked: [child.effectiveId])
        #expect(f.decide(call, parent, state: childRevoked).allowed != nil)
        #expect(f.decide(call, child, state: childRevoked).denial?.code == .tokenRevoked)
        #expect(f.decide(call, grandchild, state: childRevoked).denial?.code == .tokenRevoked)
    }

    @Test func anyChangedCharacterMakesTheTokenInvalid() throws {
        let token = try f.mint([.tools(["read"]), .maxCalls(5)]).attenuated(with: [.expires(f.now.adding(seconds: 60))])
        let call = DecideFixture.call("read", #"{"path": "src/main.c"}"#)
        let text = Array(token.text)
        for index in text.indices {
            var changed = text
            changed[index] = text[index] == "A" ? "B" : "A"
            let decision = decide(call: call, token: String(changed), policy: f.policy, now: f.now, state: f.state())
            #expect(
                decision.denial?.code == .tokenInvalid,
                "character \(index) changed: \(decision.denial.map(String.init(describing:)) ?? "allowed")")
        }
    }

    @Test func droppingACaveatIsInvalid() throws {
        let minted = try f.mint([.tools(["read"])])
        let child = try minted.attenuated(with: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["docs"])))])
        // The child's bytes without its last caveat record, keeping the child's signature.
        let withoutLast = Array(child.binary[..<child.recordEnds[child.recordEnds.count - 2]]) + Array(child.signature)
        let forged = TokenWire.textPrefix + TokenBase64URL.encode(withoutLast)
        let decision = decide(
            call: DecideFixture.call("read", #"{"path": "src/main.c"}"#), token: forged, policy: f.policy, now: f.now, state: f.state())
        #expect(decision.denial?.code == .tokenInvalid)
    }

    @Test func policyEditedByOneByteIsPolicyChanged() throws {
        let token = try f.mint()
        let call = DecideFixture.call("read", #"{"path": "src/main.c"}"#)
        #expect(f.decide(call, token).allowed != nil)
        // A trailing space after the description: the same meaning, a different digest.
        let edited = try f.sandbox.load(
            DecideFixture.policyText.replacingOccurrences(of: "Decision tests.", with: "Decision tests. "), file: "decide.yaml")
        #expect(edited.tools.keys == f.policy.tools.keys)
        #expect(f.decide(call, token, policy: edited).denial?.code == .policyChanged)
    }

    @Test func theSameInputsGiveTheSameDecision() throws {
        let token = try f.mint([.limits(CaveatLimits(memory: .mib(64)))])
        let call = DecideFixture.call("grep", #"{"pattern": "main", "path": "src"}"#)
        let first = try #require(f.decide(call, token).allowed)
        let second = try #require(f.decide(call, token).allowed)
        #expect(first.job == second.job)
        #expect(first.grant == second.grant)
    }
}
