/// The `markdown` sink: text that a Markdown renderer can show without fetching or linking to
/// anything remote.
///
/// - An inline link or image whose destination is remote (it has a scheme such as `https:` or
///   `javascript:`, or starts with `//`) becomes its visible text: `[docs](https://x)` → `docs`,
///   `![chart](https://host/?q=secret)` → `chart`. Relative links stay.
/// - An autolink `<https://…>` and a bare `scheme://` URL lose their power to link: `://` is
///   written `[:]//` (the "defanged" form), which no renderer links.
/// - A reference definition (`[id]: https://…`) is removed, so `![x][id]` stays plain text.
/// - Every other `<` is written `&lt;`, so raw HTML (`<img src=…>`) is shown, not rendered.
enum MarkdownSink {
    /// The neutralised text and the input ranges of what was changed, each with its kind
    /// (`markdown_link`, `markdown_url`, `markdown_reference`).
    static func neutralise(_ text: [UInt8]) -> (bytes: [UInt8], neutralised: [(range: Range<Int>, detector: String)]) {
        var pass = MarkdownPass(text: text)
        pass.run()
        return (pass.output, pass.neutralised)
    }
}

private struct MarkdownPass {
    let text: [UInt8]
    var output: [UInt8] = []
    var neutralised: [(range: Range<Int>, detector: String)] = []
    /// How far a bracket or parenthesis is searched for its partner.
    static let reach = 4096

    init(text: [UInt8]) {
        self.text = text
        output.reserveCapacity(text.count)
    }

    mutating func run() { process(0..<text.count, topLevel: true) }

    private mutating func process(_ range: Range<Int>, topLevel: Bool) {
        var index = range.lowerBound
        var lineStart = true
        while index < range.upperBound {
            let byte = text[index]
            if lineStart, let end = referenceDefinitionEnd(at: index, limit: range.upperBound) {
                if topLevel { neutralised.append((index..<end, "markdown_reference")) }
                index = end
                continue
            }
            lineStart = byte == 0x0A
            switch byte {
            case UInt8(ascii: "\\") where index + 1 < range.upperBound && text[index + 1] != 0x0A:
                output.append(byte)
                if text[index + 1] == UInt8(ascii: "<") { output.append(contentsOf: TextSinks.Entities.lessThan) } else { output.append(text[index + 1]) }
                index += 2
            case UInt8(ascii: "!") where index + 1 < range.upperBound && text[index + 1] == UInt8(ascii: "["):
                index = link(at: index + 1, image: true, limit: range.upperBound, topLevel: topLevel)
            case UInt8(ascii: "["):
                index = link(at: index, image: false, limit: range.upperBound, topLevel: topLevel)
            case UInt8(ascii: "<"):
                output.append(contentsOf: TextSinks.Entities.lessThan)
                index += 1
            case UInt8(ascii: ":") where isSchemeSeparator(at: index, limit: range.upperBound):
                output += Array("[:]".utf8)
                if topLevel { neutralised.append((index..<index + 3, "markdown_url")) }
                index += 1
            default:
                output.append(byte)
                index += 1
            }
        }
    }

    /// `[text](destination)` at `open` (the `[`): the visible text alone when the destination is
    /// remote, else the link as written. Returns where to continue.
    private mutating func link(at open: Int, image: Bool, limit: Int, topLevel: Bool) -> Int {
        let start = image ? open - 1 : open
        guard let close = partner(of: open, opening: UInt8(ascii: "["), closing: UInt8(ascii: "]"), limit: limit),
            close + 1 < limit, text[close + 1] == UInt8(ascii: "("),
            let end = partner(of: close + 1, opening: UInt8(ascii: "("), closing: UInt8(ascii: ")"), limit: limit)
        else {
            if image { output.append(UInt8(ascii: "!")) }
            output.append(UInt8(ascii: "["))
            return open + 1
        }
        if isRemote(destination(close + 2..<end)) {
            if topLevel { neutralised.append((start..<end + 1, "markdown_link")) }
            process(open + 1..<close, topLevel: false)
        } else {
            if image { output.append(UInt8(ascii: "!")) }
            output.append(UInt8(ascii: "["))
            process(open + 1..<close, topLevel: false)
            output += Array("](".utf8)
            process(close + 2..<end, topLevel: false)
            output.append(UInt8(ascii: ")"))
        }
        return end + 1
    }

    /// The matching bracket, skipping backslash escapes and nested pairs, within `reach` and
    /// not across a blank line.
    private func partner(of open: Int, opening: UInt8, closing: UInt8, limit: Int) -> Int? {
        var depth = 0
        var index = open
        let end = min(limit, open + Self.reach)
        while index < end {
            let byte = text[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == 0x0A, index + 1 < end, text[index + 1] == 0x0A { return nil }
            if byte == opening { depth += 1 }
            if byte == closing {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// The destination of a link: up to the first space (a title may follow), without `<…>`.
    private func destination(_ range: Range<Int>) -> ArraySlice<UInt8> {
        var slice = text[range].drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }
        if let space = slice.firstIndex(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }) { slice = slice[..<space] }
        if slice.first == UInt8(ascii: "<") { slice = slice.dropFirst() }
        return slice
    }

    /// A scheme (`https:`, `javascript:`, `data:`) before any `/`, `?` or `#`, or a leading `//`
    /// or `\\`: anything a renderer would resolve outside the document.
    private func isRemote(_ destination: ArraySlice<UInt8>) -> Bool {
        let lowered = destination.map(asciiLowercased)
        if lowered.starts(with: Array("//".utf8)) || lowered.starts(with: Array("\\\\".utf8)) || lowered.starts(with: Array("/\\".utf8)) {
            return true
        }
        for byte in lowered {
            if byte == UInt8(ascii: ":") { return true }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { return false }
        }
        return false
    }

    /// `:` followed by `//` and preceded by a scheme letter: a URL a renderer would link.
    private func isSchemeSeparator(at index: Int, limit: Int) -> Bool {
        index > 0 && isLetter(text[index - 1]) && index + 2 < limit
            && text[index + 1] == UInt8(ascii: "/") && text[index + 2] == UInt8(ascii: "/")
    }

    /// A reference definition line, `   [label]: destination …`, ending after its newline.
    private func referenceDefinitionEnd(at start: Int, limit: Int) -> Int? {
        var index = start
        while index < limit, index - start < 3, text[index] == 0x20 { index += 1 }
        guard index < limit, text[index] == UInt8(ascii: "["),
            let close = partner(of: index, opening: UInt8(ascii: "["), closing: UInt8(ascii: "]"), limit: limit),
            close + 1 < limit, text[close + 1] == UInt8(ascii: ":")
        else { return nil }
        var end = close + 2
        while end < limit, text[end] != 0x0A { end += 1 }
        return min(end + 1, limit)
    }
}
