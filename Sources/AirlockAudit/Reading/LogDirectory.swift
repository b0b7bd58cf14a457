/// The files of a log directory: `000001.jsonl`, `000002.jsonl`, … (six digits or more), and
/// `policies/<sha256>.yaml`, and `.writer.lock`, which the writing process holds. Anything else
/// in the directory is ignored.
public enum LogDirectory {
    public static let policiesName = "policies"
    static let writerLockName = ".writer.lock"

    public static func fileName(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jsonl"
    }

    /// The number of a log file name, or nil for other names.
    static func number(ofFileName name: String) -> Int? {
        guard name.hasSuffix(".jsonl") else { return nil }
        let digits = name.dropLast(6)
        guard digits.count >= 6, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(digits)
    }

    /// Log file numbers in `directory`, ascending; empty when the directory does not exist.
    public static func fileNumbers(in directory: String) throws(LogError) -> [Int] {
        (try LogIO.list(directory) ?? []).compactMap(number(ofFileName:)).sorted()
    }

    public static func path(_ directory: String, _ number: Int) -> String { directory + "/" + fileName(number) }

    public static func policyPath(_ directory: String, digest: String) -> String {
        directory + "/" + policiesName + "/" + digest + ".yaml"
    }
}

/// The lines of a file's bytes, numbered from 1, up to its padding (the zero bytes the writer
/// reserves after the records of the file it is writing). The last line has `terminated` false
/// when the records do not end in `\n`.
struct LogLine {
    var number: Int
    var start: Int
    var end: Int
    var terminated: Bool
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes before the padding: up to and including the last byte that is not zero. (A
    /// record is JSON, which never holds a zero byte.)
    var unpaddedCount: Int {
        var end = count
        while end > 0, self[end - 1] == 0 { end -= 1 }
        return end
    }

    func forEachLogLine(_ body: (LogLine) -> Bool) {
        let count = unpaddedCount
        var start = 0
        var number = 1
        while start < count {
            var end = start
            if let base = baseAddress, let found = memchr(base + start, 10, count - start) {
                end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            } else {
                end = count
            }
            guard body(LogLine(number: number, start: start, end: end, terminated: end < count)) else { return }
            start = end + 1
            number += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
