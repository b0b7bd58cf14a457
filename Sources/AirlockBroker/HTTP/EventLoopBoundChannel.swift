import HummingbirdCore
import Logging
import NIOCore

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
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// Runs Swift jobs on an event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
