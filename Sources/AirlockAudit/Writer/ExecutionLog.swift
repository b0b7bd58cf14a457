import AirlockCore
import Foundation

/// The execution log of one broker: hash-chained JSON Lines records under `<state>/log/`,
/// written by one dedicated thread with group commit, rotated by size, with policies stored by
/// digest beside it and Ed25519-signed checkpoints. Format: `docs/execution-log.md`.
///
/// - `append(_:)` returns once the record is on disk (fsync'd). Appenders that arrive while the
///   writer thread is in `fsync` share the next one. The caller's task is suspended, never a
///   thread of Swift's cooperative pool blocked.
/// - `appendBuffered(_:)` queues the record and returns at once; it becomes durable with the next
///   fsync (any later `append`, `sync()`, or `close()`), and is written at the latest
///   `Options.bufferedDelay` after it was queued. It does not wake the writer: the records of a
///   call that are appended buffered and then synced share one fsync, instead of the first
///   starting an fsync that the sync then has to wait out before starting its own.
/// - After any write or fsync failure every append throws `LogError.failed`: a broker must then
///   refuse calls, because "if the log cannot be written, the call does not run".
public final class ExecutionLog: @unchecked Sendable {
    /// How the log is opened.
    public struct Options: Sendable {
        /// The broker's state directory; the log lives in `<state>/log/`, the signing key in
        /// `<state>/audit-key` and `<state>/audit-key.pub`.
        public var stateDirectory: String
        /// A file is closed and a new one started once it reaches this size.
        public var maxFileBytes: Int = 64 << 20
        /// A checkpoint after this many records…
        public var checkpointEveryRecords: Int = 1000
        /// …or this many seconds after the last, if records were written since.
        public var checkpointIntervalSeconds: Double = 60
        /// A buffered record waits at most this long for a durable append or a sync to carry it.
        public var bufferedDelay: Duration = .milliseconds(20)
        /// For this long after the last record the writer thread wakes every `bufferedDelay`
        /// by itself (at most 50 times a second with the default), so that buffered records need
        /// not wake it; after that it sleeps until it is woken (or a checkpoint is due).
        var busySpell: Duration = .seconds(2)
        /// Written into every file header: which machine's chain this is.
        public var node: String
        /// The clock records are stamped with (tests pass a manual one).
        public var clock: @Sendable () -> LogTime = LogTime.now

        public init(stateDirectory: String, node: String = ProcessInfo.processInfo.hostName) {
            self.stateDirectory = stateDirectory
            self.node = node
        }
    }

    /// `<state>/log`.
    public let directory: String
    /// The checkpoint key; `signingKey.publicKey` is what `GET /v1/audit/key` serves.
    public let signingKey: LogSigningKey
    /// What `open` found and did.
    public let recovery: LogRecovery
    let options: Options

    /// Guards everything below; the writer thread waits on it.
    let condition = NSCondition()
    var sequencer: LogSequencer
    /// Highest seq known to be fsync'd.
    var durableSeq: UInt64
    var waiters: [(seq: UInt64, waiter: DurabilityWaiter)] = []
    var failure: LogError?
    /// When the oldest record not yet taken by the writer was queued by `appendBuffered`, if one
    /// was.
    var bufferedSince: ContinuousClock.Instant?
    var closing = false
    /// When the writer thread will wake by itself: nil while it runs (it looks at everything
    /// again before it next sleeps).
    var writerWakesBy: ContinuousClock.Instant?
    /// When the last record was queued.
    var lastQueued: ContinuousClock.Instant = .now
    /// How many buffered appends had to wake the writer thread (tests read it).
    private(set) var bufferedWakes = 0
    /// A batch is being written and fsync'd (by the writer thread or a `makeDurable` caller).
    var writing = false
    /// Threads blocked in `makeDurable(through:)`.
    var blockedAppenders = 0
    var writerFinished = false
    var finishWaiters: [CheckedContinuation<Void, Never>] = []
    /// Batches written and fsync'd so far (group commit makes this smaller than the records).
    private(set) var batches = 0
    let fileWriter: LogFileWriter
    /// The exclusive lock on `<log>/.writer.lock`, released when the writer thread ends (-1
    /// once released). Guarded by `condition`.
    var writerLock: Int32

