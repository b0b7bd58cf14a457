/// A place in a configuration file: 1-based line and column, as editors count them.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in a policy, a seccomp profile or any other configuration file, naming the exact place
/// and the field: `Policies/ci.yaml:14:7: tools.grep.limits: unknown field `netwrok``.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    /// Dotted path of the field (`tools.grep.limits.memory`); empty for the document itself.
    public var fieldPath: String
    public var message: String

    public init(location: SourceLocation, fieldPath: String, message: String) {
        self.location = location
        self.fieldPath = fieldPath
        self.message = message
    }

    public var description: String {
        fieldPath.isEmpty ? "\(location): \(message)" : "\(location): \(fieldPath): \(message)"
    }
}
