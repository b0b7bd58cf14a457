#if canImport(Glibc)
import Glibc
#endif

/// What the writer thread does with a batch, in order: policy files, new log files, record bytes.
enum LogWriteOp {
    /// Record lines (each with its `\n`) for the current file.
    case records([UInt8])
    /// Finish the current file and start file `number` with this header line (no `\n`).
    case newFile(number: Int, header: [UInt8])
    /// Store a policy text by digest, once.
    case policy(StoredPolicy)
}

/// The blocking half of the log: owns the descriptor of the current file and performs write
/// operations. Used only by the writer thread (and by `open` before that thread starts).
final class LogFileWriter {
    let directory: String
    private(set) var fileNumber: Int
    private var fd: Int32
    private var path: String

    init(directory: String, fileNumber: Int, fd: Int32) {
        self.directory = directory
        self.fileNumber = fileNumber
        self.fd = fd
        self.path = LogDirectory.path(directory, fileNumber)
    }

    /// Creates file `number` holding only `header`: written under a temporary name, fsync'd,
    /// renamed into place and the directory fsync'd, so a log file never exists without its header.
    static func create(directory: String, number: Int, header: [UInt8]) throws(LogError) -> LogFileWriter {
        let final = LogDirectory.path(directory, number)
        let temporary = directory + "/." + LogDirectory.fileName(number) + ".tmp"
        LogIO.remove(temporary)
        let fd = try LogIO.create(temporary, mode: 0o640)
        do {
            try LogIO.writeAll(fd, header + [10], path: temporary)
            try LogIO.sync(fd, path: temporary)
            try LogIO.rename(temporary, final)
            try LogIO.syncDirectory(directory)
        } catch {
            LogIO.close(fd)
            throw error
        }
        return LogFileWriter(directory: directory, fileNumber: number, fd: fd)
    }

    func perform(_ op: LogWriteOp) throws(LogError) {
        switch op {
        case .records(let bytes):
            try LogIO.writeAll(fd, bytes, path: path)
        case .newFile(let number, let header):
            try LogIO.sync(fd, path: path)
            let next = try Self.create(directory: directory, number: number, header: header)
            LogIO.close(fd)
            (fd, path, fileNumber) = (next.fd, next.path, number)
            next.fd = -1
        case .policy(let policy):
            try Self.store(policy, directory: directory)
        }
    }

    func sync() throws(LogError) {
        try LogIO.sync(fd, path: path)
    }

    /// Writes go to `path` from now on (for tests that need a write to fail).
    func replaceDescriptor(path: String) {
        let replacement = open(path, O_WRONLY | O_CLOEXEC)
        guard replacement >= 0 else { return }
        LogIO.close(fd)
        (fd, self.path) = (replacement, path)
    }

    deinit {
        if fd >= 0 { LogIO.close(fd) }
    }

    /// Writes `policies/<digest>.yaml` unless it is there: temporary file, fsync, rename, fsync of
    /// the directory.
    static func store(_ policy: StoredPolicy, directory: String) throws(LogError) {
        let final = LogDirectory.policyPath(directory, digest: policy.digest)
        guard !LogIO.exists(final) else { return }
        let policies = directory + "/" + LogDirectory.policiesName
        let temporary = policies + "/." + policy.digest + ".tmp"
        LogIO.remove(temporary)
        let fd = try LogIO.create(temporary, mode: 0o640)
        defer { LogIO.close(fd) }
        try LogIO.writeAll(fd, Array(policy.text.utf8), path: temporary)
        try LogIO.sync(fd, path: temporary)
        try LogIO.rename(temporary, final)
        try LogIO.syncDirectory(policies)
    }
}
