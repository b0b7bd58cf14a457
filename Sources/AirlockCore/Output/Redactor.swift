/// Replaces each redacting match with its placeholder (`[REDACTED:aws_access_key]`), keeping
/// where each placeholder sits so truncation never cuts one, and a map back to the clean text.
struct RedactedText {
    var bytes: [UInt8] = []
    var map = OffsetMap()
    /// The placeholders' ranges in `bytes`, in order.
    var placeholders: [Range<Int>] = []

    init(clean: [UInt8], matches: [DetectorMatch], rules: [DetectorRule]) {
        let replacing = matches.filter { rules[$0.rule].redacts }
        guard !replacing.isEmpty else {
            bytes = clean
            return
        }
        bytes.reserveCapacity(clean.count)
        var copied = 0
        for found in replacing {
            bytes.append(contentsOf: clean[copied..<found.redacted.lowerBound])
            map.replace(derived: bytes.count, source: found.redacted)
            let placeholder = rules[found.rule].placeholder
            placeholders.append(bytes.count..<bytes.count + placeholder.count)
            bytes.append(contentsOf: placeholder)
            copied = found.redacted.upperBound
            map.copy(derived: bytes.count, source: copied)
        }
        bytes.append(contentsOf: clean[copied...])
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
