import Foundation
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// Every kind of tampering makes `verify` fail and name the file, the line and what happened.
@Suite struct MutationTests {
    @Test func intactLogVerifies() async throws {
        let log = try await LogFixture.written(records: 300, maxFileBytes: 20_000, checkpointEvery: 40)
        let report = try log.verify()
        #expect(report.problem == nil)
        #expect(report.files > 3)
        #expect(report.records == Int(report.lastSeq))
        #expect(report.checkpoints >= 7)
        #expect(report.recordsAfterLastCheckpoint == 0, "close() signs the head")
        #expect(report.warnings.isEmpty)
    }

    @Test func editedByteIsNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        lines[9] = lines[9].replacingOccurrences(of: "record number", with: "record numbex")
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .edited)
        #expect(problem.file == "000001.jsonl" && problem.line == 10)
    }

    @Test func editedPrevFieldIsNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        let original = lines[9]
        let index = original.range(of: #""prev":""#)!.upperBound
        let flipped = original[index] == "a" ? "b" : "a"
        lines[9] = original.replacingCharacters(in: index...index, with: flipped)
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .edited)
        #expect(problem.line == 10)
    }

    @Test func deletedRecordIsNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        lines.remove(at: 9)
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .deleted)
        #expect(problem.file == "000001.jsonl" && problem.line == 10 && problem.seq == 11)
    }

    @Test func swappedRecordsAreNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        lines.swapAt(9, 10)
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .reordered)
        #expect(problem.line == 10)
    }

    @Test func forgedRecordThatChainsIsNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        // A forger who knows the format: the right seq, prev = hash of the record before.
        let forged = RecordLine.encode(
            seq: 10, time: LogTime(microseconds: 0), prev: LogDigest.sha256Hex(Array(lines[8].utf8)), kind: .anomaly,
            fields: ["anomaly": .string("forged")])
        lines.insert(String(decoding: forged, as: UTF8.self), at: 9)
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .inserted)
        #expect(problem.line == 10)
    }

    @Test func forgedRecordThatDoesNotChainIsNamed() async throws {
        let log = try await LogFixture.written(records: 40)
        var lines = log.lines(1)
        let forged = RecordLine.encode(seq: 10, time: LogTime(microseconds: 0), prev: LogDigest.zero, kind: .anomaly, fields: [:])
        lines.insert(String(decoding: forged, as: UTF8.self), at: 9)
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .inserted)
        #expect(problem.line == 10)
    }

    @Test func truncatedRotatedFileIsNamed() async throws {
        let log = try await LogFixture.written(records: 200, maxFileBytes: 10_000)
        #expect(log.fileNumbers().count >= 3)
        log.setLines(1, Array(log.lines(1).dropLast(3)))
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .truncated)
        #expect(problem.file == "000001.jsonl")
    }

    @Test func rotatedFileCutMidLineIsTruncatedNotTorn() async throws {
        let log = try await LogFixture.written(records: 200, maxFileBytes: 10_000)
        let bytes = try #require(FileManager.default.contents(atPath: log.path(1)))
        _ = FileManager.default.createFile(atPath: log.path(1), contents: bytes.prefix(bytes.count - 50))
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .truncated)
        #expect(problem.file == "000001.jsonl")
    }

    @Test func lastRecordOfRotatedFileEditedIsNamed() async throws {
        let log = try await LogFixture.written(records: 200, maxFileBytes: 10_000)
        var lines = log.lines(1)
        lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(of: "record number", with: "record numbex")
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .edited)
        #expect(problem.file == "000001.jsonl" && problem.line == lines.count)
    }

    @Test func replacedCheckpointSignatureIsNamed() async throws {
        let log = try await LogFixture.written(records: 60, checkpointEvery: 20)
        var lines = log.lines(1)
        let index = try #require(lines.firstIndex { $0.contains(#""kind":"checkpoint""#) })
        let signature = try #require(lines[index].range(of: #""signature":""#)).upperBound
        let first = lines[index][signature]
        lines[index] = lines[index].replacingCharacters(in: signature...signature, with: first == "0" ? "1" : "0")
        log.setLines(1, lines)
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .badSignature)
        #expect(problem.line == index + 1)
    }

    @Test func anotherKeyIsABadSignature() async throws {
        let log = try await LogFixture.written(records: 30, checkpointEvery: 10)
        let other = LogSigningKey(privateKey: .init()).publicKey
        let problem = try #require(try LogVerifier(directory: log.directory, publicKey: other).verify().problem)
        #expect(problem.kind == .badSignature)
    }

    @Test func deletedRotatedFileIsNamed() async throws {
        let log = try await LogFixture.written(records: 200, maxFileBytes: 10_000)
        #expect(log.fileNumbers().count >= 3)
        try FileManager.default.removeItem(atPath: log.path(2))
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .truncated)
        #expect(problem.file == "000002.jsonl")
    }

    @Test func deletedFirstFileIsNamed() async throws {
        let log = try await LogFixture.written(records: 200, maxFileBytes: 10_000)
        try FileManager.default.removeItem(atPath: log.path(1))
        let problem = try #require(try log.verify().problem)
        #expect(problem.kind == .truncated)
        #expect(problem.file == "000001.jsonl")
    }

    @Test func tornLastLineIsAWarning() async throws {
        let log = try await LogFixture.written(records: 30)
        let handle = try #require(FileHandle(forWritingAtPath: log.path(1)))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"seq":32,"time":"2026-01-0"#.utf8))
        handle.closeFile()
        let report = try log.verify()
        #expect(report.problem == nil)
        #expect(report.warnings.map(\.kind) == [.tornLine])
        #expect(report.warnings.first?.line == log.lines(1).count)
        #expect(report.lastSeq == UInt64(log.lines(1).count - 1))
    }
}
