/// How an outcome reads in JSON answers (the broker's result envelope, `airlock run`): one
/// rendering, so a client parses both the same way.
extension Outcome {
    /// `termination`, `exitCode` (null unless the tool exited), `stdout`, `stderr`, `usage`.
    public var jsonFields: [String: JSONValue] {
        var exitCode = JSONValue.null
        if case .exited(let code) = termination { exitCode = .integer(Int64(code)) }
        return [
            "termination": termination.jsonValue, "exitCode": exitCode,
            "stdout": stdout.jsonValue, "stderr": stderr.jsonValue, "usage": usageJSON,
        ]
    }

    /// The result envelope of a call whose output went through the output channel: how the
    /// tool ended and what it used, with `stdout` and `stderr` as delivered (never the raw
    /// capture), the `findings` and the `rejection`.
    public func jsonFields(output: OutputResult) -> [String: JSONValue] {
        jsonFields.merging(output.jsonFields) { $1 }
    }

    /// Wall and CPU time in microseconds, peak memory, and bytes written per stream.
    public var usageJSON: JSONValue {
        .object([
            "wallMicroseconds": .integer(Int64(clamping: usage.wallMicroseconds)),
            "userCPUMicroseconds": .integer(Int64(clamping: usage.userCPUMicroseconds)),
            "systemCPUMicroseconds": .integer(Int64(clamping: usage.systemCPUMicroseconds)),
            "peakMemoryBytes": .integer(Int64(clamping: usage.peakMemoryBytes)),
            "stdoutBytes": .integer(Int64(clamping: stdout.totalBytes)),
            "stderrBytes": .integer(Int64(clamping: stderr.totalBytes)),
        ])
    }
}

extension TerminationReason {
    /// `{reason, exitCode | signal | syscall | step + errno}`.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["reason": .string(code)]
        switch self {
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
}

extension CapturedStream {
    /// The captured bytes as text (invalid UTF-8 replaced), the true size, and whether the capture
    /// was cut at the output limit.
    public var jsonValue: JSONValue {
        .object([
            "text": .string(String(decoding: bytes, as: UTF8.self)),
            "totalBytes": .integer(Int64(clamping: totalBytes)), "truncated": .bool(truncated),
        ])
    }
}
