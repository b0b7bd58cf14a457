import Testing
@testable import AirlockCore

@Suite struct JSONSerializerTests {
    @Test func writesCompactJSONWithKeysSortedByBytes() {
        let value = JSONValue.object([
            "b": .integer(1), "a": .array([.null, .bool(true), .number(0.5)]), "B": .string("x"), "é": .object([:]),
        ])
        #expect(value.jsonText == #"{"B":"x","a":[null,true,0.5],"b":1,"é":{}}"#)
    }

    @Test func sameValueAlwaysSerialisesToTheSameBytes() throws {
        let a = try JSONParser.parse(#"{"z": 1, "y": {"b": 2, "a": 3}, "x": [3, 2, 1]}"#)
        let b = try JSONParser.parse(#"{"x": [3, 2, 1], "y": {"a": 3, "b": 2}, "z": 1}"#)
        #expect(JSONSerializer.serialize(a) == JSONSerializer.serialize(b))
    }

    @Test(arguments: [
        ("quote\"back\\slash", #""quote\"back\\slash""#),
        ("line\nfeed\ttab\rcr", #""line\nfeed\ttab\rcr""#),
        ("\u{8}\u{C}", #""\b\f""#),
        ("bell\u{7}esc\u{1B}[31m", #""bell\u0007esc\u001b[31m""#),
        ("del\u{7F}c1\u{85}\u{9B}", #""del\u007fc1\u0085\u009b""#),
        ("nul\u{0}", #""nul\u0000""#),
        ("é€😀 / ok", "\"é€😀 / ok\""),
    ])
    func escapesEveryControlCharacter(text: String, expected: String) {
        #expect(JSONValue.string(text).jsonText == expected)
    }

    @Test(arguments: [
        JSONValue.null, .bool(false), .integer(.min), .integer(.max), .number(0.1), .number(-1e-7), .number(1e300),
        .number(123456.789), .string("\u{0}\u{1F}\u{7F}\u{9F}\u{A0}\u{2028}😀\"\\"),
        .array([.array([]), .object([:]), .string("")]),
        .object(["nested": .object(["list": .array([.integer(1), .number(2.5), .null])]), "": .bool(true)]),
    ])
    func roundTripsThroughTheParser(value: JSONValue) throws {
        #expect(try JSONParser.parse(JSONSerializer.serialize(value)) == value)
        #expect(try JSONParser.parse(JSONSerializer.serialize(value, pretty: true)) == value)
    }

    @Test func prettyPrintsWithTwoSpaces() {
        let value = JSONValue.object(["b": .array([.integer(1), .object([:])]), "a": .string("x")])
        #expect(JSONSerializer.string(value, pretty: true) == """
            {
              "a": "x",
              "b": [
                1,
                {}
              ]
            }
            """)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONValue.array([.number(.infinity), .number(.nan)]).jsonText == "[null,null]")
    }
}
