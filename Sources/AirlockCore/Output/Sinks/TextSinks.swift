/// The sinks that only escape: `html`, `shell` and `model`'s frame.
enum TextSinks {
    /// `&`, `<`, `>`, `"` and `'` as character references, so the text can sit in an element or
    /// a quoted attribute without opening a tag, an attribute or a script.
    static func html(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + text.count / 8)
        text.withUnsafeBufferPointer { input in
            // Runs of ordinary bytes are copied whole; only the five metacharacters are rewritten.
            var runStart = 0
            var index = 0
            while true {
                index = nextHTMLMetacharacter(input, from: index)
                guard index < input.count else { break }
                let entity: [UInt8]
                switch input[index] {
                case UInt8(ascii: "&"): entity = Entities.ampersand
                case UInt8(ascii: "<"): entity = Entities.lessThan
                case UInt8(ascii: ">"): entity = Entities.greaterThan
                case UInt8(ascii: "\""): entity = Entities.quote
                default: entity = Entities.apostrophe
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                output.append(contentsOf: entity)
                index += 1
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart...]))
        }
        return output
    }

    /// The first index at or after `start` holding `&`, `<`, `>`, `"` or `'`, or the count. Eight
    /// bytes at a time: a word holds none of them when no byte of it XOR each one is zero.
    static func nextHTMLMetacharacter(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = input.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        /// Non-zero when some byte of `word` is zero.
        func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        var index = start
        while index + 8 <= input.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let found =
                zeroBytes(word ^ (ones &* 0x26)) | zeroBytes(word ^ (ones &* 0x3C)) | zeroBytes(word ^ (ones &* 0x3E))
                | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x27))
            guard found == 0 else { break }
            index += 8
        }
        while index < input.count {
            switch input[index] {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): return index
            default: index += 1
            }
        }
        return index
    }

    /// The character references `html` writes (and `markdown` for `<`).
    enum Entities {
        static let ampersand = Array("&amp;".utf8)
        static let lessThan = Array("&lt;".utf8)
        static let greaterThan = Array("&gt;".utf8)
        static let quote = Array("&quot;".utf8)
        static let apostrophe = Array("&#39;".utf8)
    }

    private static let quotedApostrophe = Array("'\\''".utf8)

    /// One POSIX shell word: the text in single quotes, each `'` written `'\''`. Inside single
    /// quotes nothing is special — not `$`, backticks, `\`, `;` or a newline — so the shell
    /// passes the text as exactly one argument.
    static func shell(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "'")]
        output.reserveCapacity(text.count + 2)
        for byte in text {
            if byte == UInt8(ascii: "'") {
                output.append(contentsOf: quotedApostrophe)
            } else {
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "'"))
        return output
    }

    /// The frame the `model` sink puts around tool output.
    static let frameTag = Array("tool_output".utf8)

    /// The text between `<tool_output …>` and `</tool_output>` lines. Inside, every `<tool_output`
    /// and `</tool_output` (any case) has its `<` replaced by `＜` (U+FF1C), so the output can
    /// neither close its frame nor open a fake one. Returns the framed text and the offsets (in
    /// `text`) of the tags neutralised.
    static func model(_ text: [UInt8], stream: String, tool: String?) -> (bytes: [UInt8], neutralised: [Range<Int>]) {
        let toolAttribute = tool.map { " tool=\"\(String(decoding: html(Array($0.utf8)), as: UTF8.self))\"" } ?? ""
        var output = Array("<tool_output\(toolAttribute) stream=\"\(stream)\">\n".utf8)
        output.reserveCapacity(output.count + text.count + 16)
        var neutralised: [Range<Int>] = []
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "<"), let length = frameTagLength(text, at: index) {
                output += Array("＜".utf8)
                neutralised.append(index..<index + length)
                index += 1
                continue
            }
            output.append(text[index])
            index += 1
        }
        output += Array("\n</tool_output>".utf8)
        return (output, neutralised)
    }

    /// The length of `<tool_output` or `</tool_output` (ASCII case ignored) at `index`.
    private static func frameTagLength(_ text: [UInt8], at index: Int) -> Int? {
        var start = index + 1
        if start < text.count, text[start] == UInt8(ascii: "/") { start += 1 }
        guard start + frameTag.count <= text.count else { return nil }
        for (offset, byte) in frameTag.enumerated() where asciiLowercased(text[start + offset]) != byte { return nil }
        return start + frameTag.count - index
    }
}
