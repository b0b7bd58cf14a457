/// Caveat → record bytes: `kind (1) | body length (2, big-endian) | body`.
///
/// Encoding is canonical — sets are sorted by their bytes and deduplicated, path prefixes lose
/// one trailing `/` — and the parser accepts only canonical bodies, so every caveat has exactly
/// one encoding.
extension Caveat {
    func encodedRecord() throws(TokenError) -> [UInt8] {
        var body = TokenWireWriter()
        let kind: UInt8
        switch self {
        case .tools(let names):
            kind = TokenWire.Kind.tools.rawValue
            try Self.encodeTools(names, into: &body)
        case .expires(let t):
            kind = TokenWire.Kind.expires.rawValue
            body.u64(t.value)
        case .notBefore(let t):
            kind = TokenWire.Kind.notBefore.rawValue
            body.u64(t.value)
        case .maxCalls(let n):
            kind = TokenWire.Kind.maxCalls.rawValue
            body.u64(n)
        case .argument(let constraint):
            kind = TokenWire.Kind.argument.rawValue
            try Self.encodeArgument(constraint, into: &body)
        case .limits(let limits):
            kind = TokenWire.Kind.limits.rawValue
            try Self.encodeLimits(limits, into: &body)
        case .derived(let id):
            kind = TokenWire.Kind.derived.rawValue
            body.raw(id.bytes)
        case .unknown(let k, let bytes, _):
            kind = k
            body.raw(bytes)
        }
        guard body.bytes.count <= Int(UInt16.max) else {
            throw .invalidCaveat("a caveat body is \(body.bytes.count) bytes; the limit is \(UInt16.max)")
        }
        var record = TokenWireWriter()
        record.u8(kind)
        record.long(body.bytes)
        return record.bytes
    }

    private static func encodeTools(_ names: Set<String>, into body: inout TokenWireWriter) throws(TokenError) {
        guard names.count <= 255 else { throw .invalidCaveat("a tools caveat lists \(names.count) tools; the limit is 255") }
        body.u8(UInt8(names.count))
        for name in names.sorted(by: utf8Precedes) {
            guard TokenWire.isName(name.utf8) else {
                throw .invalidCaveat("tool name `\(name)` must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
            }
            body.short(name.utf8)
        }
    }

    private static func encodeArgument(_ c: ArgumentConstraint, into body: inout TokenWireWriter) throws(TokenError) {
        guard TokenWire.isName(c.name.utf8) else {
            throw .invalidCaveat("argument name `\(c.name)` must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        }
        body.short(c.name.utf8)
        var entries: [[UInt8]] = []
        switch c.rule {
        case .pathUnder(let prefixes):
            body.u8(TokenWire.ArgumentOperator.pathUnder.rawValue)
            for prefix in prefixes {
                guard let canonical = TokenPath.canonicalPrefix(prefix), canonical.utf8.count <= 1024 else {
                    throw .invalidCaveat("path prefix `\(prefix)` for argument `\(c.name)` must be a relative path without `.`, `..` or empty components, at most 1024 bytes")
                }
                var entry = TokenWireWriter()
                entry.long(canonical.utf8)
                entries.append(entry.bytes)
            }
        case .oneOf(let values):
            body.u8(TokenWire.ArgumentOperator.oneOf.rawValue)
            for value in values { entries.append(try encodeValue(value, argument: c.name)) }
        }
        let sorted = Array(Set(entries)).sorted { $0.lexicographicallyPrecedes($1) }
        guard (1...255).contains(sorted.count) else {
            throw .invalidCaveat("argument `\(c.name)` needs 1 to 255 distinct values, has \(sorted.count)")
        }
        body.u8(UInt8(sorted.count))
        for entry in sorted { body.raw(entry) }
    }

    private static func encodeValue(_ value: ArgumentValue, argument: String) throws(TokenError) -> [UInt8] {
        var entry = TokenWireWriter()
        switch value {
        case .string(let s):
            guard s.utf8.count <= 1024 else { throw .invalidCaveat("a value for argument `\(argument)` is longer than 1024 bytes") }
            entry.u8(TokenWire.ValueType.string.rawValue)
            entry.long(s.utf8)
        case .integer(let i):
            entry.u8(TokenWire.ValueType.integer.rawValue)
            entry.u64(UInt64(bitPattern: i))
        case .bool(let b):
            entry.u8(TokenWire.ValueType.bool.rawValue)
            entry.u8(b ? 1 : 0)
        }
        return entry.bytes
    }

    private static func encodeLimits(_ limits: CaveatLimits, into body: inout TokenWireWriter) throws(TokenError) {
        let values = limits.rawValues
        guard !limits.isEmpty else { throw .invalidCaveat("a limits caveat must set at least one field") }
        var mask: UInt16 = 0
        for (bit, value) in values.enumerated() where value != nil {
            guard value != 0 else { throw .invalidCaveat("limit `\(CaveatLimits.fieldNames[bit])` must be greater than zero") }
            mask |= 1 << UInt16(bit)
        }
        body.u16(mask)
        for value in values { if let value { body.u64(value) } }
    }
}
