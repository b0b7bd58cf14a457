/// Which output stream a finding or a rejection is about.
public enum OutputStreamName: String, Hashable, Sendable {
    case stdout, stderr
}

/// One thing the output channel found or changed: what, which detector, how serious, where in
/// the ORIGINAL bytes of the stream, and what it did about it.
public struct OutputFinding: Hashable, Sendable {
    public enum Action: String, Hashable, Sendable {
        /// Replaced by `[REDACTED:<detector>]`.
        case redacted
        /// Left out by `maxBytes`.
        case truncated
        /// The reason the output was refused (`output_invalid`).
        case rejected
        /// Reported only; the text is unchanged (prompt-injection markers).
        case flagged
        /// Removed (escape sequences, control characters).
        case stripped
        /// Invalid UTF-8 replaced by U+FFFD.
        case replaced
        /// Changed so it cannot act (a frame tag in the `model` sink, a remote link in `markdown`).
        case neutralised
    }

    /// `secret`, `pii`, `canary_leak`, `prompt_injection`, `terminal_escape`,
    /// `control_character`, `invalid_utf8`, `truncation`, `output_invalid`, `remote_link`.
    public var kind: String
    /// The detector's name (`aws_access_key`, `osc_title`, `max_bytes`, …).
    public var detector: String
    public var severity: DetectorRule.Severity
    public var stream: OutputStreamName
    /// Byte range in the original captured bytes of the stream; nil when the finding has no
    /// single place (a secret found inside a JSON string escape).
    public var range: Range<Int>?
    public var action: Action
    /// How many occurrences this finding stands for (frequent escapes are tallied: the range is
    /// the first one's).
    public var count: Int
    /// True for prompt-injection markers: a heuristic, never a guarantee.
    public var bestEffort: Bool

    public init(
        kind: String, detector: String, severity: DetectorRule.Severity, stream: OutputStreamName, range: Range<Int>?,
        action: Action, count: Int = 1, bestEffort: Bool = false
    ) {
        self.kind = kind
        self.detector = detector
        self.severity = severity
        self.stream = stream
        self.range = range
        self.action = action
        self.count = count
        self.bestEffort = bestEffort
    }

    /// `{kind, detector, severity, stream, start, end, action}`, plus `count` when above one
    /// and `bestEffort: true` for heuristics.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string(kind), "detector": .string(detector), "severity": .string(severity.rawValue),
            "stream": .string(stream.rawValue), "action": .string(action.rawValue),
            "start": range.map { .integer(Int64($0.lowerBound)) } ?? .null,
            "end": range.map { .integer(Int64($0.upperBound)) } ?? .null,
        ]
        if count > 1 { object["count"] = .integer(Int64(count)) }
        if bestEffort { object["bestEffort"] = .bool(true) }
        return .object(object)
    }
}
