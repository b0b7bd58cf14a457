/// A tool's argv with slots for the model's arguments.
///
/// ```yaml
/// argv: [grep, -n, -r, --, "{pattern}", "{path}"]
/// argv: [head, [-n, "{lines}"], --, "{files*}"]
/// ```
/// - `{name}` is a slot: the whole element is replaced by the argument's value. A value never
///   becomes part of a longer element and never passes through a shell, so `--output=/etc/x` or
///   `; rm -rf /` arrive as one literal argument.
/// - `{name*}` expands an array argument to one element per item (never joined).
/// - A nested list is an optional group: it is emitted only when every slot in it has a value,
///   so a flag and its value (`[-n, "{lines}"]`) appear together or not at all.
/// - An absent optional argument takes its schema `default`; without one, its element is dropped.
/// - Everything else is literal. A slot inside other text (`--out={path}`) is an error, not an
///   interpolation; write `{{` or `}}` for a literal brace next to a name.
/// - `argv[0]` must be a literal: the model never chooses the program's name.
public struct ArgvTemplate: Hashable, Sendable {
    public enum Element: Hashable, Sendable {
        case literal(String)
        /// `{name}`: one element, the argument's value.
        case slot(String)
        /// `{name*}`: one element per item of an array argument.
        case spread(String)
        /// A nested list: emitted only when all its slots have values.
        case group([Element])
    }

    public var elements: [Element]

    public init(elements: [Element]) {
        self.elements = elements
    }

    /// Every argument name the template uses, with whether it is spread.
    public var slots: [(name: String, spread: Bool)] {
        func walk(_ elements: [Element]) -> [(String, Bool)] {
            elements.flatMap { element -> [(String, Bool)] in
                switch element {
                case .literal: return []
                case .slot(let name): return [(name, false)]
                case .spread(let name): return [(name, true)]
                case .group(let inner): return walk(inner)
                }
            }
        }
        return walk(elements).map { (name: $0.0, spread: $0.1) }
    }

    /// Parses one string element: a slot or a literal (with `{{`/`}}` unescaped).
    public static func parseElement(_ text: String) throws(ArgvTemplateError) -> Element {
        if let (name, spread) = wholeSlot(text) { return spread ? .spread(name) : .slot(name) }
        var literal = ""
        var rest = Substring(text)
        while let first = rest.first {
            if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                literal.append(first)
                rest = rest.dropFirst(2)
            } else if first == "{", let end = rest.firstIndex(of: "}"), wholeSlot(String(rest[...end])) != nil {
                throw ArgvTemplateError(
                    "`\(text)` puts the slot `\(rest[...end])` inside other text; a slot must be a whole argv element "
                        + "(split it into two elements, or write `{{` for a literal brace)")
            } else {
                literal.append(first)
                rest = rest.dropFirst()
            }
        }
        guard !literal.contains("\0") else { throw ArgvTemplateError("an argv element must not contain a NUL byte") }
        return .literal(literal)
    }

    /// `{name}` → (name, false); `{name*}` → (name, true); anything else → nil.
    static func wholeSlot(_ text: String) -> (String, Bool)? {
        guard text.hasPrefix("{"), text.hasSuffix("}"), text.count >= 3, !text.hasPrefix("{{") else { return nil }
        var name = text.dropFirst().dropLast()
        var spread = false
        if name.hasSuffix("*") {
            spread = true
            name = name.dropLast()
        }
        guard isArgumentName(name) else { return nil }
        return (String(name), spread)
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*`: the names a slot can refer to.
    static func isArgumentName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

public struct ArgvTemplateError: Error, Hashable, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
