import Foundation
import Synchronization
import Testing

@testable import AirlockCore

/// A thread named with `nameCurrentThread` carries the name in the kernel, where `ps -L`, `perf`
/// and tracing read it, cut to the kernel's 15 bytes.
struct ThreadNameTests {
    private func nameSeenByTheKernel(after name: String) -> String {
        let seen = Mutex<String>("")
        let done = DispatchSemaphore(value: 0)
        Thread {
            nameCurrentThread(name)
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            seen.withLock { $0 = comm.trimmingCharacters(in: .newlines) }
            done.signal()
        }.start()
        done.wait()
        return seen.withLock { $0 }
    }

    @Test func theKernelSeesTheName() {
        #expect(nameSeenByTheKernel(after: "airlock-slot-3") == "airlock-slot-3")
    }

    @Test func aLongNameIsCutToFifteenBytes() {
        #expect(nameSeenByTheKernel(after: "airlock-log-writer-thread") == "airlock-log-wri")
    }
}
