import Crypto

/// SHA-256 and lowercase hex, as every digest in the log is written.
public enum LogDigest {
    /// 64 zeros: the `prev` of the very first record.
    public static let zero = String(repeating: "0", count: 64)

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Lowercase hex SHA-256 of a buffer, as ASCII bytes (the form `prev` fields are compared in).
    static func sha256HexBytes(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        hexBytes(SHA256.hash(data: bytes))
    }

    /// Lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: hexBytes(bytes), as: UTF8.self)
    }

    static func hexBytes(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return out
    }

    /// Bytes of lowercase or uppercase hex text; nil for anything else.
    public static func bytes(hex text: String) -> [UInt8]? {
        let b = Array(text.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        for i in stride(from: 0, to: b.count, by: 2) {
            guard let high = nibble(b[i]), let low = nibble(b[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
