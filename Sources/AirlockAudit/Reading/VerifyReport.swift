/// What is wrong at one place of a log.
public struct LogProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A record's bytes changed (it no longer hashes to the next record's `prev`, or it does
        /// not parse).
        case edited
        /// Records are missing from the middle of a file.
        case deleted
        /// Records are out of order.
        case reordered
        /// A record that does not belong to the chain was added.
        case inserted
        /// A file ends before the chain does, or a whole file is missing.
        case truncated
        /// A checkpoint's signature does not verify with the given key.
        case badSignature = "bad_signature"
        /// The last line of the log is incomplete (a crash during a write), or a file was left
        /// with a torn tail that the next file's header declares. A warning, not a failure.
        case tornLine = "torn_line"
    }

    public var kind: Kind
    /// The log file's name (`000003.jsonl`).
    public var file: String
    /// 1-based line in that file.
    public var line: Int
    /// The record's seq where one could be read.
    public var seq: UInt64?
    public var message: String

    public var description: String {
        "\(file):\(line): \(kind.rawValue)\(seq.map { " (seq \($0))" } ?? ""): \(message)"
    }
}

/// The result of verifying a log directory.
public struct VerifyReport: Sendable {
    public var files = 0
    public var records = 0
    public var checkpoints = 0
    /// The last good record and its hash (the chain head).
    public var lastSeq: UInt64 = 0
    public var head = LogDigest.zero
    /// The seq of the last checkpoint whose signature verified.
    public var lastCheckpointSeq: UInt64?
    /// Whether checkpoint signatures were checked (a public key was given).
    public var signaturesChecked = false
    /// Torn tails and other things worth knowing that do not make the log invalid.
    public var warnings: [LogProblem] = []
    /// The first thing wrong; nil when the whole log holds.
    public var problem: LogProblem?

    public var isValid: Bool { problem == nil }

    /// Records after the last verified checkpoint: protected by the chain only, so a rewrite of
    /// that tail is detectable only against a checkpoint or head kept elsewhere.
    public var recordsAfterLastCheckpoint: UInt64 { lastSeq - (lastCheckpointSeq ?? 0) }
}
