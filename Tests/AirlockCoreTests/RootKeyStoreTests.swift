import Foundation
import Testing
@testable import AirlockCore

@Suite struct RootKeyStoreTests {
    func withState(_ body: (String, RootKeyStore) throws -> Void) throws {
        let parent = try TokenFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let state = parent + "/state"
        try body(state, RootKeyStore(stateDirectory: state))
    }

    func mint(_ keyring: RootKeyring) throws -> CapabilityToken {
        try CapabilityToken.mint(key: keyring.current!, taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
    }

    @Test func createsKeyFile0600InsideDirectory0700() throws {
        try withState { _, store in
            let keyring = try store.loadOrCreate()
            let key = try #require(keyring.current)
            #expect(keyring.keys.count == 1)
            #expect(try TokenFixtures.mode(of: store.directory) == 0o700)
            #expect(try TokenFixtures.mode(of: store.path(forKey: key.id)) == 0o600)
            #expect(key.id.utf8.count == 10)
            // A second load reads the same key instead of making another.
            let again = try store.loadOrCreate()
            #expect(again.keys.map(\.id) == [key.id])
            #expect(again.current?.secretBytes == key.secretBytes)
        }
    }

    @Test func loadingAnEmptyStateCreatesNothing() throws {
        try withState { state, store in
            let keyring = try store.load()
            #expect(keyring.keys.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: state))
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func refusesAKeyFileOthersCanRead(mode: Int) throws {
        try withState { _, store in
            let key = try store.createKey()
            let path = store.path(forKey: key.id)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            #expect {
                try store.load()
            } throws: { error in
                guard let error = error as? TokenError, case .keyStore(let p, let message) = error else { return false }
                return p == path && message.contains("mode 0\(String(mode, radix: 8))")
            }
        }
    }

    @Test func refusesAKeyDirectoryOthersCanEnter() throws {
        try withState { _, store in
            try store.createKey()
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: store.directory)
            #expect(throws: TokenError.self) { try store.load() }
        }
    }

    @Test func refusesASymlinkedKeyFile() throws {
        try withState { state, store in
            let key = try store.createKey()
            let path = store.path(forKey: key.id)
            let elsewhere = state + "/moved.json"
            try FileManager.default.moveItem(atPath: path, toPath: elsewhere)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
            #expect(throws: TokenError.self) { try store.load() }
        }
    }

    @Test func rotationKeepsOldTokensValidAndMintsWithTheNewKey() throws {
        try withState { _, store in
            let first = try store.createKey(now: Date(timeIntervalSince1970: 1_000))
            let old = try mint(try store.load())
            let second = try store.createKey(now: Date(timeIntervalSince1970: 2_000))
            let keyring = try store.load()
            #expect(keyring.current?.id == second.id)
            let new = try mint(keyring)
            #expect(old.keyId == first.id && new.keyId == second.id)
            #expect(throws: Never.self) { try keyring.verify(old) }
            #expect(throws: Never.self) { try keyring.verify(new) }

            try store.removeKey(id: first.id)
            let rotated = try store.load()
            #expect(throws: TokenError.unknownKey(first.id)) { try rotated.verify(old) }
            #expect(throws: Never.self) { try rotated.verify(new) }
        }
    }

    @Test func aKeyFileIsCheckedFieldByField() throws {
        try withState { _, store in
            let key = try store.createKey()
            let path = store.path(forKey: key.id)
            try FileManager.default.removeItem(atPath: path)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            let text = "{\"version\": 1, \"id\": \"\(key.id)\",\n \"created\": 5, \"secret\": \"c2hvcnQ\"}\n"
            _ = text.withCString { write(fd, $0, strlen($0)) }
            close(fd)
            #expect {
                try store.load()
            } throws: { error in
                guard let error = error as? TokenError, case .keyStore(let location, let message) = error else { return false }
                return location == "\(path):2:26" && message.hasPrefix("secret: expected 32 bytes")
            }
        }
    }
}
