import AirlockCore

extension LogEvent {
    /// A call arrived. `token` is the parsed token (nil when it did not parse) and `tokenVerified`
    /// whether its signature chain verified; the first time a verified token appears the log
    /// records its unsigned body in a `token.seen` record just before this one. `taskId` is nil
    /// when the call names no known task.
    public static func callReceived(
        _ call: ToolCall, taskId: String?, token: CapabilityToken?, tokenVerified: Bool, caller: LogCaller
    ) -> LogEvent {
        let body = token?.unsignedBody
        return LogEvent(
            .callReceived,
            [
                "task": taskId.json, "call": .string(call.callId), "tool": .string(call.tool), "arguments": call.arguments,
                "token": token.map { .string($0.effectiveId.text) } ?? .null,
                "tokenDigest": body.map { .string(LogDigest.sha256Hex($0)) } ?? .null,
                "tokenVerified": .bool(token != nil && tokenVerified), "caller": caller.json,
            ],
            token: tokenVerified ? token : nil)
    }

    /// What `decide()` answered, with the exact `now` it was given (so a replay decides at the same
    /// instant) and the policy it read (nil when no policy was read): its digest is recorded and
    /// its text stored under `policies/` before the record if the log does not hold it yet. For an
    /// allow, the effective limits and the arguments as rendered (defaults filled in, paths
    /// resolved); for a deny, the reason.
    public static func callDecided(taskId: String?, callId: String, decision: Decision, policy: Policy?, now: EpochSeconds) -> LogEvent {
        var fields: [String: JSONValue] = [
            "task": taskId.json, "call": .string(callId), "policyDigest": policy.map { .string($0.digest) } ?? .null,
            "now": .integer(Int64(clamping: now.value)),
        ]
        switch decision {
        case .allow(let allowed):
            fields["decision"] = .string("allow")
            fields["reason"] = .null
            fields["limits"] = allowed.effectiveLimits.jsonValue
            fields["rendered"] = allowed.call.arguments
        case .deny(let denial):
            fields["decision"] = .string("deny")
            fields["reason"] = denial.jsonValue
            fields["limits"] = .null
            fields["rendered"] = .null
        }
        return LogEvent(.callDecided, fields, policy: policy.map { StoredPolicy(digest: $0.digest, text: $0.text) })
    }

    /// The sandbox is about to run `job`. Environment values are never written, only the names;
    /// `seccompDigest` is the SHA-256 of the seccomp profile file the job uses.
    public static func sandboxStarted(taskId: String, callId: String, job: JobSpec, seccompDigest: String) -> LogEvent {
        let description = JobDescription(job, seccompDigest: seccompDigest)
        var fields = description.fields
        fields["task"] = .string(taskId)
        fields["call"] = .string(callId)
        fields["jobDigest"] = .string(description.digest)
        return LogEvent(.sandboxStarted, fields)
    }

    /// The call is over: how the tool ended and what it used, and what the output channel made
    /// of its output (`OutputResult.logFields`): per stream the SHA-256 of what the tool printed
    /// and of what was delivered, sizes and truncation, the redacted body only when the tool's
    /// `output.log.body` allows it; the findings and the rejection. `outputSha256` and
    /// `validatedSha256` repeat stdout's two digests (null when stdout was rejected).
    public static func callFinished(
        taskId: String, callId: String, outcome: Outcome, output: OutputResult, logRule: OutputRules.LogRule
    ) -> LogEvent {
        var fields = output.logFields(logRule)
        var exitCode = JSONValue.null
        if case .exited(let code) = outcome.termination { exitCode = .integer(Int64(code)) }
        fields["task"] = .string(taskId)
        fields["call"] = .string(callId)
        fields["termination"] = outcome.termination.jsonValue
        fields["exitCode"] = exitCode
        fields["usage"] = outcome.usageJSON
        fields["outputSha256"] = .string(output.stdout.originalSHA256)
        fields["validatedSha256"] = output.stdout.content == .null ? .null : .string(output.stdout.deliveredSHA256)
        return LogEvent(.callFinished, fields)
    }
}

/// What `sandbox.started` says of a job, and the digest over it: SHA-256 of the canonical JSON
/// (compact, keys in byte order) of exactly these fields, so a verifier recomputes it from the record.
struct JobDescription {
    let fields: [String: JSONValue]
    let digest: String

    init(_ job: JobSpec, seccompDigest: String) {
        func bind(_ b: FilesystemView.Bind) -> JSONValue {
            .object(["source": .string(b.source), "target": .string(b.target), "writable": .bool(b.writable)])
        }
        let view: JSONValue = .object([
            "binds": .array(job.view.binds.map(bind)), "optionalBinds": .array(job.view.optionalBinds.map(bind)),
            "workspace": job.view.workspace.map(bind) ?? .null,
        ])
        fields = [
            "executable": .string(job.executable), "argv": .array(job.arguments.map(JSONValue.string)),
            "envNames": .array(job.environment.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map(JSONValue.string)),
            "workingDirectory": .string(job.workingDirectory), "view": view, "network": .string(job.network.rawValue),
            "limits": job.limits.jsonValue, "seccompProfile": job.seccompProfile.json, "seccompSha256": .string(seccompDigest),
            "stdinSha256": .string(LogDigest.sha256Hex(job.stdin)),
        ]
        digest = LogDigest.sha256Hex(JSONSerializer.serialize(.object(fields)))
    }
}
