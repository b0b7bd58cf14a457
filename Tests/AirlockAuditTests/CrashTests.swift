import AirlockTestSupport
import Foundation
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// A writer killed with SIGKILL at random moments loses nothing it acknowledged, leaves a log
/// that verifies, and the next open continues the chain.
@Suite struct CrashTests {
    @Test func killedWriterLosesNothingAcknowledged() async throws {
        guard let binary = airlockExecutablePath else {
            print("skipped: the airlock binary is not built next to the tests")
            return
        }
        let log = LogFixture()
        var acknowledged: [UInt64] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["audit", "write-test", "--state-dir", log.state, "--writers", "8", "--max-file-bytes", "20000", "--checkpoint-every", "30"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            try await Task.sleep(nanoseconds: UInt64.random(in: 150_000_000...600_000_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            acknowledged += String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { UInt64($0) }
            let report = try log.verify()
            #expect(report.problem == nil, "\(report.problem.map(String.init(describing:)) ?? "")")
        }
        #expect(acknowledged.count > 50, "the writer acknowledged too little to test anything")
        var present: Set<UInt64> = []
        try LogReader(directory: log.directory).forEachRecord { record in
            present.insert(record.seq)
            return true
        }
        let missing = acknowledged.filter { !present.contains($0) }
        #expect(missing.isEmpty, "acknowledged but missing: \(missing.prefix(10))")

        // Reopening continues the chain from the last record.
        let before = try log.verify().lastSeq
        let reopened = try log.reopen()
        #expect(reopened.recovery.lastSeq == before)
        let receipt = try await reopened.append(LogFixture.event(0))
        #expect(receipt.seq == before + 1)
        try await reopened.close()
        #expect(try log.verify().problem == nil)
    }

    @Test func tornTailIsSetAsideAndTheChainContinues() async throws {
        let log = try await LogFixture.written(records: 20, close: false)
        let fragment = #"{"seq":22,"time":"2026-11-30T08:00:00.000000Z","prev":"00"#
        try log.tear(1, with: fragment)
        let tornBytes = fragment.utf8.count
        #expect(log.lines(1).last == fragment)

        let reopened = try log.reopen()
        #expect(reopened.recovery.tornFile == 1)
        #expect(reopened.recovery.tornBytes == tornBytes)
        #expect(reopened.recovery.lastSeq == 21)
        let receipt = try await reopened.append(LogFixture.event(99))
        #expect(receipt.seq == 23, "seq 22 is the new file's header")
        try await reopened.close()

        #expect(log.fileNumbers() == [1, 2])
        let report = try log.verify()
        #expect(report.problem == nil)
        #expect(report.warnings.map(\.kind) == [.tornLine])
        #expect(report.warnings.first?.file == "000001.jsonl" && report.warnings.first?.line == 22)

        // Editing a good record before the torn tail is still an error, not a tail.
        var lines = log.lines(1)
        lines[4] = lines[4].replacingOccurrences(of: "record number", with: "record numbex")
        log.setLines(1, lines, terminated: false)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .edited && problem.line == 5)
    }

    @Test func aDeclaredTailMustBeTheRealOne() async throws {
        let log = try await LogFixture.written(records: 20, close: false)
        try log.tear(1, with: "{\"seq\":22")
        let reopened = try log.reopen()
        try await reopened.close()
        // Cutting two more records off the torn file no longer matches what the header declares.
        var lines = log.lines(1)
        let torn = lines.removeLast()
        lines.removeLast(2)
        log.setLines(1, lines + [torn], terminated: false)
        let problem = try #require(try log.verify().problem)
        #expect(problem.file == "000001.jsonl")
    }
}
