import AirlockCore

/// Checks a log directory: file numbering, each file's header link, the hash chain, the sequence,
/// and every checkpoint signature. Stops at the first problem and says where and what it is.
///
/// A tail that a crash left in a file is accepted (as a warning) only when it is the incomplete
/// last line of the last file, or when the next file's header declares it (`recovered` with the
/// file and its good length), which the log writes when it reopens after a crash.
public struct LogVerifier: Sendable {
    public let directory: String
    /// The Ed25519 public key checkpoints must verify with; nil to skip signatures (reported).
    public let publicKey: [UInt8]?

    public init(directory: String, publicKey: [UInt8]?) {
        self.directory = directory
        self.publicKey = publicKey
    }

    public func verify() throws(LogError) -> VerifyReport {
        var chain = ChainWalk(publicKey: publicKey)
        chain.report.signaturesChecked = publicKey != nil
        let numbers = try LogDirectory.fileNumbers(in: directory)
        guard !numbers.isEmpty else {
            chain.report.problem = LogProblem(
                kind: .truncated, file: LogDirectory.fileName(1), line: 0, seq: 1, message: "no log files in \(directory)")
            return chain.report
        }
        for (index, number) in numbers.enumerated() {
            let expected = index == 0 ? 1 : numbers[index - 1] + 1
            guard number == expected else {
                let missing = expected == number - 1 ? LogDirectory.fileName(expected) : "\(LogDirectory.fileName(expected)) to \(LogDirectory.fileName(number - 1))"
                chain.report.problem = LogProblem(
                    kind: .truncated, file: LogDirectory.fileName(expected), line: 0, seq: chain.expectedSeq,
                    message: "\(missing) missing: the records from seq \(chain.expectedSeq) up to \(LogDirectory.fileName(number)) are gone")
                return chain.report
            }
            guard let bytes = try LogIO.read(LogDirectory.path(directory, number)) else { continue }
            chain.report.files += 1
            bytes.withUnsafeBufferPointer { chain.walk(file: number, buffer: $0, isLast: index == numbers.count - 1) }
            if chain.report.problem != nil { return chain.report }
        }
        chain.report.head = String(decoding: chain.head, as: UTF8.self)
        return chain.report
    }
}

/// The state of one verification as it walks the files in order.
struct ChainWalk {
    let publicKey: [UInt8]?
    let keyId: String?
    var report = VerifyReport()
    var expectedSeq: UInt64 = 1
    /// Hash of the last good record (ASCII hex), and of the one before it.
    var head = Array(LogDigest.zero.utf8)
    var beforeHead = Array(LogDigest.zero.utf8)
    /// Where the last good record is.
    var headPlace = (file: "", line: 0)
    /// A bad tail of the previous file, accepted only if this file's header declares it.
    var pendingTail: (file: Int, validBytes: Int, problem: LogProblem)?

    init(publicKey: [UInt8]?) {
        self.publicKey = publicKey
        self.keyId = publicKey.map { LogSigningKey.keyId(publicKey: $0) }
    }

    mutating func walk(file number: Int, buffer: UnsafeBufferPointer<UInt8>, isLast: Bool) {
        var lines: [LogLine] = []
        buffer.forEachLogLine {
            lines.append($0)
            return true
        }
        let name = LogDirectory.fileName(number)
        guard checkHeader(lines, buffer, number: number, name: name) else { return }
        var index = 1
        while index < lines.count {
            let line = lines[index]
            if let failure = check(line, buffer, name: name) {
                if let problem = failure { return fail(problem) }
                let problem = classify(lines, index, buffer, name: name)
                if isLast {
                    if problem.kind == .tornLine { report.warnings.append(problem) } else { fail(problem) }
                } else {
                    // Only a header of the next file that declares this tail makes it a crash's.
                    var undeclared = problem
                    if undeclared.kind == .tornLine {
                        undeclared.kind = .truncated
                        undeclared.message += "; the file ends mid-record and the next file does not declare a torn tail"
                    }
                    pendingTail = (number, line.start, undeclared)
                }
                return
            }
            index += 1
        }
        if isLast, let tail = pendingTail { fail(tail.problem) }
    }

