import Testing

@testable import AirlockCore

/// The scanner's pair table (read as bits or as bytes) only skips positions where no pattern can
/// be triggered, and its trigger keys only skip patterns that cannot start there: scanning with
/// them finds exactly what scanning at every position, trying every pattern the place tables
/// allow, finds.
struct OutputScannerPrefilterTests {
    /// Pieces that start or nearly start the repository's detectors, in both cases, with
    /// ordinary text, digits, escapes' leftovers and non-ASCII between them.
    static let pieces = [
        "AKIA", "AKIAIOSFODNN7EXAMPLE", "ghp_", "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5", "glpat-", "xoxb-", "sk-", "sk_live_",
        "eyJ", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "password=", "PASSWORD: ", "Secret=", "api_key=", "token=", "Token: ", "s3cr3tPass99", "Authorization: Bearer ",
        "aws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "postgres://", "admin:s3cr3t@", "db.internal",
        "jane.doe@example.com", "@", "+1 ", "555-123-4567", "(555) 123-4567", "4111 1111 1111 1111", "078-05-1120", "2026-11-30",
        "<tool_output", "</TOOL_OUTPUT", "<|im_start|>", "[INST]", "<system>", "## System:", "ignore all previous instructions",
        "New instructions:", "alk1.", "alk1.QUJDREVGR0hJSktMTU5PUA", "-----BEGIN ", "RSA PRIVATE KEY-----", "-----END ",
        "\"private_key_id\": \"", "AccountKey=", "correct horse battery staple", "the ", "tech", "sect", " ", "\n", "\t", "0", "9",
        "_", "-", ".", ":", "=", "\"", "'", "é", "✔", "日本", "task", "case", "pass", "PASSWD=", "Api-Key: ", "CLIENT_SECRET=",
        "access_token:", "AuTh_ToKeN=", "toke", "secr",
    ]

    @Test func thePrefiltersNeverHideAMatch() {
        var rules = OutputSecrets(declared: ["correct horse battery staple"], canaries: [Canary.make()]).rules + [DetectorRule.airlockToken]
        rules += OutputFixture.detectors.rules
        let filtered = DetectorScanner(rules: rules)
        let everywhere = DetectorScanner(rules: rules, prefilters: false)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                bytes += Array(Self.pieces.randomElement(using: &generator)!.utf8)
            }
            let reference = bytes.withUnsafeBufferPointer { everywhere.scan($0) }
            // The pair table read as bits, as small scans read it, and as bytes, as large ones do.
            for pairBytes in [false, true] {
                let found = bytes.withUnsafeBufferPointer { filtered.scan($0, split: false, pairBytes: pairBytes) }
                #expect(found == reference, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    /// A scan split in two halves (one thread each) finds exactly what one pass finds, whatever
    /// straddles the middle: texts are short and dense with matches so that many do.
    @Test func aSplitScanFindsWhatOnePassFinds() {
        var rules = OutputSecrets(declared: ["correct horse battery staple"], canaries: [Canary.make()]).rules + [DetectorRule.airlockToken]
        rules += OutputFixture.detectors.rules
        let scanner = DetectorScanner(rules: rules)
        var generator = SystemRandomNumberGenerator()
        var straddling = 0
        for _ in 0..<600 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...400, using: &generator) {
                bytes += Array(Self.pieces.randomElement(using: &generator)!.utf8)
            }
            let split = bytes.withUnsafeBufferPointer { scanner.scan($0, split: true) }
            let whole = bytes.withUnsafeBufferPointer { scanner.scan($0, split: false) }
            #expect(split == whole, "\(String(decoding: bytes, as: UTF8.self))")
            if whole.contains(where: { $0.match.contains(bytes.count / 2) }) { straddling += 1 }
        }
        #expect(straddling > 10, "too few matches straddle the middle to test the hand-over: \(straddling)")
    }

    /// A leading literal of several alternatives keeps the matcher for the words that start one
    /// of them: exactly, or ignoring case where the alternative does, and nothing else.
    @Test func triggerKeysFollowEachAlternativesCase() throws {
        let rule = DetectorRule(
            name: "t", kind: .secret, confidence: .high, severity: .high,
            patterns: [try PatternParser.parse(#"(i"password" | "token" | i"api-key") "=" [a-z]{3}"#)])
        let program = ScannerProgram(rules: [rule])
        #expect(program.patterns.map(\.keyCount) == [3])
        let scanner = DetectorScanner(rules: [rule])
        func found(_ text: String) -> [String] {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { scanner.scan($0) }.map { String(decoding: bytes[$0.match], as: UTF8.self) }
        }
        #expect(found("PassWord=abc token=def API-KEY=ghi") == ["PassWord=abc", "token=def", "API-KEY=ghi"])
        #expect(found("Token=abc TOKEN=abc task=abc passwore=abc api_key=abc tok") == [])
        #expect(found("x password=abc") == ["password=abc"])
    }

    @Test func aMatchInTheLastBytesIsFound() {
        let scanner = DetectorScanner(rules: [DetectorRule.literal(Array("+".utf8), name: "plus", kind: .secret)])
        for length in 0..<140 {
            let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length) + Array("+".utf8)
            let found = bytes.withUnsafeBufferPointer { scanner.scan($0) }
            #expect(found.map(\.match) == [length..<length + 1])
        }
    }
}
