/// Why a JSON document was refused, and exactly where: `unexpected character '}' at line 3,
/// column 7`.
///
/// The position is computed only when an error is thrown, so valid input pays nothing for it.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of mistake, for programs (tests, the output guard's finding codes).
    public enum Kind: String, Hashable, Sendable {
        case unexpectedCharacter
        case unexpectedEnd
        case trailingComma
        case trailingData
        case leadingZero
        case invalidNumber
        case numberOutOfRange
        case invalidEscape
        case loneSurrogate
        case controlCharacter
        case invalidUTF8
        case duplicateKey
        case tooDeep
        case byteOrderMark
        case emptyLine
    }

    public var kind: Kind
    /// 0-based byte offset of the offending byte in the input.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars as editors count them.
    public var column: Int
    /// A short sentence without the position: `unexpected character '}', expected a value`.
    public var message: String

    public init(kind: Kind, offset: Int, line: Int, column: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(message) at line \(line), column \(column)" }

    /// Builds an error at `offset` of `buffer`, computing its line and column.
    static func at(
        _ offset: Int, in buffer: UnsafeBufferPointer<UInt8>, _ kind: Kind, _ message: String
    ) -> JSONParseError {
        let (line, column) = position(of: offset, in: buffer)
        return JSONParseError(kind: kind, offset: offset, line: line, column: column, message: message)
    }

    /// The 1-based line and column of `offset` in `buffer`, columns counted in Unicode scalars.
    static func position(of offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 0
        while index < offset && index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}
