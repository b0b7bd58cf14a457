/// Exact comparison and equality of JSON values as JSON Schema defines them: `1` and `1.0` are
/// the same number, and an `Int64` is never rounded through a `Double` when that would change
/// the answer (`9007199254740993` is greater than `9007199254740992.0`).
enum JSONNumbers {
    /// -1, 0 or 1; `nil` when either value is not a number.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.number(let x), .number(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.integer(let x), .number(let y)): return compare(x, y)
        case (.number(let x), .integer(let y)): return -compare(y, x)
        default: return nil
        }
    }

    /// Compares an integer with a finite double without losing precision.
    static func compare(_ i: Int64, _ d: Double) -> Int {
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = d.rounded(.down)
        let wholeInt = Int64(whole)
        if i < wholeInt { return -1 }
        if i > wholeInt { return 1 }
        return d > whole ? -1 : 0
    }

    /// Whether a number has no fractional part (`1.0` is an integer for `type: integer`).
    static func isIntegral(_ value: JSONValue) -> Bool {
        switch value {
        case .integer: return true
        case .number(let d): return d.isFinite && d.rounded(.towardZero) == d
        default: return false
        }
    }

    /// JSON Schema equality: numbers by value, objects by keys and values, arrays in order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer, _), (.number, _):
            return compare(a, b) == 0
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }
}