    /// Opens (creating if needed) the log of `options.stateDirectory`, recovers from a crash (see
    /// `LogRecovery`) and starts the writer thread. Blocking file I/O: call it before serving.
    public static func open(_ options: Options) throws(LogError) -> ExecutionLog {
        let opened = try LogOpening.open(options)
        let log = ExecutionLog(options: options, opened: opened)
        let thread = Thread {
            nameCurrentThread("airlock-log")
            log.runWriter()
        }
        thread.name = "airlock-log"
        thread.start()
        return log
    }

    init(options: Options, opened: LogOpening) {
        self.options = options
        directory = opened.directory
        signingKey = opened.key
        recovery = opened.recovery
        fileWriter = opened.writer
        writerLock = opened.lockFd
        durableSeq = opened.lastSeq
        sequencer = LogSequencer(
            settings: .init(
                maxFileBytes: options.maxFileBytes, checkpointEveryRecords: max(1, options.checkpointEveryRecords), node: options.node,
                key: opened.key),
            lastSeq: opened.lastSeq, head: opened.head, fileNumber: opened.writer.fileNumber, fileBytes: opened.fileBytes,
            knownPolicies: opened.knownPolicies, now: options.clock())
    }

    /// Writes `event` and returns once it is durable (fsync'd), sharing the fsync with concurrent
    /// appenders.
    @discardableResult
    public func append(_ event: LogEvent) async throws(LogError) -> LogReceipt {
        var receipt: LogReceipt?
        let result: Result<Void, LogError> = await withCheckedContinuation { continuation in
            condition.lock()
            do throws(LogError) {
                let queued = try enqueueLocked(event)
                receipt = queued
                waiters.append((queued.seq, .task(continuation)))
                condition.unlock()
                condition.signal()
            } catch {
                condition.unlock()
                continuation.resume(returning: .failure(error))
            }
        }
        try result.get()
        guard let receipt else { throw .closed }
        return receipt
    }

    /// `append(_:)` for a thread of the caller's own, which it blocks (never call it from Swift's
    /// cooperative pool): returns once the record is durable (see `makeDurable(through:)`).
    @discardableResult
    public func appendDurably(_ event: LogEvent) throws(LogError) -> LogReceipt {
        let receipt = try enqueue(event)
        try makeDurable(through: receipt.seq)
        return receipt
    }

    /// Queues `event` without waking anyone: the caller makes it durable itself, soon, with
    /// `makeDurable(through:)` (unless someone else's fsync covers it first).
    @discardableResult
    public func enqueue(_ event: LogEvent) throws(LogError) -> LogReceipt {
        condition.lock()
        defer { condition.unlock() }
        return try enqueueLocked(event)
    }

    /// Returns once the records up to `seq` are durable, blocking this thread (never call it from
    /// Swift's cooperative pool). When no batch is being written, this thread writes and fsyncs
    /// everything queued itself, so the records reach the disk without waking the writer thread
    /// and being woken by it; otherwise it waits for the batch under way, and writes the next one
    /// if nobody else has by then.
    public func makeDurable(through seq: UInt64) throws(LogError) {
        condition.lock()
        defer { condition.unlock() }
        blockedAppenders += 1
        defer { blockedAppenders -= 1 }
        while seq > durableSeq {
            if let failure { throw failure }
            if writing {
                condition.wait()
            } else {
                writeBatchLocked()
                // Others blocked here, async appenders this batch did not cover, and the writer
                // thread (for a close) may be waiting for the lock's news.
                if blockedAppenders > 1 || !waiters.isEmpty || closing { condition.broadcast() }
            }
        }
    }

    /// Queues `event` and returns without waiting for the disk; it is durable after the next
    /// fsync. For records whose loss in a crash is acceptable (for example `call.finished` of a
    /// call whose `call.decided` is already durable, when latency matters more).
    @discardableResult
    public func appendBuffered(_ event: LogEvent) throws(LogError) -> LogReceipt {
        condition.lock()
        let receipt: LogReceipt
        do throws(LogError) { receipt = try enqueueLocked(event) } catch {
            condition.unlock()
            throw error
        }
        var wake = false
        if bufferedSince == nil {
            let now = ContinuousClock.now
            bufferedSince = now
            // The writer must look again by `bufferedDelay` from now. While records keep coming it
            // wakes that often anyway (`runWriter`), so a call's records do not wake it, each
            // waking preempting the very thread that appends them; after a quiet spell it sleeps
            // longer and is woken here.
            if let wakesBy = writerWakesBy, wakesBy > now + options.bufferedDelay {
                wake = true
                bufferedWakes += 1
            }
        }
        condition.unlock()
        if wake { condition.signal() }
        return receipt
    }

    /// Returns once everything appended so far is durable.
    public func sync() async throws(LogError) {
        try await sync(through: nil)
    }

