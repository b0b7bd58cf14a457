import Yams

/// A value in a YAML or JSON configuration file that remembers where it came from, so every
/// error can name `file:line:column` and the field path.
///
/// Scalars are interpreted by the reader, not by YAML 1.1's resolver: `yes`, `on` and `0o17` are
/// plain strings, never a boolean or a number by surprise.
public struct ConfigValue {
    let node: Node
    public let path: [String]
    public let file: String

    /// Parses one YAML document (JSON is accepted as YAML's flow style).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(yamlError: error, file: file)
        } catch {
            throw ConfigError(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "\(error)")
        }
        guard let root else {
            throw ConfigError(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "the document is empty")
        }
        return ConfigValue(node: root, path: [], file: file)
    }

    public var location: SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    public var fieldPath: String { path.joined(separator: ".") }

    /// An error at this value.
    public func error(_ message: String) -> ConfigError {
        ConfigError(location: location, fieldPath: fieldPath, message: message)
    }

    var kindName: String {
        switch node {
        case .scalar(let s): return s.style == .plain && s.string.isEmpty ? "null" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: Scalars

    /// Any scalar, as written. Quoted or not.
    public func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, found \(kindName)") }
        return scalar.string
    }

    /// A string that is not empty.
    public func nonEmptyString() throws(ConfigError) -> String {
        let s = try string()
        guard !s.isEmpty else { throw error("must not be empty") }
        return s
    }

    public func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("expected true or false") }
        switch scalar.string {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false, found `\(scalar.string)`")
        }
    }

    public func uint64() throws(ConfigError) -> UInt64 {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let n = UInt64(scalar.string) else {
            throw error("expected a whole number, found \(describeScalar)")
        }
        return n
    }

    public func positiveUInt64() throws(ConfigError) -> UInt64 {
        let n = try uint64()
        guard n > 0 else { throw error("must be greater than zero") }
        return n
    }

    /// A size with a unit: `256MiB`.
    public func byteCount() throws(ConfigError) -> ByteCount {
        let text = try string()
        do { return try ByteCount(parsing: text) } catch { throw self.error(error.description) }
    }

    /// A duration with a unit: `10s`.
    public func milliseconds() throws(ConfigError) -> Milliseconds {
        let text = try string()
        do { return try Milliseconds(parsing: text) } catch { throw self.error(error.description) }
    }

    /// A string that must be one of `allowed`.
    public func oneOf(_ allowed: [String]) throws(ConfigError) -> String {
        let s = try string()
        guard allowed.contains(s) else {
            throw error("`\(s)` is not one of \(allowed.map { "`\($0)`" }.joined(separator: ", "))")
        }
        return s
    }

    private var describeScalar: String {
        if case .scalar(let s) = node { return "`\(s.string)`" }
        return kindName
    }

    // MARK: Collections

    public func list() throws(ConfigError) -> [ConfigValue] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kindName)") }
        return sequence.enumerated().map { ConfigValue(node: $1, path: path + ["\($0)"], file: file) }
    }

    public func stringList() throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }

    /// A mapping whose keys the caller reads one by one; `finish()` rejects the ones nobody read.
    public func mapping() throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(kindName)") }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw ConfigValue(node: keyNode, path: path, file: file).error("keys must be strings")
            }
            guard seen.insert(key.string).inserted else {
                throw ConfigValue(node: keyNode, path: path, file: file).error("duplicate field `\(key.string)`")
            }
            entries.append((key.string, keyNode, value))
        }
        return ConfigMapping(owner: self, entries: entries)
    }

    // MARK: JSON

    /// The value as JSON: for JSON Schemas and other JSON-shaped data embedded in a policy.
    /// Plain scalars become `null`, `true`, `false`, integers and numbers where they spell one
    /// exactly as JSON does; everything else is a string.
    public func json() throws(ConfigError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            let s = scalar.string
            switch s {
            case "null", "~", "": return .null
            case "true": return .bool(true)
            case "false": return .bool(false)
            default:
                if isJSONNumber(s) {
                    if let i = Int64(s) { return .integer(i) }
                    if let d = Double(s), d.isFinite { return .number(d) }
                }
                return .string(s)
            }
        case .sequence:
            var items: [JSONValue] = []
            for item in try list() { items.append(try item.json()) }
            return .array(items)
        case .mapping:
            let m = try mapping()
            var object: [String: JSONValue] = [:]
            for key in m.keys { object[key] = try m.require(key).json() }
            return .object(object)
        case .alias:
            throw error("YAML aliases are not allowed in configuration")
        }
    }
}

/// RFC 8259's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. Swift's `Double(_:)`
/// also takes `0x1F`, `inf` and `nan`, which JSON does not.
func isJSONNumber(_ s: String) -> Bool {
    var bytes = Array(s.utf8)[...]
    func digits() -> Int {
        let n = bytes.prefix(while: { $0 >= 0x30 && $0 <= 0x39 }).count
        bytes = bytes.dropFirst(n)
        return n
    }
    if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    if bytes.first == UInt8(ascii: "0") { bytes = bytes.dropFirst() } else if digits() == 0 { return false }
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        if digits() == 0 { return false }
    }
    if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if digits() == 0 { return false }
    }
    return bytes.isEmpty
}

/// The keys of one mapping, read by name. Reading marks a key as known; `finish()` reports the
/// first key nobody asked for, so a typo (`netwrok`) is an error instead of a silent default.
public final class ConfigMapping {
    public let owner: ConfigValue
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var read: Set<String> = []

    init(owner: ConfigValue, entries: [(key: String, keyNode: Node, value: Node)]) {
        self.owner = owner
        self.entries = entries
    }

    /// Keys in document order.
    public var keys: [String] { entries.map(\.key) }

    public func optional(_ key: String) -> ConfigValue? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        read.insert(key)
        if case .scalar(let s) = entry.value, s.style == .plain, s.string.isEmpty || s.string == "null" || s.string == "~" {
            return nil
        }
        return ConfigValue(node: entry.value, path: owner.path + [key], file: owner.file)
    }

    public func require(_ key: String) throws(ConfigError) -> ConfigValue {
        guard let value = optional(key) else { throw owner.error("missing required field `\(key)`") }
        return value
    }

    /// Rejects any key that was not read.
    public func finish() throws(ConfigError) {
        if let unknown = entries.first(where: { !read.contains($0.key) }) {
            let known = ConfigValue(node: unknown.keyNode, path: owner.path, file: owner.file)
            throw known.error("unknown field `\(unknown.key)`")
        }
    }
}

extension ConfigError {
    init(yamlError: YamlError, file: String) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            self.init(location: SourceLocation(file: file, line: mark.line, column: mark.column), fieldPath: "", message: detail)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams finds duplicates before any node reaches us; its mark is the first occurrence.
            let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            self.init(
                location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column), fieldPath: "",
                message: "duplicate field \(names): it appears more than once in this mapping")
        case .reader(let problem, _, _, _):
            self.init(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: problem)
        default:
            self.init(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "\(yamlError)")
        }
    }
}
