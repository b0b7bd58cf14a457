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
