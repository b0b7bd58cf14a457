/// One way a value fails its schema: where (a JSON pointer into the value) and a short sentence
/// a model can act on, e.g. `"path" must match ^[A-Za-z0-9_./-]+$`.
public struct SchemaViolation: Hashable, Sendable, CustomStringConvertible {
    /// RFC 6901 pointer to the offending value (`/options/depth`); `""` for the value itself.
    /// For a missing required property it points at where the property should be.
    public var pointer: String
    /// The keyword that failed (`pattern`, `required`, `additionalProperties`, …).
    public var keyword: String
    public var message: String

    public init(pointer: String, keyword: String, message: String) {
        self.pointer = pointer
        self.keyword = keyword
        self.message = message
    }

    public var description: String { message }
}

/// A schema that cannot be compiled, with the JSON pointer of the offending place in the schema
/// document (`/properties/path/pattern`).
public struct SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    public var pointer: [String]
    public var message: String
    /// True when the error is about a key itself (an unknown keyword) rather than its value, so a
    /// YAML location can point at the key.
    public var isAboutKey: Bool

    public init(pointer: [String], message: String, isAboutKey: Bool = false) {
        self.pointer = pointer
        self.message = message
        self.isAboutKey = isAboutKey
    }

    public var description: String {
        let place = pointer.isEmpty ? "schema" : "schema at " + JSONPointer.encode(pointer)
        return "\(place): \(message)"
    }
}

/// RFC 6901 JSON pointers.
public enum JSONPointer {
    /// `["a/b", "c~d"]` → `/a~1b/c~0d`; `[]` → `""`.
    public static func encode(_ segments: [String]) -> String {
        segments.map { segment in
            "/" + segment.unicodeScalars.map { $0 == "~" ? "~0" : $0 == "/" ? "~1" : String($0) }.joined()
        }.joined()
    }

    /// How a violation names the value in its sentence: `"options/depth"`, or `fallback` for the
    /// root. Long or odd keys (they come from the model) are escaped and shortened.
    static func subject(_ segments: [String], root fallback: String) -> String {
        guard !segments.isEmpty else { return fallback }
        return shortQuoted(segments.joined(separator: "/"))
    }
}

/// `"text"` with control characters escaped and at most 80 scalars of the text.
func shortQuoted(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard scalars.count > 80 else { return quoted(text) }
    let prefix = String(String.UnicodeScalarView(scalars.prefix(80)))
    return quoted(prefix + "…")
}
