/// A mistake in a detector pattern: the byte offset in the pattern text and what is wrong.
public struct PatternError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public var description: String { "pattern column \(offset + 1): \(message)" }
}

/// Reads the restricted pattern language of redaction rules files:
///
/// ```
/// \b ("AKIA" | "ASIA") [A-Z0-9]{16} \b
/// i"password" [ \t]{0,3} [:=] [ \t"']{0,3} < [^ \t\r\n"'`,;]{8,128} >
/// ```
///
/// `"…"` is a literal (`i"…"` ignores ASCII case), `( … | … )` chooses among literals, `[…]` is
/// a byte class (ASCII only; `^` negates within ASCII) with an optional repetition `{n}`,
/// `{n,m}`, `{n,}`, `?`, `*` or `+`, `\b` is a word boundary, and `<` `>` bound the part that is
/// redacted. Whitespace between items is ignored. There is no general alternation, grouping or
/// backreference, so every pattern compiles to a linear matcher with a literal or class prefilter.
struct PatternParser {
    /// The largest repetition bound; `*`, `+` and `{n,}` mean at most this many bytes.
    static let maxRepetition = 16384

    private let text: [UInt8]
    private var index = 0

    init(_ text: String) { self.text = Array(text.utf8) }

    static func parse(_ text: String) throws(PatternError) -> [PatternElement] {
        var parser = PatternParser(text)
        let elements = try parser.elements()
        try check(elements)
        return elements
    }

    private mutating func elements() throws(PatternError) -> [PatternElement] {
        var result: [PatternElement] = []
        while true {
            skipSpaces()
            guard let byte = peek else { return result }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "i"): result.append(.literal([try literal()]))
            case UInt8(ascii: "("): result.append(.literal(try alternation()))
            case UInt8(ascii: "["): result.append(try byteClass())
            case UInt8(ascii: "<"): index += 1; result.append(.redactStart)
            case UInt8(ascii: ">"): index += 1; result.append(.redactEnd)
            case UInt8(ascii: "\\"):
                guard text.count > index + 1, text[index + 1] == UInt8(ascii: "b") else {
                    throw error("only `\\b` may stand outside a literal or class")
                }
                index += 2
                result.append(.wordBoundary)
            default: throw error("unexpected `\(Character(Unicode.Scalar(byte)))`")
            }
        }
    }

    /// The whole-pattern rules: it starts (after `\b` and `<`) with a literal or a class that
    /// needs at least one byte, so the scanner has a prefilter; markers appear once and in order.
    private static func check(_ elements: [PatternElement]) throws(PatternError) {
        guard let first = elements.first(where: { $0 != .wordBoundary && $0 != .redactStart }), first.firstBytes != nil else {
            throw PatternError(offset: 0, message: "a pattern must start with a literal or a class of at least one byte")
        }
        let starts = elements.filter { $0 == .redactStart }.count
        let ends = elements.filter { $0 == .redactEnd }.count
        guard starts <= 1, ends <= 1, starts == ends else {
            throw PatternError(offset: 0, message: "`<` and `>` must appear together, once each")
        }
        if starts == 1, let s = elements.firstIndex(of: .redactStart), let e = elements.firstIndex(of: .redactEnd), s > e {
            throw PatternError(offset: 0, message: "`<` must come before `>`")
        }
    }

    private mutating func literal() throws(PatternError) -> PatternLiteral {
        var caseInsensitive = false
        if peek == UInt8(ascii: "i") {
            caseInsensitive = true
            index += 1
        }
        guard peek == UInt8(ascii: "\"") else { throw error("expected `\"` to start a literal") }
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("unterminated literal") }
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            bytes.append(byte == UInt8(ascii: "\\") ? try escaped() : byte)
        }
        guard !bytes.isEmpty else { throw error("empty literal") }
        return PatternLiteral(bytes: bytes, caseInsensitive: caseInsensitive)
    }

    private mutating func alternation() throws(PatternError) -> [PatternLiteral] {
        index += 1
        var alternatives: [PatternLiteral] = []
        while true {
            skipSpaces()
            alternatives.append(try literal())
            skipSpaces()
            guard let byte = peek else { throw error("unterminated `(`") }
            index += 1
            if byte == UInt8(ascii: ")") { return alternatives }
            guard byte == UInt8(ascii: "|") else { throw error("expected `|` or `)` between literals") }
        }
    }

    private mutating func byteClass() throws(PatternError) -> PatternElement {
        index += 1
        var negated = false
        if peek == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var set = ByteSet()
        var previous: UInt8?
        while true {
            guard var byte = peek else { throw error("unterminated class") }
            index += 1
            if byte == UInt8(ascii: "]") { break }
            if byte == UInt8(ascii: "-"), let low = previous, let high = peek, high != UInt8(ascii: "]") {
                index += 1
                let upper = high == UInt8(ascii: "\\") ? try escaped() : high
                guard low <= upper else { throw error("range out of order") }
                for b in low...upper { set.insert(b) }
                previous = nil
                continue
            }
            if byte == UInt8(ascii: "\\") { byte = try escaped() }
            guard byte < 0x80 else { throw error("classes hold ASCII bytes only") }
            set.insert(byte)
            previous = byte
        }
        if negated { set = set.asciiComplement }
        guard !set.isEmpty else { throw error("empty class") }
        let (min, max) = try repetition()
        return .bytes(set, min: min, max: max)
    }

    private mutating func repetition() throws(PatternError) -> (Int, Int) {
        switch peek {
        case UInt8(ascii: "?"): index += 1; return (0, 1)
        case UInt8(ascii: "*"): index += 1; return (0, Self.maxRepetition)
        case UInt8(ascii: "+"): index += 1; return (1, Self.maxRepetition)
        case UInt8(ascii: "{"):
            index += 1
            let min = try number()
            var max = min
            if peek == UInt8(ascii: ",") {
                index += 1
                max = peek == UInt8(ascii: "}") ? Self.maxRepetition : try number()
            }
            guard peek == UInt8(ascii: "}") else { throw error("expected `}`") }
            index += 1
            guard min <= max, max >= 1, max <= Self.maxRepetition else {
                throw error("repetition {\(min),\(max)} must satisfy min ≤ max, 1 ≤ max ≤ \(Self.maxRepetition)")
            }
            return (min, max)
        default: return (1, 1)
        }
    }

    private mutating func number() throws(PatternError) -> Int {
        var value = 0
        var digits = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39, digits < 6 {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw error("expected a number") }
        return value
    }

    /// The byte after a backslash: `\n`, `\t`, `\r`, `\xHH`, or the next byte itself.
    private mutating func escaped() throws(PatternError) -> UInt8 {
        guard let byte = peek else { throw error("`\\` at the end") }
        index += 1
        switch byte {
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "x"):
            guard text.count >= index + 2, let value = UInt8(String(decoding: text[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw error("`\\x` needs two hex digits")
            }
            index += 2
            return value
        default: return byte
        }
    }

    private var peek: UInt8? { index < text.count ? text[index] : nil }

    private mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A { index += 1 }
    }

    private func error(_ message: String) -> PatternError { PatternError(offset: index, message: message) }
}
