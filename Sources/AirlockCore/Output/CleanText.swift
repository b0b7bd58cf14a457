/// Output after the first stage: valid UTF-8 (or the offset of the first invalid byte), without
/// terminal escape sequences and control characters except `\n` and `\t`, and a map back to the
/// original bytes.
struct CleanText {
    var bytes: [UInt8] = []
    var map = OffsetMap()
    /// Each OSC, DCS/SOS/PM/APC string and invalid UTF-8 sequence, up to `maxEvents`.
    var events: [Event] = []
    /// Frequent, individually uninteresting removals (CSI such as colours, lone ESC, C0 and C1
    /// controls): the first occurrence and how many there were, per kind.
    var tallies: [String: Tally] { Dictionary(uniqueKeysWithValues: tallied.map { ($0.detector, $0.tally) }) }
    /// The same, in the order the kinds first occurred: a handful, found by comparing names
    /// rather than hashing them for each removal.
    private var tallied: [(detector: String, tally: Tally)] = []
    /// Events past `maxEvents`, counted but not kept.
    var omittedEvents = 0
    /// With `encoding: reject`, the original offset of the first byte that is not UTF-8.
    var firstInvalidByte: Int?

    static let maxEvents = 256

    struct Event {
        var detector: String
        var range: Range<Int>
        var replaced: Bool
    }

    struct Tally {
        var first: Range<Int>
        var count: Int
    }

    mutating func record(_ detector: String, _ range: Range<Int>, replaced: Bool = false) {
        guard events.count < Self.maxEvents else {
            omittedEvents += 1
            return
        }
        events.append(Event(detector: detector, range: range, replaced: replaced))
    }

    mutating func tally(_ detector: String, _ range: Range<Int>) {
        if let kind = tallied.firstIndex(where: { $0.detector == detector }) {
            tallied[kind].tally.count += 1
        } else {
            tallied.append((detector, Tally(first: range, count: 1)))
        }
    }
}
