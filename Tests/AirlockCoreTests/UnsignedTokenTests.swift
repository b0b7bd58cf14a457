import Testing

@testable import AirlockCore

/// The unsigned body the execution log keeps, and deciding from a grant rebuilt from it.
@Suite struct UnsignedTokenTests {
    let f = DecideFixture()

    @Test func unsignedBodyFoldsToTheVerifiedGrant() throws {
        let token = try f.mint([.maxCalls(3), .tools(["read", "grep"])]).attenuated(with: [.expires(f.now.adding(seconds: 60))])
        let rebuilt = try CapabilityToken(unsignedText: token.unsignedText)
        #expect(try Grant(unverified: rebuilt) == f.keyring.verify(token))
        #expect(rebuilt.caveats == token.caveats)
        #expect(!token.unsignedText.contains(String(token.text.suffix(40))), "the signature is not in the unsigned body")
    }

    @Test func unsignedBodyNeverVerifies() throws {
        let token = try f.mint()
        let rebuilt = try CapabilityToken(unsignedText: token.unsignedText)
        #expect(throws: TokenError.badSignature) { try f.keyring.verify(rebuilt) }
    }

    @Test func decidingFromTheGrantMatchesDecidingFromTheToken() throws {
        let token = try f.mint([.maxCalls(1), .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src"])))])
        let grant = try Grant(unverified: CapabilityToken(unsignedText: token.unsignedText))
        let calls = [
            DecideFixture.call("read", #"{"path": "src/main.c"}"#), DecideFixture.call("read", #"{"path": "docs/readme.md"}"#),
            DecideFixture.call("read", #"{"path": "../x"}"#), DecideFixture.call("nope"),
        ]
        for state in [f.state(), f.state(taskState: .suspended), f.state(callsMade: [token.id: 1]), f.state(revoked: [token.id])] {
            for call in calls {
                let fromToken = DecisionSnapshot(decide(call: call, token: token, policy: f.policy, now: f.now, state: state))
                let fromGrant = DecisionSnapshot(decide(call: call, grant: grant, policy: f.policy, now: f.now, state: state))
                #expect(fromToken == fromGrant)
            }
        }
    }

    @Test func reboundGrantDecidesUnderAnotherPolicy() throws {
        let token = try f.mint()
        let edited = try f.sandbox.load(DecideFixture.policyText.replacingOccurrences(of: "Decision tests.", with: "Edited."))
        let call = DecideFixture.call("echo", #"{"word": "hi"}"#)
        let grant = try f.keyring.verify(token)
        #expect(decide(call: call, grant: grant, policy: edited, now: f.now, state: f.state()).denial?.code == .policyChanged)
        let rebound = grant.rebound(toPolicy: PolicyDigest(hex: edited.digest)!)
        #expect(decide(call: call, grant: rebound, policy: edited, now: f.now, state: f.state()).allowed != nil)
    }
}

/// What two decisions must share to be the same answer.
private struct DecisionSnapshot: Equatable {
    var code: CallDenial.Code?
    var message: String?
    var job: JobSpec?

    init(_ decision: Decision) {
        code = decision.denial?.code
        message = decision.denial?.message
        job = decision.allowed?.job
    }
}
