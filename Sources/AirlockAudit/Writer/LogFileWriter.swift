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
///
/// The current file is kept longer than its records: after them come zero bytes (its padding),
/// written and fsync'd ahead of need, `reserveStep` at a time. A batch written into them changes
/// neither the file's size nor its blocks, so `fdatasync` makes it durable with one data write and
/// one cache flush, where an append also needs the inode (and often a block bitmap) written in
/// between. A file is cut to its records when it is finished (rotation, or the log closing); after
/// a crash the padding stays, and readers ignore it (`forEachLogLine`).
///
/// A file this writer creates is then written with `O_DIRECT | O_DSYNC` where the file system
/// allows it: a batch is one write of whole 4 KiB blocks (the last partial block again, with the
/// new records and zeros after them), durable when the write returns, without the page cache's
/// write-back (`direct`). Under load that made a durable write about a third shorter than a
/// buffered write and `fdatasync` (docs/benchmarks.md). A file continued after a restart, or on a
/// file system that refuses direct I/O, is written through the page cache and `fdatasync`'d.
final class LogFileWriter {
    let directory: String
    private(set) var fileNumber: Int
    private var fd: Int32
    private var path: String
    /// Where the next record goes: the end of the records.
    private var end: Int
    /// The file's size: the records, then padding up to here.
    private var reserved: Int
    private let reserveStep: Int
    /// Set when `fd` is open with `O_DIRECT | O_DSYNC`: the bytes of the block `end` is in, up to
    /// `end` (written again with the next batch).
    private(set) var direct: [UInt8]?

    /// The unit of a direct write: offsets, lengths and buffers are multiples of it.
    static let block = 4096

    /// `O_DIRECT`, which Glibc's Swift module does not export (it is a GNU extension); its value
    /// differs between architectures.
    private static let oDirect: Int32? = {
        #if arch(x86_64)
        return 0o40000
        #elseif arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }()

    /// Padding is added `reserveStep` bytes at a time (1 MiB, less for a log that rotates sooner).
    static func reserveStep(maxFileBytes: Int) -> Int {
        min(1 << 20, (max(maxFileBytes, 1) + block - 1) & ~(block - 1))
    }

    /// Writes continue file `number` (open on `fd`) at `end`; the file is `size` bytes long.
    init(directory: String, fileNumber: Int, fd: Int32, end: Int, size: Int, reserveStep: Int) {
        self.directory = directory
        self.fileNumber = fileNumber
        self.fd = fd
        self.path = LogDirectory.path(directory, fileNumber)
        self.end = end
        self.reserved = max(size, end)
        self.reserveStep = reserveStep
    }

    /// Creates file `number` holding only `header` and its padding: written under a temporary
    /// name, fsync'd, renamed into place and the directory fsync'd, so a log file never exists
    /// without its header.
    static func create(directory: String, number: Int, header: [UInt8], reserveStep: Int) throws(LogError) -> LogFileWriter {
        let final = LogDirectory.path(directory, number)
        let temporary = directory + "/." + LogDirectory.fileName(number) + ".tmp"
        LogIO.remove(temporary)
        let fd = try LogIO.create(temporary, mode: 0o640)
        let writer = LogFileWriter(directory: directory, fileNumber: number, fd: fd, end: 0, size: 0, reserveStep: reserveStep)
        writer.path = temporary
        let headerLine = header + [10]
        try writer.append(headerLine)
        try LogIO.sync(fd, path: temporary)
        try LogIO.rename(temporary, final)
        try LogIO.syncDirectory(directory)
        writer.path = final
        writer.goDirect(written: headerLine)
        return writer
    }

    /// Reopens the file with `O_DIRECT | O_DSYNC` and writes its first block again (`written`,
    /// all the file holds before its padding) through the new descriptor, keeping it only if both
    /// work (some file systems refuse direct I/O, at `open` or at the first write). Otherwise the
    /// file goes on through the page cache.
    private func goDirect(written: [UInt8]) {
        guard direct == nil, written.count == end, end < Self.block, reserved % Self.block == 0, let oDirect = Self.oDirect else { return }
        let directFd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | oDirect | O_DSYNC)
        guard directFd >= 0 else { return }
        guard (try? writeBlocks(directFd, written, at: 0)) != nil else {
            LogIO.close(directFd)
            return
        }
        LogIO.close(fd)
        fd = directFd
        direct = written
    }

