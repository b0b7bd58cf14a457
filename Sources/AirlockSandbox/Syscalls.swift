import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the sandbox host side needs, in one place, each retrying `EINTR`
/// and reporting the step and errno as a `SandboxError`.
enum Host {
    static func readFile(_ path: String, limit: Int = 1 << 16) throws(SandboxError) -> String {
        let fd = cconfine_open_cloexec(path, O_RDONLY)
        guard fd >= 0 else { throw .hostFailed(step: "open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, limit - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .hostFailed(step: "read \(path)", errno: errno) }
            if n == 0 { break }
            count += n
        }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    static func writeFile(_ path: String, _ text: String) throws(SandboxError) {
        let fd = cconfine_open_cloexec(path, O_WRONLY)
        guard fd >= 0 else { throw .hostFailed(step: "open \(path)", errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .hostFailed(step: "write `\(text)` to \(path)", errno: errno) }
            done += n
        }
    }

    static func open(_ path: String, flags: Int32) throws(SandboxError) -> Int32 {
        let fd = cconfine_open_cloexec(path, flags)
        guard fd >= 0 else { throw .hostFailed(step: "open \(path)", errno: errno) }
        return fd
    }

    /// A small file kept open (a cgroup's counters), read again from its start: up to `limit`
    /// bytes, which is all a caller looking at the first lines needs.
    static func reread(_ fd: Int32, path: String, limit: Int = 4096) throws(SandboxError) -> String {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: limit) { buffer throws(SandboxError) -> String in
            var count = 0
            while count < limit {
                let n = pread(fd, buffer.baseAddress! + count, limit - count, off_t(count))
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw .hostFailed(step: "read \(path)", errno: errno) }
                if n == 0 { break }
                count += n
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Writes `text` to a file kept open (one `write`, as a cgroup file expects).
    static func rewrite(_ fd: Int32, _ text: String, path: String) throws(SandboxError) {
        let bytes = Array(text.utf8)
        while true {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, bytes.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n == bytes.count else { throw .hostFailed(step: "write `\(text)` to \(path)", errno: n < 0 ? errno : EIO) }
            return
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The target of the symbolic link at `path`, or nil when it is not one.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SandboxError) {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .hostFailed(step: "mkdir \(path)", errno: errno)
        }
    }

    /// `mkdir -p`, each new component with `mode`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SandboxError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            try makeDirectory(current, mode: mode)
        }
    }

    static func removeDirectory(_ path: String) throws(SandboxError) {
        if rmdir(path) != 0 && errno != ENOENT {
            throw .hostFailed(step: "rmdir \(path)", errno: errno)
        }
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Makes sure descriptors 0-2 are open (on `/dev/null` if not), so that no pipe the sandbox
    /// creates can land on them: the child relies on it when it installs stdio.
    static func ensureStandardDescriptors() {
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 {
            _ = Glibc.open("/dev/null", O_RDWR)
        }
    }
}
