/// A compiled JSON Schema (the draft 2020-12 subset that policies use).
///
/// Supported keywords: `type` (a name or a list), `properties`, `required`,
/// `additionalProperties` (boolean or schema), `enum`, `const`, `pattern`,
/// `minLength`/`maxLength` (in Unicode code points), `minimum`/`maximum`/`exclusiveMinimum`/
/// `exclusiveMaximum`, `items`, `minItems`/`maxItems`, and the annotations `default`,
/// `description`, `title`, `examples`, `$comment` and `$schema` (which must name draft 2020-12).
///
/// Any other keyword is a compile error, not ignored: a schema with `maxLenght: 10` must not
/// silently accept a megabyte. Patterns are compiled once here, and a `default` must satisfy
/// its own schema, because it is what a tool receives when the model leaves it out.
///
/// Compile from a `JSONValue` (errors carry a JSON pointer) or from a `ConfigValue` (errors
/// carry `file:line:column`, for schemas written inside a policy).
@dynamicMemberLookup
public final class JSONSchema: Sendable {
    public let keywords: SchemaKeywords
    /// The schema document as written.
    public let source: JSONValue

    init(keywords: SchemaKeywords, source: JSONValue) {
        self.keywords = keywords
        self.source = source
    }

    public subscript<T>(dynamicMember path: KeyPath<SchemaKeywords, T>) -> T { keywords[keyPath: path] }

    public static func compile(_ document: JSONValue) throws(SchemaError) -> JSONSchema {
        try SchemaCompiler.compile(document, at: [])
    }

    /// Every violation of `value`, in a stable order (document paths sorted); empty when valid.
    /// `rootName` names the value itself in messages (`the arguments must be an object…`).
    public func validate(_ value: JSONValue, rootName: String = "the value") -> [SchemaViolation] {
        var path: [String] = []
        var violations: [SchemaViolation] = []
        check(value, path: &path, root: rootName, into: &violations)
        return violations
    }

    public func isValid(_ value: JSONValue) -> Bool { validate(value).isEmpty }
}

/// The JSON Schema type names.
public enum JSONType: String, Hashable, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    /// Whether `value` is of this type (`integer` includes numbers without a fraction, and
    /// `number` includes integers, as the specification says).
    public func admits(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.string, .string): return true
        case (.number, .integer), (.number, .number): return true
        case (.integer, _): return JSONNumbers.isIntegral(value)
        default: return false
        }
    }

    /// `an integer`, `a string`, `null`.
    var withArticle: String {
        switch self {
        case .null: return "null"
        case .integer, .object, .array: return "an \(rawValue)"
        default: return "a \(rawValue)"
        }
    }
}

/// The keywords of one schema, as compiled. `nil` means the keyword is absent.
public struct SchemaKeywords: Sendable {
    /// `false` schema: nothing is valid.
    public var rejectsEverything = false
    public var types: [JSONType]?
    public var properties: [String: JSONSchema] = [:]
    public var required: [String] = []
    /// `nil`: any additional property is allowed (the specification's default).
    public var additionalProperties: JSONSchema?
    public var enumValues: [JSONValue]?
    public var constValue: JSONValue?
    public var pattern: SchemaPattern?
    public var minLength: Int?
    public var maxLength: Int?
    public var minimum: JSONValue?
    public var maximum: JSONValue?
    public var exclusiveMinimum: JSONValue?
    public var exclusiveMaximum: JSONValue?
    public var items: JSONSchema?
    public var minItems: Int?
    public var maxItems: Int?
    public var defaultValue: JSONValue?
    public var description: String?
    public var title: String?

    /// True when additional properties are refused outright (`additionalProperties: false`).
    public var forbidsAdditionalProperties: Bool { additionalProperties?.rejectsEverything == true }
}

extension JSONValue {
    /// `an integer`, `a string`, `null`: for messages.
    var typeWithArticle: String { JSONType(rawValue: typeName)!.withArticle }
}
