/// A random 128-bit token id. Ids are what revocation names, so they must never repeat across
/// brokers or nodes: 128 random bits from the system generator make a collision negligible
/// without any coordination.
///
/// Text form: 22 characters of base64url without padding (URL-safe, fits a path segment).
public struct TokenID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Exactly 16 bytes.
    public let bytes: [UInt8]

    static let byteCount = 16

    init(validatedBytes bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a token id is 16 bytes")
        self.bytes = bytes
    }

    /// A fresh id from the system's cryptographically secure generator.
    public static func random() -> TokenID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// Tests pass a seeded generator so property-test failures reproduce; production code uses
    /// `random()`.
    static func random(using generator: inout some RandomNumberGenerator) -> TokenID {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return TokenID(validatedBytes: bytes)
    }

    /// Parses the 22-character text form; nil for anything else.
    public init?(text: String) {
        guard text.utf8.count == 22, case .success(let bytes) = TokenBase64URL.decode(text.utf8) else { return nil }
        self.init(validatedBytes: bytes)
    }

    public var text: String { TokenBase64URL.encode(bytes) }
    public var description: String { text }

    public static func < (a: TokenID, b: TokenID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
