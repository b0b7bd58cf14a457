/// How a tool's output is checked and shaped before anyone sees it: the `output:` mapping of a
/// tool in a policy, with every default filled in. See docs/output.md.
public struct OutputRules: Sendable {
    /// Which part of an output too long for `maxBytes` is kept.
    public enum Truncation: String, Sendable, CaseIterable {
        case head
        case tail
        case headAndTail = "head+tail"
    }

    /// What the tool promises to print on stdout.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, jsonl
    }

    /// What happens to bytes that are not UTF-8.
    public enum Encoding: String, Sendable, CaseIterable {
        /// Each invalid sequence becomes U+FFFD and a finding.
        case replace
        /// The call fails with `output_invalid` at the first invalid byte.
        case reject
    }

    /// Where the text is going; it is encoded for that place.
    public enum Sink: String, Sendable, CaseIterable {
        case model, html, markdown, sql, shell, json
    }

    /// Secret and PII redaction.
    public struct Redaction: Sendable, Equatable {
        /// Whether the detectors of the rules files run. Airlock tokens, the task's declared
        /// secrets, the broker's own secrets and canaries are redacted even when false.
        public var enabled = true
        /// Detector names to leave out.
        public var disabled: [String] = []
        /// Extra rules files, `Sandbox/redaction/<name>.yaml`, added after `default`.
        public var ruleFiles: [String] = []

        public init(enabled: Bool = true, disabled: [String] = [], ruleFiles: [String] = []) {
            self.enabled = enabled
            self.disabled = disabled
            self.ruleFiles = ruleFiles
        }
    }

    /// What of the output the execution log may keep.
    public struct LogRule: Sendable, Equatable {
        /// Whether the delivered (already redacted) text may be stored; hashes always are.
        public var body = false
        /// At most this much of each stream's delivered text is stored.
        public var maxBytes: ByteCount = .kib(64)

        public init(body: Bool = false, maxBytes: ByteCount = .kib(64)) {
            self.body = body
            self.maxBytes = maxBytes
        }
    }

    /// Bytes of text the caller receives per stream, before sink encoding (the sandbox's
    /// capture cap, `limits.outputBytes`, is separate and comes first).
    public var maxBytes: ByteCount = .kib(128)
    public var truncate: Truncation = .headAndTail
    public var format: Format = .text
    /// A JSON Schema stdout must match (each line for `jsonl`). Needs `format: json` or `jsonl`.
    public var schema: JSONSchema?
    public var encoding: Encoding = .replace
    public var sink: Sink = .model
    public var redaction = Redaction()
    /// Whether prompt-injection markers are looked for and flagged (best effort).
    public var injection = true
    public var log = LogRule()
    /// The detectors the rules files give this tool (the loader fills it in; empty when
    /// redaction is off).
    public var detectors = DetectorSet(rules: [])

    public init() {}

    /// Every default: what a tool without an `output:` mapping gets.
    public static var defaults: OutputRules { OutputRules() }
}
