@testable import AirlockCore

/// The repository's detectors and helpers to run the output channel on text.
enum OutputFixture {
    static let detectors: DetectorSet = {
        do { return try DetectorSet.load(sandboxDirectory: repositoryRoot + "/Sandbox") } catch {
            fatalError("Sandbox/redaction/default.yaml does not load: \(error)")
        }
    }()

    /// Default rules with the repository's detectors, changed by `edit`.
    static func rules(_ edit: (inout OutputRules) -> Void = { _ in }) -> OutputRules {
        var rules = OutputRules()
        rules.detectors = detectors
        edit(&rules)
        return rules
    }

    static func run(_ bytes: [UInt8], stderr: [UInt8] = [], rules: OutputRules = rules(), secrets: OutputSecrets = OutputSecrets()) -> OutputResult {
        OutputChannel(rules: rules, secrets: secrets).process(
            stdout: CapturedStream(bytes: bytes, totalBytes: UInt64(bytes.count)),
            stderr: CapturedStream(bytes: stderr, totalBytes: UInt64(stderr.count)))
    }

    static func run(_ text: String, rules: OutputRules = rules(), secrets: OutputSecrets = OutputSecrets()) -> OutputResult {
        run(Array(text.utf8), rules: rules, secrets: secrets)
    }

    /// Stdout's delivered text without the `model` sink's frame lines, so tests compare the text.
    static func inner(_ result: OutputResult) -> String? {
        guard let text = result.stdout.text else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines.first?.hasPrefix("<tool_output") == true, lines.last == "</tool_output>" else { return nil }
        return lines.dropFirst().dropLast().joined(separator: "\n")
    }

    /// The bytes of `range` in `text`'s UTF-8.
    static func slice(_ text: String, _ range: Range<Int>?) -> String? {
        guard let range else { return nil }
        let bytes = Array(text.utf8)
        guard range.upperBound <= bytes.count else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }
}

import Foundation

/// Runs a command line through the real `/bin/sh`, to check what a shell makes of quoted text.
enum ShellProbe {
    /// The NUL-separated fields the command prints (`printf '%s\0' …`).
    static func arguments(_ commandLine: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", commandLine]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }
}
