/// Validation: every keyword checked, every violation collected with its place, in messages a
/// model can act on (`"depth" must be at most 5`, `unexpected property "output"`).
extension JSONSchema {
    func check(_ value: JSONValue, path: inout [String], root: String, into violations: inout [SchemaViolation]) {
        let k = keywords
        var problems: [(keyword: String, text: String)] = []
        if k.rejectsEverything {
            problems.append(("false", "is not allowed"))
        } else if let types = k.types, !types.contains(where: { $0.admits(value) }) {
            // The other keywords would only repeat the same mistake in more words.
            let expected = types.map(\.withArticle).joined(separator: " or ")
            problems.append(("type", "must be \(expected), not \(value.typeWithArticle)"))
        } else {
            problems = valueProblems(value)
        }
        let subject = JSONPointer.subject(path, root: root)
        let pointer = JSONPointer.encode(path)
        for problem in problems {
            violations.append(SchemaViolation(pointer: pointer, keyword: problem.keyword, message: "\(subject) \(problem.text)"))
        }
        guard problems.first?.keyword != "type", !k.rejectsEverything else { return }
        switch value {
        case .array(let items):
            guard let schema = k.items else { return }
            for (index, item) in items.enumerated() {
                path.append(String(index))
                schema.check(item, path: &path, root: root, into: &violations)
                path.removeLast()
            }
        case .object(let object):
            checkObject(object, path: &path, root: root, into: &violations)
        default:
            break
        }
    }

    /// The keywords that look at this value alone (not at its members).
    private func valueProblems(_ value: JSONValue) -> [(keyword: String, text: String)] {
        let k = keywords
        var problems: [(keyword: String, text: String)] = []
        if let options = k.enumValues, !options.contains(where: { JSONNumbers.equal($0, value) }) {
            problems.append(("enum", "must be one of \(options.map { shortJSON($0) }.joined(separator: ", "))"))
        }
        if let expected = k.constValue, !JSONNumbers.equal(expected, value) {
            problems.append(("const", "must be \(shortJSON(expected))"))
        }
        switch value {
        case .string(let text): problems += stringProblems(text)
        case .integer, .number: problems += numberProblems(value)
        case .array(let items):
            if let low = k.minItems, items.count < low { problems.append(("minItems", "must have at least \(plural(low, "item"))")) }
            if let high = k.maxItems, items.count > high { problems.append(("maxItems", "must have at most \(plural(high, "item"))")) }
        default: break
        }
        return problems
    }

    private func stringProblems(_ text: String) -> [(keyword: String, text: String)] {
        let k = keywords
        var problems: [(keyword: String, text: String)] = []
        if k.minLength != nil || k.maxLength != nil {
            let length = text.unicodeScalars.count
            if let low = k.minLength, length < low { problems.append(("minLength", "must have at least \(plural(low, "character"))")) }
            if let high = k.maxLength, length > high { problems.append(("maxLength", "must have at most \(plural(high, "character"))")) }
        }
        if let pattern = k.pattern, !pattern.matches(text) { problems.append(("pattern", "must match \(pattern.source)")) }
        return problems
    }

    private func numberProblems(_ value: JSONValue) -> [(keyword: String, text: String)] {
        let k = keywords
        var problems: [(keyword: String, text: String)] = []
        if let bound = k.minimum, JSONNumbers.compare(value, bound) == -1 { problems.append(("minimum", "must be at least \(bound.jsonText)")) }
        if let bound = k.maximum, JSONNumbers.compare(value, bound) == 1 { problems.append(("maximum", "must be at most \(bound.jsonText)")) }
        if let bound = k.exclusiveMinimum, JSONNumbers.compare(value, bound) != 1 {
            problems.append(("exclusiveMinimum", "must be greater than \(bound.jsonText)"))
        }
        if let bound = k.exclusiveMaximum, JSONNumbers.compare(value, bound) != -1 {
            problems.append(("exclusiveMaximum", "must be less than \(bound.jsonText)"))
        }
        return problems
    }

    private func checkObject(_ object: [String: JSONValue], path: inout [String], root: String, into violations: inout [SchemaViolation]) {
        let k = keywords
        for name in k.required where object[name] == nil {
            path.append(name)
            let subject = JSONPointer.subject(path, root: root)
            violations.append(SchemaViolation(pointer: JSONPointer.encode(path), keyword: "required", message: "\(subject) is required"))
            path.removeLast()
        }
        for name in object.keys.sorted() {
            let value = object[name]!
            path.append(name)
            defer { path.removeLast() }
            if let schema = k.properties[name] {
                schema.check(value, path: &path, root: root, into: &violations)
            } else if k.forbidsAdditionalProperties {
                let subject = JSONPointer.subject(path, root: root)
                violations.append(SchemaViolation(
                    pointer: JSONPointer.encode(path), keyword: "additionalProperties", message: "unexpected property \(subject)"))
            } else if let schema = k.additionalProperties {
                schema.check(value, path: &path, root: root, into: &violations)
            }
        }
    }
}

private func plural(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

/// The JSON text of a value, shortened for a message.
func shortJSON(_ value: JSONValue) -> String {
    let text = value.jsonText
    guard text.unicodeScalars.count > 80 else { return text }
    return String(String.UnicodeScalarView(text.unicodeScalars.prefix(80))) + "…"
}
