/// `format: json` and `format: jsonl`: stdout must parse (strict RFC 8259, see `JSONParser`) and,
/// with a `schema`, match it (each line for `jsonl`). Runs on the clean text, so colour codes
/// around JSON do not fail it; positions are given in the original bytes.
enum FormatCheck {
    /// The parsed value (`jsonl`: an array of the lines' values), or nil for `text`.
    static func check(_ clean: CleanText, original: [UInt8], rules: OutputRules, stream: OutputStreamName) throws(OutputRejection) -> JSONValue? {
        switch rules.format {
        case .text: return nil
        case .json:
            let value: JSONValue
            do { value = try JSONParser.parse(clean.bytes) } catch {
                throw rejection(error, clean: clean, original: original, stream: stream, what: "valid JSON")
            }
            try validate(value, against: rules.schema, stream: stream, line: nil, clean: clean, original: original)
            return value
        case .jsonl:
            let values: [JSONValue]
            do { values = try JSONLines.parse(clean.bytes) } catch {
                throw rejection(error, clean: clean, original: original, stream: stream, what: "valid JSON Lines")
            }
            for (index, value) in values.enumerated() {
                try validate(value, against: rules.schema, stream: stream, line: index + 1, clean: clean, original: original)
            }
            return .array(values)
        }
    }

    private static func rejection(
        _ error: JSONParseError, clean: CleanText, original: [UInt8], stream: OutputStreamName, what: String
    ) -> OutputRejection {
        let offset = clean.map.sourceOffset(error.offset)
        let (line, column) = OutputRejection.lineAndColumn(of: offset, in: original)
        return OutputRejection(
            stream: stream, message: "\(stream.rawValue) is not \(what): \(error.message) at line \(line), column \(column)",
            offset: offset, line: line, column: column)
    }

    private static func validate(
        _ value: JSONValue, against schema: JSONSchema?, stream: OutputStreamName, line: Int?, clean: CleanText, original: [UInt8]
    ) throws(OutputRejection) {
        guard let schema else { return }
        let violations = schema.validate(value, rootName: line == nil ? "the output" : "the line")
        guard let first = violations.first else { return }
        let place = line.map { "line \($0) of \(stream.rawValue)" } ?? stream.rawValue
        let sentences = violations.prefix(5).map(\.message).joined(separator: "; ")
        var rejection = OutputRejection(
            stream: stream, message: "\(place) does not match the output schema at \(first.pointer.isEmpty ? "/" : first.pointer): \(sentences)",
            pointer: first.pointer)
        if let line {
            let offset = clean.map.sourceOffset(lineStart(line, in: clean.bytes))
            rejection.offset = offset
            rejection.line = OutputRejection.lineAndColumn(of: offset, in: original).line
            rejection.column = 1
        }
        throw rejection
    }

    /// The offset where 1-based `line` starts.
    private static func lineStart(_ line: Int, in bytes: [UInt8]) -> Int {
        var remaining = line - 1
        var index = 0
        while remaining > 0, index < bytes.count {
            if bytes[index] == 0x0A { remaining -= 1 }
            index += 1
        }
        return index
    }
}
