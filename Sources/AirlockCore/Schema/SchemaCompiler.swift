/// Turns a schema document into a `JSONSchema`, refusing anything it would not enforce.
enum SchemaCompiler {
    static let draft = "https://json-schema.org/draft/2020-12/schema"

    static let keywords: [String] = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "pattern",
        "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "items", "minItems", "maxItems", "default", "description", "title", "examples",
        "$comment", "$schema",
    ]

    static func compile(_ document: JSONValue, at path: [String]) throws(SchemaError) -> JSONSchema {
        switch document {
        case .bool(let accepts):
            var keywords = SchemaKeywords()
            keywords.rejectsEverything = !accepts
            return JSONSchema(keywords: keywords, source: document)
        case .object(let object):
            var keywords = SchemaKeywords()
            // Sorted, so the first error reported does not depend on dictionary order.
            for key in object.keys.sorted() {
                try apply(key, object[key]!, to: &keywords, at: path)
            }
            try checkConsistency(keywords, at: path)
            let schema = JSONSchema(keywords: keywords, source: document)
            if let value = keywords.defaultValue, let first = schema.validate(value, rootName: "the default").first {
                throw SchemaError(pointer: path + ["default"], message: "the default does not match its own schema: \(first.message)")
            }
            return schema
        default:
            throw SchemaError(pointer: path, message: "a schema must be an object or a boolean, not \(document.typeWithArticle)")
        }
    }

    private static func apply(_ key: String, _ value: JSONValue, to k: inout SchemaKeywords, at path: [String]) throws(SchemaError) {
        let here = path + [key]
        switch key {
        case "type": k.types = try types(value, at: here)
        case "properties": k.properties = try properties(value, at: here)
        case "required": k.required = try uniqueStrings(value, at: here)
        case "additionalProperties": k.additionalProperties = try compile(value, at: here)
        case "enum":
            guard let list = value.arrayValue, !list.isEmpty else { throw SchemaError(pointer: here, message: "must be a non-empty list") }
            k.enumValues = list
        case "const": k.constValue = value
        case "pattern":
            guard let text = value.stringValue else { throw SchemaError(pointer: here, message: "must be a string") }
            do { k.pattern = try SchemaPattern(text) } catch { throw SchemaError(pointer: here, message: error.message) }
        case "minLength": k.minLength = try count(value, at: here)
        case "maxLength": k.maxLength = try count(value, at: here)
        case "minItems": k.minItems = try count(value, at: here)
        case "maxItems": k.maxItems = try count(value, at: here)
        case "minimum": k.minimum = try number(value, at: here)
        case "maximum": k.maximum = try number(value, at: here)
        case "exclusiveMinimum": k.exclusiveMinimum = try number(value, at: here)
        case "exclusiveMaximum": k.exclusiveMaximum = try number(value, at: here)
        case "items": k.items = try items(value, at: here)
        case "default": k.defaultValue = value
        case "description": k.description = try string(value, at: here)
        case "title": k.title = try string(value, at: here)
        case "$comment": _ = try string(value, at: here)
        case "examples":
            guard value.arrayValue != nil else { throw SchemaError(pointer: here, message: "must be a list") }
        case "$schema":
            guard value.stringValue == draft else { throw SchemaError(pointer: here, message: "only draft 2020-12 (`\(draft)`) is supported") }
        default:
            throw unknownKeyword(key, at: here)
        }
    }

    private static func unknownKeyword(_ key: String, at path: [String]) -> SchemaError {
        var message = "unknown keyword `\(key)`"
        if let guess = closestMatch(to: key, in: keywords) {
            message += " (did you mean `\(guess)`?)"
        } else {
            message += "; supported: " + keywords.joined(separator: ", ")
        }
        return SchemaError(pointer: path, message: message, isAboutKey: true)
    }

    private static func types(_ value: JSONValue, at path: [String]) throws(SchemaError) -> [JSONType] {
        let names: [String]
        if let single = value.stringValue {
            names = [single]
        } else {
            names = try uniqueStrings(value, at: path)
            guard !names.isEmpty else { throw SchemaError(pointer: path, message: "must not be an empty list") }
        }
        var result: [JSONType] = []
        for name in names {
            guard let type = JSONType(rawValue: name) else {
                let allowed = JSONType.allCases.map(\.rawValue).joined(separator: ", ")
                throw SchemaError(pointer: path, message: "unknown type `\(name)` (use one of \(allowed))")
            }
            result.append(type)
        }
        return result
    }

    private static func properties(_ value: JSONValue, at path: [String]) throws(SchemaError) -> [String: JSONSchema] {
        guard let object = value.objectValue else { throw SchemaError(pointer: path, message: "must be a mapping of property names to schemas") }
        var result: [String: JSONSchema] = [:]
        for name in object.keys.sorted() {
            result[name] = try compile(object[name]!, at: path + [name])
        }
        return result
    }

    private static func items(_ value: JSONValue, at path: [String]) throws(SchemaError) -> JSONSchema {
        if value.arrayValue != nil {
            throw SchemaError(pointer: path, message: "in draft 2020-12 `items` is one schema; a list of schemas (`prefixItems`) is not supported")
        }
        return try compile(value, at: path)
    }

    private static func uniqueStrings(_ value: JSONValue, at path: [String]) throws(SchemaError) -> [String] {
        guard let list = value.arrayValue else { throw SchemaError(pointer: path, message: "must be a list of strings") }
        var seen: Set<String> = []
        var result: [String] = []
        for item in list {
            guard let text = item.stringValue else { throw SchemaError(pointer: path, message: "must be a list of strings") }
            guard seen.insert(text).inserted else { throw SchemaError(pointer: path, message: "lists `\(text)` twice") }
            result.append(text)
        }
        return result
    }

    private static func count(_ value: JSONValue, at path: [String]) throws(SchemaError) -> Int {
        guard JSONNumbers.isIntegral(value), let d = value.doubleValue, d >= 0, d < 1e15 else {
            throw SchemaError(pointer: path, message: "must be a whole number, zero or more")
        }
        return Int(d)
    }

    private static func number(_ value: JSONValue, at path: [String]) throws(SchemaError) -> JSONValue {
        guard value.doubleValue != nil else { throw SchemaError(pointer: path, message: "must be a number") }
        return value
    }

    private static func string(_ value: JSONValue, at path: [String]) throws(SchemaError) -> String {
        guard let text = value.stringValue else { throw SchemaError(pointer: path, message: "must be a string") }
        return text
    }

    /// Bounds that no value can satisfy are a mistake in the schema, not a policy.
    private static func checkConsistency(_ k: SchemaKeywords, at path: [String]) throws(SchemaError) {
        if let low = k.minLength, let high = k.maxLength, low > high {
            throw SchemaError(pointer: path + ["minLength"], message: "minLength \(low) is greater than maxLength \(high)")
        }
        if let low = k.minItems, let high = k.maxItems, low > high {
            throw SchemaError(pointer: path + ["minItems"], message: "minItems \(low) is greater than maxItems \(high)")
        }
        if let low = k.minimum, let high = k.maximum, JSONNumbers.compare(low, high) == 1 {
            throw SchemaError(pointer: path + ["minimum"], message: "minimum \(low.jsonText) is greater than maximum \(high.jsonText)")
        }
        if k.forbidsAdditionalProperties, let stray = k.required.first(where: { k.properties[$0] == nil }) {
            throw SchemaError(
                pointer: path + ["required"],
                message: "`\(stray)` is required but not declared in `properties`, and additionalProperties is false")
        }
    }
}

/// The candidate within edit distance 2 of `word`, if there is one: for "did you mean".
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= 2 else { return nil }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    guard !a.isEmpty else { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
