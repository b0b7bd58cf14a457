/// Checks, while a tool is loaded, that every slot, `paths` entry and `stdin` names a declared
/// argument of a type it can carry, and afterwards that no declared argument is left unused
/// (an argument that reaches nothing would let the model believe an option took effect).
final class SlotChecker {
    let schema: JSONSchema
    private var used: Set<String> = []

    static let scalarTypes: Set<JSONType> = [.string, .integer, .number, .boolean]

    init(schema: JSONSchema) {
        self.schema = schema
    }

    /// A slot `{name}` (or `{name*}` when `spread`) at `place`.
    func use(_ name: String, spread: Bool, at place: ConfigValue) throws(ConfigError) {
        let property = try declared(name, at: place, as: spread ? "`{\(name)*}`" : "`{\(name)}`")
        guard let types = property.types else {
            throw place.error("argument `\(name)` must declare a `type` to fill a slot")
        }
        let describe = types.map(\.rawValue).joined(separator: " or ")
        if spread {
            guard types.contains(.array), types.allSatisfy({ $0 == .array || $0 == .null }) else {
                throw place.error("`{\(name)*}` expands an array, but argument `\(name)` is \(describe); use `{\(name)}`")
            }
            guard let itemTypes = property.items?.types, itemTypes.allSatisfy({ Self.scalarTypes.contains($0) }) else {
                throw place.error("argument `\(name)` must declare `items` with a string, integer, number or boolean `type`")
            }
        } else {
            guard types.contains(where: { Self.scalarTypes.contains($0) }),
                types.allSatisfy({ Self.scalarTypes.contains($0) || $0 == .null })
            else {
                throw place.error("`{\(name)}` takes one value, but argument `\(name)` is \(describe)" + (types.contains(.array) ? "; use `{\(name)*}`" : ""))
            }
        }
        used.insert(name)
    }

    /// A `paths` entry: a string argument, or an array of strings (each item a path).
    func requirePathArgument(_ name: String, at place: ConfigValue) throws(ConfigError) {
        let property = try declared(name, at: place, as: "`\(name)`")
        let types = property.types ?? []
        let isString = types.contains(.string) && types.allSatisfy { $0 == .string || $0 == .null }
        let isStringArray = types.contains(.array) && types.allSatisfy { $0 == .array || $0 == .null } && property.items?.types == [.string]
        guard isString || isStringArray else {
            throw place.error("path argument `\(name)` must be a string (or an array of strings), not \(types.map(\.rawValue).joined(separator: " or "))")
        }
    }

    func requireEveryArgumentUsed(_ arguments: ConfigValue) throws(ConfigError) {
        if let unused = schema.properties.keys.sorted().first(where: { !used.contains($0) }) {
            throw arguments.located(SchemaError(
                pointer: ["properties", unused],
                message: "argument `\(unused)` reaches the tool nowhere: use it in argv, stdin or environment, or remove it",
                isAboutKey: true))
        }
    }

    private func declared(_ name: String, at place: ConfigValue, as written: String) throws(ConfigError) -> JSONSchema {
        guard let property = schema.properties[name] else {
            let declared = schema.properties.keys.sorted()
            let list = declared.isEmpty ? "the tool declares no arguments" : "declared: " + declared.joined(separator: ", ")
            throw place.error("\(written) refers to no declared argument (\(list))")
        }
        return property
    }
}
