import AirlockCore

/// One task as the broker keeps it: its policy, its token's identity, its counters and its
/// lifecycle.
struct TaskRecord: Sendable {
    let id: String
    let policyName: String
    let policyDigest: PolicyDigest
    /// The id the task's token was minted with; revoking it revokes every token derived from it.
    let tokenId: TokenID
    let created: EpochSeconds
    let expires: EpochSeconds
    let maxCalls: UInt64?
    /// Host path of the workspace, if the task has one.
    let workspace: String?
    /// Values the task declared secret, and the canaries planted for it: no output shows them.
    var secrets: [String] = []
    var canaries: [String] = []
    /// Compiled output channels by tool and token (see `TaskRegistry.outputChannel`).
    var channels: [String: OutputChannel] = [:]
    var lifecycle = TaskLifecycle()
    var callsMade: UInt64 = 0
    var callsDenied: UInt64 = 0
    /// Calls counted against each token id of a lineage (see `Grant.callBudgets`).
    var callsCounted: [TokenID: UInt64] = [:]
    /// Running calls by call id, with the slot each one occupies once it has one.
    var runningCalls: [String: Int?] = [:]

    /// `ended` and `suspended` as the lifecycle says; `expired` for an active or suspended task
    /// whose token has expired.
    func stateName(now: EpochSeconds) -> String {
        if lifecycle.state != .ended && now >= expires { return "expired" }
        return lifecycle.state.rawValue
    }

    /// Calls the task's own budget still allows, nil when it has none.
    var budgetLeft: UInt64? {
        maxCalls.map { $0 - min($0, callsCounted[tokenId] ?? 0) }
    }

    func json(now: EpochSeconds) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id),
            "policy": .string(policyName),
            "policyDigest": .string(policyDigest.hex),
            "state": .string(stateName(now: now)),
            "created": .string(created.description),
            "expires": .string(expires.description),
            "callsMade": .integer(Int64(clamping: callsMade)),
            "callsDenied": .integer(Int64(clamping: callsDenied)),
            "callsRunning": .integer(Int64(lifecycle.running)),
            "tokenId": .string(tokenId.text),
        ]
        object["workspace"] = workspace.map(JSONValue.string) ?? .null
        object["maxCalls"] = maxCalls.map { .integer(Int64(clamping: $0)) } ?? .null
        object["budgetLeft"] = budgetLeft.map { .integer(Int64(clamping: $0)) } ?? .null
        object["secrets"] = .integer(Int64(secrets.count))
        object["canaries"] = .integer(Int64(canaries.count))
        return .object(object)
    }
}
