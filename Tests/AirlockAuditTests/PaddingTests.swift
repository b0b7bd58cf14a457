import Foundation
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// The file being written is padded with zero bytes written ahead of its records (so a batch's
/// fdatasync has only data to write); readers ignore the padding, a clean close cuts it off, and
/// after a crash the next open writes over it.
@Suite struct PaddingTests {
    @Test func theFileBeingWrittenIsPaddedAndCutToItsRecordsWhenClosed() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        for n in 0..<20 { try await log.append(LogFixture.event(n)) }

        let open = fixture.bytes(1), records = fixture.records(1)
        #expect(open.count > records.count, "no padding after \(records.count) bytes of records")
        #expect(open.count % 4096 == 0, "padding ends on a page: \(open.count)")
        #expect(open[records.count...].allSatisfy { $0 == 0 })
        #expect(records.last == 10)
        let live = try fixture.verify()
        #expect(live.problem == nil && live.warnings.isEmpty, "\(live)")
        #expect(try log.records(after: 0, limit: 100).count == 21)

        try await log.close()
        let closed = fixture.bytes(1)
        #expect(!closed.contains(0), "padding left after a clean close")
        #expect(closed.last == 10)
        #expect(Array(closed.prefix(records.count)) == records)
        #expect(try fixture.verify().problem == nil)
    }

    @Test func aCrashLeavesPaddingThatTheNextOpenWritesOver() async throws {
        let fixture = try await LogFixture.written(records: 20, close: false)
        #expect(fixture.bytes(1).count > fixture.records(1).count)
        let crashed = try fixture.verify()
        #expect(crashed.problem == nil && crashed.warnings.isEmpty, "padding is not a torn tail: \(crashed)")

        let reopened = try fixture.reopen()
        #expect(reopened.recovery.tornFile == nil)
        #expect(reopened.recovery.lastSeq == crashed.lastSeq)
        let receipt = try await reopened.append(LogFixture.event(99))
        #expect(receipt.seq == crashed.lastSeq + 1)
        try await reopened.close()

        #expect(fixture.fileNumbers() == [1], "the chain went on in the same file")
        #expect(!fixture.bytes(1).contains(0))
        let report = try fixture.verify()
        #expect(report.problem == nil && report.warnings.isEmpty, "\(report)")
        #expect(report.lastSeq >= receipt.seq, "the close adds a checkpoint")
        #expect(UInt64(fixture.lines(1).count) == report.lastSeq)
    }

    /// More records than the first padding holds: the file is extended (a page-aligned step at a
    /// time) before the batch that would not fit, and every record is where the chain says.
    @Test func recordsBeyondThePaddingExtendIt() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        let step = LogFileWriter.reserveStep(maxFileBytes: log.options.maxFileBytes)
        #expect(fixture.bytes(1).count == step)
        var last: UInt64 = 0
        while fixture.records(1).count <= step {
            for n in 0..<500 { last = try log.appendBuffered(LogFixture.event(n)).seq }
            try await log.sync()
        }
        let size = fixture.bytes(1).count
        #expect(size > step && size % 4096 == 0 && size >= fixture.records(1).count, "\(size)")
        try await log.close()
        let report = try fixture.verify()
        #expect(report.problem == nil && report.warnings.isEmpty, "\(report)")
        #expect(report.lastSeq >= last)
        #expect(!fixture.bytes(1).contains(0))
    }

    /// A file the writer creates is written with direct I/O where the file system allows it:
    /// batches of every size, across block boundaries and beyond the padding, land exactly where
    /// the chain says, and the file reads back the same through the page cache.
    @Test func directWritesLandWhereTheChainSays() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.maxFileBytes = 256 << 10 }
        guard log.fileWriter.direct != nil else {
            print("skipped: the file system of \(fixture.directory) refuses O_DIRECT; the log writes through the page cache there")
            try await log.close()
            return
        }
        var expected: [String] = []
        for n in 0..<300 {
            // 0 to about 9 KiB of text: some records fit in what is left of a block, some span several.
            let text = String(repeating: "record \(n) ", count: (n * 37) % 800)
            let event = LogEvent.anomaly(taskId: "task-1", callId: "call-\(n)", anomaly: "test", detail: .object(["text": .string(text)]))
            if n % 3 == 0 { try await log.append(event) } else { try log.appendBuffered(event) }
            expected.append("call-\(n)")
        }
        try await log.sync()
        #expect(log.fileWriter.direct != nil)
        let live = try fixture.verify()
        #expect(live.problem == nil && live.warnings.isEmpty, "\(live)")
        let callIds = try log.records(after: 0, limit: 10_000).compactMap { $0.json?["call"]?.stringValue }
        #expect(callIds == expected)
        try await log.close()
        #expect(fixture.fileNumbers().count > 1, "the records did not fill a file")
        for file in fixture.fileNumbers() { #expect(!fixture.bytes(file).contains(0), "file \(file)") }
        #expect(try fixture.verify().problem == nil)
    }

    /// Zero bytes in the middle of a file are not padding: only those at its end are.
    @Test func zeroBytesBeforeTheLastRecordAreDamage() async throws {
        let fixture = try await LogFixture.written(records: 20)
        var bytes = fixture.bytes(1)
        let lines = fixture.lines(1)
        let start = lines.prefix(5).reduce(0) { $0 + $1.utf8.count + 1 }
        for i in start..<(start + 10) { bytes[i] = 0 }
        _ = FileManager.default.createFile(atPath: fixture.path(1), contents: Data(bytes))
        let problem = try #require(try fixture.verify().problem)
        #expect(problem.line == 6 && problem.kind == .edited, "\(problem)")
    }
}
