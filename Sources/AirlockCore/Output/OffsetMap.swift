/// Maps offsets in a derived text (escapes stripped, secrets replaced, a middle cut out) back to
/// offsets in the text it came from, so every finding can name a byte range of the ORIGINAL
/// output. Segments are recorded only where the two texts stop running in step, so the map stays
/// small for ordinary output.
///
/// A segment either copies (derived and source advance together) or replaces (a placeholder or
/// U+FFFD stands for a whole source span). A range that touches a replacement covers its whole
/// source span.
struct OffsetMap: Sendable {
    private var derived: [Int] = [0]
    private var source: [Int] = [0]
    /// For a replacement, the end of the span it stands for; -1 for a copying segment.
    private var sourceEnd: [Int] = [-1]

    /// From derived offset `derived` on, bytes are copied from source offset `source`.
    mutating func copy(derived: Int, source: Int) { start(derived, source, -1) }

    /// From derived offset `derived` until the next segment, the text stands for
    /// `source..<sourceEnd`.
    mutating func replace(derived: Int, source: Range<Int>) { start(derived, source.lowerBound, source.upperBound) }

    private mutating func start(_ d: Int, _ s: Int, _ e: Int) {
        if derived.last == d {
            source[source.count - 1] = s
            sourceEnd[sourceEnd.count - 1] = e
        } else {
            derived.append(d)
            source.append(s)
            sourceEnd.append(e)
        }
    }

    /// The source range a derived range comes from.
    func sourceRange(_ range: Range<Int>) -> Range<Int> {
        let lower = lowerOffset(range.lowerBound)
        guard !range.isEmpty else { return lower..<lower }
        return lower..<max(lower, upperOffset(range.upperBound))
    }

    func sourceOffset(_ offset: Int) -> Int { lowerOffset(offset) }

    private func lowerOffset(_ offset: Int) -> Int {
        let k = segment(atOrBefore: offset)
        return sourceEnd[k] >= 0 ? source[k] : source[k] + (offset - derived[k])
    }

    private func upperOffset(_ offset: Int) -> Int {
        let k = segment(atOrBefore: offset - 1)
        return sourceEnd[k] >= 0 ? sourceEnd[k] : source[k] + (offset - derived[k])
    }

    /// The last segment starting at or before `offset`.
    private func segment(atOrBefore offset: Int) -> Int {
        var low = 0
        var high = derived.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if derived[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
