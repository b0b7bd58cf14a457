import AirlockAudit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The socket pair a sandbox waits on before it executes the tool (`Sandbox.run(_:seccomp:in:gate:)`):
/// one byte lets it go on, closing without one stops it. The broker opens it once the call's
/// decision is durable, so confinement set-up and the log's fsync overlap.
final class Gate: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32
    private let closed = Atomic<Bool>(false)
    private let readEndClosed = Atomic<Bool>(false)

    init() throws(Problem) {
        var ends: [Int32] = [-1, -1]
        // A socket pair rather than a pipe: `send(MSG_NOSIGNAL)` to a child that already died
        // fails with EPIPE instead of raising SIGPIPE.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw Problem(.internalServerError, code: "sandbox_failed", detail: "the sandbox for this call could not be set up (socketpair failed); the tool did not run")
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Lets the tool start (`open`) or not; the waiting child sees a byte or end-of-file. Only
    /// the first call counts: a gate once closed stays closed.
    func close(open: Bool) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if open {
            var go: UInt8 = 1
            _ = send(writeEnd, &go, 1, Int32(MSG_NOSIGNAL))
        }
        Glibc.close(writeEnd)
    }

    /// After the launch: the child has its own copy; the broker's goes. Idempotent.
    func closeReadEnd() {
        guard !readEndClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(readEnd)
    }
}

/// A call's decision on its way to disk, watched from the moment it is queued, and the gate it
/// opens: whichever comes second, the fsync that makes the decision durable or the launch with
/// the gate, opens it (or closes it, if the decision cannot be made durable). So the fsync starts
/// at once, not when the request's task next yields, and when the gate is ready first the thread
/// that did the fsync opens it, without a hop through the request's thread.
final class DecisionDurability: Sendable {
    /// The gate, until the fsync's outcome is known; then that outcome.
    private let rendezvous = Mutex<(gate: Gate?, failure: LogError??)>((nil, nil))
    private let outcome = OneShot<LogError?>()

    init(log: ExecutionLog, seq: UInt64) {
        log.whenDurable(through: seq) { [self] failure in settle(failure) }
    }

    /// `gate` opens once the decision is durable (at once if it is already).
    func opens(_ gate: Gate) {
        let settled = rendezvous.withLock { rendezvous -> LogError?? in
            if rendezvous.failure == nil { rendezvous.gate = gate }
            return rendezvous.failure
        }
        if let failure = settled { gate.close(open: failure == nil) }
    }

    /// Waits until the decision is durable: nil, or why it cannot be.
    func failure() async -> LogError? {
        await outcome.value()
    }

    private func settle(_ failure: LogError?) {
        let gate = rendezvous.withLock { rendezvous -> Gate? in
            rendezvous.failure = .some(failure)
            return rendezvous.gate
        }
        gate?.close(open: failure == nil)
        outcome.fulfil(failure)
    }
}
