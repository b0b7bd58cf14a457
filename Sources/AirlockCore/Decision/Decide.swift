/// Decides one tool call: allow it (with the exact job to run and its effective limits) or deny
/// it with a stable reason code and a sentence the model can act on.
///
/// **Pure.** No clock (`now` is passed in), no randomness, no counters changed, no file read
/// except what resolving path arguments inside `state.workspace` needs (`lstat`/`readlink` in
/// `WorkspaceRoot`). The same inputs give the same decision, so tests call it with values and
/// an auditor can replay it from the execution log.
///
/// **Order of checks**, each with its reason code. The first failing check decides:
///
/// 1. The token parses and its HMAC chain verifies with a root key from `state.keys`, and it was
///    minted for `state.taskId` — `token_invalid`. Nothing an unverified token says can be
///    trusted, so it is read before anything else, and a forged token learns nothing about the
///    policy, the task or the workspace.
/// 2. The policy's SHA-256 equals the token's — `policy_changed`. Tool and argument names in the
///    token mean what they meant in the policy it was minted for; read against another text they
///    could grant something no one reviewed.
/// 3. No id in the token's lineage is revoked — `token_revoked`.
/// 4. The task is active — `task_suspended`, `task_ended`.
/// 5. `notBefore ≤ now < expires` — `token_not_yet_valid`, `token_expired`.
///
///    Steps 2 to 5 go from final to passing: a revoked token stays revoked when the task resumes
///    or the clock moves, so it is the reason reported, and an operator's suspension outranks a
///    token's own schedule.
/// 6. The token grants the tool — `tool_not_granted`; the policy defines it — `unknown_tool`.
///    The grant comes first so that the answer lists only the tools this token may call.
/// 7. Every call budget in the chain has room — `call_budget_exhausted`. Before the arguments,
///    so a spent token cannot make the broker touch the workspace.
/// 8. The arguments match the tool's schema and every path stays inside the workspace —
///    `argument_invalid`, `path_outside_workspace`, `workspace_missing` (`ToolSpec.render`).
/// 9. The token's argument constraints admit the rendered arguments (defaults filled in, paths
///    resolved and compared relative to the workspace) — `argument_not_permitted`. After
///    rendering, because a constraint must judge what the tool will actually receive.
/// 10. Allowed: the effective limits are the field-wise minimum of the tool's limits and the
///     token's `limits` caveats.
///
/// Denial messages never contain host paths (paths appear as `/work/…`), the token text, or key
/// material; model-supplied names are quoted and cut at 80 characters.
public func decide(call: ToolCall, token: String, policy: Policy, now: EpochSeconds, state: DecisionState) -> Decision {
    let parsed: CapabilityToken
    do {
        parsed = try CapabilityToken(text: token)
    } catch {
        return .deny(DecisionChecks.invalidToken(error))
    }
    return decide(call: call, token: parsed, policy: policy, now: now, state: state)
}

/// `decide` for a token already parsed (the broker parses once per request; the checks are the
/// same, starting with signature verification).
public func decide(call: ToolCall, token: CapabilityToken, policy: Policy, now: EpochSeconds, state: DecisionState) -> Decision {
    let grant: Grant
    do {
        grant = try state.keys.verify(token)
    } catch {
        return .deny(DecisionChecks.invalidToken(error))
    }
    return decide(call: call, grant: grant, policy: policy, now: now, state: state)
}

/// `decide` for a grant whose signature chain was already verified: every check after step 1's
/// signature check (the grant's task, then steps 2 to 10).
///
/// The broker verifies once and logs the token it verified; a replay of the execution log rebuilds
/// the same grant from the logged caveats (`Grant(unverified:)`), because signatures are never
/// logged. `state.keys` is not used.
public func decide(call: ToolCall, grant: Grant, policy: Policy, now: EpochSeconds, state: DecisionState) -> Decision {
    do throws(CallDenial) {
        try DecisionChecks.checkBinding(of: grant, policy: policy, state: state)
        try DecisionChecks.checkStanding(of: grant, now: now, state: state)
        let tool = try DecisionChecks.tool(named: call.tool, grant: grant, policy: policy)
        try DecisionChecks.checkBudgets(of: grant, state: state)
        let rendered = try tool.render(arguments: call.arguments, workspace: state.workspace)
        try DecisionChecks.checkConstraints(of: grant, on: rendered, tool: tool)
        let limits = grant.limits.applied(to: rendered.limits)
        return .allow(AllowedCall(call: rendered, job: rendered.jobSpec(limits: limits), effectiveLimits: limits, grant: grant))
    } catch {
        return .deny(error)
    }
}
