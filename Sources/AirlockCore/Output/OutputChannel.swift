/// The validated output channel: turns what a tool printed into what the caller may see,
/// according to the tool's `OutputRules`, and says exactly what it changed.
///
/// Pure: no I/O, no clock, no randomness. A stream of 256 KiB or more uses a second thread: its
/// original's SHA-256 is computed meanwhile, and its scan runs as two halves. For each stream,
/// in this order:
///
/// 1. **Clean** — check UTF-8 (replace or reject) and strip escape sequences and control
///    characters, in one pass, keeping a map to the original offsets.
/// 2. **Check the format** (stdout) — `json`/`jsonl` must parse and match the `schema`.
/// 3. **Detect** — one scan of the clean text for every detector, the Airlock token pattern,
///    declared secrets, the broker's secrets and canaries. Detection runs after cleaning, so an
///    escape sequence cannot split a secret, and before truncation, so a secret in the part left
///    out is still reported.
/// 4. **Redact** — each secret, PII or canary match becomes `[REDACTED:<detector>]`.
/// 5. **Truncate** — to `maxBytes`, never inside a UTF-8 sequence or a placeholder.
/// 6. **Encode for the sink** — last, so escaping applies to placeholders and markers too and
///    nothing later can undo it.
///
/// Build one channel per call (it compiles the scanner for that call's secrets), then call
/// `process(stdout:stderr:)`. The first channel built sets glibc's `malloc` thresholds for the
/// process (`MallocSettings`).
public struct OutputChannel: Sendable {
    public let rules: OutputRules
    public let secrets: OutputSecrets
    /// The tool's name, shown in the `model` sink's frame.
    public let tool: String?
    let scanner: DetectorScanner
    let literals: LiteralCover

    /// Findings kept per call; the rest are counted in `OutputResult.omittedFindings`.
    public static let maxFindings = 1000

    /// Detector names the channel itself uses; a rules file cannot define them.
    public static let reservedDetectorNames: Set<String> = [
        "airlock_token", "declared_secret", "airlock_secret", "canary", "osc_title", "osc_hyperlink", "osc", "csi",
        "control_string", "escape", "control", "c1_control", "invalid_utf8", "max_bytes", "capture_limit", "markdown_link",
        "markdown_url", "markdown_reference", "output_format", "output_schema",
    ]

    public init(rules: OutputRules, secrets: OutputSecrets = OutputSecrets(), tool: String? = nil) {
        MallocSettings.apply()
        self.rules = rules
        self.secrets = secrets
        self.tool = tool
        var detectors = secrets.rules + [DetectorRule.airlockToken]
        for rule in rules.detectors.rules where rules.injection || rule.kind != .injection {
            // The model sink neutralises its frame tags itself and reports each one.
            if rules.sink == .model && rule.name == "frame_delimiter" { continue }
            detectors.append(rule)
        }
        self.scanner = DetectorScanner(rules: detectors)
        self.literals = LiteralCover(rules: detectors)
    }

    /// Validates both streams. Only stdout is held to `format` and `schema`; stderr is text.
    public func process(stdout: CapturedStream, stderr: CapturedStream) -> OutputResult {
        let out = process(stdout, name: .stdout)
        let err = process(stderr, name: .stderr)
        var findings = out.findings + err.findings
        let omitted = max(0, findings.count - Self.maxFindings)
        if omitted > 0 { findings = Array(findings.prefix(Self.maxFindings)) }
        return OutputResult(
            stdout: out.delivered, stderr: err.delivered, findings: findings,
            omittedFindings: omitted + out.omitted + err.omitted, rejection: out.rejection ?? err.rejection)
    }

    struct StreamResult {
        var delivered: DeliveredStream
        var findings: [OutputFinding]
        var omitted: Int
        var rejection: OutputRejection?
    }

    /// From this size on, the original's SHA-256 is computed on a second thread while the
    /// stream goes through the stages (it depends on nothing they do). The same size as
    /// `DetectorScanner.splitBytes`, for the same reason.
    static let concurrentDigestBytes = DetectorScanner.splitBytes

    /// One stream, through every stage.
    func process(_ captured: CapturedStream, name: OutputStreamName) -> StreamResult {
        stages(captured, name: name, originalDigest: deferredSHA256(captured.bytes))
    }

