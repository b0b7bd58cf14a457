import AirlockCore

/// How far one log file holds together on its own: from its `file.started` header, each complete
/// line a record whose `seq` is one more than the last and whose `prev` is the last one's hash.
/// Where that stops, the rest of the file is its tail (empty for an intact file).
struct FileScan {
    /// The header's `seq` and `prev` (which links to the previous file).
    var headerSeq: UInt64
    var headerPrev: String
    var lastSeq: UInt64
    /// Lowercase hex SHA-256 of the last good line, as ASCII.
    var lastHash: [UInt8]
    /// Bytes up to and including the last good line's `\n`.
    var validBytes: Int
    var tailBytes: Int { totalBytes - validBytes }
    /// The file's bytes without its padding.
    var totalBytes: Int
    /// 1-based line number of the first line of the tail.
    var tailLine: Int

    /// Nil when the file does not even start with a complete header record.
    static func scan(_ bytes: [UInt8]) -> FileScan? {
        bytes.withUnsafeBufferPointer { buffer -> FileScan? in
            var scan: FileScan?
            buffer.forEachLogLine { line in
                guard line.terminated, let prefix = RecordPrefix.parse(buffer, start: line.start, end: line.end),
                    (try? JSONParser.validate(UnsafeBufferPointer(rebasing: buffer[line.start..<line.end]))) != nil
                else { return false }
                let hash = LogDigest.sha256HexBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[line.start..<line.end])))
                if var current = scan {
                    guard prefix.seq == current.lastSeq &+ 1, buffer[prefix.prev].elementsEqual(current.lastHash) else { return false }
                    current.lastSeq = prefix.seq
                    current.lastHash = hash
                    current.validBytes = line.end + 1
                    current.tailLine = line.number + 1
                    scan = current
                } else {
                    guard buffer[prefix.kind].elementsEqual(LogRecordKind.fileStarted.rawValue.utf8) else { return false }
                    scan = FileScan(
                        headerSeq: prefix.seq, headerPrev: String(decoding: buffer[prefix.prev], as: UTF8.self), lastSeq: prefix.seq,
                        lastHash: hash, validBytes: line.end + 1, totalBytes: buffer.unpaddedCount, tailLine: line.number + 1)
                }
                return true
            }
            return scan
        }
    }
}
