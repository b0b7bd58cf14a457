import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Serves each connection with its tasks preferring the connection's own event loop, so a
/// request's handler runs on the thread that read the request, and its answer is written from
/// there. Without it, every request wakes a thread of Swift's global pool to run the handler
/// and wakes the event loop again to write the answer: two cross-thread wake-ups a request, which
/// on a virtual machine with idle cores cost more than the handler itself.
///
/// Work that blocks still belongs on threads of its own (the slot workers, the log writer), as it
/// did on the global pool.
struct EventLoopBoundChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor.of(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// Runs Swift jobs on an event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The one executor of `eventLoop`, kept for the process's life (there is one per event loop
    /// of the broker's group): a task started by a handler inherits the preference and may
    /// outlive the connection that set it, so the executor must not go with the connection.
    static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { executors in
            let key = ObjectIdentifier(eventLoop)
            if let known = executors[key] { return known }
            let executor = EventLoopTaskExecutor(eventLoop)
            executors[key] = executor
            return executor
        }
    }

    private init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
