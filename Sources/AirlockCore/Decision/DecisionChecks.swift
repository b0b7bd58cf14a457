/// The individual checks of `decide()`, in the order it runs them (see there for why).
enum DecisionChecks {
    /// Steps 1 and 2 after the signature: the grant is for this task and this exact policy text.
    static func checkBinding(of grant: Grant, policy: Policy, state: DecisionState) throws(CallDenial) {
        guard grant.taskId.utf8.elementsEqual(state.taskId.utf8) else {
            throw CallDenial(.tokenInvalid, "this token was issued for another task; use the token of this task")
        }
        guard let digest = PolicyDigest(hex: policy.digest), digest == grant.policyDigest else {
            throw CallDenial(
                .policyChanged,
                "the task's policy has changed since this token was issued, so the token no longer applies; ask for a new token")
        }
    }

    /// Steps 3 to 5: revocation, task state, validity window.
    static func checkStanding(of grant: Grant, now: EpochSeconds, state: DecisionState) throws(CallDenial) {
        if state.revocations.isRevoked(grant) {
            throw CallDenial(.tokenRevoked, "this token has been revoked; ask for a new token")
        }
        switch state.taskState {
        case .active: break
        case .suspended:
            throw CallDenial(.taskSuspended, "this task is suspended; no call runs until an operator resumes it")
        case .ended:
            throw CallDenial(.taskEnded, "this task has ended; it accepts no more calls")
        }
        if let notBefore = grant.notBefore, now < notBefore {
            throw CallDenial(.tokenNotYetValid, "this token is not valid before \(notBefore); retry after that time")
        }
        if let expires = grant.expires, now >= expires {
            throw CallDenial(.tokenExpired, "this token expired at \(expires); ask for a new token")
        }
    }

    /// Step 6: the token grants the tool, then the policy defines it. Both answers list only the
    /// tools this token may actually call.
    static func tool(named name: String, grant: Grant, policy: Policy) throws(CallDenial) -> ToolSpec {
        guard grant.allows(tool: name) else {
            let usable = grantedTools(grant, policy)
            let listing = usable.isEmpty ? "it grants no tool of this task" : "it grants \(usable.joined(separator: ", "))"
            throw CallDenial(.toolNotGranted, "this token does not grant the tool \(shortQuoted(name)); \(listing)")
        }
        guard let tool = policy.tools[name] else {
            let usable = grantedTools(grant, policy)
            let listing =
                usable.isEmpty ? "this task has no tool this token grants" : "this token's tools are \(usable.joined(separator: ", "))"
            throw CallDenial(.unknownTool, "there is no tool \(shortQuoted(name)); \(listing)")
        }
        return tool
    }

    /// The policy's tools that the grant allows, in the policy's order.
    private static func grantedTools(_ grant: Grant, _ policy: Policy) -> [String] {
        policy.toolNames.filter(grant.allows(tool:))
    }

    /// Step 7: every `maxCalls` caveat, counted against the lineage id it was added under.
    static func checkBudgets(of grant: Grant, state: DecisionState) throws(CallDenial) {
        for budget in grant.callBudgets where state.calls(by: budget.tokenId) >= budget.maxCalls {
            let calls = budget.maxCalls == 1 ? "1 call" : "\(budget.maxCalls) calls"
            let budgetName =
                budget.tokenId == grant.tokenId
                ? "this token's budget of \(calls)" : "the budget of \(calls) of the token this one was derived from"
            throw CallDenial(.callBudgetExhausted, "\(budgetName) is spent; ask for a new token")
        }
    }

    /// Step 9: the token's argument constraints, on the arguments the tool will receive.
    static func checkConstraints(of grant: Grant, on call: RenderedCall, tool: ToolSpec) throws(CallDenial) {
        guard !grant.argumentConstraints.isEmpty else { return }
        let arguments = call.arguments.objectValue ?? [:]
        for constraint in grant.argumentConstraints {
            var value = arguments[constraint.name]
            if tool.paths.contains(constraint.name) { value = value.map(workspaceRelative) }
            guard constraint.admits(value) else {
                let subject = shortQuoted(constraint.name)
                throw CallDenial(
                    .argumentNotPermitted,
                    value == nil
                        ? "this token requires \(subject) to be given: it permits only \(constraint)"
                        : "this token permits only \(constraint)")
            }
        }
    }

    /// `/work/src/a.c` → `src/a.c`, element by element for arrays: the form path caveats compare.
    private static func workspaceRelative(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let path): return WorkspacePath.relative(fromSandboxPath: path).map(JSONValue.string) ?? value
        case .array(let items): return .array(items.map(workspaceRelative))
        default: return value
        }
    }

    /// A token that cannot be read or verified, as a denial that names no secret.
    static func invalidToken(_ error: TokenError) -> CallDenial {
        let message: String
        switch error {
        case .malformed(let field, _, _):
            message = "the token is malformed (\(field)); send it exactly as it was issued"
        case .unknownKey:
            message = "the token was signed with a key this broker does not hold (it may have been retired); ask for a new token"
        case .badSignature:
            message = "the token's signature does not verify: it was altered or not issued by this broker; ask for a new token"
        case .unsupportedVersion(let version):
            message = "token format version \(version) is not supported here; ask for a new token"
        case .unknownCaveat(let index, _):
            message = "the token carries a restriction this broker cannot enforce (caveat \(index)); ask for a token without it"
        case .invalidCaveat, .invalidInput, .keyStore, .revocationList:
            message = "the token cannot be used; ask for a new token"
        }
        return CallDenial(.tokenInvalid, message)
    }
}
