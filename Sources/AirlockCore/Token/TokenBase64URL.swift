/// Base64url without padding (RFC 4648 §5), strict in both directions.
///
/// Strict decoding matters for a credential: every byte string has exactly one text form, so
/// changing any character of a token's text changes its bytes (the unused low bits of the last
/// character must be zero, and padding, whitespace and the `+/` alphabet are rejected).
enum TokenBase64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0...63 for an alphabet byte, 0xFF for anything else.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            guard let b1 else { break }
            out.append(alphabet[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)])
            guard let b2 else { break }
            out.append(alphabet[Int(b2 & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text`; on failure returns the character offset of the first offending character.
    static func decode(_ text: some Collection<UInt8>) -> Result<[UInt8], DecodeFailure> {
        Array(text).withUnsafeBufferPointer { decode($0) }
    }

    /// One pass, no intermediate allocation: the hot path of token parsing.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> Result<[UInt8], DecodeFailure> {
        let count = text.count
        var failure: DecodeFailure? = nil
        var leftover: UInt32 = 0
        let decoded = table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: count / 4 * 3 + 2) { out, initialized in
                var accumulator: UInt32 = 0
                var bits: UInt32 = 0
                initialized = 0
                for offset in 0..<count {
                    let value = table[Int(text[offset])]
                    guard value != 0xFF else {
                        failure = DecodeFailure(offset: offset, reason: "byte 0x\(hex(text[offset])) is not in the base64url alphabet")
                        return
                    }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out[initialized] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        initialized += 1
                        accumulator &= (1 << bits) - 1
                    }
                }
                leftover = accumulator
            }
        }
        if let failure { return .failure(failure) }
        guard count % 4 != 1 else { return .failure(DecodeFailure(offset: count - 1, reason: "the length leaves a lone character")) }
        guard leftover == 0 else {
            return .failure(DecodeFailure(offset: count - 1, reason: "unused bits of the last character are not zero"))
        }
        return .success(decoded)
    }

    struct DecodeFailure: Error {
        var offset: Int
        var reason: String
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
