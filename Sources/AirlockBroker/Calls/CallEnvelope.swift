import AirlockCore

/// How long each stage of a call took, in microseconds.
struct CallTiming: Sendable {
    var authorize: Duration = .zero
    var queue: Duration = .zero
    var sandbox: Duration = .zero
    var validate: Duration = .zero
    /// Waiting for the execution log's records to be durable (the decision's, then the outcome's).
    var log: Duration = .zero
    var total: Duration = .zero

    var json: JSONValue {
        .object([
            "authorizeMicroseconds": .integer(Self.micros(authorize)),
            "queueMicroseconds": .integer(Self.micros(queue)),
            "sandboxMicroseconds": .integer(Self.micros(sandbox)),
            "validateMicroseconds": .integer(Self.micros(validate)),
            "logMicroseconds": .integer(Self.micros(log)),
            "totalMicroseconds": .integer(Self.micros(total)),
        ])
    }

    static func micros(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
    }
}

/// The answer to an allowed call: what ran, how it ended, what it used, and its output as the
/// output channel delivered it (never the raw capture), with the findings. The broker adds the
/// call's `timing` last, once the answer may go out.
struct CallEnvelope: Sendable {
    let callId: String
    let taskId: String
    let tool: String
    let outcome: Outcome
    let output: OutputResult
    /// Set when the broker killed the call: `task_ended` or `shutdown`.
    let killedBy: String?

    var fields: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "callId": .string(callId),
            "taskId": .string(taskId),
            "tool": .string(tool),
            "decision": .string("allow"),
            "killedBy": killedBy.map(JSONValue.string) ?? .null,
        ]
        object.merge(outcome.jsonFields(output: output)) { $1 }
        return object
    }
}
