import Testing
@testable import AirlockCore

/// One keyword (or a few) against values that must pass and values that must fail, with the
/// message a model would read.
struct KeywordCase: Sendable, CustomTestStringConvertible {
    var schema: String
    var valid: [String]
    var invalid: [(value: String, message: String)]
    var testDescription: String { schema }
}

@Suite struct JSONSchemaTests {
    static let cases: [KeywordCase] = [
        KeywordCase(
            schema: #"{"type": "string"}"#, valid: [#""x""#, #""""#],
            invalid: [("1", "the value must be a string, not an integer"), ("null", "the value must be a string, not null")]),
        KeywordCase(
            schema: #"{"type": ["string", "null"]}"#, valid: [#""x""#, "null"],
            invalid: [("[]", "the value must be a string or null, not an array")]),
        KeywordCase(
            schema: #"{"type": "integer"}"#, valid: ["1", "-5", "2.0"],
            invalid: [("1.5", "the value must be an integer, not a number"), (#""1""#, "the value must be an integer, not a string")]),
        KeywordCase(schema: #"{"type": "number"}"#, valid: ["1", "1.5"], invalid: [("true", "the value must be a number, not a boolean")]),
        KeywordCase(schema: #"{"type": "object"}"#, valid: ["{}"], invalid: [("[]", "the value must be an object, not an array")]),
        KeywordCase(
            schema: #"{"type": "object", "properties": {"depth": {"type": "integer", "maximum": 5}}}"#,
            valid: ["{}", #"{"depth": 5}"#, #"{"other": true}"#],
            invalid: [(#"{"depth": 6}"#, #""depth" must be at most 5"#), (#"{"depth": "5"}"#, #""depth" must be an integer, not a string"#)]),
        KeywordCase(
            schema: #"{"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}"#,
            valid: [#"{"pattern": "x"}"#], invalid: [("{}", #""pattern" is required"#)]),
        KeywordCase(
            schema: #"{"type": "object", "properties": {"a": {}}, "additionalProperties": false}"#,
            valid: [#"{"a": 1}"#, "{}"], invalid: [(#"{"a": 1, "output": "/etc/x"}"#, #"unexpected property "output""#)]),
        KeywordCase(
            schema: #"{"type": "object", "additionalProperties": {"type": "integer"}}"#,
            valid: [#"{"x": 1}"#], invalid: [(#"{"x": "1"}"#, #""x" must be an integer, not a string"#)]),
        KeywordCase(
            schema: #"{"enum": ["fast", "slow", 1]}"#, valid: [#""fast""#, "1", "1.0"],
            invalid: [(#""medium""#, #"the value must be one of "fast", "slow", 1"#)]),
        KeywordCase(schema: #"{"const": {"a": [1]}}"#, valid: [#"{"a": [1.0]}"#], invalid: [(#"{"a": [2]}"#, #"the value must be {"a":[1]}"#)]),
        KeywordCase(
            schema: #"{"type": "object", "properties": {"path": {"pattern": "^[A-Za-z0-9_./-]+$"}}}"#,
            valid: [#"{"path": "src/main.c"}"#, #"{"path": 3}"#],
            invalid: [
                (#"{"path": "a b"}"#, #""path" must match ^[A-Za-z0-9_./-]+$"#),
                (#"{"path": "ok\n"}"#, #""path" must match ^[A-Za-z0-9_./-]+$"#),
            ]),
        KeywordCase(schema: #"{"pattern": "b"}"#, valid: [#""abc""#], invalid: [(#""ac""#, "the value must match b")]),
        KeywordCase(
            schema: #"{"minLength": 2, "maxLength": 3}"#, valid: [#""ab""#, #""😀😀😀""#, #""é€""#, "5"],
            invalid: [(#""a""#, "the value must have at least 2 characters"), (#""abcd""#, "the value must have at most 3 characters")]),
        KeywordCase(schema: #"{"maxLength": 1}"#, valid: [#""😀""#], invalid: [(#""ab""#, "the value must have at most 1 character")]),
        KeywordCase(
            schema: #"{"minimum": 1, "maximum": 2.5}"#, valid: ["1", "2.5", "2", #""text""#],
            invalid: [("0.999", "the value must be at least 1"), ("3", "the value must be at most 2.5")]),
        KeywordCase(
            schema: #"{"exclusiveMinimum": 0, "exclusiveMaximum": 10}"#, valid: ["0.001", "9"],
            invalid: [("0", "the value must be greater than 0"), ("10", "the value must be less than 10")]),
        KeywordCase(schema: #"{"maximum": 9007199254740992}"#, valid: ["9007199254740992"], invalid: [("9007199254740993", "the value must be at most 9007199254740992")]),
        KeywordCase(
            schema: #"{"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}"#,
            valid: [#"["a"]"#, #"["a", "b"]"#],
            invalid: [
                ("[]", "the value must have at least 1 item"),
                (#"["a", "b", "c"]"#, "the value must have at most 2 items"),
                (#"["a", 2]"#, #""1" must be a string, not an integer"#),
            ]),
        KeywordCase(schema: "true", valid: ["1", "null"], invalid: []),
        KeywordCase(schema: "false", valid: [], invalid: [("1", "the value is not allowed")]),
        KeywordCase(
            schema: #"{"type": "object", "properties": {"opts": {"type": "object", "properties": {"depth": {"maximum": 5}}}}}"#,
            valid: [#"{"opts": {"depth": 1}}"#], invalid: [(#"{"opts": {"depth": 7}}"#, #""opts/depth" must be at most 5"#)]),
        KeywordCase(
            schema: #"{"description": "annotated", "title": "t", "default": 1, "examples": [1], "$comment": "c", "type": "integer"}"#,
            valid: ["2"], invalid: [("\"2\"", "the value must be an integer, not a string")]),
    ]

    @Test(arguments: cases)
    func keywordAcceptsAndRefuses(_ keywordCase: KeywordCase) throws {
        let schema = try JSONSchema.compile(JSONParser.parse(keywordCase.schema))
        for text in keywordCase.valid {
            let violations = schema.validate(try JSONParser.parse(text))
            #expect(violations.isEmpty, "\(text) should be valid, got \(violations)")
        }
        for (text, message) in keywordCase.invalid {
            let violations = schema.validate(try JSONParser.parse(text))
            #expect(violations.map(\.message) == [message], "for \(text)")
        }
    }

    @Test func reportsEveryViolationWithItsPointer() throws {
        let schema = try JSONSchema.compile(JSONParser.parse(#"""
            {"type": "object", "additionalProperties": false, "required": ["pattern", "path"],
             "properties": {"pattern": {"type": "string"}, "path": {"type": "string", "pattern": "^[a-z]+$"},
                            "depth": {"type": "integer", "maximum": 5}, "a/b": {"type": "string"}}}
            """#))
        let violations = schema.validate(try JSONParser.parse(#"{"path": "A", "depth": 9, "output": 1, "a/b": 2}"#))
        #expect(violations.map(\.pointer) == ["/pattern", "/a~1b", "/depth", "/output", "/path"])
        #expect(violations.map(\.keyword) == ["required", "type", "maximum", "additionalProperties", "pattern"])
        #expect(violations.map(\.message) == [
            #""pattern" is required"#, #""a/b" must be a string, not an integer"#, #""depth" must be at most 5"#,
            #"unexpected property "output""#, #""path" must match ^[a-z]+$"#,
        ])
    }

    @Test func shortensAndEscapesHostileKeysInMessages() throws {
        let schema = try JSONSchema.compile(JSONParser.parse(#"{"type": "object", "additionalProperties": false}"#))
        let longKey = String(repeating: "k", count: 500)
        let message = try #require(schema.validate(.object([longKey: .null, "a\u{1B}]0;x\u{7}": .null])).map(\.message).first)
        #expect(message == #"unexpected property "a\u001B]0;x\u0007""#)
        let long = try #require(schema.validate(.object([longKey: .null])).first)
        #expect(long.message.count < 110)
    }

    @Test(arguments: [
        (#"{"typ": "string"}"#, "schema at /typ: unknown keyword `typ` (did you mean `type`?)"),
        (#"{"properties": {"a": {"maxLenght": 3}}}"#, "schema at /properties/a/maxLenght: unknown keyword `maxLenght` (did you mean `maxLength`?)"),
        (##"{"$ref": "#/x"}"##, "schema at /$ref: unknown keyword `$ref`; supported: type, properties, required, additionalProperties, enum, const, pattern, minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum, items, minItems, maxItems, default, description, title, examples, $comment, $schema"),
        (#"{"type": "text"}"#, "schema at /type: unknown type `text` (use one of null, boolean, object, array, number, string, integer)"),
        (#"{"type": []}"#, "schema at /type: must not be an empty list"),
        (#"{"pattern": "(unclosed"}"#, "schema at /pattern: `(unclosed` is not a valid regular expression"),
        (#"{"pattern": "[]"}"#, "schema at /pattern: `[]` has an empty character class"),
        (#"{"pattern": "[^\\D]"}"#, "schema at /pattern: `[^\\D]`: `\\D` inside a character class is not supported"),
        (#"{"pattern": "^a\\z"}"#, "schema at /pattern: `^a\\z`: `\\z` is ICU syntax, not ECMA-262"),
        (#"{"minLength": -1}"#, "schema at /minLength: must be a whole number, zero or more"),
        (#"{"minLength": 1.5}"#, "schema at /minLength: must be a whole number, zero or more"),
        (#"{"minLength": 3, "maxLength": 2}"#, "schema at /minLength: minLength 3 is greater than maxLength 2"),
        (#"{"minimum": 3, "maximum": 2}"#, "schema at /minimum: minimum 3 is greater than maximum 2"),
        (#"{"maximum": "5"}"#, "schema at /maximum: must be a number"),
        (#"{"required": ["a", "a"]}"#, "schema at /required: lists `a` twice"),
        (#"{"enum": []}"#, "schema at /enum: must be a non-empty list"),
        (#"{"items": [{"type": "string"}]}"#, "schema at /items: in draft 2020-12 `items` is one schema; a list of schemas (`prefixItems`) is not supported"),
        (#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#, "schema at /$schema: only draft 2020-12 (`https://json-schema.org/draft/2020-12/schema`) is supported"),
        (#"{"type": "string", "default": 5}"#, "schema at /default: the default does not match its own schema: the default must be a string, not an integer"),
        (#"{"properties": {"a": {}}, "required": ["b"], "additionalProperties": false}"#, "schema at /required: `b` is required but not declared in `properties`, and additionalProperties is false"),
        ("[]", "schema: a schema must be an object or a boolean, not an array"),
    ])
    func refusesSchemasItWouldNotEnforce(schema: String, message: String) throws {
        let document = try JSONParser.parse(schema)
        let error = #expect(throws: SchemaError.self) { try JSONSchema.compile(document) }
        #expect(error?.description == message)
    }

    @Test func locatesSchemaErrorsInTheirYAMLFile() throws {
        let yaml = """
            arguments:
              type: object
              properties:
                path:
                  type: string
                  patern: "^[a-z]+$"
            """
        let value = try ConfigValue.parse(yaml, file: "p.yaml").mapping().require("arguments")
        let error = #expect(throws: ConfigError.self) { try JSONSchema.compile(value) }
        #expect(error?.description == "p.yaml:6:7: arguments.properties.path.patern: unknown keyword `patern` (did you mean `pattern`?)")
        let badValue = try ConfigValue.parse("s: {type: string, minLength: -3}", file: "q.yaml").mapping().require("s")
        let valueError = #expect(throws: ConfigError.self) { try JSONSchema.compile(badValue) }
        #expect(valueError?.description == "q.yaml:1:30: s.minLength: must be a whole number, zero or more")
    }
}

@Suite struct SchemaPatternTests {
    @Test(arguments: [
        ("^[a-z]+$", "abc", true), ("^[a-z]+$", "abc\n", false), ("^[a-z]+$", "ab1", false),
        ("[a-z]", "1a2", true),  // unanchored, as the specification says
        ("^\\d+$", "123", true), ("^\\d+$", "١٢٣", false),  // Arabic-Indic digits are not \d in ECMA-262
        ("^\\w+$", "abc_1", true), ("^\\w+$", "héllo", false),
        ("^[\\w.]+$", "a.b", true), ("^\\D$", "x", true), ("^\\W$", "-", true),
        ("^[[]$", "[", true), ("^[a&&b]$", "&", true),
        ("^a$|^b$", "b", true), ("^[$]$", "$", true), ("^\\$$", "$", true),
    ])
    func matchesAsECMAScriptWould(pattern: String, text: String, matches: Bool) throws {
        #expect(try SchemaPattern(pattern).matches(text) == matches)
    }
}
