/// The first stage of the channel, one pass over the raw bytes: checks UTF-8 (replacing invalid
/// sequences with U+FFFD, or stopping at the first one), and removes what a terminal or a
/// renderer would interpret instead of show — so an escape sequence can neither hide text, set a
/// window title, plant a hyperlink, nor split a secret in two before the detectors run.
///
/// Removed: CSI (`ESC [` …, colours and cursor moves), OSC (`ESC ]` … BEL or ST: titles `0;` `2;`,
/// hyperlinks `8;`), DCS, SOS, PM and APC strings, other two- and three-byte escapes, a lone ESC,
/// every C0 control but `\n` and `\t` (so `\r` too), DEL, and C1 controls U+0080–U+009F (their
/// CSI/OSC/DCS forms with their parameters).
enum TerminalSanitizer {
    static func clean(_ input: UnsafeBufferPointer<UInt8>, rejectInvalidUTF8: Bool) -> CleanText {
        var state = SanitizerPass(input: input, rejectInvalidUTF8: rejectInvalidUTF8)
        state.run()
        return state.result
    }
}

private struct SanitizerPass {
    let input: UnsafeBufferPointer<UInt8>
    let rejectInvalidUTF8: Bool
    var result = CleanText()
    /// Start of the run of bytes copied unchanged, not yet appended.
    var runStart = 0
    var index = 0

    init(input: UnsafeBufferPointer<UInt8>, rejectInvalidUTF8: Bool) {
        self.input = input
        self.rejectInvalidUTF8 = rejectInvalidUTF8
        result.bytes = HugePages.bytes(capacity: input.count)
    }

    mutating func run() {
        let count = input.count
        while index < count {
            index = Self.skipPrintableASCII(input, from: index)
            guard index < count else { break }
            let byte = input[index]
            if byte >= 0x20 && byte < 0x7F || byte == 0x0A || byte == 0x09 {
                index += 1
                continue
            }
            if byte >= 0x80 {
                guard handleNonASCII() else { return }
                continue
            }
            // ESC, another C0 control, or DEL.
            let start = index
            if byte == 0x1B {
                let (end, detector) = escapeSequence(at: index)
                remove(start..<end, detector)
            } else {
                remove(start..<start + 1, "control")
            }
        }
        flush()
    }

