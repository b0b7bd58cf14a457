#if canImport(Glibc)
import Glibc
#endif

/// Prepares the socket path so the socket has the right permissions from its first moment.
///
/// The socket is created inside a directory that only the broker's user (mode 0700), or also a
/// configured group (0750), can enter, so nobody else can reach it even before its own mode is
/// set. A lock file beside it (`<socket>.lock`, held for the broker's life) keeps two brokers off
/// one socket; a socket file left by a crash is replaced, a live one (a connect succeeds) never.
final class SocketBinding: Sendable {
    let path: String
    let group: UInt32?
    private let lockDescriptor: Int32

    init(path: String, group: UInt32?) throws(BrokerStartError) {
        guard path.utf8.count < 108 else {
            throw BrokerStartError(description: "socket path \(path) is \(path.utf8.count) bytes; a Unix socket path must be under 108")
        }
        self.path = path
        self.group = group
        try Self.prepareDirectory(Self.parent(of: path), group: group)
        lockDescriptor = try Self.lock(path + ".lock")
        do { try Self.removeStaleSocket(path) } catch {
            close(lockDescriptor)
            throw error
        }
    }

    /// After the bind: 0600, or 0660 in the configured group.
    func setPermissions() throws(BrokerStartError) {
        if let group, chown(path, uid_t.max, group) != 0 {
            throw BrokerStartError(description: "chown socket \(path) to gid \(group): \(String(cString: strerror(errno)))")
        }
        guard chmod(path, group == nil ? 0o600 : 0o660) == 0 else {
            throw BrokerStartError(description: "chmod socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the socket and releases the lock (at shutdown).
    func release() {
        unlink(path)
        close(lockDescriptor)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func prepareDirectory(_ directory: String, group: UInt32?) throws(BrokerStartError) {
        let mode: mode_t = group == nil ? 0o700 : 0o750
        if mkdir(directory, mode) != 0 && errno != EEXIST {
            throw BrokerStartError(description: "socket directory \(directory): mkdir: \(String(cString: strerror(errno)))")
        }
        try StateDirectory.checkPrivate(directory, what: "socket directory")
        var info = stat()
        _ = stat(directory, &info)
        if info.st_uid == geteuid() {
            // Ours: set exactly the access the configuration asks for.
            if let group, chown(directory, uid_t.max, group) != 0 {
                throw BrokerStartError(description: "chown \(directory) to gid \(group): \(String(cString: strerror(errno)))")
            }
            guard chmod(directory, mode) == 0 else {
                throw BrokerStartError(description: "chmod \(directory): \(String(cString: strerror(errno)))")
            }
        } else if info.st_mode & (group == nil ? 0o077 : 0o027) != 0 {
            throw BrokerStartError(description: "socket directory \(directory) can be entered by others (mode \(String(info.st_mode & 0o7777, radix: 8)))")
        }
    }

    private static func lock(_ path: String) throws(BrokerStartError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw BrokerStartError(description: "lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BrokerStartError(description: "another broker holds \(path); it is serving this socket")
        }
        return fd
    }

    private static func removeStaleSocket(_ path: String) throws(BrokerStartError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw BrokerStartError(description: "\(path) exists and is not a socket; refusing to replace it")
        }
        if isLive(path) {
            throw BrokerStartError(description: "a server is already listening on \(path); stop it or choose another --socket")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw BrokerStartError(description: "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    static func isLive(_ path: String) -> Bool {
        guard let fd = try? UnixSocket.connect(path) else { return false }
        close(fd)
        return true
    }
}
