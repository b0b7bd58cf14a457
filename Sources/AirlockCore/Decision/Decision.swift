/// The answer of `decide()`: run this exact job, or refuse with a reason.
public enum Decision: Sendable {
    case allow(AllowedCall)
    case deny(CallDenial)

    /// The allowed call, or nil for a denial.
    public var allowed: AllowedCall? {
        if case .allow(let call) = self { return call }
        return nil
    }

    /// The denial, or nil when the call is allowed.
    public var denial: CallDenial? {
        if case .deny(let denial) = self { return denial }
        return nil
    }
}

/// A call that passed every check, made concrete: what runs, under which limits, on whose grant.
public struct AllowedCall: Sendable {
    /// The rendered call: resolved arguments (as the execution log records them), argv,
    /// environment, stdin, view.
    public var call: RenderedCall
    /// What the sandbox runs: `call` with `effectiveLimits` in place of the policy's limits.
    public var job: JobSpec
    /// The field-wise minimum of the tool's limits in the policy and the token's `limits` caveats.
    public var effectiveLimits: Limits
    /// The verified token, folded. The caller counts the call against `grant.lineage` once it
    /// runs (`DecisionState.recordCall(by:)`).
    public var grant: Grant

    public init(call: RenderedCall, job: JobSpec, effectiveLimits: Limits, grant: Grant) {
        self.call = call
        self.job = job
        self.effectiveLimits = effectiveLimits
        self.grant = grant
    }
}
