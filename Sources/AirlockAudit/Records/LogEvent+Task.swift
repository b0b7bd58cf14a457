import AirlockCore

extension LogEvent {
    /// The broker is up. `node` names the machine (records of many nodes can be merged by time).
    public static func brokerStarted(node: String, version: String, processId: Int32) -> LogEvent {
        LogEvent(.brokerStarted, ["node": .string(node), "version": .string(version), "pid": .integer(Int64(processId))])
    }

    /// The broker stops on purpose (`reason`: `signal`, `shutdown`, …). A crash leaves no record.
    public static func brokerStopped(reason: String) -> LogEvent {
        LogEvent(.brokerStopped, ["reason": .string(reason)])
    }

    /// A task exists. The policy text is stored under `policies/<digest>.yaml` (and fsync'd) before
    /// this record is written; `workspace` is the host directory bound at `/work`, or nil.
    public static func taskCreated(
        taskId: String, policy: Policy, ttlSeconds: UInt64?, expires: EpochSeconds?, maxCalls: UInt64?, workspace: String?,
        by caller: LogCaller
    ) -> LogEvent {
        LogEvent(
            .taskCreated,
            [
                "task": .string(taskId), "policyName": .string(policy.name), "policyDigest": .string(policy.digest),
                "ttlSeconds": ttlSeconds.json, "expires": expires.json, "maxCalls": maxCalls.json,
                "workspace": workspace.json, "caller": caller.json,
            ],
            policy: StoredPolicy(digest: policy.digest, text: policy.text))
    }

    /// Calls are refused until the task resumes. `by`: `operator`, `anomaly`, …
    public static func taskSuspended(taskId: String, by: String, reason: String) -> LogEvent {
        LogEvent(.taskSuspended, ["task": .string(taskId), "by": .string(by), "reason": .string(reason)])
    }

    public static func taskResumed(taskId: String, by: String, reason: String) -> LogEvent {
        LogEvent(.taskResumed, ["task": .string(taskId), "by": .string(by), "reason": .string(reason)])
    }

    /// The task is over for good (`by`: who ended it; `reason`: `completed`, `expired`, `cancelled`, …).
    public static func taskEnded(taskId: String, by: String, reason: String) -> LogEvent {
        LogEvent(.taskEnded, ["task": .string(taskId), "by": .string(by), "reason": .string(reason)])
    }

    /// Something unusual was observed (`anomaly`: a short stable name such as `call_rate`).
    public static func anomaly(taskId: String?, callId: String?, anomaly: String, detail: JSONValue) -> LogEvent {
        LogEvent(.anomaly, ["task": taskId.json, "call": callId.json, "anomaly": .string(anomaly), "detail": detail])
    }

    /// An action taken in response to an anomaly or by an operator (`action`: `suspend_task`,
    /// `revoke_token`, …).
    public static func incident(taskId: String?, action: String, by: String, reason: String, detail: JSONValue = .null) -> LogEvent {
        LogEvent(
            .incident, ["task": taskId.json, "action": .string(action), "by": .string(by), "reason": .string(reason), "detail": detail])
    }
}
