#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread as `ps -L`, `top -H`, `perf` and the kernel's tracing show it (its
/// `comm`): at most 15 bytes, cut beyond that. Foundation's `Thread.name` does not reach the
/// kernel on Linux, so without this every broker thread shows under the name of the Dispatch
/// thread that started it. Written to `/proc/thread-self/comm` (what `pthread_setname_np` does
/// for another thread; Glibc's Swift module exports neither it nor `prctl`). Best effort: a
/// thread left unnamed works the same.
public func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
