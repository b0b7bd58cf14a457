/// JSON Lines: one JSON value per line, each line ending in `\n` (a `\r` before it is
/// whitespace and allowed). The last line may omit its `\n`. A blank line is an error, because
/// in a tool's output or a log it means something was lost or padded, never a value.
///
/// Errors carry the absolute line and column in the whole input, so "line 812" is the line an
/// editor shows.
public enum JSONLines {
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> [JSONValue] {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> [JSONValue] in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> [JSONValue] {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> [JSONValue] in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> [JSONValue] {
        var values: [JSONValue] = []
        try forEachLine(buffer, maxDepth: maxDepth, buildsValues: true) { values.append($0) }
        return values
    }

    /// Checks every line as `parse` would, without building values; returns the number of values.
    public static func validate(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> Int {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> Int in
                var count = 0
                try forEachLine(buffer, maxDepth: maxDepth, buildsValues: false) { _ in count += 1 }
                return count
            }
        }
        return try result.get()
    }

    private static func forEachLine(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int, buildsValues: Bool, _ body: (JSONValue) -> Void
    ) throws(JSONParseError) {
        var lineStart = 0
        while lineStart < buffer.count {
            var lineEnd = lineStart
            while lineEnd < buffer.count, buffer[lineEnd] != ASCII.newline { lineEnd += 1 }
            var reader = JSONReader(buffer: buffer, start: lineStart, end: lineEnd, maxDepth: maxDepth, buildsValues: buildsValues)
            reader.skipWhitespace()
            guard reader.index < lineEnd else {
                throw JSONParseError.at(lineStart, in: buffer, .emptyLine, "empty line, expected a JSON value")
            }
            body(try reader.parseDocument())
            lineStart = lineEnd + 1
        }
    }

    /// Each value compact and key-sorted, one per line, every line ending in `\n`.
    public static func serialize(_ values: [JSONValue]) -> [UInt8] {
        var output: [UInt8] = []
        for value in values {
            output.append(contentsOf: JSONSerializer.serialize(value))
            output.append(ASCII.newline)
        }
        return output
    }
}
