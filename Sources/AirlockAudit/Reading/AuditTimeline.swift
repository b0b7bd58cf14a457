import AirlockCore

/// Which records `airlock audit show` prints.
public struct TimelineFilter: Sendable {
    public var task: String?
    public var call: String?
    public var since: LogTime?
    /// Only the records of calls that were denied.
    public var deniedOnly = false

    public init(task: String? = nil, call: String? = nil, since: LogTime? = nil, deniedOnly: Bool = false) {
        self.task = task
        self.call = call
        self.since = since
        self.deniedOnly = deniedOnly
    }
}

/// A readable timeline of a log: the records a filter selects, as a table or as their exact lines.
public struct AuditTimeline: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The selected records, in log order, with their parsed fields.
    public func records(_ filter: TimelineFilter) throws -> [(text: LogRecordText, fields: [String: JSONValue])] {
        var selected: [(text: LogRecordText, fields: [String: JSONValue])] = []
        var denied: Set<String> = []
        try LogReader(directory: directory).forEachRecord { text in
            guard let fields = text.json else { return true }
            if filter.deniedOnly, fields["kind"] == .string(LogRecordKind.callDecided.rawValue), fields["decision"] == .string("deny") {
                denied.insert(Self.callKey(fields))
            }
            if let task = filter.task, fields["task"]?.stringValue != task { return true }
            if let call = filter.call, fields["call"]?.stringValue != call { return true }
            if let since = filter.since, let time = fields["time"]?.stringValue.flatMap(LogTime.init(text:)), time < since { return true }
            selected.append((text, fields))
            return true
        }
        guard filter.deniedOnly else { return selected }
        return selected.filter { $0.fields["call"]?.stringValue != nil && denied.contains(Self.callKey($0.fields)) }
    }

    private static func callKey(_ fields: [String: JSONValue]) -> String {
        (fields["task"]?.stringValue ?? "") + "\u{0}" + (fields["call"]?.stringValue ?? "")
    }

    /// One line per record: seq, time, kind, task, call, and what happened.
    public static func table(_ records: [(text: LogRecordText, fields: [String: JSONValue])]) -> String {
        var lines = [row("SEQ", "TIME", "KIND", "TASK", "CALL", "DETAIL")]
        for (text, f) in records {
            lines.append(
                row(
                    String(text.seq), f["time"]?.stringValue ?? "", f["kind"]?.stringValue ?? "", f["task"]?.stringValue ?? "-",
                    f["call"]?.stringValue ?? "-", detail(f)))
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ seq: String, _ time: String, _ kind: String, _ task: String, _ call: String, _ detail: String) -> String {
        [padded(seq, 7), padded(time, 27), padded(kind, 15), padded(cut(task, 16), 16), padded(cut(call, 16), 16), cut(detail, 120)]
            .joined(separator: "  ")
    }

    /// What a reader wants to know of each kind at a glance.
    static func detail(_ f: [String: JSONValue]) -> String {
        func s(_ key: String) -> String { f[key].map { $0.stringValue ?? JSONSerializer.string($0) } ?? "" }
        switch f["kind"]?.stringValue ?? "" {
        case LogRecordKind.fileStarted.rawValue: return "file \(s("file")) on \(s("node"))" + (f["recovered"] == .null ? "" : ", after a crash: \(s("recovered"))")
        case LogRecordKind.brokerStarted.rawValue: return "node \(s("node")), version \(s("version")), pid \(s("pid"))"
        case LogRecordKind.brokerStopped.rawValue: return s("reason")
        case LogRecordKind.taskCreated.rawValue: return "policy \(s("policyName")) \(s("policyDigest").prefix(12)), workspace \(s("workspace"))"
        case LogRecordKind.taskSuspended.rawValue, LogRecordKind.taskResumed.rawValue, LogRecordKind.taskEnded.rawValue:
            return "by \(s("by")): \(s("reason"))"
        case LogRecordKind.tokenMinted.rawValue, LogRecordKind.tokenSeen.rawValue: return "token \(s("token")) \(s("caveats"))"
        case LogRecordKind.tokenRevoked.rawValue: return "token \(s("token"))"
        case LogRecordKind.callReceived.rawValue: return "\(s("tool")) \(s("arguments")) token \(s("token"))"
        case LogRecordKind.callDecided.rawValue:
            let reason = f["reason"]?.objectValue
            return f["decision"] == .string("allow")
                ? "allow" : "deny \(reason?["code"]?.stringValue ?? ""): \(reason?["message"]?.stringValue ?? "")"
        case LogRecordKind.sandboxStarted.rawValue: return "\(s("argv")) job \(s("jobDigest").prefix(12))"
        case LogRecordKind.callFinished.rawValue:
            return "\(f["termination"]?.objectValue?["reason"]?.stringValue ?? "") exit \(s("exitCode")), output \(s("outputSha256").prefix(12))"
        case LogRecordKind.anomaly.rawValue: return "\(s("anomaly")) \(s("detail"))"
        case LogRecordKind.incident.rawValue: return "\(s("action")) by \(s("by")): \(s("reason"))"
        case LogRecordKind.checkpoint.rawValue: return "signed by \(s("keyId"))"
        default: return ""
        }
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func cut(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
