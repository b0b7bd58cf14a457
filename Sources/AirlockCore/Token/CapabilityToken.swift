/// A macaroon-style capability token for one task: who signed it, which task and exact policy
/// it is for, and a chain of caveats that only narrow it.
///
/// Holding a `CapabilityToken` proves nothing: it is parsed, not verified. Only
/// `RootKeyring.verify(_:)` turns it into a `Grant`. Parsing needs no key, so `inspect` can show
/// any token. `description` never prints the credential itself, so a token can be logged.
public struct CapabilityToken: Hashable, Sendable, CustomStringConvertible {
    /// The binary format version (1).
    public let version: UInt8
    /// Which root key signed the first link of the chain.
    public let keyId: String
    /// The id given at mint time; attenuations add `derived` ids after it.
    public let id: TokenID
    public let taskId: String
    public let policyName: String
    public let policyDigest: PolicyDigest
    /// In chain order.
    public let caveats: [Caveat]

    /// The exact decoded bytes; signatures are computed over slices of it.
    let binary: [UInt8]
    /// End of the identifier, which the root key signs.
    let identifierEnd: Int
    /// End offset of each caveat record; record `i` starts where record `i - 1` ends.
    let recordEnds: [Int]

    /// At most this many caveats: each costs one HMAC to verify, and a hostile token must stay
    /// cheap to reject.
    static let maxCaveats = 128

    /// The text form: `alk1.` followed by base64url (no padding) of the binary.
    public var text: String { TokenWire.textPrefix + TokenBase64URL.encode(binary) }

    /// The chain's final HMAC, the last 32 bytes of the binary.
    var signature: ArraySlice<UInt8> { binary[(binary.count - TokenWire.signatureLength)...] }

    /// The id of this exact token: the last `derived` id, or `id` for a token as minted.
    public var effectiveId: TokenID {
        for case .derived(let id) in caveats.reversed() { return id }
        return id
    }

    public var description: String { "token \(effectiveId) (task \(taskId), policy \(policyName), \(caveats.count) caveats)" }

    /// Parses the text form strictly: the `alk1.` prefix, canonical base64url, then the binary.
    public init(text: String) throws(TokenError) {
        let utf8 = text.utf8
        let prefix = TokenWire.textPrefix.utf8
        guard utf8.starts(with: prefix) else {
            let at = zip(utf8, prefix).prefix { $0 == $1 }.count
            throw .malformed(field: "text", offset: at, reason: "a token starts with `\(TokenWire.textPrefix)`")
        }
        guard utf8.count <= TokenWire.maxTextLength else {
            throw .malformed(field: "text", offset: TokenWire.maxTextLength, reason: "longer than \(TokenWire.maxTextLength) characters")
        }
        var text = text
        let decoded = text.withUTF8 { TokenBase64URL.decode(UnsafeBufferPointer(rebasing: $0[prefix.count...])) }
        switch decoded {
        case .success(let binary): try self.init(binary: binary)
        case .failure(let failure):
            throw .malformed(field: "text", offset: prefix.count + failure.offset, reason: failure.reason)
        }
    }

    /// Parses the binary form (see `docs/tokens.md`); every byte must belong to a field.
    init(binary: [UInt8]) throws(TokenError) {
        guard binary.count <= TokenWire.maxBinaryLength else {
            throw .malformed(field: "token", offset: TokenWire.maxBinaryLength, reason: "longer than \(TokenWire.maxBinaryLength) bytes")
        }
        var r = TokenWireReader(bytes: binary)
        version = try r.u8("version")
        guard version == TokenWire.version else { throw .unsupportedVersion(version) }
        keyId = try Self.text(&r, "key id", valid: TokenWire.isKeyID)
        id = TokenID(validatedBytes: Array(try r.take(TokenID.byteCount, "token id")))
        taskId = try Self.text(&r, "task id", valid: TokenWire.isLabel)
        policyName = try Self.text(&r, "policy name", valid: TokenWire.isLabel)
        policyDigest = PolicyDigest(validatedBytes: Array(try r.take(PolicyDigest.byteCount, "policy digest")))
        identifierEnd = r.offset
        guard r.remaining >= TokenWire.signatureLength else {
            throw r.fail("signature", "needs \(TokenWire.signatureLength) bytes, only \(r.remaining) left")
        }
        (caveats, recordEnds) = try Self.parseCaveats(binary, from: identifierEnd)
        self.binary = binary
    }

    private static func text(
        _ r: inout TokenWireReader, _ field: String, valid: (ArraySlice<UInt8>) -> Bool
    ) throws(TokenError) -> String {
        let at = r.offset
        let bytes = try r.short(field)
        guard valid(bytes), let text = String(validating: bytes, as: UTF8.self) else {
            throw r.fail(field, "not an allowed value (see docs/tokens.md)", at: at)
        }
        return text
    }

    /// Caveat records fill everything between the identifier and the final 32 bytes.
    private static func parseCaveats(_ binary: [UInt8], from start: Int) throws(TokenError) -> ([Caveat], [Int]) {
        var r = TokenWireReader(bytes: binary, offset: start, end: binary.count - TokenWire.signatureLength)
        var caveats: [Caveat] = []
        var ends: [Int] = []
        while !r.isAtEnd {
            let index = caveats.count
            guard index < maxCaveats else { throw r.fail("caveat \(index)", "more than \(maxCaveats) caveats") }
            let kind = try r.u8("caveat \(index) kind")
            let length = Int(try r.u16("caveat \(index) length"))
            guard length <= r.remaining else {
                throw r.fail("caveat \(index)", "body of \(length) bytes runs \(length - r.remaining) bytes into the signature")
            }
            caveats.append(try Caveat.decode(kind: kind, bytes: binary, start: r.offset, end: r.offset + length, index: index))
            r.offset += length
            ends.append(r.offset)
        }
        return (caveats, ends)
    }
}