    /// Returns once the records up to `seq` (everything appended so far when nil) are durable.
    /// The fsync starts now and takes whatever is queued by the time the writer gets to it.
    public func sync(through seq: UInt64?) async throws(LogError) {
        let result: Result<Void, LogError> = await withCheckedContinuation { continuation in
            wait(through: seq, .task(continuation))
        }
        try result.get()
    }

    /// Runs `action` once the records up to `seq` are durable (with nil), or cannot be (with why),
    /// on the thread that finds out: at once on this one if that is already known, otherwise on
    /// the thread that wrote the batch, with the log's lock held. So whatever must wait for the
    /// disk (a tool at its gate) goes on without a hop through another thread; `action` must be
    /// quick and must not touch the log.
    public func whenDurable(through seq: UInt64, _ action: @escaping @Sendable (LogError?) -> Void) {
        wait(through: seq, .callback(action))
    }

    /// Resumes `waiter` at once (outside the lock) when the records up to `seq` (everything
    /// appended so far when nil) are known to be durable, or known not to be; otherwise queues it
    /// for the batch that covers them and wakes the writer.
    private func wait(through seq: UInt64?, _ waiter: DurabilityWaiter) {
        condition.lock()
        let target = min(seq ?? sequencer.lastSeq, sequencer.lastSeq)
        var known: Result<Void, LogError>?
        if let failure {
            known = .failure(failure)
        } else if target <= durableSeq {
            known = .success(())
        } else {
            waiters.append((target, waiter))
        }
        condition.unlock()
        // Signalled after unlocking: a writer woken while the lock is held would run only to
        // block on it, and hand the core back.
        if let known { waiter.resume(known) } else { condition.signal() }
    }

    /// Someone waiting for records to be durable.
    enum DurabilityWaiter {
        case task(CheckedContinuation<Result<Void, LogError>, Never>)
        case callback(@Sendable (LogError?) -> Void)

        func resume(_ result: Result<Void, LogError>) {
            switch self {
            case .task(let continuation): continuation.resume(returning: result)
            case .callback(let action):
                if case .failure(let error) = result { action(error) } else { action(nil) }
            }
        }
    }

    /// Writes a final checkpoint (when records followed the last one), waits until everything is
    /// durable and stops the writer thread. Appends after this throw `LogError.closed`.
    public func close() async throws(LogError) {
        queueFinalCheckpoint()
        try await sync()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            defer { condition.unlock() }
            closing = true
            if writerFinished {
                continuation.resume()
            } else {
                finishWaiters.append(continuation)
                condition.broadcast()
            }
        }
    }

    private func queueFinalCheckpoint() {
        condition.lock()
        defer { condition.unlock() }
        if !closing, failure == nil, sequencer.sinceCheckpoint > 0 {
            sequencer.checkpoint(time: options.clock())
            condition.signal()
        }
    }

    /// The last record queued: its seq and hash (the chain head).
    public var head: (seq: UInt64, hash: String) {
        condition.lock()
        defer { condition.unlock() }
        return (sequencer.lastSeq, sequencer.head)
    }

    /// Up to `limit` durable records with `seq > after`, in order, as their exact line text (for
    /// `GET /v1/audit/records`). Reads the files: blocking I/O, run it off the cooperative pool
    /// for large logs.
    public func records(after seq: UInt64, limit: Int) throws(LogError) -> [LogRecordText] {
        condition.lock()
        let durable = durableSeq
        condition.unlock()
        return try LogReader(directory: directory).records(after: seq, limit: limit, upTo: durable)
    }

    /// How many fsyncs the writer thread has made.
    var syncCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return batches
    }

    func countBatch() { batches += 1 }

    /// Lets another `open` of this log succeed while this one is left as a crash leaves it:
    /// nothing more is written by it (tests simulate a crash in one process this way).
    func abandonForTesting() {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        failure = .closed
        condition.broadcast()
        if writerLock >= 0 { LogIO.close(writerLock) }
        writerLock = -1
    }

    /// Points the writer at another file (tests use `/dev/full` to make writes fail for real).
    func replaceFileForTesting(path: String) {
        condition.lock()
        defer { condition.unlock() }
        fileWriter.replaceDescriptor(path: path)
    }

    private func enqueueLocked(_ event: LogEvent) throws(LogError) -> LogReceipt {
        if let failure { throw failure }
        if closing { throw .closed }
        lastQueued = .now
        return sequencer.add(event, time: options.clock())
    }
}
