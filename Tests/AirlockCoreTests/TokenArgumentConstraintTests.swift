import Foundation
import Testing
@testable import AirlockCore

@Suite struct TokenArgumentConstraintTests {
    let underSrc = ArgumentConstraint(name: "path", rule: .pathUnder(["src", "docs/api"]))

    @Test(arguments: ["src", "src/a.c", "src/lib/x.swift", "docs/api", "docs/api/openapi.yaml"])
    func pathUnderAdmitsThePrefixAndWhatIsBelowIt(path: String) {
        #expect(underSrc.admits(.string(path)))
    }

    @Test(arguments: ["srcx", "sr", "docs", "docs/apix", "src/../etc/passwd", "./src/a", "/src/a", "src//a", "src/", "", "src/\0a", "tests/src"])
    func pathUnderRefusesNeighboursEscapesAndUnnormalizedPaths(path: String) {
        #expect(!underSrc.admits(.string(path)))
    }

    @Test func pathUnderChecksEveryElementOfAnArrayAndFailsClosed() {
        #expect(underSrc.admits(.array([.string("src/a"), .string("docs/api/b")])))
        #expect(!underSrc.admits(.array([.string("src/a"), .string("etc/b")])))
        #expect(!underSrc.admits(.array([])))
        #expect(!underSrc.admits(.array([.array([.string("src")])])))
        #expect(!underSrc.admits(nil))
        #expect(!underSrc.admits(.integer(1)))
    }

    @Test func oneOfIsExactInTypeAndBytes() {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift's String equality is canonical equivalence …
        let c = ArgumentConstraint(name: "mode", rule: .oneOf([.string(composed), .integer(3), .bool(false)]))
        #expect(c.admits(.string(composed)))
        #expect(!c.admits(.string(decomposed)))  // … the constraint compares bytes.
        #expect(c.admits(.integer(3)))
        #expect(!c.admits(.number(3.0)))
        #expect(!c.admits(.string("3")))
        #expect(c.admits(.bool(false)))
        #expect(!c.admits(.bool(true)))
        #expect(!c.admits(nil))
    }

    @Test func toolNamesCompareByBytes() throws {
        let keyring = RootKeyring(keys: [TokenFixtures.key()])
        let token = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest, caveats: [.tools(["Kgrep"])])
        let grant = try keyring.verify(token)
        #expect(grant.allows(tool: "Kgrep"))
        #expect("\u{212A}grep" == "Kgrep")  // KELVIN SIGN is canonically equivalent to K
        #expect(!grant.allows(tool: "\u{212A}grep"))
        #expect(!grant.allows(tool: "grep"))
    }

    @Test func grantListsConstraintsPerArgument() throws {
        let keyring = RootKeyring(keys: [TokenFixtures.key()])
        let token = try TokenFixtures.richToken().attenuated(with: [
            .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src/lib"]))),
            .argument(ArgumentConstraint(name: "mode", rule: .oneOf([.string("fast")]))),
        ])
        let grant = try keyring.verify(token)
        let path = grant.constraints(forArgument: "path")
        #expect(path.count == 2)
        #expect(path.allSatisfy { $0.admits(.string("src/lib/a.c")) })
        #expect(!path.allSatisfy { $0.admits(.string("src/main.c")) })  // the later caveat narrowed it
        #expect(grant.constraints(forArgument: "mode").count == 1)
    }

    @Test func epochSecondsRoundTowardsTheNarrowerSide() {
        let date = Date(timeIntervalSince1970: 100.5)
        #expect(EpochSeconds(roundingDown: date).value == 100)
        #expect(EpochSeconds(roundingUp: date).value == 101)
        #expect(EpochSeconds(roundingDown: Date(timeIntervalSince1970: -5)).value == 0)
        #expect(EpochSeconds(.max).adding(seconds: 1) == EpochSeconds(.max))
    }
}
