import AirlockCore

/// One tool call as the agent sent it.
struct CallRequest: Sendable, Hashable {
    var tool: String
    var arguments: JSONValue
    var callId: String
}

/// A call that may run: the verified grant and the exact job for the sandbox.
struct Authorized: Sendable {
    let grant: Grant
    let taskId: String
    let rendered: RenderedCall
    let job: JobSpec
}

/// A refused call, with the task it belongs to once the token has named one (so the task's
/// denial counter can count it).
struct AuthorizationDenied: Error, Sendable {
    let denial: CallDenial
    let taskId: String?
}

/// What `authorize` reads besides the call: all values, no I/O but the workspace lookups that
/// path rendering needs.
struct AuthorizationInputs {
    let keyring: RootKeyring
    let revocations: RevocationList
    let policies: [String: Policy]
    let now: EpochSeconds
    let task: (String) -> TaskRecord?
}

/// The broker's decision for one call: token verification (`Grant`), the task it names,
/// revocation, not-before and expiry, the policy digest, the tool grant, call budgets, argument
/// rendering (`ToolSpec.render`), the token's argument constraints and limits.
///
/// This is the single place the call path asks "may this run?"; it is meant to be replaced by the
/// pure `decide(call, token, policy, now, state)` from `AirlockCore/Decision` when that lands.
/// Whether the task is suspended or ended is the task lifecycle's to say, after this.
func authorize(token text: String, call: CallRequest, inputs: AuthorizationInputs) throws(AuthorizationDenied) -> Authorized {
    let grant: Grant
    do {
        grant = try inputs.keyring.verify(text: text)
    } catch {
        throw AuthorizationDenied(denial: CallDenial(.tokenInvalid, "the bearer token is not valid (\(error.code)); use the token the task was created with"), taskId: nil)
    }
    guard let task = inputs.task(grant.taskId) else {
        throw AuthorizationDenied(denial: CallDenial(.tokenInvalid, "the token names a task this broker does not know"), taskId: nil)
    }
    func deny(_ code: CallDenial.Code, _ message: String, _ violations: [SchemaViolation] = []) -> AuthorizationDenied {
        AuthorizationDenied(denial: CallDenial(code, message, violations: violations), taskId: task.id)
    }
    if inputs.revocations.isRevoked(grant) { throw deny(.tokenRevoked, "this token was revoked; the task's owner must issue a new one") }
    if let notBefore = grant.notBefore, inputs.now < notBefore {
        throw deny(.tokenNotYetValid, "this token is not valid before \(notBefore); retry after that")
    }
    if let expires = grant.expires, inputs.now >= expires {
        throw deny(.tokenExpired, "this token expired at \(expires); the task's owner must issue a new one")
    }
    guard let policy = inputs.policies[task.policyName], PolicyDigest(hex: policy.digest) == grant.policyDigest,
        task.policyDigest == grant.policyDigest
    else {
        throw deny(.policyChanged, "the policy \(task.policyName) changed after this token was minted; the task's owner must create a new task")
    }
    let tool: ToolSpec
    do { tool = try policy.tool(named: call.tool) } catch { throw AuthorizationDenied(denial: error, taskId: task.id) }
    guard grant.allows(tool: call.tool) else {
        throw deny(.toolNotGranted, "this token does not grant the tool \(call.tool); it grants \(grant.tools)")
    }
    for budget in grant.callBudgets where (task.callsCounted[budget.tokenId] ?? 0) >= budget.maxCalls {
        throw deny(.callBudgetExhausted, "this token's budget of \(budget.maxCalls) calls is spent")
    }
    let rendered = try render(call, tool: tool, task: task)
    try checkConstraints(grant, rendered: rendered, tool: tool, taskId: task.id)
    return Authorized(grant: grant, taskId: task.id, rendered: rendered, job: rendered.jobSpec(limits: grant.limits.applied(to: rendered.limits)))
}

private func render(_ call: CallRequest, tool: ToolSpec, task: TaskRecord) throws(AuthorizationDenied) -> RenderedCall {
    var root: WorkspaceRoot?
    if let path = task.workspace {
        do { root = try WorkspaceRoot(hostPath: path) } catch {
            throw AuthorizationDenied(denial: CallDenial(.workspaceMissing, "the task's workspace is gone"), taskId: task.id)
        }
    }
    do {
        return try tool.render(arguments: call.arguments, workspace: root)
    } catch {
        throw AuthorizationDenied(denial: error, taskId: task.id)
    }
}

/// Token argument constraints compare path arguments in their workspace-relative form.
private func checkConstraints(_ grant: Grant, rendered: RenderedCall, tool: ToolSpec, taskId: String) throws(AuthorizationDenied) {
    let arguments = rendered.arguments.objectValue ?? [:]
    for constraint in grant.argumentConstraints {
        var value = arguments[constraint.name]
        if tool.paths.contains(constraint.name), let given = value { value = relativePaths(given) }
        guard constraint.admits(value) else {
            throw AuthorizationDenied(
                denial: CallDenial(.argumentNotPermitted, "this token only allows \(constraint)"), taskId: taskId)
        }
    }
}

private func relativePaths(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let path): return WorkspacePath.relative(fromSandboxPath: path).map(JSONValue.string) ?? value
    case .array(let items): return .array(items.map(relativePaths))
    default: return value
    }
}
