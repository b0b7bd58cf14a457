import Dispatch

/// One detector match in a scanned buffer.
public struct DetectorMatch: Hashable, Sendable {
    /// Index into the scanner's `rules`.
    public var rule: Int
    /// The whole match.
    public var match: Range<Int>
    /// The part to replace (the whole match unless the pattern marks one with `<…>`).
    public var redacted: Range<Int>
}

/// Every pattern of a detector set compiled into one single-pass byte scanner.
///
/// A table of byte pairs says where any pattern can be triggered at all; the scan reads it 64
/// positions at a time and stops only where it allows. There, prefilter tables say, for each
/// byte value, which patterns can have it first, second, third and fourth from where they
/// trigger (a bitmask, 64 patterns per word), and which lead with a class containing it: the
/// scanner ANDs the table words — these four bytes, and "not inside a run of my leading class" —
/// and runs the matcher only for the survivors, in rule order. A pattern that opens with a class and then a literal (`[local]{1,64} "@"`) is
/// triggered at the literal and walks back over the class, so ordinary words cost nothing.
/// Matches do not overlap: after one, the scan resumes at its end.
public final class DetectorScanner: Sendable {
    public let rules: [DetectorRule]
    let program: ScannerProgram
    let words: Int
    /// Five tables — first, second, third and fourth byte, and "continues my leading class" —
    /// each of 257 rows of `words` masks: one row per byte value and a last row for "no byte"
    /// (before the start or past the end).
    let masks: [UInt64]
    /// 65,536 bits, one per pair of adjacent bytes, at `second << 8 | first` (the pair read as a
    /// little-endian `UInt16`): set where some pattern can be triggered on the first byte of the
    /// pair. Built from each alternative of a leading literal on its own, so on ordinary text
    /// most positions fail here, before any of the tables above is read.
    let pairs: [UInt64]

    enum Table: Int {
        case first, second, third, fourth, continues
    }

    public convenience init(rules: [DetectorRule]) { self.init(rules: rules, prefilters: true) }

    /// `prefilters: false` allows every pair and gives no pattern trigger keys: the scan then
    /// stops at every position and runs the matcher for every pattern the four tables allow,
    /// which tests use to show the pair table and the keys never hide a match.
    init(rules: [DetectorRule], prefilters: Bool) {
        self.rules = rules
        let program = ScannerProgram(rules: rules, triggerKeys: prefilters)
        self.program = program
        let words = max(1, (program.patterns.count + 63) / 64)
        self.words = words
        var masks = [UInt64](repeating: 0, count: 5 * 257 * words)
        func set(_ table: Table, _ row: Int, _ word: Int, _ bit: UInt64) { masks[(table.rawValue * 257 + row) * words + word] |= bit }
        for (index, pattern) in program.patterns.enumerated() {
            let word = index / 64
            let bit = UInt64(1) << UInt64(index % 64)
            let places = [pattern.leadBytes, pattern.secondBytes, pattern.thirdBytes, pattern.fourthBytes]
            for byte in 0...255 {
                for (place, table) in [Table.first, .second, .third, .fourth].enumerated() where places[place].contains(UInt8(byte)) {
                    set(table, byte, word, bit)
                }
                if pattern.runClass?.contains(UInt8(byte)) == true { set(.continues, byte, word, bit) }
            }
            for table in [Table.second, .third, .fourth] { set(table, 256, word, bit) }
        }
        self.masks = masks
        var pairs = [UInt64](repeating: prefilters ? 0 : ~0, count: 65536 / 64)
        for (first, second) in program.triggerPairs.joined() {
            let firstWords = first.bitWords
            for byte in 0...255 where second.contains(UInt8(byte)) {
                for word in 0..<4 { pairs[byte * 4 + word] |= firstWords[word] }
            }
        }
        self.pairs = pairs
    }

    /// From this size on, a scan runs as two halves on two threads. A pass over 256 KiB takes
    /// about a millisecond here, handing half of it to another thread some tens of microseconds.
    /// The size is the clean text's: a captured MiB with colour codes is less once they are gone.
    static let splitBytes = 256 << 10

    /// All matches in `buffer`, in order, not overlapping: exactly those of one pass from the
    /// start, also when the scan is split.
    public func scan(_ buffer: UnsafeBufferPointer<UInt8>) -> [DetectorMatch] {
        scan(buffer, split: buffer.count >= Self.splitBytes)
    }

