#if canImport(Glibc)
import Glibc
#endif

/// The broker's state directory: created 0700 when missing; an existing one must belong to the
/// broker's user (or root) and be writable by nobody else.
enum StateDirectory {
    static func prepare(_ path: String) throws(BrokerStartError) {
        if mkdir(path, 0o700) == 0 { return }
        guard errno == EEXIST else { throw BrokerStartError(description: "state directory \(path): mkdir: \(String(cString: strerror(errno)))") }
        try checkPrivate(path, what: "state directory")
    }

    /// `path` is a directory owned by us or root, and neither group nor others may write to it.
    static func checkPrivate(_ path: String, what: String) throws(BrokerStartError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw BrokerStartError(description: "\(what) \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw BrokerStartError(description: "\(what) \(path) is not a directory") }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw BrokerStartError(description: "\(what) \(path) belongs to uid \(info.st_uid), not to the broker's user")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw BrokerStartError(description: "\(what) \(path) is writable by group or others (mode \(String(info.st_mode & 0o7777, radix: 8))); make it 0700")
        }
    }
}
