#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the call, the path and the errno, as `open(/state/keys/x.json,
/// O_CREAT|O_EXCL): File exists (errno 17)`.
struct TokenFileError: Error {
    var path: String
    var message: String
}

/// The few file system calls the key store and the revocation list make, each with its EINTR
/// retry and an error that names the call. Files holding secrets are created with their final
/// mode by `open` itself (never widened and then narrowed with `chmod`), and are refused when
/// anyone but their owner could read them.
enum TokenFiles {
    /// Files this store reads are small; anything larger is not ours.
    static let maxFileSize = 1 << 20

    /// Creates `path` with mode 0700 if it does not exist; an existing directory is left as it is.
    static func makeDirectoryIfMissing(_ path: String) throws(TokenFileError) {
        if mkdir(path, 0o700) != 0, errno != EEXIST { throw failure("mkdir", path, "0700") }
    }

    /// Requires `path` to be a directory owned by this user that group and others cannot use at
    /// all. With `create`, a missing directory is made (mode 0700); without, it returns false.
    @discardableResult
    static func checkPrivateDirectory(_ path: String, create: Bool) throws(TokenFileError) -> Bool {
        if create { try makeDirectoryIfMissing(path) }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT, !create { return false }
            throw failure("lstat", path)
        }
        guard st.st_mode & 0o170000 == 0o040000 else { throw TokenFileError(path: path, message: "is not a directory") }
        try requirePrivate(st, path)
        return true
    }

    /// Removes a file, ignoring errors: for cleaning up a temporary file after another failure.
    static func removeQuietly(_ path: String) {
        unlink(path)
    }

    /// Reads a file that only its owner (this user) may read or write.
    static func readPrivateFile(_ path: String) throws(TokenFileError) -> [UInt8] {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure("fstat", path) }
        guard st.st_mode & 0o170000 == 0o100000 else { throw TokenFileError(path: path, message: "is not a regular file") }
        try requirePrivate(st, path)
        return try readAll(fd, path)
    }

    /// Reads a file; nil when it does not exist.
    static func readFileIfPresent(_ path: String) throws(TokenFileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        return try readAll(fd, path)
    }

    /// Creates `path` (which must not exist) with mode 0600, writes `bytes` and fsyncs it.
    static func createPrivateFile(_ path: String, _ bytes: [UInt8]) throws(TokenFileError) {
        let fd = try retrying("open", path, "O_WRONLY|O_CREAT|O_EXCL, 0600") {
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            written += n
        }
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    /// Writes `bytes` to `path` atomically: a private temporary file beside it, fsync, rename
    /// over `path`, fsync of the directory. A reader sees the old or the new file, never half.
    static func replaceAtomically(_ path: String, directory: String, _ bytes: [UInt8]) throws(TokenFileError) {
        let temporary = path + ".tmp-" + TokenID.random().text
        do throws(TokenFileError) {
            try createPrivateFile(temporary, bytes)
            guard rename(temporary, path) == 0 else { throw failure("rename", temporary, "to \(path)") }
        } catch {
            removeQuietly(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Publishes a finished file under a name that must not exist yet (`link` never replaces).
    static func publish(_ temporary: String, as path: String, directory: String) throws(TokenFileError) {
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else { throw failure("link", temporary, "to \(path)") }
        try syncDirectory(directory)
    }

    static func remove(_ path: String, directory: String) throws(TokenFileError) {
        guard unlink(path) == 0 else { throw failure("unlink", path) }
        try syncDirectory(directory)
    }

    static func syncDirectory(_ path: String) throws(TokenFileError) {
        let fd = try retrying("open", path, "O_RDONLY|O_DIRECTORY") { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    private static func requirePrivate(_ st: stat, _ path: String) throws(TokenFileError) {
        guard st.st_uid == geteuid() else {
            throw TokenFileError(path: path, message: "is owned by uid \(st.st_uid), not by this user (uid \(geteuid()))")
        }
        let mode = st.st_mode & 0o7777
        guard mode & 0o077 == 0 else {
            throw TokenFileError(
                path: path,
                message: "mode 0\(String(mode, radix: 8)) lets group or others in; it must be 0600 for a file, 0700 for a directory")
        }
    }

    private static func readAll(_ fd: Int32, _ path: String) throws(TokenFileError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { return result }
            result += buffer[0..<n]
            guard result.count <= maxFileSize else { throw TokenFileError(path: path, message: "is larger than \(maxFileSize) bytes") }
        }
    }

    private static func retrying(_ call: String, _ path: String, _ detail: String = "", _ body: () -> Int32) throws(TokenFileError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            if errno != EINTR { throw failure(call, path, detail) }
        }
    }

    private static func failure(_ call: String, _ path: String, _ detail: String = "") -> TokenFileError {
        let code = errno
        let arguments = detail.isEmpty ? path : "\(path), \(detail)"
        return TokenFileError(path: path, message: "\(call)(\(arguments)): \(String(cString: strerror(code))) (errno \(code))")
    }
}
