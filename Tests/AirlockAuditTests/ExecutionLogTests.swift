import Foundation
import Synchronization
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// The writer: group commit, rotation, reading back, secrets, failures.
@Suite struct ExecutionLogTests {
    @Test func concurrentAppendersShareFsyncs() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        let seqs = try await Self.appendConcurrently(to: log, writers: 0..<8)
        let syncs = log.syncCount
        try await log.close()
        #expect(Set(seqs).count == 800)
        #expect(syncs < 800, "every durable append got its own fsync: \(syncs)")
        #expect(try fixture.verify().isValid)
    }

    /// Threads that write their own batches (`appendDurably`) and async appenders served by the
    /// writer thread, all at once: every record durable when its append returns, one chain in
    /// sequence order, fsyncs shared.
    @Test func blockingAndAsyncAppendersShareOneChain() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        let blocking = Mutex<[UInt64]>([])
        let notDurable = Atomic<Int>(0)
        let threads = (0..<4).map { writer in
            Thread {
                for n in 0..<100 {
                    guard let seq = try? log.appendDurably(LogFixture.event(writer * 1000 + n)).seq else { continue }
                    blocking.withLock { $0.append(seq) }
                    if !((try? log.records(after: seq - 1, limit: 1))?.first?.seq == seq) { notDurable.add(1, ordering: .relaxed) }
                }
            }
        }
        threads.forEach { $0.start() }
        let asyncSeqs = try await Self.appendConcurrently(to: log, writers: 4..<8)
        while blocking.withLock({ $0.count }) < 400 { try await Task.sleep(for: .milliseconds(5)) }
        let syncs = log.syncCount
        try await log.close()
        #expect(Set(blocking.withLock { $0 } + asyncSeqs).count == 800)
        #expect(notDurable.load(ordering: .relaxed) == 0, "a blocking append returned before its record could be read back")
        #expect(syncs < 800, "every durable append got its own fsync: \(syncs)")
        let report = try fixture.verify()
        #expect(report.isValid, "\(String(describing: report.problem))")
    }

    /// 100 durable appends from each of `writers`, as concurrent tasks; their seqs.
    private static func appendConcurrently(to log: ExecutionLog, writers: Range<Int>) async throws -> [UInt64] {
        try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for writer in writers {
                group.addTask {
                    var mine: [UInt64] = []
                    for n in 0..<100 { mine.append(try await log.append(LogFixture.event(writer * 1000 + n)).seq) }
                    return mine
                }
            }
            var all: [UInt64] = []
            for try await mine in group { all += mine }
            return all
        }
    }

    /// A blocking append on a log whose disk fails throws, and so does every append after it.
    @Test func blockingAppendFailsWithTheDisk() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        log.replaceFileForTesting(path: "/dev/full")
        #expect(throws: LogError.self) { try log.appendDurably(LogFixture.event(0)) }
        #expect(throws: LogError.self) { try log.appendDurably(LogFixture.event(1)) }
        await #expect(throws: LogError.self) { try await log.append(LogFixture.event(2)) }
    }

    /// `whenDurable` runs its action once the record can be read back from the file (at once when
    /// it already can), and with the error when the disk fails.
    @Test func whenDurableRunsOnceTheRecordIsOnDisk() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.bufferedDelay = .seconds(60) }
        let seq = try log.appendBuffered(LogFixture.event(0)).seq
        let seen = await withCheckedContinuation { (continuation: CheckedContinuation<(LogError?, UInt64?), Never>) in
            log.whenDurable(through: seq) { failure in
                // The action runs with the log's lock held: read the file, not through the log.
                let written = try? LogReader(directory: log.directory).records(after: seq - 1, limit: 1, upTo: seq)
                continuation.resume(returning: (failure, written?.first?.seq))
            }
        }
        #expect(seen.0 == nil)
        #expect(seen.1 == seq, "the action ran before its record was in the file")
        let already = await withCheckedContinuation { continuation in log.whenDurable(through: seq) { continuation.resume(returning: $0) } }
        #expect(already == nil)

        log.replaceFileForTesting(path: "/dev/full")
        let next = try log.appendBuffered(LogFixture.event(1)).seq
        let failed = await withCheckedContinuation { continuation in log.whenDurable(through: next) { continuation.resume(returning: $0) } }
        #expect(failed != nil)
    }

    @Test func bufferedAppendsAreDurableAfterSync() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        var last: UInt64 = 0
        for n in 0..<50 { last = try log.appendBuffered(LogFixture.event(n)).seq }
        try await log.sync()
        #expect(try log.records(after: 0, limit: 1000).last?.seq == last)
        try await log.close()
    }

    /// The records of a call appended buffered and then synced share one fsync: a buffered
    /// append does not start one of its own that the sync would have to wait out.
    @Test func bufferedRecordsAndTheSyncThatFollowsShareOneFsync() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.bufferedDelay = .seconds(60) }
        try await log.sync()
        try await Task.sleep(for: .milliseconds(50))
        let before = log.syncCount
        for n in 0..<3 {
            try log.appendBuffered(LogFixture.event(n))
            try await Task.sleep(for: .milliseconds(20))
        }
        try await log.sync()
        #expect(log.syncCount == before + 1)
        try await log.close()
    }

    /// While records keep coming the writer wakes every `bufferedDelay` by itself, so a buffered
    /// record does not wake it (each such wake-up preempted the appending thread); after a quiet
    /// spell it sleeps until woken, and the first buffered record wakes it. Either way the record
    /// is written without a sync.
    @Test func bufferedRecordsWakeTheWriterOnlyAfterAQuietSpell() async throws {
        for (spell, wakes) in [(Duration.seconds(60), 0), (.zero, 1)] {
            let fixture = LogFixture()
            let log = try fixture.openLog {
                $0.bufferedDelay = .milliseconds(100)
                $0.busySpell = spell
            }
            try await log.append(LogFixture.event(0))
            try await Task.sleep(for: .milliseconds(30))  // the writer is asleep again
            let seq = try log.appendBuffered(LogFixture.event(1)).seq
            #expect(log.bufferedWakes == wakes, "busy spell \(spell)")
            let deadline = ContinuousClock.now + .seconds(5)
            while try log.records(after: 0, limit: 10).last?.seq != seq, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try log.records(after: 0, limit: 10).last?.seq == seq, "busy spell \(spell): never written")
            try await log.close()
        }
    }

    /// With no sync to carry it, a buffered record is still written, after `bufferedDelay`.
    @Test func bufferedRecordIsWrittenWithoutASync() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.bufferedDelay = .milliseconds(50) }
        let seq = try log.appendBuffered(LogFixture.event(0)).seq
        var written = false
        for _ in 0..<200 where !written {
            try await Task.sleep(for: .milliseconds(25))
            written = try log.records(after: 0, limit: 100).contains { $0.seq == seq }
        }
        #expect(written, "a buffered record was not written within 5 s")
        try await log.close()
    }

    @Test func recordsAfterASeqAcrossFiles() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.maxFileBytes = 4000 }
        for n in 0..<120 { try await log.append(LogFixture.event(n)) }
        #expect(fixture.fileNumbers().count > 3)
        let page = try log.records(after: 57, limit: 10)
        #expect(page.map(\.seq) == Array(58...67))
        #expect(page.allSatisfy { $0.json?["seq"] == .integer(Int64($0.seq)) })
        let tail = try log.records(after: log.head.seq - 2, limit: 10)
        #expect(tail.map(\.seq) == [log.head.seq - 1, log.head.seq])
        try await log.close()
    }

    @Test func headersLinkFilesAndCarryTheirNumber() async throws {
        let fixture = try await LogFixture.written(records: 100, maxFileBytes: 5000)
        for number in fixture.fileNumbers() {
            let header = try #require(JSONParser.parse(fixture.lines(number)[0]).objectValue)
            #expect(header["kind"] == .string("file.started"))
            #expect(header["file"] == .integer(Int64(number)))
            if number > 1 {
                let previous = fixture.lines(number - 1).last!
                #expect(header["prev"] == .string(LogDigest.sha256Hex(Array(previous.utf8))))
            }
        }
    }

    @Test func timedCheckpointSignsAnIdleHead() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog { $0.checkpointIntervalSeconds = 0.05 }
        try await log.append(LogFixture.event(1))
        try await Task.sleep(nanoseconds: 300_000_000)
        try await log.sync()
        let kinds = try log.records(after: 0, limit: 10).compactMap { $0.json?["kind"]?.stringValue }
        #expect(kinds == ["file.started", "anomaly", "checkpoint"])
        try await log.close()
        #expect(try fixture.verify().lastCheckpointSeq == 3)
    }

    @Test func noSecretIsWritten() async throws {
        let session = try await RecordedSession.recorded()
        var everything = ""
        for number in try LogDirectory.fileNumbers(in: session.logDirectory) {
            everything += try String(contentsOfFile: LogDirectory.path(session.logDirectory, number), encoding: .utf8)
        }
        let token = try CapabilityToken.mint(
            key: session.key, taskId: RecordedSession.taskId, policyName: "session", policyDigest: PolicyDigest(policyText: session.policy.text),
            caveats: [.expires(session.start.adding(seconds: 3600))])
        let signature = String(token.text.suffix(43))
        #expect(!everything.contains(token.text))
        #expect(!everything.contains(signature), "a token signature is in the log")
        #expect(!everything.contains(LogDigest.hex(session.key.secretBytes)))
        let privateKey = try String(contentsOfFile: session.state + "/" + LogSigningKey.privateFileName, encoding: .utf8)
        #expect(!everything.contains(privateKey.trimmingCharacters(in: .whitespacesAndNewlines)))
        var info = stat()
        #expect(stat(session.state + "/" + LogSigningKey.privateFileName, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    /// Two writers would fork the chain: while one process holds the log, another cannot open it
    /// (here the same process, through a second open file description, as another process would).
    @Test func oneWriterAtATime() async throws {
        let fixture = LogFixture()
        let first = try fixture.openLog()
        #expect(throws: LogError.inUse(path: fixture.state + "/log/.writer.lock")) {
            _ = try fixture.openLog()
        }
        try await first.close()
        let second = try fixture.openLog()
        try await second.close()
        #expect(try fixture.verify().problem == nil)
    }

    @Test func closedLogRefusesAppends() async throws {
        let fixture = LogFixture()
        let log = try fixture.openLog()
        try await log.close()
        await #expect(throws: LogError.closed) { try await log.append(LogFixture.event(0)) }
        #expect(throws: LogError.closed) { try log.appendBuffered(LogFixture.event(0)) }
    }

    @Test func failedWriteStopsTheLog() async throws {
        // /dev/full fails every write with ENOSPC: the log must refuse every later append.
        let fixture = LogFixture()
        let log = try fixture.openLog()
        log.replaceFileForTesting(path: "/dev/full")
        await #expect(throws: LogError.self) { try await log.append(LogFixture.event(0)) }
        do {
            try await log.append(LogFixture.event(1))
            Issue.record("an append after a failed write succeeded")
        } catch {
            guard case .failed(let cause) = error else { Issue.record("expected .failed, got \(error)"); return }
            #expect(cause.contains("No space left"))
        }
        #expect(throws: LogError.self) { try log.appendBuffered(LogFixture.event(2)) }
    }

    @Test func timeIsRFC3339WithMicroseconds() {
        #expect(LogTime(microseconds: 0).text == "1970-01-01T00:00:00.000000Z")
        #expect(LogTime(microseconds: 1_764_490_335_123_456).text == "2025-11-30T08:12:15.123456Z")
        #expect(LogTime(text: "2025-11-30T08:12:15.123456Z")?.microseconds == 1_764_490_335_123_456)
        #expect(LogTime(text: "2025-11-30T08:12:15Z")?.microseconds == 1_764_490_335_000_000)
        #expect(LogTime(text: "2025-11-30")?.microseconds == 1_764_460_800_000_000)
        #expect(LogTime(text: "2025-13-30") == nil)
        #expect(LogTime(text: "2025-11-30T08:12:15+01:00") == nil)
    }
}
