import Testing
@testable import AirlockCore

/// `maxBytes` on large output: the kept parts, the marker, and cuts that respect characters and
/// placeholders.
@Suite struct OutputTruncationTests {
    /// 10 MiB of numbered lines, each 64 bytes, with a multi-byte character in every line.
    static let tenMiB: [UInt8] = {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10 << 20)
        var line = 0
        while bytes.count < 10 << 20 {
            let text = "line \(line) é"
            bytes += Array(text.utf8) + Array(repeating: UInt8(ascii: "."), count: 63 - text.utf8.count) + [0x0A]
            line += 1
        }
        return Array(bytes.prefix(10 << 20))
    }()

    private func truncate(_ bytes: [UInt8], _ mode: OutputRules.Truncation, maxBytes: UInt64 = 64 << 10) -> OutputResult {
        OutputFixture.run(bytes, rules: OutputFixture.rules { $0.truncate = mode; $0.maxBytes = ByteCount(maxBytes); $0.sink = .shell })
    }

    /// The delivered text without the shell sink's quotes (the test text has no `'`).
    private func text(_ result: OutputResult) throws -> [UInt8] {
        let delivered = result.stdout.deliveredBytes
        try #require(delivered.first == UInt8(ascii: "'") && delivered.last == UInt8(ascii: "'"))
        return Array(delivered.dropFirst().dropLast())
    }

    @Test(arguments: [OutputRules.Truncation.head, .tail, .headAndTail])
    func keepsWhatTheModeSaysWithinMaxBytes(mode: OutputRules.Truncation) throws {
        let input = Self.tenMiB
        let result = truncate(input, mode)
        let delivered = try text(result)
        #expect(delivered.count <= 64 << 10)
        #expect(delivered.count > (64 << 10) - 200)
        #expect(String(validating: delivered, as: UTF8.self) != nil)
        let omitted = try #require(result.stdout.truncation?.omittedBytes)
        #expect(delivered.count - TruncatedText.marker(omitting: omitted, mode: mode).count + omitted == input.count)
        let marker = Array("[airlock: truncated, \(omitted) bytes omitted]".utf8)
        let markerAt = try #require(delivered.firstRange(of: marker))
        let head = delivered[..<markerAt.lowerBound]
        let tail = delivered[markerAt.upperBound...]
        switch mode {
        case .head:
            #expect(input.starts(with: head.dropLast()))
            #expect(tail.isEmpty)
        case .tail:
            #expect(head.isEmpty)
            #expect(input.reversed().starts(with: tail.dropFirst().reversed()))
        case .headAndTail:
            #expect(input.starts(with: head.dropLast()))
            #expect(input.reversed().starts(with: tail.dropFirst().reversed()))
            #expect(abs(head.count - tail.count) < 8)
        }
        let finding = try #require(result.findings.first { $0.detector == "max_bytes" })
        #expect(finding.action == .truncated)
        #expect(finding.range?.count == omitted)
    }

    @Test func neverCutsAPlaceholder() throws {
        // The head cut would fall inside the placeholder of the key at the end of the kept part.
        let prefix = String(repeating: "a", count: 30)
        let input = Array("\(prefix) AKIAIOSFODNN7EXAMPLE \(String(repeating: "b", count: 200))".utf8)
        for limit in UInt64(60)...UInt64(110) {
            let delivered = try text(truncate(input, .head, maxBytes: limit))
            let string = String(decoding: delivered, as: UTF8.self)
            #expect(!string.contains("[REDACTED:aws") || string.contains("[REDACTED:aws_access_key]"), "limit \(limit): \(string)")
            #expect(!string.contains("AKIA"))
            #expect(delivered.count <= limit)
        }
    }

    @Test func neverCutsAUTF8Sequence() throws {
        let input = Array(String(repeating: "😀", count: 100).utf8)
        for limit in UInt64(50)...UInt64(70) {
            for mode in [OutputRules.Truncation.head, .tail, .headAndTail] {
                let delivered = try text(truncate(input, mode, maxBytes: limit))
                #expect(String(validating: delivered, as: UTF8.self) != nil, "\(mode) at \(limit)")
            }
        }
    }

    @Test func theCaptureCapIsReportedAndMarked() throws {
        let bytes = Array("partial".utf8)
        let result = OutputChannel(rules: OutputFixture.rules { $0.sink = .shell }).process(
            stdout: CapturedStream(bytes: bytes, totalBytes: 1000), stderr: CapturedStream())
        #expect(try text(result) == Array("partial\n[airlock: the tool wrote 993 more bytes than the capture limit keeps]".utf8))
        #expect(result.stdout.truncation?.uncapturedBytes == 993)
        #expect(result.findings.contains { $0.detector == "capture_limit" && $0.range == 7..<1000 })
    }

    @Test func outputWithinMaxBytesIsUntouched() throws {
        let result = truncate(Array("short".utf8), .headAndTail)
        #expect(try text(result) == Array("short".utf8))
        #expect(result.stdout.truncation == nil)
    }

    /// Truncation reads the redacted text without it being built: every byte and every range
    /// must be those of the text built the plain way.
    @Test func theRedactedTextReadsLikeTheTextBuiltInFull() {
        let rules = [
            DetectorRule.literal(Array("x".utf8), name: "short", kind: .secret), DetectorRule.literal(Array("y".utf8), name: "flag", kind: .injection),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let clean = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0x61...0x66, using: &generator) }
            var matches: [DetectorMatch] = []
            var position = 0
            while position < clean.count, let start = (position..<clean.count).randomElement(using: &generator) {
                let end = Int.random(in: start + 1...min(clean.count, start + 5), using: &generator)
                matches.append(DetectorMatch(rule: Int.random(in: 0...1, using: &generator), match: start..<end, redacted: start..<end))
                position = end + Int.random(in: 0...3, using: &generator)
            }
            var expected: [UInt8] = []
            var copied = 0
            for found in matches where found.rule == 0 {
                expected += clean[copied..<found.redacted.lowerBound] + rules[0].placeholder
                copied = found.redacted.upperBound
            }
            expected += clean[copied...]
            let text = RedactedText(clean: clean, matches: matches, rules: rules)
            #expect(text.count == expected.count)
            #expect(text.bytes == expected)
            #expect((0..<expected.count).map { text[$0] } == expected)
            for _ in 0..<10 {
                let lower = Int.random(in: 0...expected.count, using: &generator)
                let upper = Int.random(in: lower...expected.count, using: &generator)
                var part: [UInt8] = []
                text.append(lower..<upper, to: &part)
                #expect(part == Array(expected[lower..<upper]))
            }
        }
    }

    /// A random redacted text (placeholders of two lengths, some redacting matches, some not) cut
    /// by a random `maxBytes`, `mode` and capture-limit note, and the bytes the old way of
    /// building it gives: head, marker, tail, note.
    static func randomTruncatedText(using generator: inout some RandomNumberGenerator) -> (TruncatedText, expected: [UInt8]) {
        let rules = [
            DetectorRule.literal(Array("x".utf8), name: "short", kind: .secret), DetectorRule.literal(Array("y".utf8), name: "flag", kind: .injection),
            DetectorRule.literal(Array("z".utf8), name: "a_longer_detector_name", kind: .secret),
        ]
        let pieces = ["a", "b", "<", "&", "\"", "'", ">", "é", "日", "😀", "\n"].map { Array($0.utf8) }
        var clean: [UInt8] = []
        for _ in 0..<Int.random(in: 0...60, using: &generator) { clean += pieces.randomElement(using: &generator)! }
        var matches: [DetectorMatch] = []
        var position = 0
        while position < clean.count, let start = (position..<clean.count).randomElement(using: &generator) {
            // Matches start and end on character boundaries, as the scanner's do.
            guard clean[start] & 0xC0 != 0x80 else { break }
            var end = min(clean.count, start + Int.random(in: 1...6, using: &generator))
            while end < clean.count, clean[end] & 0xC0 == 0x80 { end += 1 }
            matches.append(DetectorMatch(rule: Int.random(in: 0...2, using: &generator), match: start..<end, redacted: start..<end))
            position = end + Int.random(in: 0...3, using: &generator)
        }
        let text = RedactedText(clean: clean, matches: matches, rules: rules)
        let maxBytes = Int.random(in: 0...text.count + 60, using: &generator)
        let mode = [OutputRules.Truncation.head, .tail, .headAndTail].randomElement(using: &generator)!
        let uncaptured = UInt64([0, 0, 7].randomElement(using: &generator)!)
        let truncated = TruncatedText(text, maxBytes: maxBytes, mode: mode, uncaptured: uncaptured)
        var expected: [UInt8] = []
        text.append(0..<(truncated.dropped?.lowerBound ?? text.count), to: &expected)
        if let dropped = truncated.dropped {
            expected += TruncatedText.marker(omitting: dropped.count, mode: mode)
            text.append(dropped.upperBound..<text.count, to: &expected)
        }
        if uncaptured > 0 { expected += Array("\n[airlock: the tool wrote 7 more bytes than the capture limit keeps]".utf8) }
        return (truncated, expected)
    }

    /// The cut text is kept as parts and read in pieces: its bytes and every range of it must be
    /// those of the text built in full.
    @Test func theTruncatedTextReadsLikeTheTextBuiltInFull() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let (truncated, expected) = Self.randomTruncatedText(using: &generator)
            #expect(truncated.count == expected.count)
            #expect(truncated.bytes == expected)
            for _ in 0..<10 {
                let lower = Int.random(in: 0...expected.count, using: &generator)
                let upper = Int.random(in: lower...expected.count, using: &generator)
                var part: [UInt8] = []
                truncated.forEachChunk(in: lower..<upper) { part += $0 }
                #expect(part == Array(expected[lower..<upper]))
            }
        }
    }
}
