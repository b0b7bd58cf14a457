import Crypto
import Foundation
import Synchronization

/// One stream as the caller receives it, with the facts the call envelope and the execution
/// log keep about it.
public struct DeliveredStream: Sendable {
    /// Why and how much was cut.
    public struct Truncation: Sendable, Equatable {
        public var mode: OutputRules.Truncation
        /// Bytes of (redacted) text left out to fit `maxBytes`.
        public var omittedBytes: Int
        /// Bytes the tool wrote past the sandbox's capture cap (`limits.outputBytes`).
        public var uncapturedBytes: UInt64
    }

    public var name: OutputStreamName
    public var sink: OutputRules.Sink
    /// What the caller receives: a string for `model`, `html`, `markdown` and `shell`; the
    /// bound-parameter object `{"type": "text", "value": …}` for `sql`; the re-serialised value
    /// for `json`. `null` when this stream was rejected. Fixed once made: the delivered bytes,
    /// their count and their digest all follow from it.
    public let content: JSONValue
    /// The compact JSON text of `content` for `sql` and `json`; nil for the text sinks, whose
    /// delivered bytes are the string's own UTF-8 (kept once, not twice).
    private let jsonText: [UInt8]?
    /// How many bytes were delivered.
    public var deliveredCount: Int { jsonText?.count ?? content.stringValue?.utf8.count ?? 0 }
    /// SHA-256 (lowercase hex) of the captured bytes, before anything was changed.
    public var originalSHA256: String
    /// SHA-256 (lowercase hex) of the delivered bytes.
    public var deliveredSHA256: String
    /// Bytes captured from the tool, and all it wrote.
    public var capturedBytes: Int
    public var totalBytes: UInt64
    public var truncation: Truncation?

    /// The delivered text, for the sinks that deliver text.
    public var text: String? { content.stringValue }

    /// The exact bytes delivered: the string's UTF-8, or the compact JSON text of `content`. A
    /// copy; `withDeliveredBytes` reads them where they are.
    public var deliveredBytes: [UInt8] { withDeliveredBytes { Array($0) } }

    /// Calls `body` with the delivered bytes, in place.
    public func withDeliveredBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let jsonText { return jsonText.withUnsafeBufferPointer(body) }
        guard var text = content.stringValue else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return text.withUTF8(body)
    }

    /// `content` is a string for the text sinks (its UTF-8 is what is delivered), or the value
    /// whose compact JSON text `jsonText` is delivered; `null` with no `jsonText` when the
    /// stream was rejected. `originalSHA256` is the digest of `original.bytes`, and
    /// `deliveredSHA256` that of the delivered bytes, each computed by the caller (possibly on
    /// another thread while the stream was processed).
    init(
        name: OutputStreamName, sink: OutputRules.Sink, content: JSONValue, jsonText: [UInt8]? = nil, deliveredSHA256: String,
        original: CapturedStream, originalSHA256: String, truncation: Truncation?
    ) {
        self.name = name
        self.sink = sink
        self.content = content
        self.jsonText = jsonText
        self.originalSHA256 = originalSHA256
        self.deliveredSHA256 = deliveredSHA256
        self.capturedBytes = original.bytes.count
        self.totalBytes = original.totalBytes
        self.truncation = truncation
    }

    /// `{sink, content, originalSHA256, deliveredSHA256, capturedBytes, totalBytes,
    /// deliveredBytes, truncation}`; `truncation` is null or `{mode, omittedBytes, uncapturedBytes}`.
    public var jsonValue: JSONValue {
        var object = facts
        object["content"] = content
        return .object(object)
    }

    /// The same without the content: what the execution log keeps when the body may not be stored.
    var facts: [String: JSONValue] {
        [
            "sink": .string(sink.rawValue), "originalSHA256": .string(originalSHA256), "deliveredSHA256": .string(deliveredSHA256),
            "capturedBytes": .integer(Int64(capturedBytes)), "totalBytes": .integer(Int64(clamping: totalBytes)),
            "deliveredBytes": .integer(Int64(deliveredCount)),
            "truncation": truncation.map { t in
                .object([
                    "mode": .string(t.mode.rawValue), "omittedBytes": .integer(Int64(t.omittedBytes)),
                    "uncapturedBytes": .integer(Int64(clamping: t.uncapturedBytes)),
                ])
            } ?? .null,
        ]
    }
}

/// SHA-256 of `bytes`, lowercase hex.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map(TokenBase64URL.hex).joined()
}

/// SHA-256 of `bytes`, to be asked for once, later: from `OutputChannel.concurrentDigestBytes`
/// on it is computed on another thread meanwhile (`ConcurrentValue`), below that when asked.
func deferredSHA256(_ bytes: [UInt8]) -> () -> String {
    guard bytes.count >= OutputChannel.concurrentDigestBytes else { return { sha256Hex(bytes) } }
    let digest = ConcurrentValue { sha256Hex(bytes) }
    return { digest.value() }
}

/// A value computed on another thread while the caller goes on; `value()` returns it. For work
/// that is large, independent of everything else and pure (a digest of bytes nothing changes),
/// on a machine with a core to spare.
///
/// The work goes to Dispatch's shared threads, which are already running: starting a thread for
/// it held the caller about 55 µs here, handing it over takes about 15 µs. Whoever comes first
/// runs it: when `value()` is called before any thread took it up (all busy), the caller runs it
/// itself, so it never waits for a pool.
final class ConcurrentValue<Value: Sendable>: Sendable {
    private enum State {
        case pending(@Sendable () -> Value)
        case running
        case done(Value)
    }

    private let state: Mutex<State>
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Value) {
        state = Mutex(.pending(body))
        DispatchQueue.global().async { [self] in
            guard let body = claim() else { return }
            let value = body()
            state.withLock { $0 = .done(value) }
            done.signal()
        }
    }

    /// The value, computed here if no other thread has started it. Call it once.
    func value() -> Value {
        if let body = claim() { return body() }
        done.wait()
        return state.withLock { state in
            guard case .done(let value) = state else { preconditionFailure("signalled before it was done") }
            return value
        }
    }

    /// The work, for the one caller that finds it not yet started.
    private func claim() -> (@Sendable () -> Value)? {
        state.withLock { state in
            guard case .pending(let body) = state else { return nil }
            state = .running
            return body
        }
    }
}