    /// From this size on, a scan reads the pair table as one byte per pair (`pairBytes`): twice
    /// as fast a lookup as a bit's, for 64 KiB built first (some tens of microseconds).
    static let pairBytesFrom = 64 << 10

    /// The pair table with a byte (0 or 1) for each bit. For ordinary text only the rows of
    /// printable bytes are read, about 18 KiB, which stay in the first-level cache.
    func pairBytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 65536) { bytes, count in
            for pair in 0..<65536 { bytes[pair] = UInt8(truncatingIfNeeded: pairs[pair &>> 6] &>> UInt64(pair & 63) & 1) }
            count = 65536
        }
    }

    /// `split: false` always scans in one pass; `pairBytes` says whether to read the pair table
    /// as bytes, nil for by size (tests compare them all).
    func scan(_ buffer: UnsafeBufferPointer<UInt8>, split: Bool, pairBytes: Bool? = nil) -> [DetectorMatch] {
        guard !program.patterns.isEmpty, !buffer.isEmpty else { return [] }
        let bytes = (pairBytes ?? (buffer.count >= Self.pairBytesFrom)) ? self.pairBytes() : []
        return masks.withUnsafeBufferPointer { masks in
            PairTable.with(bits: pairs, bytes: bytes) { pairs in
                program.withMatcher(for: buffer) { matcher, patterns, keys in
                    let scan = SplitScan(
                        buffer: buffer, words: words, masks: masks, pairs: pairs, patterns: patterns, keys: keys, matcher: matcher)
                    let reach = program.walkBack
                    let middle = buffer.count / 2
                    guard split, reach < middle else { return scan.pass(start: 0, floor: 0, limit: buffer.count) }
                    // The first half triggers before `middle`, exactly as one pass would. The second
                    // triggers from `middle` on, as one pass would if the last match before it ended
                    // at or before `middle - reach`: no walk back from a trigger reaches further.
                    DispatchQueue.concurrentPerform(iterations: 2) { half in
                        if half == 0 {
                            scan.first = scan.pass(start: 0, floor: 0, limit: middle)
                        } else {
                            scan.second = scan.pass(start: middle, floor: middle - reach, limit: scan.buffer.count)
                        }
                    }
                    let end = scan.first.last?.match.upperBound ?? 0
                    if end <= middle - reach { return scan.first + scan.second }
                    // A match of the first half ends too close to the second's start: go on from it.
                    return scan.first + scan.pass(start: Swift.max(end, middle), floor: end, limit: buffer.count)
                }
            }
        }
    }
}

/// What the passes of one scan share (read only, valid for the scan's duration) and the halves
/// of a split scan, each written by one thread before the other reads it.
private final class SplitScan: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    let words: Int
    let masks: UnsafeBufferPointer<UInt64>
    let pairs: PairTable
    let patterns: UnsafeBufferPointer<ScannerProgram.Pattern>
    let keys: UnsafeBufferPointer<ScannerProgram.TriggerKey>
    let matcher: PatternMatcher
    var first: [DetectorMatch] = []
    var second: [DetectorMatch] = []

    init(
        buffer: UnsafeBufferPointer<UInt8>, words: Int, masks: UnsafeBufferPointer<UInt64>, pairs: PairTable,
        patterns: UnsafeBufferPointer<ScannerProgram.Pattern>, keys: UnsafeBufferPointer<ScannerProgram.TriggerKey>, matcher: PatternMatcher
    ) {
        self.buffer = buffer
        self.words = words
        self.masks = masks
        self.pairs = pairs
        self.patterns = patterns
        self.keys = keys
        self.matcher = matcher
    }

    /// One pass: matches triggered in `start..<limit`, none starting before `floor`.
    func pass(start: Int, floor: Int, limit: Int) -> [DetectorMatch] {
        var matches: [DetectorMatch] = []
        var pass = ScanPass(
            buffer: buffer, words: words, masks: masks, triggers: TriggerPositions(buffer: buffer, pairs: pairs), patterns: patterns,
            keys: keys, matcher: matcher, floor: floor, start: start, limit: limit)
        pass.run(into: &matches)
        return matches
    }
}

