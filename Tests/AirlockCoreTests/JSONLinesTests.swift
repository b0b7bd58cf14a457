import Testing
@testable import AirlockCore

@Suite struct JSONLinesTests {
    @Test func parsesOneValuePerLine() throws {
        let values = try JSONLines.parse("{\"a\":1}\n[2]\r\n\"three\"\n")
        #expect(values == [.object(["a": .integer(1)]), .array([.integer(2)]), .string("three")])
        #expect(try JSONLines.parse("1\n2") == [.integer(1), .integer(2)])
        #expect(try JSONLines.parse("") == [])
        #expect(try JSONLines.validate(Array("{\"a\":1}\n[2]\r\n\"three\"\n".utf8)) == 3)
    }

    @Test func reportsTheLineNumberOfABadLine() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONLines.parse("1\n2\n{\"a\": tru}\n4\n") }
        #expect(error.line == 3)
        #expect(error.column == 10)
        #expect(error.kind == .unexpectedCharacter)
    }

    @Test func refusesBlankLinesAndTwoValuesOnOneLine() throws {
        let blank = try #require(throws: JSONParseError.self) { try JSONLines.parse("1\n\n2\n") }
        #expect(blank.kind == .emptyLine)
        #expect(blank.line == 2)
        let two = try #require(throws: JSONParseError.self) { try JSONLines.parse("1\n2 3\n") }
        #expect(two.kind == .trailingData)
        #expect(two.line == 2)
        #expect(throws: two) { try JSONLines.validate(Array("1\n2 3\n".utf8)) }
    }

    @Test func serialisesEachValueOnItsOwnLine() throws {
        let values: [JSONValue] = [.object(["b": .integer(1), "a": .string("x\ny")]), .null]
        let bytes = JSONLines.serialize(values)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"a\":\"x\\ny\",\"b\":1}\nnull\n")
        #expect(try JSONLines.parse(bytes) == values)
    }
}
