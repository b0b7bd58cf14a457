import Crypto

/// The SHA-256 of the exact bytes of a policy file.
///
/// A token binds to the policy text it was minted for, not to its name: if anyone edits the
/// policy, the digest no longer matches and the decision denies with `policy_changed` instead of
/// silently applying new grants to an old token.
public struct PolicyDigest: Hashable, Sendable, CustomStringConvertible {
    /// Exactly 32 bytes.
    public let bytes: [UInt8]

    static let byteCount = 32

    init(validatedBytes bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a SHA-256 digest is 32 bytes")
        self.bytes = bytes
    }

    /// The digest of `policyText`'s UTF-8 bytes, exactly as read from the file.
    public init(policyText: String) {
        self.init(policyBytes: Array(policyText.utf8))
    }

    public init(policyBytes: [UInt8]) {
        self.bytes = Array(SHA256.hash(data: policyBytes))
    }

    /// Parses 64 lowercase or uppercase hex digits; nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[i]), let low = Self.nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits, the form the execution log and `inspect` show.
    public var hex: String { bytes.map(TokenBase64URL.hex).joined() }
    public var description: String { hex }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
