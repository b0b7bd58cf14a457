import AirlockTestSupport
import Foundation
import Testing

@testable import AirlockAudit

/// `examples/audit/verify_log.py`, written from the format document alone, accepts a log the
/// writer produced and rejects a tampered copy.
@Suite struct PythonVerifierTests {
    static let script = repositoryRoot + "/examples/audit/verify_log.py"

    /// python3 with the `cryptography` package, or nil after printing why the test is skipped.
    static func python() -> String? {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: python3 is not installed")
            return nil
        }
        guard (try? run(python, ["-c", "import cryptography"]).0) == 0 else {
            print("skipped: python3 has no cryptography package (scripts/install-deps installs python3-cryptography)")
            return nil
        }
        return python
    }

    static func run(_ python: String, _ directory: String) throws -> (Int32, String) {
        try run(python, [script, directory])
    }

    static func run(_ python: String, _ arguments: [String]) throws -> (Int32, String) {
        let result = try runProgram(python, arguments)
        return (result.status, result.output)
    }

    @Test func acceptsTheLogAndRejectsATamperedCopy() async throws {
        guard let python = Self.python() else { return }
        let session = try await RecordedSession.recorded()
        let (status, output) = try Self.run(python, session.logDirectory)
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("ok: "))

        let path = LogDirectory.path(session.logDirectory, 1)
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains(#""role":"agent""#) })
        lines[index] = lines[index].replacingOccurrences(of: #""role":"agent""#, with: #""role":"admin""#)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let (tamperedStatus, tamperedOutput) = try Self.run(python, session.logDirectory)
        #expect(tamperedStatus == 1, "\(tamperedOutput)")
        #expect(tamperedOutput.contains("FAILED: 000001.jsonl:"))
    }

    @Test func agreesWithTheSwiftVerifierOnEveryMutation() async throws {
        guard let python = Self.python() else { return }
        let mutations: [(String, (LogFixture) -> Void)] = [
            ("delete", { f in var l = f.lines(1); l.remove(at: 9); f.setLines(1, l) }),
            ("swap", { f in var l = f.lines(1); l.swapAt(9, 10); f.setLines(1, l) }),
            ("drop file", { f in try? FileManager.default.removeItem(atPath: f.path(2)) }),
            ("truncate rotated", { f in f.setLines(1, Array(f.lines(1).dropLast(2))) }),
            ("cut rotated mid-line", { f in f.setLines(1, f.lines(1).dropLast() + [String(f.lines(1).last!.prefix(30))], terminated: false) }),
            ("edit", { f in var l = f.lines(2); l[3] = l[3].replacingOccurrences(of: "record number", with: "record numbex"); f.setLines(2, l) }),
            ("signature", { f in
                f.setLines(1, f.lines(1).map { $0.contains("checkpoint") ? $0.replacingOccurrences(of: "\"signature\":\"", with: "\"signature\":\"00") : $0 }) }),
        ]
        for (name, mutate) in mutations {
            let fixture = try await LogFixture.written(records: 150, maxFileBytes: 8000, checkpointEvery: 10)
            mutate(fixture)
            let swift = try fixture.verify().problem
            let (status, output) = try Self.run(python, fixture.directory)
            #expect(swift != nil, "\(name): the Swift verifier accepted it")
            #expect(status == 1, "\(name): \(output)")
            if let swift { #expect(output.contains("\(swift.file):"), "\(name): swift says \(swift), python says \(output)") }
        }
    }

    @Test func ignoresThePaddingACrashLeaves() async throws {
        guard let python = Self.python() else { return }
        let fixture = try await LogFixture.written(records: 20, close: false)
        #expect(fixture.bytes(1).count > fixture.records(1).count)
        let (status, output) = try Self.run(python, fixture.directory)
        #expect(status == 0 && !output.contains("warning"), "\(output)")
    }

    @Test func acceptsATornTailTheNextHeaderDeclares() async throws {
        guard let python = Self.python() else { return }
        let fixture = try await LogFixture.written(records: 20, close: false)
        try fixture.tear(1, with: "{\"seq\":22,\"ti")
        try await fixture.reopen().close()
        let (status, output) = try Self.run(python, fixture.directory)
        #expect(status == 0, "\(output)")
        #expect(output.contains("warning: 000001.jsonl:22: torn_line"))
    }
}
