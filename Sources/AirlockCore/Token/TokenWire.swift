/// Low-level pieces of the binary token format (see `docs/tokens.md`): integers are big-endian,
/// every variable-length field carries its length, and every text field is checked the same way
/// when written (`invalid_caveat`) and when read (`malformed`).
enum TokenWire {
    static let version: UInt8 = 1
    static let textPrefix = "alk1."
    static let signatureLength = 32
    /// Largest decoded token. Tokens travel in headers and on command lines; a cap keeps a
    /// hostile token from costing the broker more than a few microseconds.
    static let maxBinaryLength = 6144
    static let maxTextLength = textPrefix.utf8.count + (maxBinaryLength * 4 + 2) / 3

    enum Kind: UInt8 {
        case tools = 1, expires, notBefore, maxCalls, argument, limits, derived
    }

    enum ArgumentOperator: UInt8 {
        case pathUnder = 1, oneOf
    }

    enum ValueType: UInt8 {
        case string = 1, integer, bool
    }

    /// `[A-Za-z0-9._-]`, for tool and argument names.
    static func isName(_ bytes: some Collection<UInt8>, maxLength: Int = 64, allowDot: Bool = true) -> Bool {
        guard (1...maxLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            case UInt8(ascii: "."): return allowDot
            default: return false
            }
        }
    }

    /// Key ids: `[A-Za-z0-9_-]`, 1 to 32 characters (they become file names).
    static func isKeyID(_ bytes: some Collection<UInt8>) -> Bool {
        isName(bytes, maxLength: 32, allowDot: false)
    }

    /// Task ids and policy names: 1 to 255 bytes without control characters, so that `inspect`
    /// and log lines print them safely. (The parser also requires valid UTF-8.)
    static func isLabel(_ bytes: some Collection<UInt8>) -> Bool {
        (1...255).contains(bytes.count) && !bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }
}

/// Appends big-endian fields to a byte buffer.
struct TokenWireWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func raw(_ v: some Sequence<UInt8>) { bytes.append(contentsOf: v) }

    /// A field with a one-byte length; the caller has checked that it fits.
    mutating func short(_ v: some Collection<UInt8>) {
        u8(UInt8(v.count))
        raw(v)
    }

    /// A field with a two-byte length; the caller has checked that it fits.
    mutating func long(_ v: some Collection<UInt8>) {
        u16(UInt16(v.count))
        raw(v)
    }
}

/// Reads big-endian fields from `bytes[offset..<end]`, throwing `malformed` with the field name
/// and the absolute byte offset where a field does not fit. Field names are autoclosures: they
/// are only built when an error is reported, so the hot path does not allocate strings.
struct TokenWireReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    func fail(_ field: @autoclosure () -> String, _ reason: @autoclosure () -> String, at position: Int? = nil) -> TokenError {
        .malformed(field: field(), offset: position ?? offset, reason: reason())
    }

    mutating func take(_ count: Int, _ field: @autoclosure () -> String) throws(TokenError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw fail(field(), "needs \(count) bytes, only \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u8(_ field: @autoclosure () -> String) throws(TokenError) -> UInt8 {
        guard remaining >= 1 else { throw fail(field(), "needs 1 byte, none left") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ field: @autoclosure () -> String) throws(TokenError) -> UInt16 {
        let s = try take(2, field())
        return UInt16(s[s.startIndex]) << 8 | UInt16(s[s.startIndex + 1])
    }

    mutating func u64(_ field: @autoclosure () -> String) throws(TokenError) -> UInt64 {
        try take(8, field()).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A one-byte length, then that many bytes.
    mutating func short(_ field: @autoclosure () -> String) throws(TokenError) -> ArraySlice<UInt8> {
        let count = try u8(field() + " length")
        return try take(Int(count), field())
    }

    /// A two-byte length, then that many bytes.
    mutating func long(_ field: @autoclosure () -> String) throws(TokenError) -> ArraySlice<UInt8> {
        let count = try u16(field() + " length")
        return try take(Int(count), field())
    }

    /// Fails unless every byte up to `end` was read.
    func finish(_ field: @autoclosure () -> String) throws(TokenError) {
        guard isAtEnd else { throw fail(field(), "\(remaining) unexpected trailing bytes") }
    }
}
