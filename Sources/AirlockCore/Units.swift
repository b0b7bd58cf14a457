/// Human units for sizes and durations, as written in policies and on the command line.
///
/// Sizes take `B`, `KiB`, `MiB`, `GiB` (powers of 1024) and `kB`, `MB`, `GB` (powers of 1000);
/// a bare number is bytes. Durations take `ms`, `s`, `m`, `h`; a bare number is rejected so a
/// limit is never ambiguous.
public enum UnitError: Error, Equatable, CustomStringConvertible {
    case empty
    case notANumber(String)
    case unknownUnit(String, allowed: [String])
    case notPositive(String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty: return "empty value"
        case .notANumber(let text): return "`\(text)` is not a number followed by a unit"
        case .unknownUnit(let unit, let allowed):
            return "unknown unit `\(unit)` (use one of \(allowed.joined(separator: ", ")))"
        case .notPositive(let text): return "`\(text)` must be greater than zero"
        case .tooLarge(let text): return "`\(text)` is too large"
        }
    }
}

/// A number of bytes.
public struct ByteCount: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var bytes: UInt64

    public init(_ bytes: UInt64) { self.bytes = bytes }
    public static func kib(_ n: UInt64) -> ByteCount { ByteCount(n << 10) }
    public static func mib(_ n: UInt64) -> ByteCount { ByteCount(n << 20) }
    public static func gib(_ n: UInt64) -> ByteCount { ByteCount(n << 30) }

    static let units: [(String, UInt64)] = [
        ("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("kB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000),
    ]

    /// Parses `256MiB`, `1 GiB`, `4096`. Zero is rejected: a zero limit is always a mistake.
    public init(parsing text: String) throws(UnitError) {
        let (number, unit) = try splitQuantity(text)
        let multiplier: UInt64
        if unit.isEmpty {
            multiplier = 1
        } else if let match = Self.units.first(where: { $0.0 == unit }) {
            multiplier = match.1
        } else {
            throw .unknownUnit(unit, allowed: Self.units.map(\.0))
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw .tooLarge(text) }
        guard product > 0 else { throw .notPositive(text) }
        self.bytes = product
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    /// The shortest exact rendering: `1MiB`, `1536KiB`, `1000B`.
    public var description: String {
        for (unit, size) in [("GiB", UInt64(1) << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }

    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}

/// A span of time with millisecond precision, as limits need no more.
public struct Milliseconds: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }
    public static func seconds(_ n: UInt64) -> Milliseconds { Milliseconds(n * 1000) }

    static let units: [(String, UInt64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]

    /// Parses `500ms`, `10s`, `2m`, `1h`. A unit is required; zero is rejected.
    public init(parsing text: String) throws(UnitError) {
        let (number, unit) = try splitQuantity(text)
        guard let match = Self.units.first(where: { $0.0 == unit }) else {
            throw .unknownUnit(unit.isEmpty ? "(none)" : unit, allowed: Self.units.map(\.0))
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: match.1)
        guard !overflow else { throw .tooLarge(text) }
        guard product > 0 else { throw .notPositive(text) }
        self.value = product
    }

    public static func < (a: Milliseconds, b: Milliseconds) -> Bool { a.value < b.value }

    public var description: String {
        for (unit, size) in [("h", UInt64(3_600_000)), ("m", 60_000), ("s", 1000)]
        where value >= size && value % size == 0 {
            return "\(value / size)\(unit)"
        }
        return "\(value)ms"
    }

    /// Whole seconds, rounded up (what `RLIMIT_CPU` can express).
    public var secondsRoundedUp: UInt64 { (value + 999) / 1000 }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Splits `"256 MiB"` into `(256, "MiB")`. Only decimal integers: limits are whole units.
private func splitQuantity(_ text: String) throws(UnitError) -> (UInt64, String) {
    let trimmed = text.trimmingSpaces
    guard !trimmed.isEmpty else { throw .empty }
    let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
    guard !digits.isEmpty else { throw .notANumber(text) }
    guard let number = UInt64(digits) else { throw .tooLarge(text) }
    let unit = trimmed.dropFirst(digits.count).trimmingSpaces
    return (number, String(unit))
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let s = self[...]
        let start = s.firstIndex(where: { $0 != " " }) ?? s.endIndex
        let end = s.lastIndex(where: { $0 != " " }).map { s.index(after: $0) } ?? start
        return Substring(s[start..<end])
    }
}
