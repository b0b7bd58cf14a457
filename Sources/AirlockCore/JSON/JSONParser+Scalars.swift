/// Strings, numbers and UTF-8 validation for `JSONReader`.
extension JSONReader {
    // MARK: Strings

    /// Reads a string starting at its opening quote. Runs without escapes are scanned eight
    /// bytes at a time and validated as UTF-8 in one go; a string with escapes is built run by
    /// run. With `keep` false the string is checked but not built, and `""` is returned.
    mutating func parseString(keep: Bool) throws(JSONParseError) -> String {
        let start = index + 1
        var seen: UInt64 = 0
        let stop = scanRun(from: start, seen: &seen)
        guard stop < end else {
            index = stop
            throw fail(.unexpectedEnd, "unexpected end of input inside a string", at: index)
        }
        switch buffer[stop] {
        case ASCII.quote:
            index = stop + 1
            let bytes = UnsafeBufferPointer(rebasing: buffer[start..<stop])
            return try makeString(bytes, ascii: seen & Self.highBits == 0, at: start, keep: keep)
        case ASCII.backslash:
            index = start
            return try parseEscapedString(keep: keep)
        default:
            index = stop
            throw controlCharacterInString()
        }
    }

    private mutating func parseEscapedString(keep: Bool) throws(JSONParseError) -> String {
        var bytes: [UInt8] = []
        while true {
            var seen: UInt64 = 0
            let runStart = index
            let stop = scanRun(from: runStart, seen: &seen)
            if seen & Self.highBits != 0 { try validateUTF8(runStart..<stop) }
            if keep { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<stop])) }
            index = stop
            guard stop < end else { throw fail(.unexpectedEnd, "unexpected end of input inside a string", at: index) }
            switch buffer[stop] {
            case ASCII.quote:
                index += 1
                return keep ? String(decoding: bytes, as: UTF8.self) : ""
            case ASCII.backslash:
                try appendEscape(to: &bytes)
            default:
                throw controlCharacterInString()
            }
        }
    }

    private static var highBits: UInt64 { 0x8080_8080_8080_8080 }

    /// The index of the first quote, backslash or control character at or after `start` (or
    /// `end`). Every byte passed over is OR-ed into `seen`, so the caller knows whether any was
    /// non-ASCII.
    private func scanRun(from start: Int, seen: inout UInt64) -> Int {
        let base = buffer.baseAddress!
        var i = start
        while i &+ 8 <= end {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if Self.needsAttention(word) { break }
            seen |= word
            i &+= 8
        }
        while i < end {
            let byte = base[i]
            if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { return i }
            seen |= UInt64(byte)
            i &+= 1
        }
        return i
    }

    /// Whether any of eight bytes is a quote, a backslash or below 0x20 (bytes of 0x80 and above
    /// pass: they are validated as UTF-8 separately). May report a false positive, never a false
    /// negative.
    private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let control = (word &- ones &* 0x20) & ~word & highBits
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highBits
        let backslashes = (backslash &- ones) & ~backslash & highBits
        return control | quotes | backslashes != 0
    }

    /// The string for a run of bytes without escapes. Non-ASCII runs are validated by the
    /// standard library's fast validator; the bad byte is located only when that fails.
    private func makeString(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool, at start: Int, keep: Bool) throws(JSONParseError) -> String {
        if ascii { return keep ? String(decoding: bytes, as: UTF8.self) : "" }
        if let text = String(validating: bytes, as: UTF8.self) { return keep ? text : "" }
        try validateUTF8(start..<start + bytes.count)
        return String(decoding: bytes, as: UTF8.self)  // not reached: the two validators agree
    }

    /// Throws at the first byte of `range` that does not start a well-formed UTF-8 sequence.
    private func validateUTF8(_ range: Range<Int>) throws(JSONParseError) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            if buffer[offset] < 0x80 {
                offset += 1
                continue
            }
            guard let length = utf8SequenceLength(at: offset) else {
                throw fail(.invalidUTF8, "invalid UTF-8 (byte 0x\(String(buffer[offset], radix: 16, uppercase: true)))", at: offset)
            }
            offset += length
        }
    }

    private mutating func appendEscape(to bytes: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input inside an escape", at: index) }
        let letter = buffer[index]
        index += 1
        switch letter {
        case ASCII.quote, ASCII.backslash, UInt8(ascii: "/"): bytes.append(letter)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try unicodeEscape(startingAt: escapeStart)
            appendUTF8(scalar, to: &bytes)
        default:
            throw fail(.invalidEscape, "invalid escape `\\\(describeEscapeLetter(letter))`", at: escapeStart)
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`. A lone surrogate has no UTF-8 form and two
    /// readers would turn it into different strings, so it is refused.
    private mutating func unicodeEscape(startingAt escapeStart: Int) throws(JSONParseError) -> UInt32 {
        let first = try hexQuad()
        if (0xDC00...0xDFFF).contains(first) {
            throw fail(.loneSurrogate, "lone low surrogate \\u\(hex4(first))", at: escapeStart)
        }
        guard (0xD800...0xDBFF).contains(first) else { return first }
        guard end - index >= 2, buffer[index] == ASCII.backslash, buffer[index + 1] == UInt8(ascii: "u") else {
            throw fail(.loneSurrogate, "lone high surrogate \\u\(hex4(first)) (not followed by a low surrogate)", at: escapeStart)
        }
        let secondStart = index
        index += 2
        let second = try hexQuad()
        guard (0xDC00...0xDFFF).contains(second) else {
            throw fail(.loneSurrogate, "high surrogate \\u\(hex4(first)) followed by \\u\(hex4(second)), not a low surrogate", at: secondStart)
        }
        return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input inside \\u escape", at: index) }
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail(.invalidEscape, "\\u must be followed by four hex digits, found \(describeByte(at: index))", at: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func describeEscapeLetter(_ letter: UInt8) -> String {
        letter >= 0x21 && letter < 0x7F ? String(Character(Unicode.Scalar(letter))) : "0x" + String(letter, radix: 16)
    }

    private func controlCharacterInString() -> JSONParseError {
        fail(.controlCharacter, "\(describeByte(at: index)) must be escaped inside a string", at: index)
    }

    // MARK: UTF-8

    /// Strict UTF-8 per Unicode table 3-7: no overlong forms, no surrogates, nothing past
    /// U+10FFFF. `nil` when the bytes at `offset` are not one well-formed sequence.
    func utf8SequenceLength(at offset: Int) -> Int? {
        let lead = buffer[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard end - offset >= length else { return nil }
        let second = buffer[offset + 1]
        guard second >= low && second <= high else { return nil }
        for k in 2..<length where buffer[offset + k] & 0xC0 != 0x80 { return nil }
        return length
    }

    // MARK: Numbers

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, nothing more.
    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = buffer[index] == ASCII.minus
        if negative { index += 1 }
        let (accumulated, overflow) = try integerPart(numberStart: start)
        var isInteger = true
        if index < end, buffer[index] == ASCII.dot {
            isInteger = false
            index += 1
            try digits(after: "'.'")
        }
        if index < end, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < end, buffer[index] == ASCII.plus || buffer[index] == ASCII.minus { index += 1 }
            try digits(after: "the exponent")
        }
        if isInteger, !overflow {
            if negative { return .integer(accumulated) }
            if accumulated != .min { return .integer(-accumulated) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw fail(.numberOutOfRange, "number \(text) is too large", at: start)
        }
        return .number(double)
    }

    /// The digits before any fraction, accumulated as a negative number so that `Int64.min`
    /// fits; `overflow` when they do not fit at all.
    private mutating func integerPart(numberStart: Int) throws(JSONParseError) -> (value: Int64, overflow: Bool) {
        guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a digit", at: index) }
        if buffer[index] == ASCII.zero {
            index += 1
            if index < end, isDigit(buffer[index]) {
                throw fail(.leadingZero, "a number must not have a leading zero", at: numberStart)
            }
            return (0, false)
        }
        guard isDigit(buffer[index]) else {
            throw fail(.invalidNumber, "expected a digit after '-', found \(describeByte(at: index))", at: index)
        }
        var accumulated: Int64 = 0
        var overflow = false
        while index < end, isDigit(buffer[index]) {
            if !overflow {
                let (times10, o1) = accumulated.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(Int64(buffer[index] - ASCII.zero))
                if o1 || o2 { overflow = true } else { accumulated = next }
            }
            index += 1
        }
        return (accumulated, overflow)
    }

    private mutating func digits(after what: String) throws(JSONParseError) {
        guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a digit after \(what)", at: index) }
        guard isDigit(buffer[index]) else {
            throw fail(.invalidNumber, "expected a digit after \(what), found \(describeByte(at: index))", at: index)
        }
        while index < end, isDigit(buffer[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= ASCII.zero && byte <= ASCII.nine }
}

/// Appends the UTF-8 encoding of a scalar value already known to be valid (not a surrogate).
func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | scalar >> 6))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | scalar >> 12))
        bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    default:
        bytes.append(UInt8(0xF0 | scalar >> 18))
        bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    }
}
