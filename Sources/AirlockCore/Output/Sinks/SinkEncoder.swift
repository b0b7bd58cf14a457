/// The last stage: the redacted, truncated text encoded for where it is going.
enum SinkEncoder {
    struct Encoded {
        var content: JSONValue
        var bytes: [UInt8]
        /// What the sink changed so it cannot act, in the sink's input offsets.
        var neutralised: [(range: Range<Int>, detector: String)]
    }

    static func encode(_ text: [UInt8], sink: OutputRules.Sink, stream: OutputStreamName, tool: String?) -> Encoded {
        switch sink {
        case .model:
            let (bytes, tags) = TextSinks.model(text, stream: stream.rawValue, tool: tool)
            return textual(bytes, tags.map { ($0, "frame_delimiter") })
        case .html: return textual(TextSinks.html(text), [])
        case .shell: return textual(TextSinks.shell(text), [])
        case .markdown:
            let (bytes, changed) = MarkdownSink.neutralise(text)
            return textual(bytes, changed.map { ($0.range, $0.detector) })
        case .sql:
            // A bound parameter: the caller passes `value` to a prepared statement's placeholder;
            // the text is never spliced into SQL.
            let content = JSONValue.object(["type": .string("text"), "value": .string(String(decoding: text, as: UTF8.self))])
            return Encoded(content: content, bytes: JSONSerializer.serialize(content), neutralised: [])
        case .json:
            // Text (stderr, or stdout with `format: text`) becomes one JSON string.
            let content = JSONValue.string(String(decoding: text, as: UTF8.self))
            return Encoded(content: content, bytes: JSONSerializer.serialize(content), neutralised: [])
        }
    }

    private static func textual(_ bytes: [UInt8], _ neutralised: [(Range<Int>, String)]) -> Encoded {
        Encoded(content: .string(String(decoding: bytes, as: UTF8.self)), bytes: bytes, neutralised: neutralised.map { (range: $0.0, detector: $0.1) })
    }
}
