/// Writes `JSONValue`s as JSON text.
///
/// Deterministic, so that digests of serialised values are stable: object keys are sorted by
/// their UTF-8 bytes (not by Swift's locale-free but normalisation-aware `String` order), numbers
/// have one spelling, and nothing depends on dictionary order. Every control character
/// (U+0000–U+001F, U+007F, U+0080–U+009F) is escaped, so serialised output can be shown in a
/// terminal or a log without carrying escape sequences.
///
/// A non-finite `.number` (which the parser never produces) is written as `null`, as JavaScript's
/// `JSON.stringify` does, so serialising never fails.
public enum JSONSerializer {
    /// Compact (no whitespace) or indented by two spaces with `"key": value`.
    public static func serialize(_ value: JSONValue, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(value, level: 0)
        return writer.output
    }

    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        String(decoding: serialize(value, pretty: pretty), as: UTF8.self)
    }

    /// A compact object whose first members are `leading`, in the order given, followed by the
    /// members of `rest` in the usual byte order of their keys. For records a person reads from
    /// the left (the execution log puts `seq`, `time`, `prev` and `kind` first). The caller keeps
    /// the keys of `leading` and `rest` apart; the output is still deterministic.
    public static func serializeObject(leading: [(String, JSONValue)], rest: [String: JSONValue]) -> [UInt8] {
        var writer = JSONWriter(pretty: false)
        writer.writeMembers(leading.map { (key: $0.0, value: $0.1) } + rest.sorted { utf8BytesPrecede($0.key, $1.key) }, level: 0)
        return writer.output
    }
}

extension JSONValue {
    /// The compact, key-sorted JSON text of this value.
    public var jsonText: String { JSONSerializer.string(self) }
}

struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue, level: Int) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .integer(let i): writeInteger(i)
        case .number(let d): append(d.isFinite ? numberText(d) : "null")
        case .string(let s): writeString(s)
        case .array(let items): writeArray(items, level: level)
        case .object(let object): writeObject(object, level: level)
        }
    }

    private mutating func writeArray(_ items: [JSONValue], level: Int) {
        guard !items.isEmpty else { return append("[]") }
        output.append(ASCII.openBracket)
        for (n, item) in items.enumerated() {
            if n > 0 { output.append(ASCII.comma) }
            newline(level + 1)
            write(item, level: level + 1)
        }
        newline(level)
        output.append(ASCII.closeBracket)
    }

    private mutating func writeObject(_ object: [String: JSONValue], level: Int) {
        writeMembers(object.sorted { utf8BytesPrecede($0.key, $1.key) }, level: level)
    }

    /// `{"key":value,…}` with the members in the order given.
    mutating func writeMembers(_ members: [(key: String, value: JSONValue)], level: Int) {
        guard !members.isEmpty else { return append("{}") }
        output.append(ASCII.openBrace)
        for (n, member) in members.enumerated() {
            if n > 0 { output.append(ASCII.comma) }
            newline(level + 1)
            writeString(member.key)
            output.append(ASCII.colon)
            if pretty { output.append(ASCII.space) }
            write(member.value, level: level + 1)
        }
        newline(level)
        output.append(ASCII.closeBrace)
    }

    /// Decimal digits without building a `String`.
    private mutating func writeInteger(_ value: Int64) {
        if value < 0 { output.append(ASCII.minus) }
        var magnitude = value.magnitude
        let start = output.count
        repeat {
            output.append(ASCII.zero + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[start...].reverse()
    }

    private mutating func newline(_ level: Int) {
        guard pretty else { return }
        output.append(ASCII.newline)
        output.append(contentsOf: repeatElement(ASCII.space, count: 2 * level))
    }

    /// Copies runs that need no escaping in one go.
    mutating func writeString(_ string: String) {
        output.append(ASCII.quote)
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                var length = 0
                if byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash || byte == 0x7F {
                    length = 1
                } else if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] >= 0x80, bytes[index + 1] <= 0x9F {
                    length = 2  // a C1 control character, U+0080–U+009F
                }
                guard length > 0 else {
                    index += 1
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                let scalar = length == 1 ? UInt32(byte) : UInt32(bytes[index + 1])
                writeEscape(scalar)
                index += length
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(ASCII.quote)
    }

    private mutating func writeEscape(_ scalar: UInt32) {
        switch scalar {
        case 0x22: append("\\\"")
        case 0x5C: append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default: append("\\u" + hex4(scalar).lowercased())
        }
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}

/// Byte-wise order of UTF-8, the order of object keys in serialised JSON: it is what other
/// languages' byte comparisons give, unlike `String`'s normalisation-aware `<`.
private func utf8BytesPrecede(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.lexicographicallyPrecedes(y) } }
}

/// The shortest text that reads back as the same `Double`; always valid JSON (`1e-05`, `0.5`,
/// `100.0`, `1e+16`).
func numberText(_ value: Double) -> String {
    value.description
}
