import AirlockCore

/// One record as it is on disk: its seq, its exact line (without `\n`), where it is.
public struct LogRecordText: Hashable, Sendable {
    public var seq: UInt64
    public var line: String
    public var file: Int
    public var lineNumber: Int

    /// The record parsed (the log writes only valid JSON; nil if the file was damaged).
    public var json: [String: JSONValue]? { (try? JSONParser.parse(line))?.objectValue }
}

/// Reads records back from the files of a log directory, skipping torn tails.
public struct LogReader: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Every complete record line of every file, in file order, as `LogRecordText`. Lines that
    /// do not start like a record (a torn tail) are skipped; use `LogVerifier` to judge the log.
    public func forEachRecord(_ body: (LogRecordText) throws -> Bool) throws {
        for number in try LogDirectory.fileNumbers(in: directory) {
            guard try forEachRecord(inFile: number, body) else { return }
        }
    }

    /// Up to `limit` records with `after < seq <= upTo`.
    func records(after: UInt64, limit: Int, upTo: UInt64) throws(LogError) -> [LogRecordText] {
        guard limit > 0, after < upTo else { return [] }
        let numbers = try LogDirectory.fileNumbers(in: directory)
        // The last file whose header seq is at most after + 1 holds the first record wanted.
        var first = 0
        for (index, number) in numbers.enumerated().reversed() {
            if let seq = try headerSeq(number), seq <= after + 1 {
                first = index
                break
            }
        }
        var out: [LogRecordText] = []
        do {
            for number in numbers[first...] {
                let more = try forEachRecord(inFile: number) { record in
                    if record.seq > upTo { return false }
                    if record.seq > after { out.append(record) }
                    return out.count < limit
                }
                if !more { break }
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
        return out
    }

    private func headerSeq(_ number: Int) throws(LogError) -> UInt64? {
        // A header is a few hundred bytes; 4 KiB always holds it whole.
        guard let bytes = try LogIO.readPrefix(LogDirectory.path(directory, number), count: 4096) else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            let end = buffer.firstIndex(of: 10) ?? buffer.count
            return RecordPrefix.parse(buffer, start: 0, end: end)?.seq
        }
    }

    private func forEachRecord(inFile number: Int, _ body: (LogRecordText) throws -> Bool) throws -> Bool {
        guard let bytes = try LogIO.read(LogDirectory.path(directory, number)) else { return true }
        var keepGoing = true
        var thrown: (any Error)?
        bytes.withUnsafeBufferPointer { buffer in
            buffer.forEachLogLine { line in
                guard line.terminated, let prefix = RecordPrefix.parse(buffer, start: line.start, end: line.end) else { return true }
                let text = String(decoding: buffer[line.start..<line.end], as: UTF8.self)
                do {
                    keepGoing = try body(LogRecordText(seq: prefix.seq, line: text, file: number, lineNumber: line.number))
                } catch {
                    thrown = error
                    keepGoing = false
                }
                return keepGoing
            }
        }
        if let thrown { throw thrown }
        return keepGoing
    }
}
