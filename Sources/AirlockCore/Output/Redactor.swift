/// Replaces each redacting match with its placeholder (`[REDACTED:aws_access_key]`), keeping
/// where each placeholder sits so truncation never cuts one, and a map back to the clean text.
///
/// The redacted text is not built here: it is the clean text (shared, not copied) with the
/// replacements applied, and truncation copies only what it keeps — for large output cut to
/// `maxBytes`, a few kilobytes rather than the whole text once more.
struct RedactedText {
    private let clean: [UInt8]
    /// Each replacement in order: the clean range it stands for and its placeholder.
    private var replaced: [(source: Range<Int>, placeholder: [UInt8])] = []
    var map = OffsetMap()
    /// The placeholders' ranges in the redacted text, in order.
    var placeholders: [Range<Int>] = []
    /// The redacted text's length.
    let count: Int

    init(clean: [UInt8], matches: [DetectorMatch], rules: [DetectorRule]) {
        self.clean = clean
        var length = 0
        var copied = 0
        for found in matches where rules[found.rule].redacts {
            length += found.redacted.lowerBound - copied
            map.replace(derived: length, source: found.redacted)
            let placeholder = rules[found.rule].placeholder
            placeholders.append(length..<length + placeholder.count)
            replaced.append((found.redacted, placeholder))
            length += placeholder.count
            copied = found.redacted.upperBound
            map.copy(derived: length, source: copied)
        }
        count = length + clean.count - copied
    }

    /// The whole redacted text.
    var bytes: [UInt8] {
        guard !replaced.isEmpty else { return clean }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        append(0..<count, to: &bytes)
        return bytes
    }

    /// The byte at `offset` (`0..<count`).
    subscript(offset: Int) -> UInt8 {
        let k = replacements(before: offset + 1)
        guard k > 0 else { return clean[offset] }
        let placeholder = placeholders[k - 1]
        if offset < placeholder.upperBound { return replaced[k - 1].placeholder[offset - placeholder.lowerBound] }
        return clean[replaced[k - 1].source.upperBound + offset - placeholder.upperBound]
    }

    /// Appends the redacted text's `range` to `output`.
    func append(_ range: Range<Int>, to output: inout [UInt8]) {
        forEachChunk(in: range) { output.append(contentsOf: $0) }
    }

    /// Calls `body` with the redacted text's `range`, in order, in pieces of the clean text and of
    /// placeholders: the text is read where it lies, never copied.
    func forEachChunk(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var offset = range.lowerBound
        var k = replacements(before: offset + 1)
        if k > 0, offset < placeholders[k - 1].upperBound { k -= 1 }
        clean.withUnsafeBufferPointer { clean in
            while offset < range.upperBound {
                // Clean text up to the next placeholder, then (part of) the placeholder.
                let placeholder = k < placeholders.count ? placeholders[k] : range.upperBound..<range.upperBound
                if offset < placeholder.lowerBound {
                    let end = min(placeholder.lowerBound, range.upperBound)
                    let source = k > 0 ? replaced[k - 1].source.upperBound + offset - placeholders[k - 1].upperBound : offset
                    body(UnsafeBufferPointer(rebasing: clean[source..<source + end - offset]))
                    offset = end
                }
                guard k < placeholders.count, offset < range.upperBound else { break }
                let end = min(placeholder.upperBound, range.upperBound)
                replaced[k].placeholder.withUnsafeBufferPointer { bytes in
                    body(UnsafeBufferPointer(rebasing: bytes[(offset - placeholder.lowerBound)..<(end - placeholder.lowerBound)]))
                }
                offset = end
                k += 1
            }
        }
    }

    /// How many placeholders start before `offset`.
    private func replacements(before offset: Int) -> Int {
        var low = 0
        var high = placeholders.count
        while low < high {
            let middle = (low + high) / 2
            if placeholders[middle].lowerBound < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The placeholder containing `offset` strictly inside it, if any.
    func placeholder(around offset: Int) -> Range<Int>? {
        var low = 0
        var high = placeholders.count
        while low < high {
            let middle = (low + high) / 2
            if placeholders[middle].upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        guard low < placeholders.count, placeholders[low].lowerBound < offset, offset < placeholders[low].upperBound else { return nil }
        return placeholders[low]
    }
}
