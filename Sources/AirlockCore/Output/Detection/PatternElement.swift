/// One step of a detector pattern, as compiled from the rules-file language (see
/// docs/output.md, *The rules-file language*).
public enum PatternElement: Hashable, Sendable {
    /// One of several literal byte strings (`"AKIA"`, `("ghp_" | "gho_")`, `i"password"`).
    case literal([PatternLiteral])
    /// Between `min` and `max` bytes of a class (`[A-Z0-9]{16}`). Repetition is greedy and gives
    /// bytes back only when the rest of the pattern (or a validator) needs it.
    case bytes(ByteSet, min: Int, max: Int)
    /// `\b`: a word byte (`[A-Za-z0-9_]`) on exactly one side.
    case wordBoundary
    /// `<`: the redacted part starts here (the whole match when absent).
    case redactStart
    /// `>`: the redacted part ends here.
    case redactEnd

    /// The bytes this element can start with, or nil when it can match without consuming any.
    var firstBytes: ByteSet? {
        switch self {
        case .literal(let alternatives):
            var set = ByteSet()
            for alternative in alternatives {
                guard !alternative.bytes.isEmpty else { return nil }
                set.formUnion(alternative.firstByteSet(at: 0))
            }
            return set
        case .bytes(let set, let min, _): return min > 0 ? set : nil
        case .wordBoundary, .redactStart, .redactEnd: return nil
        }
    }
}

/// A literal byte string, matched exactly or ignoring ASCII case.
public struct PatternLiteral: Hashable, Sendable {
    /// The bytes; lowercased when `caseInsensitive`.
    public var bytes: [UInt8]
    public var caseInsensitive: Bool

    public init(bytes: [UInt8], caseInsensitive: Bool = false) {
        self.bytes = caseInsensitive ? bytes.map(asciiLowercased) : bytes
        self.caseInsensitive = caseInsensitive
    }

    /// The byte values that match position `index` of the literal.
    func firstByteSet(at index: Int) -> ByteSet {
        let byte = bytes[index]
        guard caseInsensitive else { return ByteSet([byte]) }
        return ByteSet([byte, asciiUppercased(byte)])
    }

    /// Whether the literal is at `position` of `buffer`.
    func matches(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard buffer.count - position >= bytes.count else { return false }
        if caseInsensitive {
            for (offset, byte) in bytes.enumerated() where asciiLowercased(buffer[position + offset]) != byte { return false }
        } else {
            for (offset, byte) in bytes.enumerated() where buffer[position + offset] != byte { return false }
        }
        return true
    }
}

func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
func asciiUppercased(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte & ~0x20 : byte }
