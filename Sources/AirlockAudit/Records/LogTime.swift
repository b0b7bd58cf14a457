#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AirlockCore

/// A UTC instant with microsecond precision, written as RFC 3339 with exactly six fractional
/// digits: `2026-11-30T08:12:00.123456Z`. One fixed width, so the text sorts as time does.
public struct LogTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The system's real-time clock.
    public static func now() -> LogTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LogTime(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// The whole second at or before this instant, as decisions take it.
    public var epochSeconds: EpochSeconds { EpochSeconds(UInt64(max(0, microseconds / 1_000_000))) }

    public static func < (a: LogTime, b: LogTime) -> Bool { a.microseconds < b.microseconds }

    public var description: String { text }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public var text: String {
        let seconds = microseconds.floorDivided(by: 1_000_000)
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Reads `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` or with 1 to 6 fractional digits; UTC only.
    public init?(text: String) {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for c in b[range] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros = (Self.days(fromCivil: year, month, day) * 86_400) * 1_000_000
        if b.count > 10 {
            guard b.count >= 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
                let h = number(11..<13), let m = number(14..<16), let s = number(17..<19), h < 24, m < 60, s < 61,
                b.last == UInt8(ascii: "Z")
            else { return nil }
            micros += (h * 3600 + m * 60 + s) * 1_000_000
            if b.count > 20 {
                let digits = b.count - 21
                guard b[19] == UInt8(ascii: "."), (1...6).contains(digits), var f = number(20..<(20 + digits)) else { return nil }
                for _ in digits..<6 { f *= 10 }
                micros += f
            } else if b[19] != UInt8(ascii: "Z") {
                return nil
            }
        }
        self.microseconds = micros
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count since 1970.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The inverse, `days_from_civil`.
    static func days(fromCivil y0: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? y0 - 1 : y0
        let era = y.floorDivided(by: 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Int64 {
    fileprivate func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
