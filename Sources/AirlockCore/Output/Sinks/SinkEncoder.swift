/// Bytes read in contiguous pieces, in order: the text a sink encodes is not always one array.
protocol ByteChunks: Sendable {
    var count: Int { get }
    /// Calls `body` with the bytes of `range`, in order, in one or more pieces.
    func forEachChunk(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Void)
}

extension [UInt8]: ByteChunks {
    func forEachChunk(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }
}

/// The last stage: the redacted, truncated text encoded for where it is going.
enum SinkEncoder {
    /// What a sink wrote: the text sinks' bytes, which `delivered()` turns into the string; or
    /// the `sql` and `json` sinks' value with its JSON text.
    struct Encoding {
        fileprivate var bytes: [UInt8]
        fileprivate var value: JSONValue?
        /// What the sink changed so it cannot act, in the sink's input offsets.
        var neutralised: [(range: Range<Int>, detector: String)]

        /// The content, its JSON text for `sql` and `json` (the text sinks deliver the string's
        /// UTF-8), and the SHA-256 of the delivered bytes. From
        /// `OutputChannel.concurrentDigestBytes` on, the digest is computed on a second thread
        /// while the `String` is built.
        consuming func delivered() -> (content: JSONValue, jsonText: [UInt8]?, sha256: String) {
            if let value { return (value, bytes, sha256Hex(bytes)) }
            let digest = deferredSHA256(bytes)
            return (.string(knownValidString(bytes)), nil, digest())
        }
    }

    /// `html` reads the text where it lies; the other sinks read it copied into one array.
    static func encode(_ text: TruncatedText, sink: OutputRules.Sink, stream: OutputStreamName, tool: String?) -> Encoding {
        switch sink {
        case .model:
            let (bytes, tags) = TextSinks.model(text.bytes, stream: stream.rawValue, tool: tool)
            return Encoding(bytes: bytes, neutralised: tags.map { ($0, "frame_delimiter") })
        case .html: return Encoding(bytes: TextSinks.html(text), neutralised: [])
        case .shell: return Encoding(bytes: TextSinks.shell(text.bytes), neutralised: [])
        case .markdown:
            let (bytes, changed) = MarkdownSink.neutralise(text.bytes)
            return Encoding(bytes: bytes, neutralised: changed.map { ($0.range, $0.detector) })
        case .sql:
            // A bound parameter: the caller passes `value` to a prepared statement's placeholder;
            // the text is never spliced into SQL.
            let content = JSONValue.object(["type": .string("text"), "value": .string(String(decoding: text.bytes, as: UTF8.self))])
            return Encoding(bytes: JSONSerializer.serialize(content), value: content, neutralised: [])
        case .json:
            // Text (stderr, or stdout with `format: text`) becomes one JSON string.
            let content = JSONValue.string(String(decoding: text.bytes, as: UTF8.self))
            return Encoding(bytes: JSONSerializer.serialize(content), value: content, neutralised: [])
        }
    }

    /// The `String` of `bytes` without checking them again, which for large output costs as much
    /// as a detector: they are valid UTF-8 by construction. The clean text is (the first stage
    /// replaced or rejected every invalid sequence), matches start and end between characters
    /// (classes hold ASCII only, literals are whole strings), truncation cuts between characters,
    /// and placeholders, markers and the sinks' escapes are whole characters.
    static func knownValidString(_ bytes: [UInt8]) -> String {
        assert(String(validating: bytes, as: UTF8.self) != nil, "the delivered bytes are not valid UTF-8")
        return String(copying: UTF8Span(unchecked: bytes.span))
    }
}