    /// nil when `line` is a good next record (then accepted); `.some(problem)` for a problem that
    /// no crash can explain (a bad checkpoint signature); `.some(nil)` when the chain stops here.
    private mutating func check(_ line: LogLine, _ b: UnsafeBufferPointer<UInt8>, name: String) -> LogProblem?? {
        guard line.terminated, let prefix = RecordPrefix.parse(b, start: line.start, end: line.end), prefix.seq == expectedSeq,
            b[prefix.prev].elementsEqual(head), (try? JSONParser.validate(UnsafeBufferPointer(rebasing: b[line.start..<line.end]))) != nil
        else { return .some(nil) }
        if b[prefix.kind].elementsEqual(LogRecordKind.checkpoint.rawValue.utf8), let problem = checkSignature(line, prefix, b, name: name) {
            return .some(problem)
        }
        if b[prefix.kind].elementsEqual(LogRecordKind.fileStarted.rawValue.utf8) {
            return .some(LogProblem(kind: .inserted, file: name, line: line.number, seq: prefix.seq, message: "a file header in the middle of a file"))
        }
        accept(line, b, seq: prefix.seq, name: name)
        return nil
    }

    private mutating func accept(_ line: LogLine, _ b: UnsafeBufferPointer<UInt8>, seq: UInt64, name: String) {
        beforeHead = head
        head = LogDigest.sha256HexBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[line.start..<line.end])))
        headPlace = (name, line.number)
        expectedSeq = seq + 1
        report.records += 1
        report.lastSeq = seq
    }

    mutating func fail(_ problem: LogProblem) {
        if report.problem == nil { report.problem = problem }
        report.head = String(decoding: head, as: UTF8.self)
    }

    /// Every file starts with `file.started` naming its own number, linked to the last good
    /// record of the previous file; a torn tail there must be the one the header declares.
    private mutating func checkHeader(_ lines: [LogLine], _ b: UnsafeBufferPointer<UInt8>, number: Int, name: String) -> Bool {
        guard let first = lines.first, first.terminated, let prefix = RecordPrefix.parse(b, start: first.start, end: first.end),
            let object = (try? JSONParser.parse(UnsafeBufferPointer(rebasing: b[first.start..<first.end])))?.objectValue,
            object["kind"] == .string(LogRecordKind.fileStarted.rawValue), object["file"] == .integer(Int64(number))
        else {
            fail(LogProblem(kind: .edited, file: name, line: 1, seq: nil, message: "the file does not start with its file.started header"))
            return false
        }
        let recovered = object["recovered"]?.objectValue
        if let tail = pendingTail {
            guard let recovered, recovered["file"] == .integer(Int64(tail.file)), recovered["validBytes"] == .integer(Int64(tail.validBytes))
            else {
                fail(tail.problem)
                return false
            }
            var warning = tail.problem
            warning.kind = .tornLine
            warning.message = "a crash left \(recovered["tornBytes"].map { JSONSerializer.string($0) } ?? "some") bytes after the last good record; the log continued in \(name)"
            report.warnings.append(warning)
            pendingTail = nil
        } else if recovered != nil {
            fail(LogProblem(kind: .edited, file: name, line: 1, seq: prefix.seq, message: "the header declares a torn tail that the previous file does not have"))
            return false
        }
        guard prefix.seq == expectedSeq, b[prefix.prev].elementsEqual(head) else {
            fail(headerLinkProblem(lines, b, prefix, name: name))
            return false
        }
        accept(first, b, seq: prefix.seq, name: name)
        return true
    }

    private func headerLinkProblem(_ lines: [LogLine], _ b: UnsafeBufferPointer<UInt8>, _ prefix: RecordPrefix, name: String) -> LogProblem {
        if prefix.seq > expectedSeq {
            return LogProblem(
                kind: .truncated, file: headPlace.file, line: headPlace.line, seq: expectedSeq - 1,
                message: "the file ends at seq \(expectedSeq - 1) but \(name) starts at seq \(prefix.seq): records \(expectedSeq)…\(prefix.seq - 1) are gone")
        }
        if prefix.seq < expectedSeq {
            return LogProblem(
                kind: .inserted, file: name, line: 1, seq: prefix.seq, message: "the file starts at seq \(prefix.seq), expected \(expectedSeq)")
        }
        if expectedSeq == 1 {
            return LogProblem(kind: .edited, file: name, line: 1, seq: 1, message: "the first record's prev is not 64 zeros")
        }
        return editedProblem(lines, 0, b, name: name)
    }

    /// Why the chain stops at `lines[index]` (see `docs/execution-log.md` for the rules).
    private func classify(_ lines: [LogLine], _ index: Int, _ b: UnsafeBufferPointer<UInt8>, name: String) -> LogProblem {
        let line = lines[index]
        guard line.terminated else {
            return LogProblem(
                kind: index == lines.count - 1 ? .tornLine : .truncated, file: name, line: line.number, seq: nil,
                message: "the line is incomplete (\(line.end - line.start) bytes, no newline)")
        }
        guard let prefix = RecordPrefix.parse(b, start: line.start, end: line.end),
            (try? JSONParser.validate(UnsafeBufferPointer(rebasing: b[line.start..<line.end]))) != nil
        else {
            return LogProblem(kind: .edited, file: name, line: line.number, seq: nil, message: "not a well-formed record")
        }
        let next = lines.indices.contains(index + 1) ? RecordPrefix.parse(b, start: lines[index + 1].start, end: lines[index + 1].end) : nil
        if prefix.seq > expectedSeq {
            if next?.seq == expectedSeq {
                return LogProblem(kind: .reordered, file: name, line: line.number, seq: prefix.seq, message: "seq \(prefix.seq) comes before seq \(expectedSeq)")
            }
            let gone = prefix.seq - 1 == expectedSeq ? "record \(expectedSeq) is" : "records \(expectedSeq)…\(prefix.seq - 1) are"
            return LogProblem(kind: .deleted, file: name, line: line.number, seq: prefix.seq, message: "\(gone) missing before this line")
        }
        if prefix.seq < expectedSeq {
            if prefix.seq == expectedSeq - 1, b[prefix.prev].elementsEqual(beforeHead) {
                return LogProblem(
                    kind: .inserted, file: headPlace.file, line: headPlace.line, seq: prefix.seq,
                    message: "this record is not part of the chain: line \(line.number) has seq \(prefix.seq) again and links to the record before it")
            }
            return LogProblem(kind: .reordered, file: name, line: line.number, seq: prefix.seq, message: "seq \(prefix.seq) comes after seq \(expectedSeq - 1)")
        }
        if let next, next.seq == expectedSeq, b[next.prev].elementsEqual(head) {
            return LogProblem(
                kind: .inserted, file: name, line: line.number, seq: prefix.seq,
                message: "this record is not part of the chain: the next record links to the one before it")
        }
        return editedProblem(lines, index, b, name: name)
    }

    /// `lines[index]`'s prev does not match: either the record before it changed (then the
    /// record after `index` still links to `index`), or `lines[index]` itself did.
    private func editedProblem(_ lines: [LogLine], _ index: Int, _ b: UnsafeBufferPointer<UInt8>, name: String) -> LogProblem {
        let line = lines[index]
        let hash = LogDigest.sha256HexBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[line.start..<line.end])))
        if lines.indices.contains(index + 1), let next = RecordPrefix.parse(b, start: lines[index + 1].start, end: lines[index + 1].end),
            b[next.prev].elementsEqual(hash)
        {
            return LogProblem(
                kind: .edited, file: headPlace.file, line: headPlace.line, seq: expectedSeq - 1,
                message: "the record was changed: its hash no longer matches the prev of \(name):\(line.number)")
        }
        return LogProblem(
            kind: .edited, file: name, line: line.number, seq: expectedSeq,
            message: "the record was changed: its prev does not match the hash of the record before it")
    }

    private mutating func checkSignature(_ line: LogLine, _ prefix: RecordPrefix, _ b: UnsafeBufferPointer<UInt8>, name: String) -> LogProblem? {
        report.checkpoints += 1
        guard let publicKey, let keyId else { return nil }
        let object = (try? JSONParser.parse(UnsafeBufferPointer(rebasing: b[line.start..<line.end])))?.objectValue ?? [:]
        func bad(_ message: String) -> LogProblem {
            LogProblem(kind: .badSignature, file: name, line: line.number, seq: prefix.seq, message: message)
        }
        guard let signedBy = object["keyId"]?.stringValue, let signature = object["signature"]?.stringValue else {
            return bad("the checkpoint has no keyId or signature")
        }
        guard signedBy == keyId else { return bad("signed with key \(signedBy), not with the given key \(keyId)") }
        let message = CheckpointSignature.message(seq: prefix.seq, prev: b[prefix.prev], time: b[prefix.time])
        guard CheckpointSignature.isValid(signatureHex: signature, publicKey: publicKey, message: message) else {
            return bad("the signature does not verify")
        }
        report.lastCheckpointSeq = prefix.seq
        return nil
    }
}
