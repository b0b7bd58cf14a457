/// Cuts redacted text to `maxBytes`, keeping the head, the tail or both, with a marker that says
/// how many bytes were left out. A cut never falls inside a UTF-8 sequence or a placeholder, and
/// the marker counts toward `maxBytes`.
///
/// The cut text is not built here either: it is a list of parts (ranges of the redacted text, the
/// marker, the capture-limit note) that a sink reads in place, or `bytes` copies once.
struct TruncatedText: ByteChunks {
    /// Delivered offsets back to redacted-text offsets.
    var map = OffsetMap()
    /// The redacted-text range left out, if any.
    var dropped: Range<Int>?
    /// Bytes the tool wrote past the sandbox's capture cap (never seen here).
    var uncaptured: UInt64
    /// The text's length.
    let count: Int
    private let text: RedactedText
    /// The text, in order: ranges of the redacted text, and the bytes added between and after them.
    private var parts: [Part] = []

    private enum Part {
        case kept(Range<Int>)
        case added([UInt8])

        var count: Int {
            switch self {
            case .kept(let range): range.count
            case .added(let bytes): bytes.count
            }
        }
    }

    init(_ text: RedactedText, maxBytes: Int, mode: OutputRules.Truncation, uncaptured: UInt64) {
        self.text = text
        self.uncaptured = uncaptured
        let suffix: [UInt8] = uncaptured > 0 ? Array("\n[airlock: the tool wrote \(uncaptured) more bytes than the capture limit keeps]".utf8) : []
        guard text.count + suffix.count > maxBytes else {
            parts = [.kept(0..<text.count), .added(suffix)]
            count = text.count + suffix.count
            if !suffix.isEmpty { map.replace(derived: text.count, source: text.count..<text.count) }
            return
        }
        var marker = Self.marker(omitting: text.count, mode: mode)
        var budget = max(0, maxBytes - marker.count - suffix.count)
        var (head, tail) = Self.cuts(text, budget: budget, mode: mode)
        marker = Self.marker(omitting: tail - head, mode: mode)
        budget = max(0, maxBytes - marker.count - suffix.count)
        (head, tail) = Self.cuts(text, budget: budget, mode: mode)
        marker = Self.marker(omitting: tail - head, mode: mode)
        dropped = head..<tail
        parts = [.kept(0..<head), .added(marker), .kept(tail..<text.count), .added(suffix)]
        count = head + marker.count + text.count - tail + suffix.count
        map.replace(derived: head, source: head..<tail)
        map.copy(derived: head + marker.count, source: tail)
        if !suffix.isEmpty {
            let end = text.count
            map.replace(derived: head + marker.count + (end - tail), source: end..<end)
        }
    }

    /// The whole text: the clean text itself, not a copy, when nothing was redacted, cut or added.
    var bytes: [UInt8] {
        if count == text.count, dropped == nil { return text.bytes }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        forEachChunk(in: 0..<count) { bytes.append(contentsOf: $0) }
        return bytes
    }

    func forEachChunk(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for part in parts {
            let end = start + part.count
            let lower = max(start, range.lowerBound)
            let upper = min(end, range.upperBound)
            if lower < upper {
                switch part {
                case .kept(let kept): text.forEachChunk(in: kept.lowerBound + lower - start..<kept.lowerBound + upper - start, body)
                case .added(let bytes): bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[lower - start..<upper - start])) }
                }
            }
            start = end
        }
    }

    /// `[airlock: truncated, N bytes omitted]`, on a line of its own where text continues.
    static func marker(omitting count: Int, mode: OutputRules.Truncation) -> [UInt8] {
        let core = "[airlock: truncated, \(count) bytes omitted]"
        switch mode {
        case .head: return Array("\n\(core)".utf8)
        case .tail: return Array("\(core)\n".utf8)
        case .headAndTail: return Array("\n\(core)\n".utf8)
        }
    }

    /// The end of the kept head and the start of the kept tail.
    private static func cuts(_ text: RedactedText, budget: Int, mode: OutputRules.Truncation) -> (Int, Int) {
        let count = text.count
        switch mode {
        case .head: return (headCut(text, budget), count)
        case .tail: return (0, tailCut(text, count - budget))
        case .headAndTail:
            let head = headCut(text, budget - budget / 2)
            return (head, max(head, tailCut(text, count - budget / 2)))
        }
    }

    /// At most `offset`, moved back to a character start and out of a placeholder.
    private static func headCut(_ text: RedactedText, _ offset: Int) -> Int {
        var cut = min(max(0, offset), text.count)
        while cut > 0, cut < text.count, text[cut] & 0xC0 == 0x80 { cut -= 1 }
        if let placeholder = text.placeholder(around: cut) { cut = placeholder.lowerBound }
        return cut
    }

    /// At least `offset`, moved forward to a character start and out of a placeholder.
    private static func tailCut(_ text: RedactedText, _ offset: Int) -> Int {
        var cut = min(max(0, offset), text.count)
        while cut < text.count, text[cut] & 0xC0 == 0x80 { cut += 1 }
        if let placeholder = text.placeholder(around: cut) { cut = placeholder.upperBound }
        return cut
    }
}
