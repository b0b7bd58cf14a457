#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The sinks that only escape: `html`, `shell` and `model`'s frame.
enum TextSinks {
    /// `&`, `<`, `>`, `"` and `'` as character references, so the text can sit in an element or
    /// a quoted attribute without opening a tag, an attribute or a script.
    ///
    /// Each byte is encoded on its own, so the text may be cut anywhere (inside a UTF-8 sequence
    /// too) and the pieces encoded apart: the output's length is counted first, then each piece is
    /// written straight to its place. From `splitBytes` on, the two halves are counted and
    /// written on two threads.
    static func html(_ text: some ByteChunks) -> [UInt8] {
        html(text, split: text.count >= splitBytes)
    }

    /// `split: false` always encodes in one piece (tests compare the two).
    static func html(_ text: some ByteChunks, split: Bool) -> [UInt8] {
        let middle = text.count / 2
        let halves = split ? [0..<middle, middle..<text.count] : [0..<text.count]
        var lengths = [Int](repeating: 0, count: halves.count)
        lengths.withUnsafeMutableBufferPointer { lengths in
            // Each thread writes its own element.
            nonisolated(unsafe) let lengths = lengths
            inHalves(halves.count) { half in
                var length = 0
                text.forEachChunk(in: halves[half]) { length += htmlLength($0) }
                lengths[half] = length
            }
        }
        let total = lengths.reduce(0, +)
        guard total > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: total) { output, initialized in
            HugePages.advise(output)
            // Each thread writes its own part, and no scratch byte reaches past it.
            nonisolated(unsafe) let output = output
            entityWords.withUnsafeBufferPointer { entities in
                nonisolated(unsafe) let entities = entities
                inHalves(halves.count) { [lengths] half in
                    let start = output.baseAddress! + (half == 0 ? 0 : lengths[0])
                    let limit = start + lengths[half]
                    var cursor = start
                    text.forEachChunk(in: halves[half]) { cursor = writeHTML($0, to: cursor, limit: limit, entities: entities) }
                    precondition(cursor == limit, "html wrote \(start.distance(to: cursor)) bytes, not the \(lengths[half]) counted")
                }
            }
            initialized = total
        }
    }

    /// From this size on, `html` encodes two halves on two threads.
    static let splitBytes = DetectorScanner.splitBytes

    /// Runs `body` for each of `count` (1 or 2) halves: two on two threads.
    private static func inHalves(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: count, execute: body) }
    }

    /// The length of `text` HTML-escaped: eight bytes at a time, without a branch per
    /// metacharacter. Each byte of a word gets the bytes its escape adds (`&amp;` and `&#39;` are
    /// five bytes, `&lt;` and `&gt;` four, `&quot;` six), and one multiplication sums the eight.
    private static func htmlLength(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        var length = text.count
        var index = 0
        while index + 8 <= text.count {
            let found = metacharacters(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // A byte is at most one metacharacter, so the ORs add; the sum (at most 40) fits the top byte.
            let added = (found.ampersandOrApostrophe >> 7) &* 4 | (found.angleBracket >> 7) &* 3 | (found.quote >> 7) &* 5
            length += Int((added &* ones) >> 56)
            index += 8
        }
        for byte in text[index...] where isMetacharacter(byte) { length += entity(byte).utf8CodeUnitCount - 1 }
        return length
    }

    /// Writes `text` HTML-escaped at `output`; returns the end of what it wrote. Eight bytes at a
    /// time, with eight-byte stores: the word is stored whole, and where it holds a metacharacter
    /// the cursor moves only past the bytes before it, the entity is stored over the rest
    /// (`entities`), and the word's remaining bytes follow. Each store may leave scratch bytes
    /// past the cursor, which the next overwrites; none reaches `limit`, as the words closer to
    /// it than `wordReach` are written byte by byte.
    private static func writeHTML(
        _ text: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>, limit: UnsafeMutablePointer<UInt8>,
        entities: UnsafeBufferPointer<UInt64>
    ) -> UnsafeMutablePointer<UInt8> {
        guard let base = text.baseAddress, let entities = entities.baseAddress else { return output }
        var cursor = output
        var index = 0
        while index &+ 8 <= text.count, cursor.distance(to: limit) >= wordReach {
            var word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let kinds = metacharacters(word)
            var found = kinds.ampersandOrApostrophe | kinds.angleBracket | kinds.quote
            var left = 8
            while found != 0 {
                let before = found.trailingZeroBitCount &>> 3
                UnsafeMutableRawPointer(cursor).storeBytes(of: word, as: UInt64.self)
                cursor += before
                let entity = entities[Int(truncatingIfNeeded: word >> UInt64(before &* 8)) & 63]
                UnsafeMutableRawPointer(cursor).storeBytes(of: entity, as: UInt64.self)
                cursor += Int(truncatingIfNeeded: entity >> 56)
                // Past the metacharacter (a shift by 64 leaves nothing).
                let consumed = UInt64(before &+ 1) &* 8
                word = word >> consumed
                found = found >> consumed
                left &-= before &+ 1
            }
            UnsafeMutableRawPointer(cursor).storeBytes(of: word, as: UInt64.self)
            cursor += left
            index &+= 8
        }
        for byte in text[index...] { cursor = writeHTML(byte, to: cursor) }
        return cursor
    }

    /// How close to the end of its output a word may be stored whole: eight metacharacters
    /// write 48 bytes, and the last eight-byte store starts at most there.
    private static let wordReach = 56

    /// For each metacharacter, at its byte's low six bits (`"` 0x22, `&` 0x26, `'` 0x27, `<` 0x3C
    /// and `>` 0x3E differ there): its entity's bytes as a little-endian word, and in the top
    /// byte the entity's length (entities are at most six bytes; the top byte is scratch).
    private static let entityWords: [UInt64] = {
        var words = [UInt64](repeating: 0, count: 64)
        for byte in [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'")] {
            let entity = entity(byte)
            var word = UInt64(entity.utf8CodeUnitCount) << 56
            for (offset, unit) in UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount).enumerated() {
                word |= UInt64(unit) << (8 * offset)
            }
            words[Int(byte & 63)] = word
        }
        return words
    }()

    /// Writes one byte HTML-escaped at `cursor`; returns the end of what it wrote.
    private static func writeHTML(_ byte: UInt8, to cursor: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        guard isMetacharacter(byte) else {
            cursor.initialize(to: byte)
            return cursor + 1
        }
        let entity = entity(byte)
        cursor.initialize(from: entity.utf8Start, count: entity.utf8CodeUnitCount)
        return cursor + entity.utf8CodeUnitCount
    }

    private static func isMetacharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }

    /// The character reference `html` writes for one of the five metacharacters.
    static func entity(_ byte: UInt8) -> StaticString {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        default: "&#39;"
        }
    }

    /// The metacharacters of eight bytes read as a word: 0x80 in each byte that is `&` or `'`,
    /// `<` or `>`, and `"`. Exact, so the bits can be counted: no borrow crosses from one byte to
    /// the next. `&` (0x26) and `'` (0x27) differ only in bit 0, `<` (0x3C) and `>` (0x3E) only in
    /// bit 1, so one comparison finds each pair.
    private static func metacharacters(_ word: UInt64) -> (ampersandOrApostrophe: UInt64, angleBracket: UInt64, quote: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        /// 0x80 in each byte of `word` that is zero.
        func zeroBytes(_ word: UInt64) -> UInt64 {
            let lows = ones &* 0x7F
            return ~(((word & lows) &+ lows) | word | lows)
        }
        return (zeroBytes((word | ones) ^ (ones &* 0x27)), zeroBytes((word | ones &* 0x02) ^ (ones &* 0x3E)), zeroBytes(word ^ (ones &* 0x22)))
    }

    /// The character reference for `<`, as `markdown` writes it too.
    enum Entities {
        static let lessThan = Array("&lt;".utf8)
    }

    private static let quotedApostrophe = Array("'\\''".utf8)

    /// One POSIX shell word: the text in single quotes, each `'` written `'\''`. Inside single
    /// quotes nothing is special — not `$`, backticks, `\`, `;` or a newline — so the shell
    /// passes the text as exactly one argument.
    static func shell(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "'")]
        output.reserveCapacity(text.count + 2)
        text.withUnsafeBufferPointer { text in
            var runStart = 0
            while true {
                let index = nextIndex(of: UInt8(ascii: "'"), in: text, from: runStart)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
                guard index < text.count else { break }
                output.append(contentsOf: quotedApostrophe)
                runStart = index + 1
            }
        }
        output.append(UInt8(ascii: "'"))
        return output
    }

    /// The frame the `model` sink puts around tool output.
    static let frameTag = Array("tool_output".utf8)

    private static let fullwidthLessThan = Array("＜".utf8)

    /// The text between `<tool_output …>` and `</tool_output>` lines. Inside, every `<tool_output`
    /// and `</tool_output` (any case) has its `<` replaced by `＜` (U+FF1C), so the output can
    /// neither close its frame nor open a fake one. Returns the framed text and the offsets (in
    /// `text`) of the tags neutralised. Runs between tags are copied whole.
    static func model(_ text: [UInt8], stream: String, tool: String?) -> (bytes: [UInt8], neutralised: [Range<Int>]) {
        let toolAttribute = tool.map { " tool=\"\(String(decoding: html(Array($0.utf8)), as: UTF8.self))\"" } ?? ""
        var output = Array("<tool_output\(toolAttribute) stream=\"\(stream)\">\n".utf8)
        output.reserveCapacity(output.count + text.count + 16)
        var neutralised: [Range<Int>] = []
        text.withUnsafeBufferPointer { text in
            var runStart = 0
            var index = nextIndex(of: UInt8(ascii: "<"), in: text, from: 0)
            while index < text.count {
                if let length = frameTagLength(text, at: index) {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
                    output += fullwidthLessThan
                    neutralised.append(index..<index + length)
                    runStart = index + 1
                }
                index = nextIndex(of: UInt8(ascii: "<"), in: text, from: index + 1)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
        }
        output += Array("\n</tool_output>".utf8)
        return (output, neutralised)
    }

    /// The length of `<tool_output` or `</tool_output` (ASCII case ignored) at `index`.
    private static func frameTagLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        var start = index + 1
        if start < text.count, text[start] == UInt8(ascii: "/") { start += 1 }
        guard start + frameTag.count <= text.count else { return nil }
        for (offset, byte) in frameTag.enumerated() where asciiLowercased(text[start + offset]) != byte { return nil }
        return start + frameTag.count - index
    }

    /// The first index at or after `start` holding `byte`, or the count (`memchr`: many bytes at
    /// a time).
    private static func nextIndex(of byte: UInt8, in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < text.count, let base = text.baseAddress, let found = memchr(base + start, Int32(byte), text.count - start) else {
            return text.count
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
