import AirlockCore
import Foundation

/// Checks a response against `docs/api/openapi.yaml`: the operation documents the status, the
/// content type, and the body matches the documented schema.
///
/// The schema keywords the document uses are checked (`$ref`, `allOf`, `oneOf`, `anyOf`, `type`
/// including type lists, `properties`, `required`, `additionalProperties`, `items`, `enum`,
/// `const`, `pattern`, `minimum`); `format` and descriptions are not. An unknown keyword fails
/// the check, so the document cannot use one this validator silently ignores.
struct OpenAPIValidator {
    let document: JSONValue

    /// Every way `body` disagrees with the document, as `path: message` lines; empty when none.
    func check(method: String, template: String, status: Int, contentType: String?, body: JSONValue?) -> [String] {
        guard let operation = document["paths"]?[template]?[method.lowercased()] else {
            return ["\(method) \(template) is not documented"]
        }
        guard var response = operation["responses"]?[String(status)] else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        if let target = response["$ref"]?.stringValue {
            guard let resolved = resolve(target) else { return ["unresolvable \(target)"] }
            response = resolved
        }
        guard let content = response["content"]?.objectValue else {
            return body == nil ? [] : ["\(method) \(template) \(status) documents no body"]
        }
        let type = contentType.map { String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) }
        guard let type, let media = content[type] else {
            return ["\(method) \(template) \(status): content type \(contentType ?? "none") is not documented (\(content.keys.sorted()))"]
        }
        guard let schema = media["schema"] else { return [] }
        guard let body else { return ["\(method) \(template) \(status): no body"] }
        return validate(body, schema, at: "$")
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    private static let known: Set<String> = [
        "$ref", "allOf", "oneOf", "anyOf", "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "pattern", "minimum", "format", "description", "title", "examples",
    ]

    func validate(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        guard let keywords = schema.objectValue else { return schema == .bool(false) ? ["\(path): not allowed"] : [] }
        var errors: [String] = []
        for key in keywords.keys where !Self.known.contains(key) { errors.append("\(path): schema keyword `\(key)` is not checked") }
        if let target = keywords["$ref"]?.stringValue {
            guard let resolved = resolve(target) else { return ["\(path): unresolvable \(target)"] }
            errors += validate(value, resolved, at: path)
        }
        for part in keywords["allOf"]?.arrayValue ?? [] { errors += validate(value, part, at: path) }
        if let options = keywords["oneOf"]?.arrayValue {
            let matching = options.filter { validate(value, $0, at: path).isEmpty }.count
            if matching != 1 { errors.append("\(path): matches \(matching) of the oneOf options") }
        }
        if let options = keywords["anyOf"]?.arrayValue, !options.contains(where: { validate(value, $0, at: path).isEmpty }) {
            errors.append("\(path): matches none of the anyOf options")
        }
        if let type = keywords["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !allowed.contains(where: { Self.has(value, type: $0) }) { errors.append("\(path): \(value.typeName) is not \(allowed)") }
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(value) { errors.append("\(path): \(value) is not one of \(options)") }
        if let constant = keywords["const"], constant != value { errors.append("\(path): \(value) is not \(constant)") }
        if let pattern = keywords["pattern"]?.stringValue, let text = value.stringValue,
            text.range(of: pattern, options: .regularExpression) == nil
        {
            errors.append("\(path): \"\(text.prefix(60))\" does not match \(pattern)")
        }
        if let minimum = keywords["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            errors.append("\(path): \(number) < \(minimum)")
        }
        if let object = value.objectValue {
            let properties = keywords["properties"]?.objectValue ?? [:]
            for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                errors.append("\(path): lacks `\(name)`")
            }
            for (name, member) in object {
                if let schema = properties[name] {
                    errors += validate(member, schema, at: "\(path).\(name)")
                } else if let extra = keywords["additionalProperties"] {
                    errors += validate(member, extra, at: "\(path).\(name)")
                }
            }
        }
        if let items = value.arrayValue, let schema = keywords["items"] {
            for (index, item) in items.enumerated() { errors += validate(item, schema, at: "\(path)[\(index)]") }
        }
        return errors
    }

    private static func has(_ value: JSONValue, type: String) -> Bool {
        type == value.typeName || (type == "number" && value.typeName == "integer")
    }
}
