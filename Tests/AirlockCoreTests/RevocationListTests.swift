import Foundation
import Testing
@testable import AirlockCore

@Suite struct RevocationListTests {
    let keyring = RootKeyring(keys: [TokenFixtures.key()])

    func family() throws -> (root: Grant, child: Grant, grandchild: Grant) {
        let root = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        let child = try root.attenuated(with: [.maxCalls(10)])
        let grandchild = try child.attenuated(with: [.tools(["grep"])])
        return (try keyring.verify(root), try keyring.verify(child), try keyring.verify(grandchild))
    }

    @Test func revokingTheRootIdKillsEveryDerivedToken() throws {
        let (root, child, grandchild) = try family()
        var list = RevocationList()
        list.revoke(root.tokenId)
        #expect(list.isRevoked(root) && list.isRevoked(child) && list.isRevoked(grandchild))
    }

    @Test func revokingADerivedIdLeavesItsParentValid() throws {
        let (root, child, grandchild) = try family()
        var list = RevocationList()
        list.revoke(child.tokenId)
        #expect(!list.isRevoked(root))
        #expect(list.isRevoked(child) && list.isRevoked(grandchild))
    }

    @Test func unrelatedRevocationsDoNotTouchAToken() throws {
        let (root, _, grandchild) = try family()
        let list = RevocationList(revoked: [TokenID.random(), TokenID.random()])
        #expect(!list.isRevoked(root) && !list.isRevoked(grandchild))
    }

    @Test func savesAtomicallyAndLoadsBack() throws {
        let state = try TokenFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(try RevocationList.load(stateDirectory: state) == RevocationList())  // no file yet
        var list = RevocationList()
        for _ in 0..<5 { list.revoke(.random()) }
        try list.save(stateDirectory: state)
        list.revoke(.random())
        try list.save(stateDirectory: state)
        #expect(try RevocationList.load(stateDirectory: state) == list)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state) == [RevocationList.fileName])  // no temporary left
    }

    @Test func aCorruptListIsAnErrorWithItsLocation() throws {
        let state = try TokenFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = "\(state)/\(RevocationList.fileName)"
        try "{\"version\": 1,\n \"revoked\": [\"not-an-id\"]}\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect {
            try RevocationList.load(stateDirectory: state)
        } throws: { error in
            guard let error = error as? TokenError, case .revocationList(let location, let message) = error else { return false }
            return location == "\(path):2:14" && message.hasPrefix("revoked.0: not a token id")
        }
    }
}
