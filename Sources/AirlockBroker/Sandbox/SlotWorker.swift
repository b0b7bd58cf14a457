import AirlockCore
import Foundation

/// A long-lived thread that runs one slot's sandboxes.
///
/// `Sandbox.run` blocks for the whole call, so it must never run on the Swift concurrency pool
/// (a few slow tools would starve every request). And a child's `PR_SET_PDEATHSIG` fires when the
/// thread that spawned it exits, so spawning threads must live as long as the broker.
final class SlotWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var stopping = false
    private var exited = false

    init(name: String) {
        let thread = Thread { [self] in
            nameCurrentThread(name)
            self.loop()
        }
        thread.name = name
        thread.start()
    }

    func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        condition.broadcast()
        condition.unlock()
    }

    /// Whether work is queued behind what runs now.
    var hasQueuedWork: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !queue.isEmpty
    }

    /// Lets the thread finish what it was given, then waits until it has exited.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                exited = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let work = queue.removeFirst()
            condition.unlock()
            work()
        }
    }
}
