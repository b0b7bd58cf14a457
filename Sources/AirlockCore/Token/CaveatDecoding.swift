/// Record body → caveat, accepting only the canonical encoding that `encodedRecord()` writes.
/// A structurally wrong body is `malformed`; a well-formed body of a kind, operator, value type or
/// limit field this code does not know becomes `.unknown`, which verification rejects.
extension Caveat {
    /// Decodes the body `bytes[start..<end]` of caveat number `index` (counted from 0).
    static func decode(kind: UInt8, bytes: [UInt8], start: Int, end: Int, index: Int) throws(TokenError) -> Caveat {
        var r = TokenWireReader(bytes: bytes, offset: start, end: end)
        let unknown = { (detail: String) in Caveat.unknown(kind: kind, body: Array(bytes[start..<end]), detail: detail) }
        let caveat: Caveat
        switch TokenWire.Kind(rawValue: kind) {
        case nil: return unknown("caveat kind \(kind) is not defined in format version 1")
        case .tools?: caveat = .tools(try decodeTools(&r, field: CaveatField(index: index, kind: "tools")))
        case .expires?: caveat = .expires(EpochSeconds(try r.u64("caveat \(index) (expires)")))
        case .notBefore?: caveat = .notBefore(EpochSeconds(try r.u64("caveat \(index) (not-before)")))
        case .maxCalls?: caveat = .maxCalls(try r.u64("caveat \(index) (max-calls)"))
        case .derived?: caveat = .derived(TokenID(validatedBytes: Array(try r.take(TokenID.byteCount, "caveat \(index) (derived id)"))))
        case .argument?:
            switch try decodeArgument(&r, field: CaveatField(index: index, kind: "argument")) {
            case .known(let constraint): caveat = .argument(constraint)
            case .unknown(let detail): return unknown(detail)
            }
        case .limits?:
            switch try decodeLimits(&r, field: CaveatField(index: index, kind: "limits")) {
            case .known(let limits): caveat = .limits(limits)
            case .unknown(let detail): return unknown(detail)
            }
        }
        try r.finish("caveat \(index)")
        return caveat
    }

    private enum Decoded<Value> {
        case known(Value)
        case unknown(String)
    }

    private static func decodeTools(_ r: inout TokenWireReader, field: CaveatField) throws(TokenError) -> Set<String> {
        let count = try r.u8("\(field) count")
        var names: Set<String> = []
        var previous: ArraySlice<UInt8>? = nil
        for _ in 0..<count {
            let at = r.offset
            let name = try r.short("\(field) name")
            guard TokenWire.isName(name) else { throw r.fail("\(field)", "tool name is not 1 to 64 characters of A-Z a-z 0-9 . _ -", at: at) }
            try requireAscending(previous, name, r, field, at)
            previous = name
            names.insert(String(decoding: name, as: UTF8.self))
        }
        return names
    }

    private static func decodeArgument(_ r: inout TokenWireReader, field: CaveatField) throws(TokenError) -> Decoded<ArgumentConstraint> {
        let nameAt = r.offset
        let nameBytes = try r.short("\(field) name")
        guard TokenWire.isName(nameBytes) else { throw r.fail("\(field)", "argument name is not 1 to 64 characters of A-Z a-z 0-9 . _ -", at: nameAt) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let opByte = try r.u8("\(field) operator")
        guard let op = TokenWire.ArgumentOperator(rawValue: opByte) else {
            return .unknown("argument operator \(opByte) is not defined in format version 1")
        }
        let countAt = r.offset
        let count = try r.u8("\(field) count")
        guard count > 0 else { throw r.fail("\(field)", "an argument caveat needs at least one value", at: countAt) }
        var previous: ArraySlice<UInt8>? = nil
        var prefixes: [String] = []
        var values: [ArgumentValue] = []
        for _ in 0..<count {
            let at = r.offset
            switch op {
            case .pathUnder: prefixes.append(try decodePrefix(&r, field: field))
            case .oneOf:
                guard let value = try decodeValue(&r, field: field) else {
                    return .unknown("argument value type \(r.bytes[at]) is not defined in format version 1")
                }
                values.append(value)
            }
            let entry = r.bytes[at..<r.offset]
            try requireAscending(previous, entry, r, field, at)
            previous = entry
        }
        return .known(ArgumentConstraint(name: name, rule: op == .pathUnder ? .pathUnder(prefixes) : .oneOf(values)))
    }

    private static func decodePrefix(_ r: inout TokenWireReader, field: CaveatField) throws(TokenError) -> String {
        let at = r.offset
        let bytes = try r.long("\(field) path prefix")
        guard bytes.count <= 1024, let prefix = String(validating: bytes, as: UTF8.self),
            TokenPath.canonicalPrefix(prefix) == prefix
        else { throw r.fail("\(field)", "path prefix is not a canonical relative path of at most 1024 bytes", at: at) }
        return prefix
    }

    /// nil for a value type this code does not know.
    private static func decodeValue(_ r: inout TokenWireReader, field: CaveatField) throws(TokenError) -> ArgumentValue? {
        let type = try r.u8("\(field) value type")
        switch TokenWire.ValueType(rawValue: type) {
        case nil: return nil
        case .string?:
            let at = r.offset
            let bytes = try r.long("\(field) string value")
            guard bytes.count <= 1024, let s = String(validating: bytes, as: UTF8.self) else {
                throw r.fail("\(field)", "string value is not UTF-8 of at most 1024 bytes", at: at)
            }
            return .string(s)
        case .integer?: return .integer(Int64(bitPattern: try r.u64("\(field) integer value")))
        case .bool?:
            let at = r.offset
            let b = try r.u8("\(field) boolean value")
            guard b <= 1 else { throw r.fail("\(field)", "boolean value must be 0 or 1, is \(b)", at: at) }
            return .bool(b == 1)
        }
    }

    private static func decodeLimits(_ r: inout TokenWireReader, field: CaveatField) throws(TokenError) -> Decoded<CaveatLimits> {
        let maskAt = r.offset
        let mask = try r.u16("\(field) field mask")
        guard mask != 0 else { throw r.fail("\(field)", "the field mask sets no field", at: maskAt) }
        let known = CaveatLimits.fieldNames.count
        if mask >> UInt16(known) != 0 {
            let bit = (known..<16).first { mask & (1 << UInt16($0)) != 0 }!
            return .unknown("limits field bit \(bit) is not defined in format version 1")
        }
        var values = [UInt64?](repeating: nil, count: known)
        for bit in 0..<known where mask & (1 << UInt16(bit)) != 0 {
            let at = r.offset
            let value = try r.u64("\(field) \(CaveatLimits.fieldNames[bit])")
            guard value > 0 else { throw r.fail("\(field)", "limit `\(CaveatLimits.fieldNames[bit])` is zero", at: at) }
            values[bit] = value
        }
        return .known(CaveatLimits(rawValues: values))
    }

    /// Set members must be strictly ascending by bytes: one encoding per set, no duplicates.
    private static func requireAscending(
        _ previous: ArraySlice<UInt8>?, _ current: ArraySlice<UInt8>, _ r: TokenWireReader, _ field: CaveatField, _ at: Int
    ) throws(TokenError) {
        guard let previous else { return }
        guard previous.lexicographicallyPrecedes(current) else {
            throw r.fail("\(field)", "set members are not in strictly ascending byte order", at: at)
        }
    }
}

/// Names a caveat in error messages (`caveat 3 (tools)`), built only when an error is reported.
struct CaveatField: CustomStringConvertible {
    let index: Int
    let kind: StaticString
    var description: String { "caveat \(index) (\(kind))" }
}
