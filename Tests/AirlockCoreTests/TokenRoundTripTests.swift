import Foundation
import Testing
@testable import AirlockCore

@Suite struct TokenRoundTripTests {
    let keyring = RootKeyring(keys: [TokenFixtures.key()])

    @Test func mintedTokenSurvivesTextRoundTripAndVerifies() throws {
        let token = try TokenFixtures.richToken()
        #expect(token.text.hasPrefix("alk1."))
        let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        #expect(token.text.allSatisfy(urlSafe.contains))
        let parsed = try CapabilityToken(text: token.text)
        #expect(parsed == token)
        #expect(parsed.caveats == token.caveats)
        #expect(parsed.text == token.text)

        let grant = try keyring.verify(text: token.text)
        #expect(grant.taskId == "task-42")
        #expect(grant.policyName == "code-reading")
        #expect(grant.policyDigest == TokenFixtures.digest)
        #expect(grant.tools == .only(["grep", "list", "read"]))
        #expect(grant.expires == TokenFixtures.now.adding(seconds: 1800))
        #expect(grant.notBefore == nil)
        #expect(grant.maxCalls == 50)
        #expect(grant.callBudgets == [CallBudget(tokenId: token.id, maxCalls: 50)])
        #expect(grant.limits == CaveatLimits(wallTime: .seconds(5), memory: .mib(128)))
        #expect(grant.lineage.count == 2 && grant.lineage[0] == token.id && grant.tokenId == token.effectiveId)
        #expect(grant.argumentConstraints == [ArgumentConstraint(name: "path", rule: .pathUnder(["src", "tests"]))])
    }

    @Test func tokenWithoutCaveatsGrantsEverythingThePolicyGrants() throws {
        let token = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        let grant = try keyring.verify(text: token.text)
        #expect(grant.tools == .all && grant.expires == nil && grant.maxCalls == nil && grant.limits.isEmpty)
        #expect(grant.lineage == [token.id])
    }

    @Test func inspectShowsContentsInChainOrderWithoutTheKey() throws {
        let token = try TokenFixtures.richToken()
        let parsed = try CapabilityToken(text: token.text)  // no keyring involved
        let lines = parsed.inspection.split(separator: "\n").map(String.init)
        #expect(lines.contains("task          task-42"))
        #expect(lines.contains("policy        code-reading"))
        #expect(lines.contains("policy sha256 \(TokenFixtures.digest.hex)"))
        #expect(lines.contains("id            \(token.id)"))
        let caveatLines = lines.filter { $0.hasPrefix("  ") }
        #expect(caveatLines == [
            "  0. tools: grep, list, read",
            "  1. expires: 2026-01-01T00:30:00Z",
            "  2. max-calls: 50",
            "  3. derived: \(token.effectiveId)",
            "  4. argument: \"path\" under \"src\" or \"tests\"",
            "  5. limits: wallTime ≤ 5s, memory ≤ 128MiB",
        ])
        #expect(!parsed.inspection.contains(TokenBase64URL.encode(token.signature)))
        guard case .object(let json) = parsed.inspectionJSON, case .array(let caveats)? = json["caveats"] else {
            Issue.record("inspectionJSON is not an object with caveats")
            return
        }
        #expect(caveats.count == 6)
        #expect(json["taskId"] == .string("task-42"))
    }

    @Test func descriptionDoesNotLeakTheCredential() throws {
        let token = try TokenFixtures.richToken()
        #expect(!token.description.contains(token.text))
        #expect(!"\(token)".contains("alk1."))
    }

    @Test func caveatsAreStoredInCanonicalForm() throws {
        let token = try CapabilityToken.mint(
            key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest,
            caveats: [
                .argument(ArgumentConstraint(name: "mode", rule: .oneOf([.string("b"), .integer(3), .string("a"), .string("b"), .bool(true)]))),
                .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["tests/", "src"]))),
            ])
        #expect(token.caveats == [
            .argument(ArgumentConstraint(name: "mode", rule: .oneOf([.string("a"), .string("b"), .integer(3), .bool(true)]))),
            .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src", "tests"]))),
        ])
    }

    @Test(arguments: [
        Caveat.tools(["grep", "bad name"]), .tools(["ünïcode"]), .tools([""]),
        .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["../etc"]))),
        .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["/etc"]))),
        .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src//x"]))),
        .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["./src"]))),
        .argument(ArgumentConstraint(name: "path", rule: .pathUnder([]))),
        .argument(ArgumentConstraint(name: "a b", rule: .oneOf([.integer(1)]))),
        .argument(ArgumentConstraint(name: "x", rule: .oneOf([]))),
        .limits(CaveatLimits()), .limits(CaveatLimits(processes: 0)),
        .derived(TokenID.random()), .unknown(kind: 99, body: [], detail: ""),
    ])
    func mintRejectsCaveatsThatCannotBeEncodedExactly(caveat: Caveat) {
        #expect(throws: TokenError.self) {
            try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest, caveats: [caveat])
        }
    }

    @Test func mintRejectsTaskIdsWithControlCharacters() {
        #expect(throws: TokenError.self) {
            try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t\n1", policyName: "p", policyDigest: TokenFixtures.digest)
        }
        #expect(throws: TokenError.self) {
            try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "", policyName: "p", policyDigest: TokenFixtures.digest)
        }
    }

    @Test func policyDigestIsTheSHA256OfTheExactText() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        #expect(PolicyDigest(policyText: "abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(PolicyDigest(hex: PolicyDigest(policyText: "abc").hex) == PolicyDigest(policyText: "abc"))
        #expect(PolicyDigest(policyText: "abc\n") != PolicyDigest(policyText: "abc"))
        #expect(PolicyDigest(hex: "xyz") == nil)
    }

    @Test func tokenIdTextRoundTrips() {
        var rng = TokenTestRandom(seed: 9)
        for _ in 0..<50 {
            let id = TokenID.random(using: &rng)
            #expect(id.text.utf8.count == 22)
            #expect(TokenID(text: id.text) == id)
        }
        #expect(TokenID(text: "short") == nil)
        #expect(TokenID.random() != TokenID.random())
    }
}