extension ScannerProgram {
    /// A matcher over `buffer` reading this program, the patterns and their trigger keys, for
    /// the span of `body`.
    func withMatcher<Result>(
        for buffer: UnsafeBufferPointer<UInt8>, _ body: (PatternMatcher, UnsafeBufferPointer<Pattern>, UnsafeBufferPointer<TriggerKey>) -> Result
    ) -> Result {
        steps.withUnsafeBufferPointer { steps in
            literals.withUnsafeBufferPointer { literals in
                literalBytes.withUnsafeBufferPointer { literalBytes in
                    validators.withUnsafeBufferPointer { validators in
                        patterns.withUnsafeBufferPointer { patterns in
                            triggerKeys.withUnsafeBufferPointer { keys in
                                let matcher = PatternMatcher(
                                    buffer: buffer, steps: steps, literals: literals, literalBytes: literalBytes, validators: validators)
                                return body(matcher, patterns, keys)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The pair table, read through pointers: its bits, and the same as bytes when a scan built them.
private struct PairTable {
    let bits: UnsafePointer<UInt64>
    let bytes: UnsafePointer<UInt8>?

    static func with<Result>(bits: [UInt64], bytes: [UInt8], _ body: (PairTable) -> Result) -> Result {
        bits.withUnsafeBufferPointer { bits in
            bytes.withUnsafeBufferPointer { bytes in body(PairTable(bits: bits.baseAddress!, bytes: bytes.isEmpty ? nil : bytes.baseAddress)) }
        }
    }
}

/// The positions of a buffer where the pair table lets some pattern trigger, in order. They are
/// found 64 at a time, one bit each, without a branch per byte: the scan's common case is a
/// position where nothing can start. The last position, which has no pair, is always given.
private struct TriggerPositions {
    let buffer: UnsafeBufferPointer<UInt8>
    let pairs: PairTable
    /// The allowed positions among `blockStart..<blockStart + 64`.
    private var blockStart = 0
    private var block: UInt64 = 0

    init(buffer: UnsafeBufferPointer<UInt8>, pairs: PairTable) {
        self.buffer = buffer
        self.pairs = pairs
        block = bits(from: 0)
    }

    /// The first allowed position at or after `position`, or the buffer's count.
    mutating func next(from position: Int) -> Int {
        var position = position
        while position < buffer.count {
            if position >= blockStart &+ 64 {
                blockStart = position
                block = bits(from: position)
            }
            let pending = block & (~0 &<< UInt64(position &- blockStart))
            if pending != 0 { return blockStart &+ pending.trailingZeroBitCount }
            position = blockStart &+ 64
        }
        return buffer.count
    }

    /// One bit per position from `start`, for up to 64 positions.
    private func bits(from start: Int) -> UInt64 {
        guard let bytes = buffer.baseAddress, start < buffer.count else { return 0 }
        let last = buffer.count &- 1
        let count = Swift.min(64, last &- start)
        var bits: UInt64 = 0
        func pair(_ offset: Int) -> UInt16 {
            UInt16(littleEndian: UnsafeRawPointer(bytes + (start &+ offset)).loadUnaligned(as: UInt16.self))
        }
        if let table = pairs.bytes {
            for offset in 0..<count { bits |= UInt64(table[Int(pair(offset))]) &<< UInt64(offset) }
        } else {
            for offset in 0..<count {
                let pair = pair(offset)
                bits |= (pairs.bits[Int(pair &>> 6)] &>> UInt64(pair & 63) & 1) &<< UInt64(offset)
            }
        }
        if last &- start < 64 { bits |= 1 &<< UInt64(last &- start) }
        return bits
    }
}

/// One scan of one buffer.
private struct ScanPass {
    let buffer: UnsafeBufferPointer<UInt8>
    let words: Int
    let masks: UnsafeBufferPointer<UInt64>
    var triggers: TriggerPositions
    let patterns: UnsafeBufferPointer<ScannerProgram.Pattern>
    let keys: UnsafeBufferPointer<ScannerProgram.TriggerKey>
    var matcher: PatternMatcher
    /// Where the last match ended: no match may start before it.
    var floor = 0
    /// The first position a match may be triggered at, and the end of the positions this pass
    /// triggers at (a match found may still extend past it).
    var start = 0
    var limit: Int

    /// The mask of `table` for `byte` (256: no byte).
    private func mask(_ table: DetectorScanner.Table, _ byte: Int, _ word: Int) -> UInt64 {
        masks[(table.rawValue &* 257 &+ byte) &* words &+ word]
    }

    private func byte(at index: Int) -> Int { index < buffer.count ? Int(buffer[index]) : 256 }

    mutating func run(into matches: inout [DetectorMatch]) {
        if words == 1 { runOneWord(into: &matches) } else { runManyWords(into: &matches) }
    }

    /// The common case, up to 64 patterns: one mask per table and byte, read through plain
    /// pointers, so the loop keeps everything in registers.
    private mutating func runOneWord(into matches: inout [DetectorMatch]) {
        guard let base = masks.baseAddress, let bytes = buffer.baseAddress else { return }
        let first = base
        let second = base + 257
        let third = base + 2 * 257
        let fourth = base + 3 * 257
        let continues = base + 4 * 257
        let count = buffer.count
        let limit = self.limit
        var position = triggers.next(from: start)
        scanning: while position < limit {
            let current = Int(bytes[position])
            let previous = position > 0 ? Int(bytes[position &- 1]) : 256
            var candidates = first[current]
            if candidates != 0 {
                let next = position &+ 1 < count ? Int(bytes[position &+ 1]) : 256
                candidates &= second[next] & ~continues[previous]
            }
            if candidates != 0 {
                let at2 = position &+ 2 < count ? Int(bytes[position &+ 2]) : 256
                let at3 = position &+ 3 < count ? Int(bytes[position &+ 3]) : 256
                candidates &= third[at2] & fourth[at3]
                while candidates != 0 {
                    let index = candidates.trailingZeroBitCount
                    candidates &= candidates &- 1
                    if let found = attempt(patterns[index], at: position) {
                        matches.append(found)
                        floor = found.match.upperBound
                        position = triggers.next(from: max(floor, position &+ 1))
                        continue scanning
                    }
                }
            }
            position = triggers.next(from: position &+ 1)
        }
    }

    private mutating func runManyWords(into matches: inout [DetectorMatch]) {
        var position = triggers.next(from: start)
        scanning: while position < limit {
            let current = Int(buffer[position])
            let previous = position > 0 ? Int(buffer[position - 1]) : 256
            for word in 0..<words {
                var candidates = mask(.first, current, word)
                if candidates == 0 { continue }
                candidates &= mask(.second, byte(at: position + 1), word) & ~mask(.continues, previous, word)
                if candidates == 0 { continue }
                candidates &= mask(.third, byte(at: position + 2), word) & mask(.fourth, byte(at: position + 3), word)
                while candidates != 0 {
                    let index = word &* 64 &+ candidates.trailingZeroBitCount
                    candidates &= candidates &- 1
                    if let found = attempt(patterns[index], at: position) {
                        matches.append(found)
                        floor = found.match.upperBound
                        position = triggers.next(from: max(floor, position + 1))
                        continue scanning
                    }
                }
            }
            position = triggers.next(from: position + 1)
        }
    }

    private mutating func attempt(_ pattern: ScannerProgram.Pattern, at position: Int) -> DetectorMatch? {
        if pattern.keyCount > 0, !startsAlternative(pattern, at: position) { return nil }
        var start = position
        if let anchor = pattern.anchorClass {
            var length = 0
            while length < pattern.anchorMax, start > floor, anchor.contains(buffer[start - 1]) {
                start -= 1
                length += 1
            }
            // The run must start here (not be cut by `anchorMax` or the previous match).
            guard length >= pattern.anchorMin, start == 0 || !anchor.contains(buffer[start - 1]) else { return nil }
        }
        guard let (end, redacted) = matcher.match(pattern, at: start) else { return nil }
        return DetectorMatch(rule: pattern.rule, match: start..<end, redacted: redacted)
    }

    /// Whether the four bytes at `position` start one of the alternatives of the pattern's
    /// leading literal (each at least four bytes long, so fewer bytes left start none).
    private func startsAlternative(_ pattern: ScannerProgram.Pattern, at position: Int) -> Bool {
        guard position &+ 4 <= buffer.count, let bytes = buffer.baseAddress else { return false }
        let word = UInt32(littleEndian: UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt32.self))
        for index in pattern.firstKey..<(pattern.firstKey &+ pattern.keyCount) where word | keys[index].fold == keys[index].value {
            return true
        }
        return false
    }
}
