#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls the log makes, each with its EINTR retry and a `LogError.io` naming the call
/// and the path. Nothing else in the module touches a descriptor.
enum LogIO {
    /// Takes the exclusive lock on `path` (created 0600) for as long as the returned descriptor
    /// is open: `LogError.inUse` when another process holds it.
    static func lockExclusively(_ path: String) throws(LogError) -> Int32 {
        let fd = try retrying("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .inUse(path: path) }
            throw .io(call: "flock", path: path, errno: code)
        }
        return fd
    }

    /// Opens an existing file for writing at chosen offsets (`writeAll(_:_:at:path:)`).
    static func openForWriting(_ path: String) throws(LogError) -> Int32 {
        try retrying("open", path) { open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW) }
    }

    /// Creates a new file (it must not exist) with `mode`, for writing.
    static func create(_ path: String, mode: mode_t) throws(LogError) -> Int32 {
        try retrying("open", path) { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode) }
    }

    /// Writes all of `bytes`, continuing after short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(LogError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(call: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    /// Writes all of `bytes` at `position` in the file, continuing after short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at position: Int, path: String) throws(LogError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(call: "pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at position: Int, path: String) throws(LogError) {
        var failure: LogError?
        bytes.withUnsafeBytes { raw in
            do throws(LogError) { try writeAll(fd, raw, at: position, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// fdatasync: the file's data, and of its metadata only what reading the data back needs
    /// (its size, its blocks), not its times.
    static func syncData(_ fd: Int32, path: String) throws(LogError) {
        _ = try retrying("fdatasync", path) { fdatasync(fd) }
    }

    static func truncate(_ fd: Int32, length: Int, path: String) throws(LogError) {
        _ = try retrying("ftruncate", path) { ftruncate(fd, off_t(length)) }
    }

    static func sync(_ fd: Int32, path: String) throws(LogError) {
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Makes a rename or a new file in `directory` durable.
    static func syncDirectory(_ directory: String) throws(LogError) {
        let fd = try retrying("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { _ = Glibc.close(fd) }
        try sync(fd, path: directory)
    }

    static func rename(_ from: String, _ to: String) throws(LogError) {
        _ = try retrying("rename", from + " -> " + to) { Glibc.rename(from, to) }
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws(LogError) {
        if mkdir(path, mode) != 0, errno != EEXIST { throw .io(call: "mkdir", path: path, errno: errno) }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The whole file; nil when it does not exist.
    static func read(_ path: String) throws(LogError) -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(call: "fstat", path: path, errno: errno) }
        // One byte more than the size, so a file that grew while being read is read to its end.
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var filled = try fill(fd, &bytes, from: 0, path: path)
        while filled == bytes.count {
            bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            filled = try fill(fd, &bytes, from: filled, path: path)
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Up to `count` bytes from the start of the file; nil when it does not exist.
    static func readPrefix(_ path: String, count: Int) throws(LogError) -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { _ = Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let filled = try fill(fd, &bytes, from: 0, path: path)
        return Array(bytes[..<filled])
    }

    /// A descriptor for reading `path`; nil when it does not exist.
    private static func openForReading(_ path: String) throws(LogError) -> Int32? {
        do {
            return try retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        } catch {
            if case .io(_, _, ENOENT) = error { return nil }
            throw error
        }
    }

    /// Reads into `bytes` from offset `start` until it is full or the file ends; returns how far
    /// it is filled.
    private static func fill(_ fd: Int32, _ bytes: inout [UInt8], from start: Int, path: String) throws(LogError) -> Int {
        var filled = start
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(call: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Names in `directory` (not `.` and `..`); nil when it does not exist.
    static func list(_ directory: String) throws(LogError) -> [String]? {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return nil }
            throw .io(call: "opendir", path: directory, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func retrying(_ call: String, _ path: String, _ body: () -> Int32) throws(LogError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            if errno != EINTR { throw .io(call: call, path: path, errno: errno) }
        }
    }
}

/// `strerror` text for an errno.
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
