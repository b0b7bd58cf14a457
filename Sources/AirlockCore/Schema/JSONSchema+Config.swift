import Yams

extension JSONSchema {
    /// Compiles a schema written inside a configuration file (a policy's tool `arguments`), so
    /// that a mistake in it names its `file:line:column` and field path:
    /// `Policies/x.yaml:12:9: tools.grep.arguments.properties.path: unknown keyword `patern``.
    public static func compile(_ config: ConfigValue) throws(ConfigError) -> JSONSchema {
        let document = try config.json()
        do {
            return try compile(document)
        } catch {
            throw config.located(error)
        }
    }
}

extension ConfigValue {
    /// A schema error placed at the YAML node its pointer names (the key itself for an unknown
    /// keyword). When the pointer leads somewhere the YAML does not spell out, the deepest node
    /// that exists is used.
    func located(_ error: SchemaError) -> ConfigError {
        var current = node
        var mark = node.mark
        for (n, segment) in error.pointer.enumerated() {
            let isLast = n == error.pointer.count - 1
            if case .mapping(let mapping) = current,
                let pair = mapping.first(where: { $0.key.scalar?.string == segment }) {
                current = pair.value
                mark = (isLast && error.isAboutKey ? pair.key.mark : pair.value.mark) ?? mark
            } else if case .sequence(let sequence) = current, let index = Int(segment), sequence.indices.contains(index) {
                current = sequence[index]
                mark = current.mark ?? mark
            } else {
                break
            }
        }
        let location = SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        let fieldPath = (path + error.pointer).joined(separator: ".")
        return ConfigError(location: location, fieldPath: fieldPath, message: error.message)
    }
}
