import AirlockCore

/// Where a record went: its sequence number, its hash (the next record's `prev`), its time.
public struct LogReceipt: Hashable, Sendable {
    public var seq: UInt64
    public var hash: String
    public var time: LogTime
}

/// The ordering half of the log, a plain value kept under the log's lock: it numbers records,
/// links each to the previous one, serialises them, decides when a file is full and when a
/// checkpoint is due, and queues the bytes for the writer thread. No I/O.
struct LogSequencer {
    struct Settings {
        var maxFileBytes: Int
        var checkpointEveryRecords: Int
        var node: String
        var key: LogSigningKey
    }

    let settings: Settings
    /// The last record written (seq 0 and 64 zeros before the first).
    private(set) var lastSeq: UInt64
    private(set) var head: String
    private(set) var fileNumber: Int
    private var fileBytes: Int
    private(set) var sinceCheckpoint = 0
    private(set) var lastCheckpoint: LogTime
    /// Waiting for the writer thread; record bytes collect in `pendingRecords` until another
    /// operation has to come between them.
    private var ops: [LogWriteOp] = []
    private var pendingRecords: [UInt8] = []
    private var knownPolicies: Set<String>
    private var seenTokens: Set<String> = []

    init(settings: Settings, lastSeq: UInt64, head: String, fileNumber: Int, fileBytes: Int, knownPolicies: Set<String>, now: LogTime) {
        self.settings = settings
        self.lastSeq = lastSeq
        self.head = head
        self.fileNumber = fileNumber
        self.fileBytes = fileBytes
        self.knownPolicies = knownPolicies
        self.lastCheckpoint = now
    }

    /// The header line of file `number`; `recovered` describes the torn file it follows, if any.
    static func header(seq: UInt64, prev: String, time: LogTime, number: Int, node: String, recovered: JSONValue) -> [UInt8] {
        RecordLine.encode(
            seq: seq, time: time, prev: prev, kind: .fileStarted,
            fields: ["file": .integer(Int64(number)), "format": .integer(1), "node": .string(node), "recovered": recovered])
    }

    /// Queues `event` (and what must precede it: its policy file, the `token.seen` of a token used
    /// for the first time) and, when due, a checkpoint after it.
    mutating func add(_ event: LogEvent, time: LogTime) -> LogReceipt {
        if let policy = event.policy, knownPolicies.insert(policy.digest).inserted { queue(.policy(policy)) }
        if let token = event.token, seenTokens.insert(LogDigest.sha256Hex(token.unsignedBody)).inserted, event.kind == .callReceived {
            _ = write(.tokenSeen, LogEvent.tokenFields(token), time: time)
        }
        let receipt = write(event.kind, event.fields, time: time)
        if sinceCheckpoint >= settings.checkpointEveryRecords { checkpoint(time: time) }
        return receipt
    }

    /// A signed statement of the current head. Records after the last checkpoint are covered by
    /// the chain alone.
    mutating func checkpoint(time: LogTime) {
        rotateIfFull(time: time)
        let signature = CheckpointSignature.sign(settings.key, seq: lastSeq + 1, prev: head, time: time)
        _ = write(.checkpoint, ["keyId": .string(settings.key.keyId), "signature": .string(signature)], time: time, rotating: false)
        sinceCheckpoint = 0
        lastCheckpoint = time
    }

    private mutating func write(_ kind: LogRecordKind, _ fields: [String: JSONValue], time: LogTime, rotating: Bool = true) -> LogReceipt {
        if rotating { rotateIfFull(time: time) }
        let line = RecordLine.encode(seq: lastSeq + 1, time: time, prev: head, kind: kind, fields: fields)
        append(line)
        pendingRecords.append(contentsOf: line)
        pendingRecords.append(10)
        sinceCheckpoint += 1
        return LogReceipt(seq: lastSeq, hash: head, time: time)
    }

    private mutating func rotateIfFull(time: LogTime) {
        guard fileBytes >= settings.maxFileBytes else { return }
        let header = Self.header(seq: lastSeq + 1, prev: head, time: time, number: fileNumber + 1, node: settings.node, recovered: .null)
        fileNumber += 1
        fileBytes = 0
        queue(.newFile(number: fileNumber, header: header))
        append(header)
        sinceCheckpoint += 1
    }

    /// Whether anything waits for the writer thread.
    var hasWork: Bool { !ops.isEmpty || !pendingRecords.isEmpty }

    /// Everything queued, in order, for the writer thread.
    mutating func takeOps() -> [LogWriteOp] {
        flushPending()
        defer { ops = [] }
        return ops
    }

    private mutating func queue(_ op: LogWriteOp) {
        flushPending()
        ops.append(op)
    }

    private mutating func flushPending() {
        guard !pendingRecords.isEmpty else { return }
        ops.append(.records(pendingRecords))
        pendingRecords = []
        pendingRecords.reserveCapacity(4096)
    }

    private mutating func append(_ line: [UInt8]) {
        lastSeq += 1
        head = line.withUnsafeBytes { String(decoding: LogDigest.sha256HexBytes($0), as: UTF8.self) }
        fileBytes += line.count + 1
    }
}
