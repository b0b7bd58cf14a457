/// A strict RFC 8259 JSON parser over bytes.
///
/// Strict, because a parser that accepts more than the standard is a parser differential: if the
/// broker and a tool (or an auditor's verifier) read one document differently, an attacker picks
/// the reading. So it refuses duplicate object keys, invalid UTF-8, lone surrogates in `\u`
/// escapes, leading zeros, trailing commas, a byte order mark and anything after the value.
/// Nesting is bounded (256 levels by default) so a depth bomb cannot exhaust the stack.
///
/// It walks bytes, never `Character`s, because it also validates large tool outputs on the hot
/// path. Integers that fit in `Int64` become `.integer`; every other number becomes `.number`,
/// and a number too large for a `Double` is refused rather than turned into infinity.
///
/// Object keys are Swift `String`s, which compare by canonical equivalence: two keys that differ
/// only in Unicode normalisation (`"é"` precomposed and decomposed) count as duplicates and the
/// document is refused. Refusing is the safe side of that difference.
public enum JSONParser {
    public static let defaultMaxDepth = 256

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(buffer.assumingMemoryBound(to: UInt8.self), maxDepth: maxDepth)
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(buffer: buffer, start: 0, end: buffer.count, maxDepth: maxDepth)
        return try reader.parseDocument()
    }

    /// Checks that `bytes` is one JSON document exactly as `parse` would, without building the
    /// value: the same grammar, the same errors at the same places, several times faster on
    /// documents made of many small objects. For tool output that only has to be JSON.
    public static func validate(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try validate(buffer, maxDepth: maxDepth) }
        }
        try result.get()
    }

    public static func validate(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) {
        var reader = JSONReader(buffer: buffer, start: 0, end: buffer.count, maxDepth: maxDepth, buildsValues: false)
        _ = try reader.parseDocument()
    }
}

