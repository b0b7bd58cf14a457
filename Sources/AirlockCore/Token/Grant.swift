/// What a verified token allows: the caveat chain folded into one value.
///
/// Folding only narrows: tools intersect, the earliest expiry and the latest not-before win,
/// the smallest call budget wins, argument constraints accumulate, limits take field-wise
/// minimums. Time, call budget and revocation are checked by the decision, which has the clock
/// and the counters; the fields it needs are here.
public struct Grant: Hashable, Sendable {
    public let keyId: String
    public let taskId: String
    public let policyName: String
    /// Must equal the digest of the policy the decision uses, or the call is `policy_changed`.
    public internal(set) var policyDigest: PolicyDigest
    public private(set) var tools: GrantedTools = .all
    /// Not valid at or after this instant.
    public private(set) var expires: EpochSeconds?
    /// Not valid before this instant.
    public private(set) var notBefore: EpochSeconds?
    /// The smallest `maxCalls` in the chain (for display; enforce with `callBudgets`).
    public private(set) var maxCalls: UInt64?
    /// Every `maxCalls` caveat with the lineage id it was added under. A decision counts each
    /// call against every id in `lineage` and allows it only while, for each budget, fewer than
    /// `maxCalls` calls were counted against `tokenId`. A child cannot out-spend its parent,
    /// and a child's budget starts when the child is made.
    public private(set) var callBudgets: [CallBudget] = []
    /// All must admit the call's arguments.
    public private(set) var argumentConstraints: [ArgumentConstraint] = []
    /// Lower the policy's limits with `limits.applied(to:)`.
    public private(set) var limits = CaveatLimits()
    /// The minted id, then each `derived` id in chain order. Revoking any of them revokes this.
    public private(set) var lineage: [TokenID]

    /// The id of this exact token (the last of the lineage).
    public var tokenId: TokenID { lineage[lineage.count - 1] }

    /// Whether the grant names `tool` (the policy must grant it too).
    public func allows(tool: String) -> Bool { tools.allows(tool) }

    /// The constraints on argument `name`, in chain order.
    public func constraints(forArgument name: String) -> [ArgumentConstraint] {
        argumentConstraints.filter { $0.name.utf8.elementsEqual(name.utf8) }
    }

    /// Folds the caveats of `token` (whose signature the caller has already checked).
    init(folding token: CapabilityToken) throws(TokenError) {
        keyId = token.keyId
        taskId = token.taskId
        policyName = token.policyName
        policyDigest = token.policyDigest
        lineage = [token.id]
        for (index, caveat) in token.caveats.enumerated() { try fold(caveat, index: index) }
    }

    private mutating func fold(_ caveat: Caveat, index: Int) throws(TokenError) {
        switch caveat {
        case .tools(let names): tools = tools.intersection(names)
        case .expires(let t): expires = min(expires ?? t, t)
        case .notBefore(let t): notBefore = max(notBefore ?? t, t)
        case .maxCalls(let n):
            maxCalls = min(maxCalls ?? n, n)
            callBudgets.append(CallBudget(tokenId: tokenId, maxCalls: n))
        case .argument(let constraint):
            if !argumentConstraints.contains(constraint) { argumentConstraints.append(constraint) }
        case .limits(let l): limits = limits.tightened(by: l)
        case .derived(let id): lineage.append(id)
        case .unknown(_, _, let detail): throw .unknownCaveat(index: index, detail: detail)
        }
    }
}

/// The tools a grant names: all the policy's tools, or only some.
public enum GrantedTools: Hashable, Sendable, CustomStringConvertible {
    case all
    case only(Set<String>)

    /// Compares names byte for byte: a name outside `[A-Za-z0-9._-]` is never in a token, and
    /// ruling it out first keeps Unicode equivalence (U+212A KELVIN SIGN == `K`) out of the check.
    public func allows(_ tool: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let names): return TokenWire.isName(tool.utf8) && names.contains(tool)
        }
    }

    public func intersection(_ names: Set<String>) -> GrantedTools {
        switch self {
        case .all: return .only(names)
        case .only(let current): return .only(current.intersection(names))
        }
    }

    public var description: String {
        switch self {
        case .all: return "all tools of the policy"
        case .only(let names): return names.isEmpty ? "no tools" : names.sorted(by: utf8Precedes).joined(separator: ", ")
        }
    }
}

/// A call budget and the lineage id it applies to.
public struct CallBudget: Hashable, Sendable {
    public let tokenId: TokenID
    public let maxCalls: UInt64
}
