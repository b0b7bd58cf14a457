/// The `json` sink's redaction: the same stripping and detectors applied to every string (keys
/// included) of the parsed value, so the re-serialised JSON is both valid and clean — even where
/// the text held a secret behind JSON escapes (`\u0041KIA…`) that the text scan could not see.
struct JSONStringRedactor {
    let scanner: DetectorScanner

    /// The cleaned value, and how many redactions each detector made.
    func redact(_ value: JSONValue) -> (JSONValue, [String: Int]) {
        var counts: [String: Int] = [:]
        let result = walk(value, counts: &counts)
        return (result, counts)
    }

    private func walk(_ value: JSONValue, counts: inout [String: Int]) -> JSONValue {
        switch value {
        case .string(let text): return .string(clean(text, counts: &counts))
        case .array(let items): return .array(items.map { walk($0, counts: &counts) })
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, item) in object { result[clean(key, counts: &counts)] = walk(item, counts: &counts) }
            return .object(result)
        case .null, .bool, .integer, .number: return value
        }
    }

    private func clean(_ text: String, counts: inout [String: Int]) -> String {
        let bytes = Array(text.utf8)
        let cleaned = bytes.withUnsafeBufferPointer { TerminalSanitizer.clean($0, rejectInvalidUTF8: false) }
        let matches = cleaned.bytes.withUnsafeBufferPointer { scanner.scan($0) }
        guard !matches.isEmpty || cleaned.bytes.count != bytes.count else { return text }
        let redacted = RedactedText(clean: cleaned.bytes, matches: matches, rules: scanner.rules)
        for found in matches where scanner.rules[found.rule].redacts { counts[scanner.rules[found.rule].name, default: 0] += 1 }
        return String(decoding: redacted.bytes, as: UTF8.self)
    }
}