/// The cursor of one parse. `buffer` is the whole input (so errors get absolute positions, which
/// JSON Lines needs); only `start..<end` is read. With `buildsValues` false every check still
/// runs (duplicate keys included) but strings, arrays and objects are not built: the value
/// returned is then meaningless.
struct JSONReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    let buildsValues: Bool
    var index: Int
    var depth = 0
    /// Without values, the keys of the objects being read, innermost last: small objects are
    /// checked for duplicates by comparison, which is cheaper than hashing.
    var keyStack: [String] = []

    init(buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int, maxDepth: Int, buildsValues: Bool = true) {
        self.buffer = buffer
        self.index = start
        self.end = end
        self.maxDepth = maxDepth
        self.buildsValues = buildsValues
    }

    /// One value, surrounded only by whitespace.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if end - index >= 3, buffer[index] == 0xEF, buffer[index + 1] == 0xBB, buffer[index + 2] == 0xBF {
            throw fail(.byteOrderMark, "a byte order mark is not allowed", at: index)
        }
        let value = try parseValue()
        skipWhitespace()
        if index < end {
            throw fail(.trailingData, "unexpected \(describeByte(at: index)) after the end of the value", at: index)
        }
        return value
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a value", at: index) }
        switch buffer[index] {
        case ASCII.openBrace: return try parseObject()
        case ASCII.openBracket: return try parseArray()
        case ASCII.quote:
            let text = try parseString(keep: buildsValues)
            return buildsValues ? .string(text) : .null
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine:
            return try parseNumber()
        default:
            throw unexpected(at: index, expected: "a value")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var object: [String: JSONValue] = [:]
        var seenKeys = KeyTracker(stackStart: keyStack.count)
        skipWhitespace()
        if index < end, buffer[index] == ASCII.closeBrace {
            index += 1
            depth -= 1
            return .object(object)
        }
        defer { keyStack.removeSubrange(seenKeys.stackStart...) }
        while true {
            skipWhitespace()
            guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a string key", at: index) }
            guard buffer[index] == ASCII.quote else {
                if buffer[index] == ASCII.closeBrace, !object.isEmpty || seenKeys.count > 0 {
                    throw fail(.trailingComma, "trailing comma before '}'", at: index)
                }
                throw unexpected(at: index, expected: "a string key")
            }
            try parseMember(into: &object, keys: &seenKeys)
            skipWhitespace()
            guard index < end else { throw unexpectedOrEnd(expected: "',' or '}'") }
            if buffer[index] == ASCII.comma {
                index += 1
            } else if buffer[index] == ASCII.closeBrace {
                index += 1
                depth -= 1
                return .object(object)
            } else {
                throw unexpected(at: index, expected: "',' or '}'")
            }
        }
    }

    /// `"key": value`, added to `object` (or only checked against `keys` when values are not
    /// built). A key seen before in the same object is refused at its second occurrence.
    private mutating func parseMember(into object: inout [String: JSONValue], keys: inout KeyTracker) throws(JSONParseError) {
        let keyOffset = index
        let key = try parseString(keep: true)
        skipWhitespace()
        guard index < end, buffer[index] == ASCII.colon else { throw unexpectedOrEnd(expected: "':'") }
        index += 1
        let value = try parseValue()
        let isNew = buildsValues ? object.updateValue(value, forKey: key) == nil : keys.insert(key, stack: &keyStack)
        if !isNew {
            throw fail(.duplicateKey, "duplicate key \(quoted(key))", at: keyOffset)
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var array: [JSONValue] = []
        var count = 0
        skipWhitespace()
        if index < end, buffer[index] == ASCII.closeBracket {
            index += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            if index < end, buffer[index] == ASCII.closeBracket, count > 0 {
                throw fail(.trailingComma, "trailing comma before ']'", at: index)
            }
            let value = try parseValue()
            if buildsValues { array.append(value) }
            count += 1
            skipWhitespace()
            guard index < end else { throw unexpectedOrEnd(expected: "',' or ']'") }
            if buffer[index] == ASCII.comma {
                index += 1
            } else if buffer[index] == ASCII.closeBracket {
                index += 1
                depth -= 1
                return .array(array)
            } else {
                throw unexpected(at: index, expected: "',' or ']'")
            }
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail(.tooDeep, "nesting deeper than \(maxDepth) levels", at: index)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in bytes {
            guard index < end else { throw fail(.unexpectedEnd, "unexpected end of input in `\(literal)`", at: index) }
            guard buffer[index] == expected else { throw unexpected(at: index, expected: "`\(literal)`") }
            index += 1
        }
    }

    mutating func skipWhitespace() {
        while index < end {
            switch buffer[index] {
            case ASCII.space, ASCII.tab, ASCII.newline, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }

    // MARK: Errors

    func fail(_ kind: JSONParseError.Kind, _ message: String, at offset: Int) -> JSONParseError {
        JSONParseError.at(offset, in: buffer, kind, message)
    }

    func unexpected(at offset: Int, expected: String) -> JSONParseError {
        fail(.unexpectedCharacter, "unexpected \(describeByte(at: offset)), expected \(expected)", at: offset)
    }

    func unexpectedOrEnd(expected: String) -> JSONParseError {
        guard index < end else { return fail(.unexpectedEnd, "unexpected end of input, expected \(expected)", at: index) }
        return unexpected(at: index, expected: expected)
    }

    /// `character '}'`, `character 'é'`, `control character U+0007`, `byte 0xFF`.
    func describeByte(at offset: Int) -> String {
        let byte = buffer[offset]
        if byte < 0x20 || byte == 0x7F { return "control character U+\(hex4(UInt32(byte)))" }
        if byte < 0x80 { return "character '\(Character(Unicode.Scalar(byte)))'" }
        if let length = utf8SequenceLength(at: offset) {
            let scalarBytes = UnsafeBufferPointer(rebasing: buffer[offset..<offset + length])
            return "character '\(String(decoding: scalarBytes, as: UTF8.self))'"
        }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

/// Duplicate-key detection when no dictionary is built: a linear scan of the object's keys on the
/// reader's key stack while the object is small, a set once it is not.
struct KeyTracker {
    let stackStart: Int
    var count = 0
    var set: Set<String>?

    static let linearLimit = 16

    mutating func insert(_ key: String, stack: inout [String]) -> Bool {
        count += 1
        if set != nil { return set!.insert(key).inserted }
        if stack[stackStart...].contains(key) { return false }
        stack.append(key)
        if count > Self.linearLimit { set = Set(stack[stackStart...]) }
        return true
    }
}

/// `"key"` for messages, with quotes, backslashes and control characters escaped, so text from a
/// document or a model cannot forge the message around it or carry terminal escapes.
func quoted(_ key: String) -> String {
    var result = "\""
    for scalar in key.unicodeScalars {
        switch scalar.value {
        case 0x22: result += "\\\""
        case 0x5C: result += "\\\\"
        case 0..<0x20, 0x7F...0x9F: result += "\\u" + hex4(scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// Byte constants. Computed, not stored: a stored `static let` is a lazily initialised global,
/// and reading one costs a call on every byte of the hot loops.
enum ASCII {
    static var openBrace: UInt8 { 0x7B }
    static var closeBrace: UInt8 { 0x7D }
    static var openBracket: UInt8 { 0x5B }
    static var closeBracket: UInt8 { 0x5D }
    static var quote: UInt8 { 0x22 }
    static var backslash: UInt8 { 0x5C }
    static var colon: UInt8 { 0x3A }
    static var comma: UInt8 { 0x2C }
    static var minus: UInt8 { 0x2D }
    static var plus: UInt8 { 0x2B }
    static var dot: UInt8 { 0x2E }
    static var zero: UInt8 { 0x30 }
    static var one: UInt8 { 0x31 }
    static var nine: UInt8 { 0x39 }
    static var space: UInt8 { 0x20 }
    static var tab: UInt8 { 0x09 }
    static var newline: UInt8 { 0x0A }
    static var carriageReturn: UInt8 { 0x0D }
}
