import Foundation
import Testing
@testable import AirlockCore

/// Precision: ordinary files — this repository's sources and tests, its policies and sandbox
/// profiles, and common Debian configuration files — must not trip any high-confidence secret
/// or PII detector. A detector that fires on ordinary code would shred what a coding agent reads.
@Suite struct OutputPrecisionTests {
    /// Files that hold deliberate fake secrets for the detectors to find (tests, the bench input).
    static let fixturesWithFakeSecrets: Set<String> = [
        "OutputDetectorTests.swift", "OutputSinkTests.swift", "OutputCleaningTests.swift", "OutputTruncationTests.swift",
        "OutputChannelTests.swift", "PatternLanguageTests.swift", "OutputBenchFixture.swift", "OutputChannelBrokerTests.swift",
        "OutputScannerPrefilterTests.swift",
    ]

    static let systemFiles = [
        "/etc/services", "/etc/passwd", "/etc/group", "/etc/protocols", "/etc/ssl/openssl.cnf", "/etc/login.defs",
        "/etc/adduser.conf", "/etc/debian_version", "/etc/mime.types", "/etc/ca-certificates.conf", "/etc/bash.bashrc",
    ]

    /// Every corpus file with its text.
    static func corpus() -> [(path: String, bytes: [UInt8])] {
        var files: [(String, [UInt8])] = []
        for folder in ["Sources", "Tests", "Policies", "Sandbox", "scripts", "examples"] {
            let root = repositoryRoot + "/" + folder
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let relative as String in walker {
                let name = (relative as NSString).lastPathComponent
                guard !fixturesWithFakeSecrets.contains(name) else { continue }
                let path = root + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                files.append((path, Array(data)))
            }
        }
        for path in systemFiles {
            if let data = FileManager.default.contents(atPath: path) { files.append((path, Array(data))) }
        }
        return files
    }

    @Test func highConfidenceDetectorsStaySilentOnOrdinaryFiles() throws {
        let files = Self.corpus()
        let total = files.reduce(0) { $0 + $1.bytes.count }
        #expect(files.count > 100 && total > 1_000_000, "the corpus is too small to mean anything: \(files.count) files, \(total) bytes")
        #expect(files.filter { $0.path.hasPrefix("/etc/") }.count >= 4)
        let high = Set(OutputFixture.detectors.rules.filter { $0.confidence == .high && $0.redacts }.map(\.name))
        let channel = OutputChannel(rules: OutputFixture.rules())
        var falsePositives: [String] = []
        var lowConfidence: [String: Int] = [:]
        for file in files {
            let result = channel.process(stdout: CapturedStream(bytes: file.bytes, totalBytes: UInt64(file.bytes.count)), stderr: CapturedStream())
            for finding in result.findings where finding.action == .redacted {
                if high.contains(finding.detector) {
                    let excerpt = finding.range.map { String(decoding: file.bytes[$0], as: UTF8.self) } ?? ""
                    falsePositives.append("\(file.path): \(finding.detector): \(excerpt.prefix(80))")
                } else {
                    lowConfidence[finding.detector, default: 0] += 1
                }
            }
        }
        #expect(falsePositives.isEmpty, "\(falsePositives.joined(separator: "\n"))")
        print("precision corpus: \(files.count) files, \(total) bytes; low-confidence redactions: \(lowConfidence.sorted { $0.key < $1.key })")
    }

    @Test func theCorpusWouldCatchAFalsePositive() throws {
        // The same pass over one ordinary file with a key appended must report it: the check above
        // is not silent by construction.
        let file = try #require(Self.corpus().first { $0.path.hasSuffix("OutputChannel.swift") })
        let bytes = file.bytes + Array("\nlet key = \"AKIA\(String(repeating: "Q", count: 15))7\"\n".utf8)
        let result = OutputChannel(rules: OutputFixture.rules()).process(
            stdout: CapturedStream(bytes: bytes, totalBytes: UInt64(bytes.count)), stderr: CapturedStream())
        #expect(result.findings.contains { $0.detector == "aws_access_key" })
    }
}
