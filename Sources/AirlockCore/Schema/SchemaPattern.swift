import Foundation

/// A `pattern` keyword, compiled once when the schema is loaded.
///
/// JSON Schema patterns are ECMA-262 regular expressions; Foundation's engine is ICU, which reads
/// some of the same text differently. Where the difference would let a value through that an
/// ECMA engine refuses, the pattern is rewritten before it is compiled:
/// - `$` outside a character class becomes `\z`: in ICU `$` also matches before a final line
///   break, so `^[a-z]+$` would accept `"abc\n"` — a newline smuggled past a check.
/// - `\d` and `\w` become their ASCII classes (`[0-9]`, `[A-Za-z0-9_]`): ICU matches any Unicode
///   digit or letter. `\D` and `\W` inside a class have no simple rewrite and are refused.
/// - `[` and `&` inside a class are escaped: ICU reads them as nested sets and intersections.
/// - An empty class (`[]`, `[^]`) is refused: ECMA and ICU disagree on what it means.
/// - ICU-only escapes (`\A`, `\z`, `\Z`, `\G`, `\Q`…`\E`, `\X`, `\R`, `\h`, `\H`, `\N`, `\V`)
///   are refused: in ECMA-262 they are plain letters, so a schema using them means two things.
/// (ICU's `.` also refuses `\v`, `\f` and U+0085, which ECMA's accepts: stricter, so harmless.)
/// Patterns stay unanchored, as the specification says: write `^…$` to match the whole string.
public struct SchemaPattern: Sendable, Hashable {
    /// The pattern as written in the schema (and quoted in violation messages).
    public let source: String
    private let expression: NSRegularExpression

    public init(_ source: String) throws(SchemaPatternError) {
        let translated = try Self.translate(source)
        do {
            expression = try NSRegularExpression(pattern: translated, options: [])
        } catch {
            throw SchemaPatternError(message: "`\(source)` is not a valid regular expression")
        }
        self.source = source
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        let range = NSRange(location: 0, length: text.utf16.count)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    public static func == (a: SchemaPattern, b: SchemaPattern) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Rewrites the ECMA-262 constructs that ICU reads differently (see the type's comment).
    static func translate(_ pattern: String) throws(SchemaPatternError) -> String {
        var output = ""
        var inClass = false
        var classStart = false  // just after `[` or `[^`
        var scalars = pattern.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            let wasClassStart = classStart
            classStart = false
            switch scalar {
            case "\\":
                guard let escaped = scalars.next() else {
                    throw SchemaPatternError(message: "`\(pattern)` ends with a lone backslash")
                }
                output += try translateEscape(escaped, inClass: inClass, pattern: pattern)
            case "[" where !inClass:
                inClass = true
                classStart = true
                output += "["
                if let next = peekCaret(&scalars, pattern: pattern) { output += next }
            case "]" where inClass:
                if wasClassStart { throw SchemaPatternError(message: "`\(pattern)` has an empty character class") }
                inClass = false
                output += "]"
            case "[" where inClass, "&" where inClass:
                output += "\\" + String(scalar)
            case "$" where !inClass:
                output += "\\z"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// After `[`: consumes a `^` if one follows, so `[^]` is recognised as empty.
    private static func peekCaret(
        _ scalars: inout String.UnicodeScalarView.Iterator, pattern: String
    ) -> String? {
        var copy = scalars
        guard copy.next() == "^" else { return nil }
        scalars = copy
        return "^"
    }

    private static func translateEscape(_ escaped: Unicode.Scalar, inClass: Bool, pattern: String) throws(SchemaPatternError) -> String {
        switch escaped {
        case "d": return inClass ? "0-9" : "[0-9]"
        case "w": return inClass ? "A-Za-z0-9_" : "[A-Za-z0-9_]"
        case "D", "W":
            guard !inClass else {
                throw SchemaPatternError(message: "`\(pattern)`: `\\\(escaped)` inside a character class is not supported")
            }
            return escaped == "D" ? "[^0-9]" : "[^A-Za-z0-9_]"
        case "A", "z", "Z", "G", "Q", "E", "X", "R", "h", "H", "N", "V":
            throw SchemaPatternError(message: "`\(pattern)`: `\\\(escaped)` is ICU syntax, not ECMA-262")
        default:
            return "\\" + String(escaped)
        }
    }
}

public struct SchemaPatternError: Error, Hashable, Sendable {
    public var message: String
}
