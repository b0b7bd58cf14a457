import AirlockSandbox
import Synchronization

/// Hands out slots: at once while one is idle, in arrival order to a bounded queue when none is,
/// and `429` beyond the queue. After `close()` (shutdown) every waiter and newcomer gets `503`.
///
/// A call first takes a `Reservation` (or gets `429` at once), then is decided, and only an
/// allowed call turns its reservation into a slot. So a call that is decided, counted against its
/// budget and logged as allowed always has its place: back-pressure never follows a decision.
final class Admission: Sendable {
    /// A promised place: an idle slot or a place in the queue, held from before the decision until
    /// `acquire(_:)` or `cancel(_:)`.
    struct Reservation: ~Copyable {
        fileprivate init() {}
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Slot, any Error>
    }

    private struct State {
        var waiters: [Waiter] = []
        var nextId: UInt64 = 0
        var closed = false
        /// Reservations not yet turned into a slot or cancelled.
        var reserved = 0
    }

    private let pool: SlotPool
    private let queueLength: Int
    private let state = Mutex(State())

    init(pool: SlotPool, queueLength: Int) {
        self.pool = pool
        self.queueLength = queueLength
    }

    static let busy = Problem.tooBusy("broker_busy", "every sandbox slot is busy and the queue is full; retry shortly")
    static let shuttingDown = Problem(.serviceUnavailable, code: "shutting_down", detail: "the broker is shutting down and takes no new calls")

    /// A place for one call, or `429 broker_busy` when every idle slot and queue place is promised
    /// already (`503 shutting_down` after `close()`).
    func reserve() throws(Problem) -> Reservation {
        try state.withLock { state throws(Problem) in
            if state.closed { throw Self.shuttingDown }
            guard state.waiters.count + state.reserved < pool.idleCount + queueLength else { throw Self.busy }
            state.reserved += 1
        }
        return Reservation()
    }

    /// Gives a reservation back unused (the call was denied).
    func cancel(_ reservation: consuming Reservation) {
        state.withLock { $0.reserved -= 1 }
    }

    /// The reserved place becomes a slot: at once, or when one is released (in arrival order).
    /// Throws only when the broker shuts down or the request is cancelled while waiting.
    func acquire(_ reservation: consuming Reservation) async throws(Problem) -> Slot {
        let id = state.withLock { state -> UInt64 in
            state.reserved -= 1
            state.nextId += 1
            return state.nextId
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Slot, any Error>) in
                    enqueue(Waiter(id: id, continuation: continuation))
                }
            } onCancel: {
                let waiter = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume(throwing: CancellationError())
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.serviceUnavailable, code: "call_abandoned", detail: "the request was cancelled while waiting for a slot")
        }
    }

    /// A reserved waiter always gets its place in the queue (the reservation counted it).
    private func enqueue(_ waiter: Waiter) {
        enum Outcome { case slot(Slot), fail(Problem), wait }
        let outcome = state.withLock { state -> Outcome in
            if state.closed { return .fail(Self.shuttingDown) }
            if let slot = pool.tryAcquire() { return .slot(slot) }
            state.waiters.append(waiter)
            return .wait
        }
        switch outcome {
        case .slot(let slot): waiter.continuation.resume(returning: slot)
        case .fail(let problem): waiter.continuation.resume(throwing: problem)
        case .wait: break
        }
    }

    /// Returns a slot: to the longest waiter, or to the pool.
    func release(_ slot: Slot) {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                pool.release(slot)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: slot)
    }

    /// Refuses every waiting and future call.
    func close() {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.shuttingDown) }
    }

    var waiting: Int { state.withLock { $0.waiters.count } }
}
