import Testing
@testable import AirlockCore

/// The channel as the broker uses it: hashes, the envelope rendering, the log rendering.
@Suite struct OutputChannelTests {
    @Test func hashesTheOriginalAndTheDeliveredBytes() {
        let result = OutputFixture.run("key AKIAIOSFODNN7EXAMPLE\n")
        // sha256 of "key AKIAIOSFODNN7EXAMPLE\n", computed independently (sha256sum).
        #expect(result.stdout.originalSHA256 == "253730d9c593bcbd4f577f0cfaa1643e38a70beb45d4da4f1ad094a9eb3e6c1c")
        #expect(result.stdout.deliveredSHA256 == sha256Hex(result.stdout.deliveredBytes))
        #expect(result.stdout.originalSHA256 != result.stdout.deliveredSHA256)
        #expect(result.stderr.originalSHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// From 1 MiB on, the original's digest is computed on a second thread: each stream still
    /// gets its own, and a rejected stream too.
    @Test func hashesLargeStreamsEachWithItsOwnDigest() {
        let channel = OutputChannel(rules: OutputRules())
        let result = channel.process(
            stdout: CapturedStream(bytes: [UInt8](repeating: 0x61, count: 2 << 20), totalBytes: 2 << 20),
            stderr: CapturedStream(bytes: [UInt8](repeating: 0x62, count: 3 << 19), totalBytes: 3 << 19))
        // sha256 of 2 MiB of "a" and of 1.5 MiB of "b", computed independently (Python hashlib).
        #expect(result.stdout.originalSHA256 == "5256ec18f11624025905d057d6befb03d77b243511ac5f77ed5e0221ce6d84b5")
        #expect(result.stderr.originalSHA256 == "934dc3292703a851dbe6c9adedb594ae10db512226d6355a8c13085331d2d2d5")
        var rejecting = OutputRules()
        rejecting.encoding = .reject
        let invalid = [UInt8](repeating: 0x61, count: 2 << 20) + [0xFF]
        let rejected = OutputChannel(rules: rejecting).process(
            stdout: CapturedStream(bytes: invalid, totalBytes: UInt64(invalid.count)), stderr: CapturedStream())
        #expect(rejected.rejection != nil)
        #expect(rejected.stdout.originalSHA256 == sha256Hex(invalid))
    }

    @Test func rendersTheEnvelopeFields() throws {
        let result = OutputFixture.run("\u{1B}]0;t\u{07}AKIAIOSFODNN7EXAMPLE")
        let fields = result.jsonFields
        #expect(Set(fields.keys) == ["stdout", "stderr", "findings", "omittedFindings", "rejection"])
        let stdout = try #require(fields["stdout"]?.objectValue)
        #expect(Set(stdout.keys) == ["sink", "content", "originalSHA256", "deliveredSHA256", "capturedBytes", "totalBytes", "deliveredBytes", "truncation"])
        #expect(stdout["sink"] == .string("model"))
        #expect(stdout["truncation"] == .null)
        let findings = try #require(fields["findings"]?.arrayValue)
        #expect(findings.count == 2)
        #expect(findings[1] == .object([
            "kind": .string("secret"), "detector": .string("aws_access_key"), "severity": .string("high"), "stream": .string("stdout"),
            "action": .string("redacted"), "start": .integer(6), "end": .integer(26),
        ]))
        #expect(fields["rejection"] == .null)
    }

    @Test func theLogKeepsTheBodyOnlyWhenAllowedAndCutsIt() throws {
        let result = OutputFixture.run("héllo AKIAIOSFODNN7EXAMPLE " + String(repeating: "x", count: 100))
        let hidden = try #require(result.logFields(OutputRules.LogRule())["stdout"]?.objectValue)
        #expect(hidden["body"] == nil && hidden["content"] == nil)
        #expect(hidden["originalSHA256"] == .string(result.stdout.originalSHA256))
        let kept = try #require(result.logFields(OutputRules.LogRule(body: true, maxBytes: ByteCount(40)))["stdout"]?.objectValue)
        let body = try #require(kept["body"]?.stringValue)
        #expect(body.utf8.count <= 40)
        #expect(!body.contains("AKIA"))
        #expect(kept["bodyTruncated"] == .bool(true))
    }

    @Test func findingsComeInStreamThenPositionOrder() {
        let result = OutputFixture.run(Array("b AKIAIOSFODNN7EXAMPLE a".utf8), stderr: Array("AKIAIOSFODNN7EXAMPLE".utf8))
        #expect(result.findings.map(\.stream) == [.stdout, .stderr])
    }
}

/// An exact secret inside a match that began earlier is still redacted whole and reported as
/// itself: leftmost-first scanning must not turn a canary leak into "some password".
@Suite struct LiteralCoverTests {
    @Test func canaryInsideAnAssignmentIsACanaryLeak() throws {
        let canary = "alkc_Q8w2Zr5Tn3Vb7Xc1Lm9Pk4Hs6Jd0Fg2A"
        let result = OutputFixture.run("API_TOKEN=\(canary) and again \(canary)\n", secrets: OutputSecrets(canaries: [canary]))
        let text = try #require(OutputFixture.inner(result))
        #expect(!text.contains(canary))
        let leaks = result.findings.filter { $0.kind == "canary_leak" }
        #expect(leaks.count == 2, "\(result.findings)")
        #expect(result.hasCanaryLeak)
    }

    @Test func declaredSecretOverlappingAnotherMatchIsHiddenWhole() throws {
        // A declared secret that starts inside an e-mail address the PII detector takes first.
        let secret = "example.org-SECRET-TAIL-0042"
        let result = OutputFixture.run("mail alice@\(secret) now\n", secrets: OutputSecrets(declared: [secret]))
        let text = try #require(OutputFixture.inner(result))
        #expect(!text.contains("SECRET-TAIL"), "\(text)")
        #expect(result.findings.contains { $0.detector == "declared_secret" })
    }
}
