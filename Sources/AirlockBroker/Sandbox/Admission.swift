import AirlockSandbox
import Synchronization

/// Hands out slots: at once while one is idle, in arrival order to a bounded queue when none is,
/// and `429` beyond the queue. After `close()` (shutdown) every waiter and newcomer gets `503`.
final class Admission: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Slot, any Error>
    }

    private struct State {
        var waiters: [Waiter] = []
        var nextId: UInt64 = 0
        var closed = false
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

    func acquire() async throws(Problem) -> Slot {
        let id = state.withLock { state -> UInt64 in
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

    private func enqueue(_ waiter: Waiter) {
        enum Outcome { case slot(Slot), fail(Problem), wait }
        let outcome = state.withLock { state -> Outcome in
            if state.closed { return .fail(Self.shuttingDown) }
            if let slot = pool.tryAcquire() { return .slot(slot) }
            guard state.waiters.count < queueLength else { return .fail(Self.busy) }
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
