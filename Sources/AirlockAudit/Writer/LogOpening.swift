import AirlockCore

/// What `ExecutionLog.open` found on disk and did about it.
///
/// After a crash the last file may end in a torn line (a write cut short) or in bytes that do not
/// continue the chain (its padding, the zero bytes after the records, is neither). Nothing after
/// the last good record was ever acknowledged as durable (an fsync covers every byte before it),
/// so the log keeps the damaged file exactly as it is, never writes to it again, and starts a new
/// file whose header links to the last good record and names the torn file, its good length and
/// the length of the tail. `verify` reports that tail as a warning.
public struct LogRecovery: Hashable, Sendable {
    /// Log files present when the log was opened (0 for a new log).
    public var filesFound: Int
    /// The last good record's seq (0 for a new log).
    public var lastSeq: UInt64
    /// The file left with a torn tail, if any.
    public var tornFile: Int?
    /// Bytes after the last good record in that file.
    public var tornBytes: Int
}

/// The steps of opening a log: directories, key, stale temporary files, the last file's tail.
struct LogOpening {
    var directory: String
    var key: LogSigningKey
    var recovery: LogRecovery
    var writer: LogFileWriter
    var lastSeq: UInt64
    var head: String
    var fileBytes: Int
    var knownPolicies: Set<String>
    /// Holds `<log>/.writer.lock` while the log is open: one writer per log.
    var lockFd: Int32 = -1

    static func open(_ options: ExecutionLog.Options) throws(LogError) -> LogOpening {
        let directory = options.stateDirectory + "/log"
        try LogIO.makeDirectory(options.stateDirectory, mode: 0o700)
        try LogIO.makeDirectory(directory, mode: 0o700)
        let lock = try LogIO.lockExclusively(directory + "/" + LogDirectory.writerLockName)
        do {
            var opening = try openLocked(options, directory: directory)
            opening.lockFd = lock
            return opening
        } catch {
            LogIO.close(lock)
            throw error
        }
    }

    private static func openLocked(_ options: ExecutionLog.Options, directory: String) throws(LogError) -> LogOpening {
        let key = try LogSigningKey.loadOrCreate(stateDirectory: try prepareDirectories(options.stateDirectory, directory))
        let known = try knownPolicies(directory)
        let numbers = try LogDirectory.fileNumbers(in: directory)
        let time = options.clock()
        let step = LogFileWriter.reserveStep(maxFileBytes: options.maxFileBytes)
        guard let last = numbers.last else {
            let header = LogSequencer.header(seq: 1, prev: LogDigest.zero, time: time, number: 1, node: options.node, recovered: .null)
            let writer = try LogFileWriter.create(directory: directory, number: 1, header: header, reserveStep: step)
            return LogOpening(
                directory: directory, key: key, recovery: LogRecovery(filesFound: 0, lastSeq: 0, tornFile: nil, tornBytes: 0),
                writer: writer, lastSeq: 1, head: hash(header), fileBytes: header.count + 1, knownPolicies: known)
        }
        let path = LogDirectory.path(directory, last)
        guard let bytes = try LogIO.read(path), let scan = FileScan.scan(bytes) else {
            throw .corrupt(path: path, line: 1, reason: "the last log file does not start with a complete file.started record")
        }
        let writeFd = try LogIO.openForWriting(path)
        // What an earlier process wrote may still be only in the page cache: make it durable
        // before anything links to it.
        do { try LogIO.sync(writeFd, path: path) } catch {
            LogIO.close(writeFd)
            throw error
        }
        let recovery = LogRecovery(
            filesFound: numbers.count, lastSeq: scan.lastSeq, tornFile: scan.tailBytes > 0 ? last : nil, tornBytes: scan.tailBytes)
        let head = String(decoding: scan.lastHash, as: UTF8.self)
        guard scan.tailBytes > 0 else {
            // Intact (its padding, if a crash left it, is written over).
            let writer = LogFileWriter(
                directory: directory, fileNumber: last, fd: writeFd, end: scan.validBytes, size: bytes.count, reserveStep: step)
            return LogOpening(
                directory: directory, key: key, recovery: recovery, writer: writer, lastSeq: scan.lastSeq, head: head,
                fileBytes: scan.validBytes, knownPolicies: known)
        }
        LogIO.close(writeFd)
        let header = LogSequencer.header(
            seq: scan.lastSeq + 1, prev: head, time: time, number: last + 1, node: options.node, recovered: recoveredField(last, scan))
        let writer = try LogFileWriter.create(directory: directory, number: last + 1, header: header, reserveStep: step)
        return LogOpening(
            directory: directory, key: key, recovery: recovery, writer: writer, lastSeq: scan.lastSeq + 1, head: hash(header),
            fileBytes: header.count + 1, knownPolicies: known)
    }

    /// Creates the state, log and policies directories (0700) and removes temporary files an
    /// interrupted write left behind; returns the state directory.
    private static func prepareDirectories(_ state: String, _ directory: String) throws(LogError) -> String {
        try LogIO.makeDirectory(state, mode: 0o700)
        try LogIO.makeDirectory(directory, mode: 0o700)
        try LogIO.makeDirectory(directory + "/" + LogDirectory.policiesName, mode: 0o700)
        for name in try LogIO.list(directory) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            LogIO.remove(directory + "/" + name)
        }
        return state
    }

    /// The digests of the policies already stored (their temporary files removed).
    private static func knownPolicies(_ directory: String) throws(LogError) -> Set<String> {
        let policies = directory + "/" + LogDirectory.policiesName
        var known: Set<String> = []
        for name in try LogIO.list(policies) ?? [] {
            if name.hasPrefix(".") {
                LogIO.remove(policies + "/" + name)
            } else if name.hasSuffix(".yaml") {
                known.insert(String(name.dropLast(5)))
            }
        }
        return known
    }

    /// The `recovered` field of the header that follows a torn file.
    private static func recoveredField(_ file: Int, _ scan: FileScan) -> JSONValue {
        .object([
            "file": .integer(Int64(file)), "validBytes": .integer(Int64(scan.validBytes)),
            "tornBytes": .integer(Int64(scan.tailBytes)), "tornLine": .integer(Int64(scan.tailLine)),
        ])
    }

    private static func hash(_ line: [UInt8]) -> String {
        line.withUnsafeBytes { String(decoding: LogDigest.sha256HexBytes($0), as: UTF8.self) }
    }
}
