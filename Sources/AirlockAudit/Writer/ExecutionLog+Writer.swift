import Foundation

extension ExecutionLog {
    /// The writer thread: take everything queued, write it, fsync once, wake the appenders it
    /// covered; between batches, sleep until someone waits for the disk, a buffered record has
    /// waited `bufferedDelay`, or a timed checkpoint is due. While a thread in
    /// `makeDurable(through:)` writes a batch itself, the writer waits for it.
    func runWriter() {
        condition.lock()
        while true {
            while writing || !(sequencer.hasWork && (!waiters.isEmpty || bufferedDue)), !closing, failure == nil {
                let due = sequencer.lastCheckpoint.microseconds + Int64(options.checkpointIntervalSeconds * 1_000_000)
                let now = options.clock()
                if sequencer.sinceCheckpoint > 0, now.microseconds >= due {
                    sequencer.checkpoint(time: now)
                    break
                }
                var wait = sequencer.sinceCheckpoint > 0 ? Double(due - now.microseconds) / 1_000_000 : options.checkpointIntervalSeconds
                if let bufferedDeadline {
                    wait = min(wait, (bufferedDeadline - .now) / .seconds(1))
                } else if ContinuousClock.now - lastQueued < options.busySpell {
                    // Records are coming: look again within `bufferedDelay` anyway, so that the
                    // next buffered record need not wake this thread (`appendBuffered`).
                    wait = min(wait, options.bufferedDelay / .seconds(1))
                }
                wait = max(0.0005, wait)
                writerWakesBy = .now + .seconds(wait)
                _ = condition.wait(until: Date(timeIntervalSinceNow: wait))
                writerWakesBy = nil
            }
            while writing { condition.wait() }
            guard sequencer.hasWork, failure == nil else { break }
            writeBatchLocked()
            condition.broadcast()
        }
        // Closed cleanly: the file is cut to its records. (After a failure, or a crash, its
        // padding stays; readers ignore it, and the next open writes over it.)
        if failure == nil {
            do throws(LogError) { try fileWriter.finish() } catch { failure = .failed(error.description) }
        }
        resumeWaiters()
        if writerLock >= 0 { LogIO.close(writerLock) }
        writerLock = -1
        writerFinished = true
        for waiter in finishWaiters { waiter.resume() }
        finishWaiters = []
        condition.broadcast()
        condition.unlock()
    }

    /// Under the lock, on the writer thread or a thread in `makeDurable(through:)`: takes
    /// everything queued, writes it and fsyncs once with the lock released (`writing` keeps
    /// anyone else from writing meanwhile, so records reach the file in sequence order), then
    /// resumes the appenders the fsync covered. The caller wakes whoever else waits.
    func writeBatchLocked() {
        writing = true
        bufferedSince = nil
        let ops = sequencer.takeOps()
        let upTo = sequencer.lastSeq
        condition.unlock()
        let error = write(ops)
        condition.lock()
        writing = false
        if let error {
            failure = .failed(error.description)
        } else {
            durableSeq = upTo
            countBatch()
        }
        resumeWaiters()
    }

    /// Under the lock: when the oldest buffered record stops waiting for company.
    private var bufferedDeadline: ContinuousClock.Instant? { bufferedSince.map { $0 + options.bufferedDelay } }

    /// Under the lock: a buffered record has waited long enough for company.
    private var bufferedDue: Bool { bufferedDeadline.map { ContinuousClock.now >= $0 } ?? false }

    private func write(_ ops: [LogWriteOp]) -> LogError? {
        do throws(LogError) {
            for op in ops { try fileWriter.perform(op) }
            try fileWriter.sync()
            return nil
        } catch {
            return error
        }
    }

    /// Under the lock: every waiter the last fsync covered succeeds; after a failure, all fail.
    private func resumeWaiters() {
        var remaining: [(seq: UInt64, waiter: DurabilityWaiter)] = []
        for waiter in waiters {
            if let failure {
                waiter.waiter.resume(.failure(failure))
            } else if waiter.seq <= durableSeq {
                waiter.waiter.resume(.success(()))
            } else if closing && !sequencer.hasWork {
                waiter.waiter.resume(.failure(.closed))
            } else {
                remaining.append(waiter)
            }
        }
        waiters = remaining
    }
}
