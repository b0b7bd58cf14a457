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
            for index in 0..<input.count {
                let entity: [UInt8]
                switch input[index] {
                case UInt8(ascii: "&"): entity = Entities.ampersand
                case UInt8(ascii: "<"): entity = Entities.lessThan
                case UInt8(ascii: ">"): entity = Entities.greaterThan
                case UInt8(ascii: "\""): entity = Entities.quote
                case UInt8(ascii: "'"): entity = Entities.apostrophe
                default: continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                output.append(contentsOf: entity)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart...]))
        }
        return output
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
