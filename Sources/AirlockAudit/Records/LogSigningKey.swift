import Crypto

/// The Ed25519 key that signs checkpoints. The private key lives in `<state>/audit-key` (hex,
/// mode 0600, created once); the public key is published in `<state>/audit-key.pub` (hex, one
/// line) and served by the broker, so auditors can keep it elsewhere.
public struct LogSigningKey: Sendable {
    public static let privateFileName = "audit-key"
    public static let publicFileName = "audit-key.pub"

    let privateKey: Curve25519.Signing.PrivateKey

    /// The 32 raw bytes of the public key.
    public var publicKey: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }
    /// The first 16 hex digits of the SHA-256 of the public key, written into every checkpoint.
    public var keyId: String { LogSigningKey.keyId(publicKey: publicKey) }

    public static func keyId(publicKey: [UInt8]) -> String { String(LogDigest.sha256Hex(publicKey).prefix(16)) }

    init(privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

    /// Reads the key from `stateDirectory`, or makes one (and publishes its public half) when
    /// there is none.
    static func loadOrCreate(stateDirectory: String) throws(LogError) -> LogSigningKey {
        let path = stateDirectory + "/" + privateFileName
        let publicPath = stateDirectory + "/" + publicFileName
        let key: LogSigningKey
        if let text = try LogIO.read(path) {
            guard let raw = LogDigest.bytes(hex: String(decoding: text, as: UTF8.self).trimmingWhitespace),
                let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else { throw .signingKey(path: path, reason: "not 64 hex digits of an Ed25519 private key") }
            key = LogSigningKey(privateKey: privateKey)
        } else {
            key = LogSigningKey(privateKey: Curve25519.Signing.PrivateKey())
            try writeNew(path, LogDigest.hex(key.privateKey.rawRepresentation) + "\n", mode: 0o600, directory: stateDirectory)
        }
        let published = try LogIO.read(publicPath).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace }
        if published != LogDigest.hex(key.publicKey) {
            LogIO.remove(publicPath)
            try writeNew(publicPath, LogDigest.hex(key.publicKey) + "\n", mode: 0o644, directory: stateDirectory)
        }
        return key
    }

    /// Reads a published public key file (64 hex digits).
    public static func readPublicKey(path: String) throws(LogError) -> [UInt8] {
        guard let text = try LogIO.read(path) else { throw .signingKey(path: path, reason: "no such file") }
        guard let raw = LogDigest.bytes(hex: String(decoding: text, as: UTF8.self).trimmingWhitespace), raw.count == 32 else {
            throw .signingKey(path: path, reason: "not 64 hex digits of an Ed25519 public key")
        }
        return raw
    }

    private static func writeNew(_ path: String, _ text: String, mode: UInt32, directory: String) throws(LogError) {
        let fd = try LogIO.create(path, mode: mode)
        defer { LogIO.close(fd) }
        try LogIO.writeAll(fd, Array(text.utf8), path: path)
        try LogIO.sync(fd, path: path)
        try LogIO.syncDirectory(directory)
    }
}

/// What a checkpoint signs: `airlock-log-checkpoint-v1\n<seq>\n<prev>\n<time>\n` in ASCII, where
/// `prev` is the hash of the record before the checkpoint (the chain head it vouches for).
enum CheckpointSignature {
    static func message(seq: UInt64, prev: some Sequence<UInt8>, time: some Sequence<UInt8>) -> [UInt8] {
        Array("airlock-log-checkpoint-v1\n\(seq)\n".utf8) + Array(prev) + [10] + Array(time) + [10]
    }

    static func sign(_ key: LogSigningKey, seq: UInt64, prev: String, time: LogTime) -> String {
        let signature = try? key.privateKey.signature(for: message(seq: seq, prev: prev.utf8, time: time.text.utf8))
        return LogDigest.hex(signature.map { Array($0) } ?? [])
    }

    static func isValid(signatureHex: String, publicKey: [UInt8], message: [UInt8]) -> Bool {
        guard let signature = LogDigest.bytes(hex: signatureHex), signature.count == 64,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
        let end = scalars.lastIndex { !$0.properties.isWhitespace }.map { scalars.index(after: $0) } ?? start
        return String(scalars[start..<max(start, end)])
    }
}
