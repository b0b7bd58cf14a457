/// A set of byte values, 256 bits: the character classes of detector patterns.
public struct ByteSet: Hashable, Sendable {
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0

    public init() {}

    public init(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { insert(byte) }
    }

    /// Every byte value.
    public static var all: ByteSet { ByteSet(0...255) }

    /// `[A-Za-z0-9_]`: what `\b` treats as a word byte.
    public static let word = ByteSet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_".utf8))

    public func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        default: return w3 & bit != 0
        }
    }

    public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    public mutating func formUnion(_ other: ByteSet) {
        w0 |= other.w0
        w1 |= other.w1
        w2 |= other.w2
        w3 |= other.w3
    }

    public func isDisjoint(with other: ByteSet) -> Bool {
        w0 & other.w0 == 0 && w1 & other.w1 == 0 && w2 & other.w2 == 0 && w3 & other.w3 == 0
    }

    /// The ASCII bytes (0–127) not in the set. Negated classes stay inside ASCII, so a match never
    /// ends in the middle of a UTF-8 sequence.
    public var asciiComplement: ByteSet {
        var result = ByteSet()
        for byte in UInt8(0)...127 where !contains(byte) { result.insert(byte) }
        return result
    }

    /// The 256 bits as four words, bytes 0–63 first, one bit per byte value.
    var bitWords: [UInt64] { [w0, w1, w2, w3] }

    public var isEmpty: Bool { w0 == 0 && w1 == 0 && w2 == 0 && w3 == 0 }
}
