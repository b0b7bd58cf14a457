/// Turns what each stage did into `OutputFinding`s with ranges in the original bytes.
struct FindingReporter {
    let stream: OutputStreamName
    let rules: [DetectorRule]
    let sink: OutputRules.Sink

    /// Escapes and controls stripped, invalid UTF-8 replaced.
    func cleaning(_ clean: CleanText) -> [OutputFinding] {
        var findings = clean.events.map { event in
            event.replaced
                ? OutputFinding(kind: "invalid_utf8", detector: event.detector, severity: .low, stream: stream, range: event.range, action: .replaced)
                : OutputFinding(kind: "terminal_escape", detector: event.detector, severity: .medium, stream: stream, range: event.range, action: .stripped)
        }
        for (detector, tally) in clean.tallies.sorted(by: { $0.value.first.lowerBound < $1.value.first.lowerBound }) {
            let kind = detector == "control" || detector == "c1_control" ? "control_character" : "terminal_escape"
            findings.append(
                OutputFinding(kind: kind, detector: detector, severity: .low, stream: stream, range: tally.first, action: .stripped, count: tally.count))
        }
        return findings.sorted { ($0.range?.lowerBound ?? 0) < ($1.range?.lowerBound ?? 0) }
    }

    /// A detector match in the clean text.
    func match(_ found: DetectorMatch, clean: CleanText) -> OutputFinding {
        let rule = rules[found.rule]
        let range = clean.map.sourceRange(rule.redacts ? found.redacted : found.match)
        switch rule.kind {
        case .injection:
            return OutputFinding(
                kind: "prompt_injection", detector: rule.name, severity: rule.severity, stream: stream, range: range, action: .flagged,
                bestEffort: true)
        case .canary:
            return OutputFinding(kind: "canary_leak", detector: rule.name, severity: .high, stream: stream, range: range, action: .redacted)
        case .secret, .pii:
            return OutputFinding(kind: rule.kind.rawValue, detector: rule.name, severity: rule.severity, stream: stream, range: range, action: .redacted)
        }
    }

    /// Secrets the `json` sink found only inside JSON strings (behind escapes), beyond those the
    /// text scan already reported: they have no single range in the original.
    func escapedMatches(_ counts: [String: Int], textMatches: [DetectorMatch]) -> [OutputFinding] {
        var findings: [OutputFinding] = []
        for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
            let seen = textMatches.filter { rules[$0.rule].name == name }.count
            guard count > seen, let rule = rules.first(where: { $0.name == name }) else { continue }
            let kind = rule.kind == .canary ? "canary_leak" : rule.kind.rawValue
            findings.append(
                OutputFinding(kind: kind, detector: name, severity: rule.severity, stream: stream, range: nil, action: .redacted, count: count - seen))
        }
        return findings
    }

    func rejection(_ rejection: OutputRejection, detector: String) -> OutputFinding {
        let range = rejection.offset.map { $0..<$0 + 1 }
        return OutputFinding(kind: "output_invalid", detector: detector, severity: .high, stream: stream, range: range, action: .rejected)
    }

    /// What `maxBytes` left out, and what the capture cap never kept. `maps` lead from the
    /// redacted text back to the original.
    func truncation(_ text: TruncatedText, captured: CapturedStream, maps: [OffsetMap]) -> [OutputFinding] {
        var findings: [OutputFinding] = []
        if let dropped = text.dropped {
            findings.append(
                OutputFinding(kind: "truncation", detector: "max_bytes", severity: .low, stream: stream, range: Self.trace(dropped, maps), action: .truncated))
        }
        if text.uncaptured > 0 {
            let range = captured.bytes.count..<Int(clamping: captured.totalBytes)
            findings.append(OutputFinding(kind: "truncation", detector: "capture_limit", severity: .low, stream: stream, range: range, action: .truncated))
        }
        return findings
    }

    /// A frame tag or remote link the sink neutralised; `maps` lead from the sink's input back
    /// to the original.
    func neutralised(_ range: Range<Int>, detector: String, maps: [OffsetMap]) -> OutputFinding {
        let kind = detector == "frame_delimiter" ? "prompt_injection" : "remote_link"
        return OutputFinding(
            kind: kind, detector: detector, severity: .medium, stream: stream, range: Self.trace(range, maps), action: .neutralised,
            bestEffort: detector == "frame_delimiter")
    }

    static func trace(_ range: Range<Int>, _ maps: [OffsetMap]) -> Range<Int> {
        maps.reduce(range) { $1.sourceRange($0) }
    }
}
