import Testing
@testable import AirlockCore

/// `format: json` / `jsonl` and `schema`: a broken promise is `output_invalid` at its place.
@Suite struct OutputFormatTests {
    static let schema: JSONSchema = {
        let document: JSONValue = .object([
            "type": .string("object"),
            "properties": .object(["count": .object(["type": .string("integer"), "minimum": .integer(0)]), "name": .object(["type": .string("string")])]),
            "required": .array([.string("count")]),
        ])
        do { return try JSONSchema.compile(document) } catch { fatalError("\(error)") }
    }()

    private func run(_ text: String, _ format: OutputRules.Format, schema: JSONSchema? = nil) -> OutputResult {
        OutputFixture.run(text, rules: OutputFixture.rules { $0.format = format; $0.schema = schema })
    }

    @Test func jsonThatDoesNotParseNamesLineAndColumn() throws {
        let result = run("{\n  \"count\": 1,\n}", .json)
        let rejection = try #require(result.rejection)
        #expect(rejection.line == 3 && rejection.column == 1)
        #expect(rejection.offset == 16)
        #expect(rejection.message.hasPrefix("stdout is not valid JSON: "))
        #expect(result.stdout.content == .null)
    }

    @Test func positionsCountTheOriginalBytesEvenAfterStrippedEscapes() throws {
        let result = run("\u{1B}[32m{\"count\": 1,,}\u{1B}[0m", .json)
        let rejection = try #require(result.rejection)
        #expect(rejection.offset == 17)  // the second comma, after the 5-byte colour code
        #expect(rejection.column == 18)
    }

    @Test func colouredJSONIsAcceptedOnceCleaned() {
        let result = run("\u{1B}[32m{\"count\": 1}\u{1B}[0m", .json, schema: Self.schema)
        #expect(result.rejection == nil)
    }

    @Test func schemaMismatchNamesThePointer() throws {
        let result = run(#"{"count": -1, "name": 5}"#, .json, schema: Self.schema)
        let rejection = try #require(result.rejection)
        #expect(rejection.pointer == "/count")
        #expect(rejection.message.contains("does not match the output schema at /count"))
        #expect(rejection.message.contains(#""name" must be a string"#))
        #expect(result.findings.contains { $0.detector == "output_schema" && $0.action == .rejected })
    }

    @Test func jsonlNamesTheBrokenLine() throws {
        let result = run("{\"count\": 1}\n{\"count\": 2}\n{\"count\": 3\n{\"count\": 4}\n", .jsonl)
        let rejection = try #require(result.rejection)
        #expect(rejection.line == 3)
        #expect(rejection.message.hasPrefix("stdout is not valid JSON Lines: "))
    }

    @Test func jsonlChecksEachLineAgainstTheSchema() throws {
        let result = run("{\"count\": 1}\n{\"count\": 2}\n{\"name\": \"x\"}\n", .jsonl, schema: Self.schema)
        let rejection = try #require(result.rejection)
        #expect(rejection.line == 3)
        #expect(rejection.offset == 26)
        #expect(rejection.message.hasPrefix("line 3 of stdout does not match the output schema"))
    }

    @Test func validJSONLinesPass() {
        #expect(run("{\"count\": 1}\n{\"count\": 2}\n", .jsonl, schema: Self.schema).rejection == nil)
    }

    @Test func stderrIsNeverHeldToTheFormat() {
        let result = OutputFixture.run(Array("{\"count\": 1}".utf8), stderr: Array("not json".utf8), rules: OutputFixture.rules { $0.format = .json })
        #expect(result.rejection == nil)
        #expect(result.stderr.text?.contains("not json") == true)
    }
}