    func perform(_ op: LogWriteOp) throws(LogError) {
        switch op {
        case .records(let bytes):
            try append(bytes)
        case .newFile(let number, let header):
            try finish()
            let next = try Self.create(directory: directory, number: number, header: header, reserveStep: reserveStep)
            LogIO.close(fd)
            (fd, path, fileNumber, end, reserved, direct) = (next.fd, next.path, number, next.end, next.reserved, next.direct)
            next.fd = -1
        case .policy(let policy):
            try Self.store(policy, directory: directory)
        }
    }

    /// Makes every record written so far durable. Their bytes went into padding that was already
    /// durable, so the file's data is all that is left to write; a direct write already was.
    func sync() throws(LogError) {
        if direct == nil { try LogIO.syncData(fd, path: path) }
    }

    /// Cuts the file to its records and makes that durable: the file is complete.
    func finish() throws(LogError) {
        try LogIO.truncate(fd, length: end, path: path)
        reserved = end
        try LogIO.sync(fd, path: path)
    }

    /// Writes `bytes` at the end of the records, first adding padding if they would not fit.
    private func append(_ bytes: [UInt8]) throws(LogError) {
        if end + bytes.count > reserved { try reserve(atLeast: end + bytes.count) }
        if let tail = direct {
            let blockStart = end - tail.count
            let written = tail + bytes
            try writeBlocks(fd, written, at: blockStart)
            end += bytes.count
            // The block the records now end in, up to their end (empty on a block boundary).
            direct = Array(written[((end & ~(Self.block - 1)) - blockStart)...])
        } else {
            try LogIO.writeAll(fd, bytes, at: end, path: path)
            end += bytes.count
        }
    }

    /// Extends the file with zero bytes, written out and made durable (with the new size), so
    /// that later writes into them change only data.
    private func reserve(atLeast size: Int) throws(LogError) {
        let target = (max(size, reserved + reserveStep) + Self.block - 1) & ~(Self.block - 1)
        // For a direct write `reserved` is a block boundary (the padding always ends on one).
        var position = reserved
        while position < target {
            let count = min(Self.zeroChunk.count, target - position)
            try LogIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: Self.zeroChunk[..<count]), at: position, path: path)
            position += count
        }
        // A direct write is durable when it returns, the new size with it (`O_DSYNC`).
        if direct == nil { try LogIO.sync(fd, path: path) }
        reserved = target
    }

    /// Padding is written from here, up to 256 KiB at a time: a read-only anonymous mapping that
    /// is never written, which the kernel backs with its shared zero page, so it costs no memory
    /// (zeroed memory of the same size if it cannot be mapped). Page-aligned, as a direct write
    /// needs. Read only from the moment it exists, so sharing it between threads is safe.
    nonisolated(unsafe) private static let zeroChunk: UnsafeRawBufferPointer = {
        let size = 256 << 10
        if let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED {
            return UnsafeRawBufferPointer(start: mapped, count: size)
        }
        let zeroed = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: block)
        zeroed.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeRawBufferPointer(zeroed)
    }()

    /// A block-aligned buffer for direct writes, kept between batches (released when a batch
    /// needed more than 1 MiB), so that a batch does not leave an allocation behind in every
    /// thread's malloc arena that happens to write one.
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// One direct write of `bytes` at `position` (a block boundary), zero-filled to whole blocks,
    /// from a block-aligned buffer, as `O_DIRECT` requires.
    private func writeBlocks(_ fd: Int32, _ bytes: [UInt8], at position: Int) throws(LogError) {
        let length = max((bytes.count + Self.block - 1) & ~(Self.block - 1), Self.block)
        if scratch.count < length {
            scratch.deallocate()
            scratch = .allocate(byteCount: max(length, 64 << 10), alignment: Self.block)
        }
        defer {
            if scratch.count > 1 << 20 {
                scratch.deallocate()
                scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            }
        }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: scratch[..<length])
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        try LogIO.writeAll(fd, UnsafeRawBufferPointer(buffer), at: position, path: path)
    }

    /// Writes go to `path` from now on (for tests that need a write to fail).
    func replaceDescriptor(path: String) {
        let replacement = open(path, O_WRONLY | O_CLOEXEC)
        guard replacement >= 0 else { return }
        LogIO.close(fd)
        (fd, self.path, direct) = (replacement, path, nil)
    }

    deinit {
        if fd >= 0 { LogIO.close(fd) }
        scratch.deallocate()
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
