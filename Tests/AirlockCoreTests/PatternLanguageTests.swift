import Testing
@testable import AirlockCore

/// The rules-file pattern language and its scanner, on their own.
@Suite struct PatternLanguageTests {
    private func matches(_ pattern: String, _ text: String, validate: [MatchValidator] = []) throws -> [String] {
        let rule = DetectorRule(name: "t", kind: .secret, confidence: .high, severity: .high, patterns: [try PatternParser.parse(pattern)], validators: validate)
        let bytes = Array(text.utf8)
        let found = bytes.withUnsafeBufferPointer { DetectorScanner(rules: [rule]).scan($0) }
        return found.map { String(decoding: bytes[$0.redacted], as: UTF8.self) }
    }

    @Test func literalsClassesAndRepetition() throws {
        #expect(try matches(#""id-" [0-9]{3}"#, "id-12 id-123 id-1234") == ["id-123", "id-123"])
        #expect(try matches(#""x" [a-c]+"#, "xabcabcd x xa") == ["xabcabc", "xa"])
        #expect(try matches(#""k" [0-9]?"#, "k1 k") == ["k1", "k"])
    }

    @Test func caseInsensitiveLiteralsAndAlternation() throws {
        #expect(try matches(#"i"pass" ("=" | ": ") [a-z]{2}"#, "PaSs=ab pass: cd pass-ef") == ["PaSs=ab", "pass: cd"])
    }

    @Test func wordBoundaries() throws {
        #expect(try matches(#"\b "key" \b"#, "key keys monkey key.") == ["key", "key"])
    }

    @Test func redactedPartMarkers() throws {
        #expect(try matches(#""token=" < [a-z0-9]{4,} >"#, "token=abcd1234;") == ["abcd1234"])
    }

    @Test func aLeadingClassStartsOnlyAtTheStartOfARun() throws {
        #expect(try matches(#"[a-z]{3} "@""#, "abcdef@ xyz@") == ["xyz@"])
    }

    @Test func classesGiveBackBytesWhenTheRestNeedsThem() throws {
        #expect(try matches(#""<" [a-z>]{1,20} ">" "!""#, "<ab>cd>!") == ["<ab>cd>!"])
    }

    @Test func validatorsFilterAndBacktrack() throws {
        // 799273987130 fails Luhn; giving back one digit leaves 79927398713, which passes.
        #expect(try matches(#"\b [0-9]{2,12}"#, "799273987130", validate: [.luhn]) == ["79927398713"])
        #expect(try matches(#""n" [0-9]{13,16}"#, "n4111111111111111", validate: [.card]) == ["n4111111111111111"])
        #expect(Array("79927398713".utf8).withUnsafeBufferPointer { MatchValidator.luhnValid($0) })
    }

    @Test func entropyIsShannonBitsPerByte() {
        #expect(Array("aaaa".utf8).withUnsafeBufferPointer { MatchValidator.entropy($0) } == 0)
        #expect(Array("abcd".utf8).withUnsafeBufferPointer { MatchValidator.entropy($0) } == 2)
        #expect(MatchValidator("entropy>=3.5") == .entropy(3.5))
        #expect(MatchValidator("entropy>=9") == nil)
        #expect(MatchValidator("regex") == nil)
    }

    @Test(arguments: [
        ("[a-z]*", "a pattern must start with a literal or a class of at least one byte"),
        (#""a" [z-a]"#, "range out of order"),
        (#""a" [é]"#, "classes hold ASCII bytes only"),
        (#""a" ("b" | [c])"#, "expected `\"` to start a literal"),
        (#""a" [b]{3,1}"#, "repetition {3,1} must satisfy min ≤ max, 1 ≤ max ≤ 16384"),
        (#""unterminated"#, "unterminated literal"),
        (#""a" (.*)"#, "expected `\"` to start a literal"),
        (#""a" \d"#, "only `\\b` may stand outside a literal or class"),
        (#""a" > [b] <"#, "`<` must come before `>`"),
        (#""a" < [b]"#, "`<` and `>` must appear together, once each"),
        (#""a" ^"#, "unexpected `^`"),
    ])
    func refusesWhatItCannotCompile(pattern: String, message: String) {
        let error = #expect(throws: PatternError.self) { try PatternParser.parse(pattern) }
        #expect(error?.message == message)
    }

    @Test func rulesFileErrorsNameTheirPlace() {
        let text = """
            detectors:
              - name: x
                kind: secret
                confidence: high
                severity: high
                patterns: ['"a" [b']
              - name: y
                kind: secret
                confidence: sure
                severity: high
                patterns: ['"a"']
            """
        let error = #expect(throws: ConfigError.self) { try RedactionRulesFile.parse(text, file: "r.yaml", origin: "r") }
        #expect(error?.description == "r.yaml:6:16: detectors.0.patterns.0: pattern column 7: unterminated class")
        let second = text.replacingOccurrences(of: #"['"a" [b']"#, with: #"['"a"']"#)
        let error2 = #expect(throws: ConfigError.self) { try RedactionRulesFile.parse(second, file: "r.yaml", origin: "r") }
        #expect(error2?.description == "r.yaml:9:17: detectors.1.confidence: `sure` is not one of `high`, `low`")
        let reserved = text.replacingOccurrences(of: "name: x", with: "name: canary")
        let error3 = #expect(throws: ConfigError.self) { try RedactionRulesFile.parse(reserved, file: "r.yaml", origin: "r") }
        #expect(error3?.message == "`canary` is reserved for a built-in detector")
    }

    @Test func theDefaultRulesFileHasConfidenceOnEveryDetector() {
        let rules = OutputFixture.detectors.rules
        #expect(rules.count >= 20)
        #expect(rules.contains { $0.confidence == .high } && rules.contains { $0.confidence == .low })
        #expect(Set(rules.map(\.name)).count == rules.count)
    }

    @Test func aPathologicalRuleIsCutOffNotHung() throws {
        let pattern = #""a" [a]{0,4000} [a]{0,4000} "b""#
        let text = String(repeating: "a", count: 300)
        let start = ContinuousClock.now
        #expect(try matches(pattern, text).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func moreThanSixtyFourPatternsStillScanInRuleOrder() throws {
        var rules: [DetectorRule] = []
        for n in 0..<150 {
            rules.append(DetectorRule(name: "r\(n)", kind: .secret, confidence: .high, severity: .high, patterns: [try PatternParser.parse("\"tok\(n)x\"")]))
        }
        let bytes = Array("tok149x tok3x tok70x".utf8)
        let found = bytes.withUnsafeBufferPointer { DetectorScanner(rules: rules).scan($0) }
        #expect(found.map { rules[$0.rule].name } == ["r149", "r3", "r70"])
    }
}
