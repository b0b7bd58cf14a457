import Foundation

/// A UTC instant in whole seconds since 1970-01-01T00:00:00Z, as token caveats carry it.
///
/// A dedicated type (rather than a bare integer or a `Date`) keeps seconds from being confused
/// with the milliseconds that limits use, and keeps the encoded value exact.
public struct EpochSeconds: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// The last whole second at or before `date` (dates before 1970 become 0).
    public init(roundingDown date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        self.value = seconds <= 0 ? 0 : seconds >= 1.8e19 ? UInt64.max : UInt64(seconds)
    }

    /// The first whole second at or after `date`.
    public init(roundingUp date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.up)
        self.value = seconds <= 0 ? 0 : seconds >= 1.8e19 ? UInt64.max : UInt64(seconds)
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(value)) }

    /// Adds a duration, saturating instead of trapping on absurd values.
    public func adding(seconds: UInt64) -> EpochSeconds {
        let (sum, overflow) = value.addingReportingOverflow(seconds)
        return EpochSeconds(overflow ? .max : sum)
    }

    public static func < (a: EpochSeconds, b: EpochSeconds) -> Bool { a.value < b.value }

    /// ISO 8601 in UTC, `2025-01-31T12:00:00Z`; the raw number past year 9999.
    public var description: String {
        guard value < 253_402_300_800 else { return "\(value)s" }
        return date.ISO8601Format()
    }
}
