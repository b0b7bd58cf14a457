import Testing
@testable import AirlockCore

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775807", .integer(.max)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808.0)),
        ("1.5", .number(1.5)),
        ("-0.25e2", .number(-25)),
        ("1E+2", .number(100)),
        ("1e-2", .number(0.01)),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
        ("\"\\u00e9\\u20AC\"", .string("é€")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"é😀\"", .string("é😀")),
        ("\"\\u0000\"", .string("\u{0}")),
        ("[]", .array([])),
        ("[1, [2, []], {}]", .array([.integer(1), .array([.integer(2), .array([])]), .object([:])])),
        ("{\"a\": {\"b\": [null]}, \"c\": \"d\"}", .object(["a": .object(["b": .array([.null])]), "c": .string("d")])),
        ("\t\r\n [ 1 ] \n", .array([.integer(1)])),
    ])
    func acceptsValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
        #expect(throws: Never.self) { try JSONParser.validate(Array(text.utf8)) }
    }

    @Test(arguments: [
        ("", JSONParseError.Kind.unexpectedEnd),
        ("   ", .unexpectedEnd),
        ("{\"a\": 1, \"a\": 2}", .duplicateKey),
        ("{\"a\": {\"x\": 1, \"x\": 1}}", .duplicateKey),
        ("[1, 2,]", .trailingComma),
        ("{\"a\": 1,}", .trailingComma),
        ("[1] 2", .trailingData),
        ("{} x", .trailingData),
        ("01", .leadingZero),
        ("-01", .leadingZero),
        ("[00]", .leadingZero),
        ("1.", .unexpectedEnd),
        ("1.e5", .invalidNumber),
        ("1e", .unexpectedEnd),
        ("-", .unexpectedEnd),
        ("-a", .invalidNumber),
        ("+1", .unexpectedCharacter),
        (".5", .unexpectedCharacter),
        ("1e400", .numberOutOfRange),
        ("NaN", .unexpectedCharacter),
        ("Infinity", .unexpectedCharacter),
        ("tru", .unexpectedEnd),
        ("nul1", .unexpectedCharacter),
        ("'a'", .unexpectedCharacter),
        ("\"abc", .unexpectedEnd),
        ("\"a\tb\"", .controlCharacter),
        ("\"a\nb\"", .controlCharacter),
        ("\"\\x41\"", .invalidEscape),
        ("\"\\u12G4\"", .invalidEscape),
        ("\"\\ud800\"", .loneSurrogate),
        ("\"\\ud800x\"", .loneSurrogate),
        ("\"\\ud800\\u0041\"", .loneSurrogate),
        ("\"\\udc00\"", .loneSurrogate),
        ("{a: 1}", .unexpectedCharacter),
        ("{\"a\" 1}", .unexpectedCharacter),
        ("[1 2]", .unexpectedCharacter),
        ("[,1]", .unexpectedCharacter),
        ("{,}", .unexpectedCharacter),
        ("/* c */ 1", .unexpectedCharacter),
        ("\u{FEFF}{}", .byteOrderMark),
    ])
    func refusesInvalidDocuments(text: String, kind: JSONParseError.Kind) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.kind == kind)
        // Validation without building values refuses the same thing at the same place.
        let validation = #expect(throws: JSONParseError.self) { try JSONParser.validate(Array(text.utf8)) }
        #expect(validation == error)
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x22] as [UInt8],           // truncated two-byte sequence
        [0x22, 0xC0, 0xAF, 0x22],                // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],          // overlong three-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],          // an encoded surrogate (CESU-8)
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],    // beyond U+10FFFF
        [0x22, 0xFF, 0x22],                      // never valid
        [0x22, 0x80, 0x22],                      // lone continuation byte
    ])
    func refusesInvalidUTF8InStrings(bytes: [UInt8]) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.kind == .invalidUTF8)
        #expect(error?.offset == 1)
        // The same bytes after an escape (the string is then built run by run).
        let escaped = Array("\"\\n".utf8) + bytes.dropFirst()
        let afterEscape = #expect(throws: JSONParseError.self) { try JSONParser.parse(escaped) }
        #expect(afterEscape?.kind == .invalidUTF8)
        #expect(afterEscape?.offset == 3)
        #expect(throws: JSONParseError.self) { try JSONParser.validate(escaped) }
    }

    @Test func longStringsWithEscapesAndNonASCIIKeepEveryByte() throws {
        let value = try JSONParser.parse("\"" + String(repeating: "abcdefgh", count: 5) + "é\\t\\\"" + String(repeating: "wörld ", count: 7) + "\\u00e9\\n\"")
        #expect(value == .string(String(repeating: "abcdefgh", count: 5) + "é\t\"" + String(repeating: "wörld ", count: 7) + "é\n"))
    }

    @Test func validationChecksDuplicatesPerObjectAtEveryDepth() throws {
        // The same key in sibling and nested objects is fine; in one object it is not.
        #expect(throws: Never.self) { try JSONParser.validate(Array(#"{"a": {"a": 1, "b": {"a": 2}}, "b": [{"a": 3}, {"a": 4}]}"#.utf8)) }
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }
        #expect(throws: Never.self) { try JSONParser.validate(Array(("{" + keys.joined(separator: ",") + "}").utf8)) }
        for duplicate in ["k3", "k39"] {
            let text = "{" + keys.joined(separator: ",") + ", \"\(duplicate)\": 0}"
            let validation = #expect(throws: JSONParseError.self) { try JSONParser.validate(Array(text.utf8)) }
            #expect(validation?.kind == .duplicateKey)
            #expect(validation == (#expect(throws: JSONParseError.self) { try JSONParser.parse(text) }))
        }
    }

    @Test func reportsLineAndColumnOfTheOffendingCharacter() throws {
        let text = "{\n  \"a\": [1,\n    2}\n}"
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error.line == 3)
        #expect(error.column == 6)
        #expect(error.offset == 18)
        #expect(error.description == "unexpected character '}', expected ',' or ']' at line 3, column 6")
    }

    @Test func countsColumnsInCharactersNotBytes() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse("[\"é€\", x]") }
        #expect(error.line == 1)
        #expect(error.column == 8)
        #expect(error.offset == 10)
    }

    @Test func duplicateKeyErrorPointsAtTheSecondKey() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse("{\"k\": 1,\n \"k\": 2}") }
        #expect(error.kind == .duplicateKey)
        #expect(error.line == 2)
        #expect(error.column == 2)
        #expect(error.message == "duplicate key \"k\"")
    }

    @Test func keysThatDifferOnlyInNormalisationAreDuplicates() {
        // "é" precomposed and decomposed: other parsers see two keys, Swift sees one. Refuse.
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2}") }
    }

    @Test func depthBombIsRefusedAtTheLimit() throws {
        let allowed = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(throws: Never.self) { try JSONParser.parse(allowed) }
        let bomb = String(repeating: "[", count: 100_000)
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(bomb) }
        #expect(error.kind == .tooDeep)
        #expect(error.offset == 256)
        let objects = String(repeating: "{\"a\":", count: 11) + "1" + String(repeating: "}", count: 11)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects, maxDepth: 10) }
        #expect(throws: Never.self) { try JSONParser.parse(objects, maxDepth: 11) }
    }

    @Test func describesNonASCIIAndControlCharactersReadably() throws {
        let accent = try #require(throws: JSONParseError.self) { try JSONParser.parse("[é]") }
        #expect(accent.message == "unexpected character 'é', expected a value")
        let bell = try #require(throws: JSONParseError.self) { try JSONParser.parse("[\u{7}]") }
        #expect(bell.message == "unexpected control character U+0007, expected a value")
        let raw = try #require(throws: JSONParseError.self) { try JSONParser.parse([0x5B, 0xFF, 0x5D] as [UInt8]) }
        #expect(raw.message == "unexpected byte 0xFF, expected a value")
    }

    @Test func parsesFromARawBuffer() throws {
        let bytes = Array("{\"n\": [1, 2.5]}".utf8)
        let value = try bytes.withUnsafeBytes { buffer in try JSONParser.parse(buffer) }
        #expect(value == .object(["n": .array([.integer(1), .number(2.5)])]))
    }
}
