/// What `airlock token inspect` shows: everything a token says, readable without the root key.
/// Nothing here is verified; the signature is not shown because it is the credential.
extension CapabilityToken {
    /// One field per line, caveats numbered in chain order.
    public var inspection: String {
        var lines = [
            "version       \(version)",
            "id            \(id)",
            "effective id  \(effectiveId)",
            "key id        \(keyId)",
            "task          \(taskId)",
            "policy        \(policyName)",
            "policy sha256 \(policyDigest)",
            caveats.isEmpty ? "caveats       (none)" : "caveats",
        ]
        for (index, caveat) in caveats.enumerated() { lines.append("  \(index). \(caveat)") }
        return lines.joined(separator: "\n")
    }

    /// The same as a JSON value, for `--json` output and API answers.
    public var inspectionJSON: JSONValue {
        .object([
            "version": .integer(Int64(version)),
            "id": .string(id.text),
            "effectiveId": .string(effectiveId.text),
            "keyId": .string(keyId),
            "taskId": .string(taskId),
            "policyName": .string(policyName),
            "policyDigest": .string(policyDigest.hex),
            "caveats": .array(caveats.map(\.json)),
        ])
    }
}

extension Caveat {
    /// `{"kind": .string("tools"), "tools": ["grep"]}` and so on; times as seconds since 1970.
    public var json: JSONValue {
        switch self {
        case .tools(let names):
            return .object(["kind": .string("tools"), "tools": .array(names.sorted(by: utf8Precedes).map(JSONValue.string))])
        case .expires(let t): return .object(["kind": .string("expires"), "at": .integer(Int64(clamping: t.value))])
        case .notBefore(let t): return .object(["kind": .string("notBefore"), "at": .integer(Int64(clamping: t.value))])
        case .maxCalls(let n): return .object(["kind": .string("maxCalls"), "calls": .integer(Int64(clamping: n))])
        case .argument(let c):
            switch c.rule {
            case .pathUnder(let prefixes):
                return .object(["kind": .string("argument"), "name": .string(c.name), "pathUnder": .array(prefixes.map(JSONValue.string))])
            case .oneOf(let values):
                return .object(["kind": .string("argument"), "name": .string(c.name), "oneOf": .array(values.map(\.json))])
            }
        case .limits(let limits):
            var object: [String: JSONValue] = ["kind": .string("limits")]
            for (name, value) in zip(CaveatLimits.fieldNames, limits.rawValues) {
                if let value { object[name] = .integer(Int64(clamping: value)) }
            }
            return .object(object)
        case .derived(let id): return .object(["kind": .string("derived"), "id": .string(id.text)])
        case .unknown(let kind, let body, let detail):
            return .object([
                "kind": .string("unknown"), "code": .integer(Int64(kind)), "body": .string(TokenBase64URL.encode(body)),
                "detail": .string(detail),
            ])
        }
    }
}

extension ArgumentValue {
    var json: JSONValue {
        switch self {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .bool(let b): return .bool(b)
        }
    }
}
