/// A restriction on one named argument of every call made with the token.
///
/// Kept to checks that can be exact: a path argument under one of a few workspace-relative
/// prefixes, or an argument equal to one of a few literal values. A call that leaves the
/// argument out does not satisfy the constraint (fail closed: the token holder asked for the
/// argument to be pinned, and a tool's default could be anything).
public struct ArgumentConstraint: Hashable, Sendable, CustomStringConvertible {
    /// The argument's name as the tool's schema spells it: `[A-Za-z0-9._-]`, 1 to 64 characters.
    public var name: String
    public var rule: ArgumentRule

    public init(name: String, rule: ArgumentRule) {
        self.name = name
        self.rule = rule
    }

    /// Whether the call's value for this argument satisfies the rule. For `pathUnder`, pass the
    /// path as resolved inside the workspace (symlinks followed, relative to the workspace root,
    /// no `.`/`..`/empty components); an unresolved or non-normalized path is refused.
    /// An array is admitted when it is non-empty and every element is.
    public func admits(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        switch rule {
        case .pathUnder(let prefixes):
            let paths: [JSONValue]
            if case .array(let items) = value { paths = items } else { paths = [value] }
            return !paths.isEmpty && paths.allSatisfy { item in
                guard case .string(let path) = item else { return false }
                return prefixes.contains { TokenPath.isUnder(path: path, prefix: $0) }
            }
        case .oneOf(let values):
            return values.contains { $0.matches(value) }
        }
    }

    public var description: String { "\"\(name)\" \(rule)" }
}

public enum ArgumentRule: Hashable, Sendable, CustomStringConvertible {
    /// The argument is a workspace-relative path equal to or under one of these prefixes,
    /// compared component by component (`src` admits `src` and `src/a.c`, not `srcx`). Prefixes
    /// are normalized relative paths; one trailing `/` is accepted and dropped when encoded.
    case pathUnder([String])
    /// The argument equals one of these values exactly (same JSON type, same bytes).
    case oneOf([ArgumentValue])

    public var description: String {
        switch self {
        case .pathUnder(let prefixes): return "under " + prefixes.map { "\"\($0)\"" }.joined(separator: " or ")
        case .oneOf(let values): return "one of " + values.map(\.description).joined(separator: ", ")
        }
    }
}

/// A literal a `oneOf` constraint accepts. Only JSON scalars that compare exactly: no
/// fractional numbers (two decimal spellings of one double would disagree), no objects.
public enum ArgumentValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case bool(Bool)

    /// Exact match: strings by their UTF-8 bytes, integers only against JSON integers.
    public func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.integer(let a), .integer(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .integer(let i): return "\(i)"
        case .bool(let b): return "\(b)"
        }
    }
}

/// Workspace-relative paths as path caveats use them.
enum TokenPath {
    /// A relative path with no empty, `.` or `..` component, no leading `/`, no NUL.
    static func isNormalized(_ path: String) -> Bool {
        guard !path.isEmpty, !path.utf8.contains(0) else { return false }
        return path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && !component.elementsEqual(".".utf8) && !component.elementsEqual("..".utf8)
        }
    }

    /// The canonical form of a prefix (one trailing `/` dropped), or nil when it is not a
    /// normalized relative path.
    static func canonicalPrefix(_ prefix: String) -> String? {
        var bytes = Array(prefix.utf8)
        if bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        let canonical = String(decoding: bytes, as: UTF8.self)
        return isNormalized(canonical) ? canonical : nil
    }

    /// `path` equals `prefix` or continues it after a `/`. Both must be normalized.
    static func isUnder(path: String, prefix: String) -> Bool {
        guard isNormalized(path) else { return false }
        let p = path.utf8, q = prefix.utf8
        guard p.starts(with: q) else { return false }
        if p.count == q.count { return true }
        return p[p.index(p.startIndex, offsetBy: q.count)] == UInt8(ascii: "/")
    }
}
