import Foundation

/// Root keys on disk: one file per key, `<state>/keys/token-root-<id>.json`, mode 0600, in a
/// directory of mode 0700.
///
/// One file per key makes rotation two plain file operations: `createKey()` adds a key that
/// becomes current (the newest mints), and `removeKey(id:)` ends every token the old key signed.
/// Files are created with their final mode and published with `link`, so a key file is never
/// readable by others, never half written, and never silently replaced.
///
/// Key file: `{"version": 1, "id": "k7m2x9qa4b", "created": 1735689600, "secret": "<base64url>"}`
/// where `created` is seconds since 1970 and `secret` is the 32 key bytes.
public struct RootKeyStore: Sendable {
    /// `<state>/keys`.
    public let directory: String
    let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
        self.directory = stateDirectory + "/keys"
    }

    static let filePrefix = "token-root-"
    static let fileSuffix = ".json"

    public func path(forKey id: String) -> String { "\(directory)/\(Self.filePrefix)\(id)\(Self.fileSuffix)" }

    /// Every key in the directory (none when it does not exist yet; loading creates nothing).
    /// Refuses a directory or key file that group or others can read, a file owned by someone
    /// else, a symbolic link, and a file whose id does not match its name.
    public func load() throws(TokenError) -> RootKeyring {
        do {
            guard try TokenFiles.checkPrivateDirectory(directory, create: false) else { return RootKeyring(keys: []) }
        } catch {
            throw .keyStore(path: error.path, message: error.message)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .keyStore(path: directory, message: "cannot list: \(error)")
        }
        var keys: [RootKey] = []
        for name in names.sorted() where name.hasPrefix(Self.filePrefix) && name.hasSuffix(Self.fileSuffix) {
            keys.append(try readKey(at: "\(directory)/\(name)", expectedId: String(name.dropFirst(Self.filePrefix.count).dropLast(Self.fileSuffix.count))))
        }
        return RootKeyring(keys: keys)
    }

    /// The keys, after creating a first one if there is none.
    public func loadOrCreate(now: Date = Date()) throws(TokenError) -> RootKeyring {
        let keyring = try load()
        if !keyring.keys.isEmpty { return keyring }
        _ = try createKey(now: now)
        return try load()
    }

    /// Adds a new random key, which becomes the current (minting) key. Older keys keep verifying
    /// until removed.
    @discardableResult
    public func createKey(now: Date = Date()) throws(TokenError) -> RootKey {
        try prepareDirectories()
        let key = RootKey.generate(now: now)
        let path = path(forKey: key.id)
        let temporary = "\(directory)/.\(Self.filePrefix)\(key.id).tmp-\(TokenID.random().text)"
        do {
            try TokenFiles.createPrivateFile(temporary, Array(Self.render(key).utf8))
            try TokenFiles.publish(temporary, as: path, directory: directory)
        } catch {
            TokenFiles.removeQuietly(temporary)
            throw .keyStore(path: error.path, message: error.message)
        }
        return key
    }

    /// Deletes a key: tokens it signed stop verifying (`unknown_key`).
    public func removeKey(id: String) throws(TokenError) {
        guard TokenWire.isKeyID(id.utf8) else { throw .invalidInput("key id `\(id)` must be 1 to 32 characters of A-Z a-z 0-9 _ -") }
        do { try TokenFiles.remove(path(forKey: id), directory: directory) } catch {
            throw .keyStore(path: error.path, message: error.message)
        }
    }

    private func prepareDirectories() throws(TokenError) {
        do {
            try TokenFiles.makeDirectoryIfMissing(stateDirectory)
            try TokenFiles.checkPrivateDirectory(directory, create: true)
        } catch {
            throw .keyStore(path: error.path, message: error.message)
        }
    }

    private func readKey(at path: String, expectedId: String) throws(TokenError) -> RootKey {
        let bytes: [UInt8]
        do { bytes = try TokenFiles.readPrivateFile(path) } catch { throw .keyStore(path: error.path, message: error.message) }
        do {
            let m = try ConfigValue.parse(String(decoding: bytes, as: UTF8.self), file: path).mapping()
            let version = try m.require("version")
            guard try version.uint64() == 1 else { throw version.error("unsupported key file version") }
            let id = try m.require("id")
            guard try id.string() == expectedId else { throw id.error("id does not match the file name (`\(expectedId)`)") }
            let created = EpochSeconds(try m.require("created").uint64())
            let secretField = try m.require("secret")
            guard case .success(let secret) = TokenBase64URL.decode(try secretField.string().utf8), secret.count == RootKey.secretLength else {
                throw secretField.error("expected \(RootKey.secretLength) bytes in base64url without padding")
            }
            try m.finish()
            return try RootKey(id: expectedId, secret: secret, created: created)
        } catch let error as ConfigError {
            throw .keyStore(path: error.location.description, message: error.tokenStoreMessage)
        } catch {
            throw .keyStore(path: path, message: "\(error)")
        }
    }

    static func render(_ key: RootKey) -> String {
        #"{"version": 1, "id": "\#(key.id)", "created": \#(key.created.value), "secret": "\#(TokenBase64URL.encode(key.secretBytes))"}"# + "\n"
    }
}
