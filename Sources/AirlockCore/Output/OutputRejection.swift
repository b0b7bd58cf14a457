/// Why a call's output was refused (`output_invalid`): the tool broke the promise its rules
/// make (JSON that does not parse or match the schema, bytes that are not UTF-8 under
/// `encoding: reject`, JSON too large to deliver whole), and exactly where.
public struct OutputRejection: Error, Hashable, Sendable, CustomStringConvertible {
    public static let code = "output_invalid"

    public var stream: OutputStreamName
    /// A sentence for the model: `stdout is not valid JSON: unexpected character '}' …`.
    public var message: String
    /// Byte offset in the original stream, where one applies.
    public var offset: Int?
    /// 1-based line and column (columns in Unicode scalars) of `offset` in the original stream.
    public var line: Int?
    public var column: Int?
    /// For a schema mismatch: the JSON pointer of the offending value.
    public var pointer: String?

    public init(stream: OutputStreamName, message: String, offset: Int? = nil, line: Int? = nil, column: Int? = nil, pointer: String? = nil) {
        self.stream = stream
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
        self.pointer = pointer
    }

    public var description: String { "\(Self.code): \(message)" }

    /// `{code, stream, message}` and whichever of `offset`, `line`, `column`, `pointer` apply.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "code": .string(Self.code), "stream": .string(stream.rawValue), "message": .string(message),
        ]
        if let offset { object["offset"] = .integer(Int64(offset)) }
        if let line { object["line"] = .integer(Int64(line)) }
        if let column { object["column"] = .integer(Int64(column)) }
        if let pointer { object["pointer"] = .string(pointer) }
        return .object(object)
    }

    /// The 1-based line and column of `offset` in `bytes`, columns counted in Unicode scalars.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        bytes.withUnsafeBufferPointer { JSONParseError.position(of: offset, in: $0) }
    }
}
