import AirlockCore

/// The text of one record: `{"seq":N,"time":"…","prev":"…","kind":"…",<fields in key byte order>}`.
///
/// The four leading members are always first and in this order; the rest are serialised as
/// `JSONSerializer` writes any object (compact, keys sorted by their UTF-8 bytes). The record's
/// hash is the SHA-256 of exactly these bytes, without the line's `\n`.
enum RecordLine {
    static func encode(seq: UInt64, time: LogTime, prev: String, kind: LogRecordKind, fields: [String: JSONValue]) -> [UInt8] {
        JSONSerializer.serializeObject(
            leading: [
                ("seq", .integer(Int64(clamping: seq))), ("time", .string(time.text)), ("prev", .string(prev)),
                ("kind", .string(kind.rawValue)),
            ],
            rest: fields)
    }
}

/// The leading members of a record line, read in place without parsing the rest (the verifier
/// reads millions of lines; a full parse is only needed for checkpoints and headers).
struct RecordPrefix {
    var seq: UInt64
    /// Byte ranges in the line's buffer.
    var time: Range<Int>
    var prev: Range<Int>
    var kind: Range<Int>

    private static let seqKey = Array(#"{"seq":"#.utf8)
    private static let timeKey = Array(#","time":""#.utf8)
    private static let prevKey = Array(#"","prev":""#.utf8)
    private static let kindKey = Array(#"","kind":""#.utf8)
    static let timeLength = 27

    /// Nil unless `buffer[start..<end]` starts exactly as `RecordLine.encode` writes a record.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> RecordPrefix? {
        var i = start
        func literal(_ bytes: [UInt8]) -> Bool {
            guard end - i >= bytes.count else { return false }
            for k in 0..<bytes.count where b[i + k] != bytes[k] { return false }
            i += bytes.count
            return true
        }
        guard literal(seqKey) else { return nil }
        var seq: UInt64 = 0
        let digitsStart = i
        while i < end, b[i] >= 48, b[i] <= 57, i - digitsStart < 19 {
            seq = seq * 10 + UInt64(b[i] - 48)
            i += 1
        }
        guard i > digitsStart, b[digitsStart] != 48 || i == digitsStart + 1 else { return nil }
        guard literal(timeKey), end - i >= timeLength else { return nil }
        let time = i..<(i + timeLength)
        i += timeLength
        guard literal(prevKey), end - i >= 64 else { return nil }
        let prev = i..<(i + 64)
        for k in prev where !(b[k] >= 48 && b[k] <= 57) && !(b[k] >= 97 && b[k] <= 102) { return nil }
        i += 64
        guard literal(kindKey) else { return nil }
        let kindStart = i
        while i < end, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "\""), i + 1 < end, b[i + 1] == UInt8(ascii: ",") || b[i + 1] == UInt8(ascii: "}") else {
            return nil
        }
        return RecordPrefix(seq: seq, time: time, prev: prev, kind: kindStart..<i)
    }
}
