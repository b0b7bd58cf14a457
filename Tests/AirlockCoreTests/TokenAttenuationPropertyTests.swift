import Testing
@testable import AirlockCore

/// Random chains of attenuations, from a fixed list of seeds so a failure names its seed.
@Suite struct TokenAttenuationPropertyTests {
    static let seeds: [UInt64] = Array(1...40)
    static let toolNames = ["grep", "list", "read", "write", "run-tests", "python3"]
    let keyring = RootKeyring(keys: [TokenFixtures.key()])

    @Test(arguments: seeds)
    func attenuationOnlyEverNarrowsTheGrant(seed: UInt64) throws {
        var rng = TokenTestRandom(seed: seed)
        var token = try CapabilityToken.mint(
            key: TokenFixtures.key(), id: .random(using: &rng), taskId: "task-\(seed)", policyName: "p",
            policyDigest: TokenFixtures.digest, caveats: randomCaveats(&rng))
        var grant = try keyring.verify(token)
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let child = try token.attenuated(with: randomCaveats(&rng), derivedId: .random(using: &rng))
            let childGrant = try keyring.verify(CapabilityToken(text: child.text))
            expectNarrower(childGrant, than: grant, seed: seed)
            (token, grant) = (child, childGrant)
        }
    }

    /// Caveats that sometimes ask for more than the parent has (more tools, later expiry, more
    /// calls, higher limits): folding must ignore the widening part.
    func randomCaveats(_ rng: inout TokenTestRandom) -> [Caveat] {
        var caveats: [Caveat] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: caveats.append(.tools(Set(Self.toolNames.filter { _ in Bool.random(using: &rng) })))
            case 1: caveats.append(.expires(TokenFixtures.now.adding(seconds: .random(in: 0...7200, using: &rng))))
            case 2: caveats.append(.notBefore(TokenFixtures.now.adding(seconds: .random(in: 0...7200, using: &rng))))
            case 3: caveats.append(.maxCalls(.random(in: 0...100, using: &rng)))
            case 4:
                let prefixes = ["src", "src/lib", "tests", "docs"].filter { _ in Bool.random(using: &rng) }
                caveats.append(.argument(ArgumentConstraint(name: "path", rule: .pathUnder(prefixes.isEmpty ? ["src"] : prefixes))))
            default:
                caveats.append(.limits(CaveatLimits(
                    wallTime: Bool.random(using: &rng) ? Milliseconds(.random(in: 1...20_000, using: &rng)) : nil,
                    memory: Bool.random(using: &rng) ? ByteCount(.random(in: 1...1 << 30, using: &rng)) : nil,
                    processes: Bool.random(using: &rng) ? .random(in: 1...128, using: &rng) : nil,
                    outputBytes: ByteCount(.random(in: 1...1 << 20, using: &rng)))))
            }
        }
        return caveats
    }

    func expectNarrower(_ child: Grant, than parent: Grant, seed: UInt64) {
        let where_ = Comment(rawValue: "seed \(seed)")
        switch (parent.tools, child.tools) {
        case (.all, _): break
        case (.only(let p), .only(let c)): #expect(c.isSubset(of: p), where_)
        case (.only, .all): Issue.record("tools widened to all, \(where_)")
        }
        #expect(isAtMost(child.expires, parent.expires), where_)
        if let p = parent.notBefore { #expect(child.notBefore.map { $0 >= p } == true, where_) }
        #expect(isAtMost(child.maxCalls, parent.maxCalls), where_)
        #expect(Array(child.callBudgets.prefix(parent.callBudgets.count)) == parent.callBudgets, where_)
        #expect(parent.argumentConstraints.allSatisfy(child.argumentConstraints.contains), where_)
        for (c, p) in zip(child.limits.rawValues, parent.limits.rawValues) { #expect(isAtMost(c, p), where_) }
        #expect(child.lineage.count == parent.lineage.count + 1, where_)
        #expect(Array(child.lineage.prefix(parent.lineage.count)) == parent.lineage, where_)
        #expect(child.taskId == parent.taskId && child.policyDigest == parent.policyDigest, where_)
    }

    /// `child ≤ parent` where nil means unbounded.
    func isAtMost<T: Comparable>(_ child: T?, _ parent: T?) -> Bool {
        guard let parent else { return true }
        guard let child else { return false }
        return child <= parent
    }

    @Test func widerCaveatsInAnAttenuationChangeNothing() throws {
        let parent = try TokenFixtures.richToken()
        let child = try parent.attenuated(with: [
            .tools(["grep", "write", "python3"]), .expires(TokenFixtures.now.adding(seconds: 999_999)), .maxCalls(1_000_000),
            .limits(CaveatLimits(wallTime: .seconds(3600), memory: .gib(64), processes: 9999)),
        ])
        let p = try keyring.verify(parent), c = try keyring.verify(child)
        #expect(c.tools == .only(["grep"]))
        #expect(c.expires == p.expires)
        #expect(c.maxCalls == p.maxCalls)
        #expect(c.limits.wallTime == .seconds(5) && c.limits.memory == .mib(128) && c.limits.processes == 9999)
        #expect(c.limits.applied(to: .defaults).processes == Limits.defaults.processes)
    }

    @Test func limitsCaveatsLowerThePolicyLimitsFieldByField() {
        let caveat = CaveatLimits(wallTime: .seconds(2), memory: .gib(8))
        let applied = caveat.applied(to: .defaults)
        #expect(applied.wallTime == .seconds(2))
        #expect(applied.memory == Limits.defaults.memory)  // a caveat never raises a limit
        #expect(applied.cpuTime == Limits.defaults.cpuTime)
    }
}
