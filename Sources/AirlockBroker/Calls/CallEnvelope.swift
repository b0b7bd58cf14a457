import AirlockCore

/// How long each stage of a call took, in microseconds.
struct CallTiming: Sendable {
    var authorize: Duration = .zero
    var queue: Duration = .zero
    var sandbox: Duration = .zero
    var total: Duration = .zero

    var json: JSONValue {
        .object([
            "authorizeMicroseconds": .integer(Self.micros(authorize)),
            "queueMicroseconds": .integer(Self.micros(queue)),
            "sandboxMicroseconds": .integer(Self.micros(sandbox)),
            "totalMicroseconds": .integer(Self.micros(total)),
        ])
    }

    static func micros(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
    }
}

/// The answer to an allowed call: what ran, how it ended, what it printed, what it used.
struct CallEnvelope: Sendable {
    let callId: String
    let taskId: String
    let tool: String
    let outcome: Outcome
    let timing: CallTiming
    /// Set when the broker killed the call: `task_ended` or `shutdown`.
    let killedBy: String?

    var json: JSONValue {
        let usage = outcome.usage
        var object: [String: JSONValue] = [
            "callId": .string(callId),
            "taskId": .string(taskId),
            "tool": .string(tool),
            "decision": .string("allow"),
            "termination": Self.termination(outcome.termination),
            "stdout": Self.stream(outcome.stdout),
            "stderr": Self.stream(outcome.stderr),
            "usage": .object([
                "wallMicroseconds": .integer(Int64(clamping: usage.wallMicroseconds)),
                "userCPUMicroseconds": .integer(Int64(clamping: usage.userCPUMicroseconds)),
                "systemCPUMicroseconds": .integer(Int64(clamping: usage.systemCPUMicroseconds)),
                "peakMemoryBytes": .integer(Int64(clamping: usage.peakMemoryBytes)),
                "stdoutBytes": .integer(Int64(clamping: outcome.stdout.totalBytes)),
                "stderrBytes": .integer(Int64(clamping: outcome.stderr.totalBytes)),
            ]),
            "timing": timing.json,
        ]
        if case .exited(let code) = outcome.termination {
            object["exitCode"] = .integer(Int64(code))
        } else {
            object["exitCode"] = .null
        }
        object["killedBy"] = killedBy.map(JSONValue.string) ?? .null
        return .object(object)
    }

    static func termination(_ reason: TerminationReason) -> JSONValue {
        var object: [String: JSONValue] = ["reason": .string(reason.code)]
        switch reason {
        case .exited(let code): object["exitCode"] = .integer(Int64(code))
        case .signaled(let signal): object["signal"] = .integer(Int64(signal))
        case .seccompViolation(let syscall): object["syscall"] = .string(syscall)
        case .spawnFailed(let step, let errno):
            object["step"] = .string(step)
            object["errno"] = .integer(Int64(errno))
        case .wallTimeout, .cpuLimit, .memoryLimit, .processLimit: break
        }
        return .object(object)
    }

    /// The captured bytes as text (invalid UTF-8 replaced), with the true size and whether the
    /// capture was cut at the tool's output limit.
    static func stream(_ stream: CapturedStream) -> JSONValue {
        .object([
            "text": .string(String(decoding: stream.bytes, as: UTF8.self)),
            "totalBytes": .integer(Int64(clamping: stream.totalBytes)),
            "truncated": .bool(stream.truncated),
        ])
    }
}
