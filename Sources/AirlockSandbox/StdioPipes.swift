import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// The three pipes between the broker and a tool. Close-on-exec on both ends: the child dups its
/// ends onto 0-2 (which clears the flag on the copies) and nothing else leaks into the tool.
final class StdioPipes {
    private(set) var stdin: (Int32, Int32) = (-1, -1)
    private(set) var stdout: (Int32, Int32) = (-1, -1)
    private(set) var stderr: (Int32, Int32) = (-1, -1)

    /// Pipes this large let a tool write a megabyte without waiting for the broker to read.
    static let largePipe: Int32 = 1 << 20

    init(outputCap: UInt64) throws(SandboxError) {
        stdin = try Self.makePipe()
        stdout = try Self.makePipe()
        stderr = try Self.makePipe()
        if outputCap > 65536 {
            let size = Int32(min(UInt64(Self.largePipe), outputCap))
            // Best effort: the default 64 KiB pipe is only slower, never wrong.
            _ = cconfine_set_pipe_size(stdout.1, size)
        }
    }

    private static func makePipe() throws(SandboxError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard cconfine_pipe_cloexec(&fds) == 0 else { throw .hostFailed(step: "pipe2", errno: errno) }
        return (fds[0], fds[1])
    }

    func closeChildEnds() {
        Self.close(&stdin.0)
        Self.close(&stdout.1)
        Self.close(&stderr.1)
    }

    /// Hands an end to the supervisor, which closes it.
    func takeParentStdin() -> Int32 { Self.take(&stdin.1) }
    func takeParentStdout() -> Int32 { Self.take(&stdout.0) }
    func takeParentStderr() -> Int32 { Self.take(&stderr.0) }

    func closeAll() {
        for fd in [stdin.0, stdin.1, stdout.0, stdout.1, stderr.0, stderr.1] where fd >= 0 { Glibc.close(fd) }
        stdin = (-1, -1)
        stdout = (-1, -1)
        stderr = (-1, -1)
    }

    private static func take(_ fd: inout Int32) -> Int32 {
        let value = fd
        fd = -1
        return value
    }

    private static func close(_ fd: inout Int32) {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
