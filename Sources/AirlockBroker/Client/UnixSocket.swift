#if canImport(Glibc)
import Glibc
#endif

/// A failed socket operation: the step and its errno.
public struct UnixSocketError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var errno: Int32
    public var description: String { "\(step): \(String(cString: strerror(errno)))" }
}

/// The few blocking socket calls the command-line client needs, each retrying `EINTR`.
enum UnixSocket {
    static func connect(_ path: String) throws(UnixSocketError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UnixSocketError(step: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw UnixSocketError(step: "connect \(path) (path too long)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                retryingEINTR { Glibc.connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw UnixSocketError(step: "connect \(path)", errno: code)
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(UnixSocketError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in retryingEINTR { send(fd, raw.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) } }
            guard n > 0 else { throw UnixSocketError(step: "send", errno: errno) }
            done += n
        }
    }

    /// Reads until the peer closes the connection.
    static func readToEnd(_ fd: Int32, limit: Int) throws(UnixSocketError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in retryingEINTR { recv(fd, raw.baseAddress!, raw.count, 0) } }
            guard n >= 0 else { throw UnixSocketError(step: "recv", errno: errno) }
            if n == 0 { return result }
            result += buffer[..<n]
            guard result.count <= limit else { throw UnixSocketError(step: "recv (reply larger than \(limit) bytes)", errno: EMSGSIZE) }
        }
    }

    /// One `recv` of at most `count` bytes appended to `buffer`; false when the peer closed.
    /// Received straight into `buffer`'s tail: no chunk is allocated per read, and the capacity a
    /// kept-alive connection's buffer grew to is reused.
    static func readSome(_ fd: Int32, into buffer: inout [UInt8], count: Int = 64 * 1024) throws(UnixSocketError) -> Bool {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        let n = buffer.withUnsafeMutableBytes { raw in retryingEINTR { recv(fd, raw.baseAddress! + start, count, 0) } }
        let failure = errno
        buffer.removeLast(count - max(0, n))
        guard n >= 0 else { throw UnixSocketError(step: "recv", errno: failure) }
        return n > 0
    }

    /// `SO_RCVTIMEO`: a blocked read gives up after `seconds`.
    static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func retryingEINTR<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
