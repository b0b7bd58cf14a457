/// Why the execution log could not do what was asked. One type for the whole module, so the
/// broker can map every failure to "the call does not run".
public enum LogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call on a log file failed: `fsync(/state/log/000003.jsonl): Input/output error`.
    case io(call: String, path: String, errno: Int32)
    /// An earlier write or fsync failed; the log accepts nothing more until it is reopened,
    /// because after a failed fsync the kernel may already have dropped the unwritten pages.
    case failed(String)
    /// `close()` was called.
    case closed
    /// Another process (a running broker, or an `airlock run`) has the log open for writing; two
    /// writers would fork the chain.
    case inUse(path: String)
    /// What is on disk is not a log this code can continue: a damaged record before the tail, a
    /// file that does not start with its header.
    case corrupt(path: String, line: Int, reason: String)
    /// The checkpoint signing key could not be read or created.
    case signingKey(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let call, let path, let errno): return "\(call)(\(path)): \(systemErrorText(errno)) (errno \(errno))"
        case .failed(let cause): return "the execution log stopped after a failed write: \(cause)"
        case .closed: return "the execution log is closed"
        case .inUse(let path): return "\(path): another process is writing this execution log (a running broker?)"
        case .corrupt(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .signingKey(let path, let reason): return "log signing key \(path): \(reason)"
        }
    }
}
