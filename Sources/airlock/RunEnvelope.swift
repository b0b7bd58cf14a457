import AirlockCore

/// The JSON answer of `airlock run`: the decision and, for an allowed call, what happened.
///
/// Shape (keys sorted): `callId`, `tool`, `decision` (`allow` | `deny`), `reason` (`{code, message,
/// violations}` or null), `tokenId`, `taskId`, `arguments` (as resolved), `argv`,
/// `effectiveLimits`, `termination` (`{reason, exitCode | signal | syscall | step, errno}`),
/// `exitCode`, `stdout` / `stderr` (as the output channel delivered them), `findings`,
/// `omittedFindings`, `rejection`, `usage`, and `timing` in microseconds per stage. Fields that do
/// not apply are null.
struct RunEnvelope {
    var call: ToolCall
    var decision: Decision
    var outcome: Outcome?
    var output: OutputResult?
    /// Stage name → microseconds, e.g. `decide`, `compileSeccomp`, `sandbox`.
    var timing: [(stage: String, microseconds: UInt64)] = []

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "callId": .string(call.callId), "tool": .string(call.tool),
            "reason": .null, "tokenId": .null, "taskId": .null, "arguments": .null, "argv": .null,
            "effectiveLimits": .null, "termination": .null, "exitCode": .null, "stdout": .null, "stderr": .null,
            "findings": .null, "omittedFindings": .null, "rejection": .null, "usage": .null,
        ]
        switch decision {
        case .deny(let denial):
            object["decision"] = .string("deny")
            object["reason"] = denial.jsonValue
        case .allow(let allowed):
            object["decision"] = .string("allow")
            object["tokenId"] = .string(allowed.grant.tokenId.text)
            object["taskId"] = .string(allowed.grant.taskId)
            object["arguments"] = allowed.call.arguments
            object["argv"] = .array(allowed.job.arguments.map(JSONValue.string))
            object["effectiveLimits"] = allowed.effectiveLimits.jsonValue
        }
        if let outcome, let output { object.merge(outcome.jsonFields(output: output)) { $1 } }
        var stages: [String: JSONValue] = [:]
        for entry in timing { stages[entry.stage + "Microseconds"] = .integer(Int64(clamping: entry.microseconds)) }
        object["timing"] = .object(stages)
        return .object(object)
    }
}