    /// `originalDigest` is asked once, when the delivered stream is built.
    private func stages(_ captured: CapturedStream, name: OutputStreamName, originalDigest: () -> String) -> StreamResult {
        let reporter = FindingReporter(stream: name, rules: scanner.rules, sink: rules.sink)
        let clean = captured.bytes.withUnsafeBufferPointer { TerminalSanitizer.clean($0, rejectInvalidUTF8: rules.encoding == .reject) }
        var findings = reporter.cleaning(clean)
        if let bad = clean.firstInvalidByte {
            let (line, column) = OutputRejection.lineAndColumn(of: bad, in: captured.bytes)
            let rejection = OutputRejection(
                stream: name, message: "\(name.rawValue) is not valid UTF-8: invalid byte at offset \(bad) (line \(line), column \(column))",
                offset: bad, line: line, column: column)
            let finding = reporter.rejection(rejection, detector: "invalid_utf8")
            return rejected(captured, name: name, rejection, findings: findings + [finding], originalDigest: originalDigest())
        }
        let scanned = clean.bytes.withUnsafeBufferPointer { scanner.scan($0) }
        findings += scanned.map { reporter.match($0, clean: clean) }
        let (matches, covered) = literals.apply(scanned, to: clean.bytes)
        findings += covered.map { reporter.match($0, clean: clean) }
        var parsed: JSONValue?
        if name == .stdout {
            do { parsed = try FormatCheck.check(clean, original: captured.bytes, rules: rules, stream: name) } catch {
                let detector = error.pointer == nil ? "output_format" : "output_schema"
                let finding = reporter.rejection(error, detector: detector)
                return rejected(captured, name: name, error, findings: findings + [finding], originalDigest: originalDigest())
            }
        }
        if rules.sink == .json, let parsed {
            return deliverJSON(
                parsed, captured: captured, name: name, findings: findings, textMatches: matches, reporter: reporter, originalDigest: originalDigest())
        }
        let omitted = clean.omittedEvents
        let (encoding, truncation, sinkFindings) = encode(consume clean, matches: matches, captured: captured, reporter: reporter)
        // The clean text is gone before the delivered string is built: the call's peak holds one
        // copy of the text less.
        let (content, jsonText, sha256) = encoding.delivered()
        let delivered = DeliveredStream(
            name: name, sink: rules.sink, content: content, jsonText: jsonText, deliveredSHA256: sha256, original: captured,
            originalSHA256: originalDigest(), truncation: truncation)
        return StreamResult(delivered: delivered, findings: findings + sinkFindings, omitted: omitted, rejection: nil)
    }

    /// Redact, truncate and encode for the sink: the sink's bytes, what truncation did, and the
    /// findings of both.
    private func encode(
        _ clean: consuming CleanText, matches: [DetectorMatch], captured: CapturedStream, reporter: FindingReporter
    ) -> (SinkEncoder.Encoding, DeliveredStream.Truncation?, [OutputFinding]) {
        let redacted = RedactedText(clean: clean.bytes, matches: matches, rules: scanner.rules)
        let uncaptured = captured.totalBytes > UInt64(captured.bytes.count) ? captured.totalBytes - UInt64(captured.bytes.count) : 0
        let truncated = TruncatedText(redacted, maxBytes: Int(clamping: rules.maxBytes.bytes), mode: rules.truncate, uncaptured: uncaptured)
        let maps = [truncated.map, redacted.map, clean.map]
        var findings = reporter.truncation(truncated, captured: captured, maps: Array(maps.dropFirst()))
        let encoding = SinkEncoder.encode(truncated, sink: rules.sink, stream: reporter.stream, tool: tool)
        findings += encoding.neutralised.map { reporter.neutralised($0.range, detector: $0.detector, maps: maps) }
        var truncation: DeliveredStream.Truncation?
        if truncated.dropped != nil || uncaptured > 0 {
            truncation = .init(mode: rules.truncate, omittedBytes: truncated.dropped?.count ?? 0, uncapturedBytes: uncaptured)
        }
        return (encoding, truncation, findings)
    }

    /// The `json` sink for JSON output: the parsed value with every string cleaned and redacted,
    /// re-serialised. JSON cannot be cut and stay JSON, so a value larger than `maxBytes` is
    /// refused rather than truncated.
    private func deliverJSON(
        _ value: JSONValue, captured: CapturedStream, name: OutputStreamName, findings: [OutputFinding], textMatches: [DetectorMatch],
        reporter: FindingReporter, originalDigest: String
    ) -> StreamResult {
        let (redacted, counts) = JSONStringRedactor(scanner: scanner).redact(value)
        var findings = findings + reporter.escapedMatches(counts, textMatches: textMatches)
        let bytes = JSONSerializer.serialize(redacted)
        guard bytes.count <= rules.maxBytes.bytes else {
            let rejection = OutputRejection(
                stream: name,
                message: "\(name.rawValue) is \(bytes.count) bytes of JSON, more than maxBytes (\(rules.maxBytes)); JSON output is never cut")
            findings.append(reporter.rejection(rejection, detector: "max_bytes"))
            return rejected(captured, name: name, rejection, findings: findings, originalDigest: originalDigest)
        }
        let delivered = DeliveredStream(
            name: name, sink: .json, content: redacted, jsonText: bytes, deliveredSHA256: sha256Hex(bytes), original: captured,
            originalSHA256: originalDigest, truncation: nil)
        return StreamResult(delivered: delivered, findings: findings, omitted: 0, rejection: nil)
    }

    private func rejected(
        _ captured: CapturedStream, name: OutputStreamName, _ rejection: OutputRejection, findings: [OutputFinding], originalDigest: String
    ) -> StreamResult {
        let delivered = DeliveredStream(
            name: name, sink: rules.sink, content: .null, deliveredSHA256: sha256Hex([]), original: captured, originalSHA256: originalDigest,
            truncation: nil)
        return StreamResult(delivered: delivered, findings: findings, omitted: 0, rejection: rejection)
    }
}
