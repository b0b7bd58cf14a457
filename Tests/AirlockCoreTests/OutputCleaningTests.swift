import Testing
@testable import AirlockCore

/// Stage one: UTF-8 and terminal escapes.
@Suite struct OutputCleaningTests {
    @Test(arguments: [
        ("\u{1B}]0;pwned title\u{07}after", "after", "osc_title"),
        ("\u{1B}]2;x\u{1B}\\after", "after", "osc_title"),
        ("\u{1B}]8;;https://evil.example/?q=1\u{1B}\\click\u{1B}]8;;\u{1B}\\", "click", "osc_hyperlink"),
        ("\u{1B}P+q544e\u{1B}\\after", "after", "control_string"),
        ("\u{1B}_apc payload\u{07}after", "after", "control_string"),
        ("\u{9D}0;c1 title\u{07}after", "after", "osc_title"),
    ])
    func stripsOSCAndControlStrings(input: String, expected: String, detector: String) throws {
        let result = OutputFixture.run(input)
        #expect(OutputFixture.inner(result) == expected)
        let finding = try #require(result.findings.first { $0.detector == detector })
        #expect(finding.kind == "terminal_escape")
        #expect(finding.action == .stripped)
        #expect(finding.range?.lowerBound == 0)
    }

    @Test func stripsCSIAndControlsAndTalliesThem() throws {
        let input = "\u{1B}[1;31mred\u{1B}[0m \u{1B}[2J\rover\u{08}x\u{7F}\ttab\u{1B}(B\u{1B}=lone\u{1B}"
        let result = OutputFixture.run(input)
        #expect(OutputFixture.inner(result) == "red overx\ttablone")
        let csi = try #require(result.findings.first { $0.detector == "csi" })
        #expect(csi.count == 3)
        #expect(csi.range == 0..<7)
        let controls = try #require(result.findings.first { $0.detector == "control" })
        #expect(controls.count == 3)  // \r, backspace, DEL
        #expect(controls.kind == "control_character")
        #expect(result.findings.first { $0.detector == "escape" }?.count == 3)  // ESC ( B, ESC =, lone ESC
    }

    @Test func stripsC1ControlsInTheirUTF8Form() {
        #expect(OutputFixture.inner(OutputFixture.run("a\u{85}b\u{9B}31mc")) == "abc")
    }

    @Test func keepsOrdinaryUnicode() {
        let text = "héllo wörld — 日本語 😀 \u{A0}"
        #expect(OutputFixture.inner(OutputFixture.run(text)) == text)
    }

    @Test func replacesInvalidUTF8AndReportsEachSequence() throws {
        let bytes: [UInt8] = Array("ok ".utf8) + [0xFF] + Array(" x ".utf8) + [0xE2, 0x82] + Array(" y ".utf8) + [0xED, 0xA0, 0x80] + [0xC0, 0xAF]
        let result = OutputFixture.run(bytes)
        let expected = String(decoding: bytes, as: UTF8.self)  // Swift's own decoder, as the reference
        #expect(OutputFixture.inner(result) == expected)
        let invalid = result.findings.filter { $0.kind == "invalid_utf8" }
        #expect(invalid.map(\.range) == [3..<4, 7..<9, 12..<13, 13..<14, 14..<15, 15..<16, 16..<17])
        #expect(invalid.allSatisfy { $0.action == .replaced })
    }

    @Test func rejectsInvalidUTF8NamingTheFirstBadByte() throws {
        let bytes: [UInt8] = Array("line one\nab".utf8) + [0xC3, 0x28] + Array(" rest".utf8)
        let result = OutputFixture.run(bytes, rules: OutputFixture.rules { $0.encoding = .reject })
        let rejection = try #require(result.rejection)
        #expect(rejection.offset == 11)
        #expect(rejection.line == 2 && rejection.column == 3)
        #expect(result.stdout.content == .null)
        #expect(result.findings.contains { $0.kind == "output_invalid" && $0.action == .rejected && $0.range == 11..<12 })
        #expect(result.jsonFields["rejection"]?.objectValue?["code"] == .string("output_invalid"))
    }

    @Test func stderrIsCleanedToo() {
        let result = OutputFixture.run(Array("out".utf8), stderr: Array("\u{1B}]0;t\u{07}err AKIAIOSFODNN7EXAMPLE".utf8))
        #expect(result.stderr.text?.contains("err [REDACTED:aws_access_key]") == true)
        #expect(result.findings.contains { $0.stream == .stderr && $0.detector == "osc_title" })
    }

    @Test func findingsAreCappedAndCounted() {
        let text = String(repeating: "\u{1B}]0;t\u{07}", count: 300)
        let result = OutputFixture.run(text)
        #expect(result.findings.filter { $0.detector == "osc_title" }.count == CleanText.maxEvents)
        #expect(result.omittedFindings == 300 - CleanText.maxEvents)
    }

    @Test func findsAControlAtEveryOffsetOfTheWordAtATimeSkip() {
        let plain = Array("abcdefghijklmnopqrstuvwxyz0123".utf8)
        for offset in 0..<plain.count {
            for control: UInt8 in [0x01, 0x7F, 0x0D] {
                var bytes = plain
                bytes.insert(control, at: offset)
                let result = OutputFixture.run(bytes)
                #expect(OutputFixture.inner(result) == String(decoding: plain, as: UTF8.self), "offset \(offset), byte \(control)")
                #expect(result.findings.first?.range == offset..<offset + 1)
            }
        }
    }
}
