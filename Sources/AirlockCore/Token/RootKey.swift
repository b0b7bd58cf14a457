import Crypto
import Foundation

/// A 256-bit HMAC key that signs the first link of token chains, with a short id so that tokens
/// say which key to verify them with and keys can rotate.
public struct RootKey: Sendable {
    /// 1 to 32 characters of `[A-Za-z0-9_-]`; generated ids are 10 random characters.
    public let id: String
    /// When the key was made; the newest key mints.
    public let created: EpochSeconds
    let secret: SymmetricKey
    /// The key absorbed into HMAC state once, so the first link of every chain skips it.
    let hmac: ChainHMAC

    static let secretLength = 32

    public init(id: String, secret: [UInt8], created: EpochSeconds) throws(TokenError) {
        guard TokenWire.isKeyID(id.utf8) else { throw .invalidInput("key id `\(id)` must be 1 to 32 characters of A-Z a-z 0-9 _ -") }
        guard secret.count == Self.secretLength else { throw .invalidInput("a root key is \(Self.secretLength) bytes, not \(secret.count)") }
        self.init(validatedId: id, secret: secret, created: created)
    }

    private init(validatedId id: String, secret: [UInt8], created: EpochSeconds) {
        self.id = id
        self.secret = SymmetricKey(data: secret)
        self.hmac = secret.withUnsafeBytes { ChainHMAC(key: $0) }
        self.created = created
    }

    /// A new key: 32 bytes and a 10-character id from the system's secure generator.
    public static func generate(now: Date = Date()) -> RootKey {
        var generator = SystemRandomNumberGenerator()
        // 32 symbols without look-alikes (no 0, 1, l, o): 50 random bits per id.
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)
        let id = String(decoding: (0..<10).map { _ in alphabet[Int((generator.next() as UInt64) & 31)] }, as: UTF8.self)
        let secret = (0..<secretLength).map { _ in generator.next() as UInt8 }
        return RootKey(validatedId: id, secret: secret, created: EpochSeconds(roundingDown: now))
    }

    /// The key bytes, for writing the key file.
    var secretBytes: [UInt8] { secret.withUnsafeBytes { Array($0) } }
}

/// The root keys a broker holds: the newest mints, all of them verify. Removing a key from the
/// store is what ends the validity of every token it signed.
public struct RootKeyring: Sendable {
    /// Oldest first.
    public let keys: [RootKey]
    private let byId: [String: RootKey]

    /// Keys are ordered by creation time, then id; of two keys with one id, the first given wins.
    public init(keys: [RootKey]) {
        var seen: Set<String> = []
        let unique = keys.filter { seen.insert($0.id).inserted }
        self.keys = unique.sorted { a, b in
            a.created != b.created ? a.created < b.created : a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
        self.byId = Dictionary(uniqueKeysWithValues: unique.map { ($0.id, $0) })
    }

    /// The key new tokens are minted with: the newest.
    public var current: RootKey? { keys.last }

    public func key(id: String) -> RootKey? { byId[id] }

    /// Checks the signature chain in constant time, then folds the caveats into a `Grant`.
    /// Throws `unknown_key`, `bad_signature` or `unknown_caveat`; expiry, not-before, call
    /// budget and revocation are the decision's to check.
    public func verify(_ token: CapabilityToken) throws(TokenError) -> Grant {
        guard let rootKey = byId[token.keyId] else { throw .unknownKey(token.keyId) }
        guard TokenChain.isValid(token, rootKey: rootKey) else { throw .badSignature }
        return try Grant(folding: token)
    }

    /// Parses and verifies the text form.
    public func verify(text: String) throws(TokenError) -> Grant {
        try verify(CapabilityToken(text: text))
    }
}
