/// One restriction in a token's chain. Every kind only ever narrows what the token allows; how
/// each kind folds into a `Grant` is documented on the case and in `docs/tokens.md`.
public enum Caveat: Hashable, Sendable, CustomStringConvertible {
    /// Only these tools may be called. Several `tools` caveats intersect. Names use
    /// `[A-Za-z0-9._-]`, 1 to 64 characters.
    case tools(Set<String>)
    /// The token is not valid at or after this instant. The earliest expiry wins.
    case expires(EpochSeconds)
    /// The token is not valid before this instant. The latest wins.
    case notBefore(EpochSeconds)
    /// At most this many calls (see `Grant.callBudgets` for what they are counted against).
    /// The smallest wins.
    case maxCalls(UInt64)
    /// A restriction on one argument of every call. All argument caveats apply together.
    case argument(ArgumentConstraint)
    /// Per-call limits; each field set lowers that limit. Field-wise minimum.
    case limits(CaveatLimits)
    /// Added by every attenuation: the id of the derived token, so that revoking any id in the
    /// lineage revokes everything derived from it.
    case derived(TokenID)
    /// A caveat this code does not understand (a kind from a newer format, or an unknown
    /// operator or field inside a known kind). It parses, so `inspect` can show it, but it never
    /// verifies: a verifier must not drop a restriction it cannot enforce.
    case unknown(kind: UInt8, body: [UInt8], detail: String)

    public var description: String {
        switch self {
        case .tools(let names):
            return names.isEmpty ? "tools: (none)" : "tools: " + names.sorted(by: utf8Precedes).joined(separator: ", ")
        case .expires(let t): return "expires: \(t)"
        case .notBefore(let t): return "not-before: \(t)"
        case .maxCalls(let n): return "max-calls: \(n)"
        case .argument(let constraint): return "argument: \(constraint)"
        case .limits(let limits): return "limits: \(limits)"
        case .derived(let id): return "derived: \(id)"
        case .unknown(let kind, let body, let detail):
            return "unknown: kind 0x\(TokenBase64URL.hex(kind)), \(body.count) bytes (\(detail))"
        }
    }
}

/// Compares two strings by their UTF-8 bytes, the order the wire format uses (Swift's own `<`
/// compares by Unicode canonical equivalence, which is not byte order).
func utf8Precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
