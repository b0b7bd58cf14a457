import Foundation
@testable import AirlockCore

/// SplitMix64: a tiny seeded generator so that property tests reproduce from their seed.
struct TokenTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Keys, policies and tokens shared by the token tests.
enum TokenFixtures {
    static let now = EpochSeconds(1_767_225_600)  // 2026-01-01T00:00:00Z
    static let policyText = "name: code-reading\ntools:\n  grep: {}\n"
    static let digest = PolicyDigest(policyText: policyText)

    static func key(_ id: String = "testkey1", byte: UInt8 = 7, created: UInt64 = 1) -> RootKey {
        try! RootKey(id: id, secret: [UInt8](repeating: byte, count: 32), created: EpochSeconds(created))
    }

    /// A token with one caveat of every kind (five before the attenuation's `derived` one).
    static func richToken(key: RootKey = key()) throws -> CapabilityToken {
        let minted = try CapabilityToken.mint(
            key: key, taskId: "task-42", policyName: "code-reading", policyDigest: digest,
            caveats: [
                .tools(["grep", "list", "read"]), .expires(now.adding(seconds: 1800)), .maxCalls(50),
            ])
        return try minted.attenuated(with: [
            .argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src/", "tests"]))),
            .limits(CaveatLimits(wallTime: .seconds(5), memory: .mib(128))),
        ])
    }

    /// A fresh private directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-token-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return path
    }

    static func mode(of path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }
}
