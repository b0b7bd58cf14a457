/// What the output channel made of one call's output.
public struct OutputResult: Sendable {
    public var stdout: DeliveredStream
    public var stderr: DeliveredStream
    /// In stream order (stdout first), then by position; at most `OutputChannel.maxFindings`.
    public var findings: [OutputFinding]
    /// Findings counted but not listed.
    public var omittedFindings: Int
    /// Set when the call must fail with `output_invalid`; the rejected stream's content is null.
    public var rejection: OutputRejection?

    /// For the call envelope: `stdout` and `stderr` (each `DeliveredStream.jsonValue`),
    /// `findings`, `omittedFindings`, and `rejection` (null or `OutputRejection.jsonValue`).
    public var jsonFields: [String: JSONValue] {
        [
            "stdout": stdout.jsonValue, "stderr": stderr.jsonValue,
            "findings": .array(findings.map(\.jsonValue)),
            "omittedFindings": .integer(Int64(omittedFindings)),
            "rejection": rejection?.jsonValue ?? .null,
        ]
    }

    /// For the execution log: the same, except that a stream's `content` is present only when
    /// `rule.body` allows it, and then cut to `rule.maxBytes` (at a character boundary, as the
    /// delivered text; the original is never stored).
    public func logFields(_ rule: OutputRules.LogRule) -> [String: JSONValue] {
        func stream(_ delivered: DeliveredStream) -> JSONValue {
            var object = delivered.facts
            if rule.body {
                delivered.withDeliveredBytes { bytes in
                    var end = min(bytes.count, Int(clamping: rule.maxBytes.bytes))
                    while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
                    object["body"] = .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self))
                    object["bodyTruncated"] = .bool(end < bytes.count)
                }
            }
            return .object(object)
        }
        var fields = jsonFields
        fields["stdout"] = stream(stdout)
        fields["stderr"] = stream(stderr)
        return fields
    }

    /// Whether any finding is a canary leak (the broker may want to suspend the task).
    public var hasCanaryLeak: Bool { findings.contains { $0.kind == "canary_leak" } }
}