    /// The first index at or after `start` that is not printable ASCII (0x20–0x7E), eight bytes
    /// at a time: the common case of plain text costs a few instructions per word.
    static func skipPrintableASCII(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = input.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= input.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            // A byte below 0x20, or above 0x7E (0x7F plus 1 sets its high bit), or with its high bit set.
            let below = (word &- ones &* 0x20) & ~word & highs
            let above = ((word &+ ones &* 1) | word) & highs
            guard below | above == 0 else { break }
            index += 8
        }
        while index < input.count, input[index] >= 0x20, input[index] < 0x7F { index += 1 }
        return index
    }

    /// A UTF-8 sequence: kept, removed (a C1 control), or invalid. False when the pass stops.
    private mutating func handleNonASCII() -> Bool {
        let length = validSequenceLength(at: index)
        if length > 0 {
            if length == 2, input[index] == 0xC2, input[index + 1] <= 0x9F {
                let (end, detector) = c1Sequence(at: index)
                remove(index..<end, detector)
            } else {
                index += length
            }
            return true
        }
        let invalid = index..<index + invalidSubpartLength(at: index)
        if rejectInvalidUTF8 {
            result.firstInvalidByte = invalid.lowerBound
            flush()
            return false
        }
        flush(upTo: invalid.lowerBound)
        result.map.replace(derived: result.bytes.count, source: invalid)
        result.bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
        result.record("invalid_utf8", invalid, replaced: true)
        index = invalid.upperBound
        runStart = index
        result.map.copy(derived: result.bytes.count, source: index)
        return true
    }

    private mutating func remove(_ range: Range<Int>, _ detector: String) {
        flush(upTo: range.lowerBound)
        switch detector {
        case "csi", "escape", "control", "c1_control": result.tally(detector, range)
        default: result.record(detector, range)
        }
        index = range.upperBound
        runStart = index
        result.map.copy(derived: result.bytes.count, source: index)
    }

    private mutating func flush(upTo end: Int? = nil) {
        let end = end ?? index
        guard end > runStart, let base = input.baseAddress else { return }
        result.bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart))
        runStart = end
    }

    // MARK: Escape sequences

    /// The end of the escape sequence at `start` (an ESC) and its kind.
    private func escapeSequence(at start: Int) -> (Int, String) {
        guard start + 1 < input.count else { return (start + 1, "escape") }
        let next = input[start + 1]
        switch next {
        case UInt8(ascii: "["): return (controlSequenceEnd(from: start + 2), "csi")
        case UInt8(ascii: "]"): return (stringEnd(from: start + 2), oscKind(from: start + 2))
        case UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_"):
            return (stringEnd(from: start + 2), "control_string")
        case 0x20...0x2F:
            var end = start + 1
            while end < input.count, (0x20...0x2F).contains(input[end]) { end += 1 }
            if end < input.count, (0x30...0x7E).contains(input[end]) { end += 1 }
            return (end, "escape")
        case 0x30...0x7E: return (start + 2, "escape")
        default: return (start + 1, "escape")
        }
    }

    /// A C1 control in its UTF-8 form (C2 80–C2 9F); CSI, OSC and the string introducers take
    /// their parameters with them.
    private func c1Sequence(at start: Int) -> (Int, String) {
        switch input[start + 1] {
        case 0x9B: return (controlSequenceEnd(from: start + 2), "csi")
        case 0x9D: return (stringEnd(from: start + 2), oscKind(from: start + 2))
        case 0x90, 0x98, 0x9E, 0x9F: return (stringEnd(from: start + 2), "control_string")
        default: return (start + 2, "c1_control")
        }
    }

    /// Parameters 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E. A byte outside
    /// those ends a malformed sequence without being consumed.
    private func controlSequenceEnd(from start: Int) -> Int {
        var end = start
        while end < input.count, (0x30...0x3F).contains(input[end]) { end += 1 }
        while end < input.count, (0x20...0x2F).contains(input[end]) { end += 1 }
        if end < input.count, (0x40...0x7E).contains(input[end]) { end += 1 }
        return end
    }

    /// A control string runs to BEL, ST (`ESC \` or U+009C) or the end of the output, as a
    /// terminal would read it.
    private func stringEnd(from start: Int) -> Int {
        var end = start
        while end < input.count {
            let byte = input[end]
            if byte == 0x07 { return end + 1 }
            if byte == 0x1B, end + 1 < input.count, input[end + 1] == UInt8(ascii: "\\") { return end + 2 }
            if byte == 0xC2, end + 1 < input.count, input[end + 1] == 0x9C { return end + 2 }
            end += 1
        }
        return end
    }

    /// `osc_title` (0, 1, 2), `osc_hyperlink` (8), or `osc`.
    private func oscKind(from start: Int) -> String {
        guard start + 1 < input.count, input[start + 1] == UInt8(ascii: ";") else { return "osc" }
        switch input[start] {
        case UInt8(ascii: "0"), UInt8(ascii: "1"), UInt8(ascii: "2"): return "osc_title"
        case UInt8(ascii: "8"): return "osc_hyperlink"
        default: return "osc"
        }
    }

    // MARK: UTF-8

    /// A lead byte's sequence length and the range its second byte must fall in (UTF-8 as
    /// RFC 3629 restricts it: no overlongs, no surrogates, nothing above U+10FFFF).
    private static func shape(_ lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return nil
        }
    }

    /// The length of the valid sequence at `start`, or 0.
    private func validSequenceLength(at start: Int) -> Int {
        guard let shape = Self.shape(input[start]), start + shape.length <= input.count else { return 0 }
        return prefixLength(at: start, shape) == shape.length ? shape.length : 0
    }

    /// The maximal invalid subpart at `start` (what one U+FFFD replaces, as the WHATWG decoder
    /// and Swift's `String(decoding:)` count): a lead byte and the continuation bytes that could
    /// still have completed it, at least one byte.
    private func invalidSubpartLength(at start: Int) -> Int {
        guard let shape = Self.shape(input[start]) else { return 1 }
        return prefixLength(at: start, shape)
    }

    /// How many bytes from `start` fit the sequence's shape (at most its length).
    private func prefixLength(at start: Int, _ shape: (length: Int, low: UInt8, high: UInt8)) -> Int {
        var consumed = 1
        while consumed < shape.length, start + consumed < input.count {
            let byte = input[start + consumed]
            let fits = consumed == 1 ? (byte >= shape.low && byte <= shape.high) : (byte & 0xC0 == 0x80)
            guard fits else { break }
            consumed += 1
        }
        return consumed
    }
}
