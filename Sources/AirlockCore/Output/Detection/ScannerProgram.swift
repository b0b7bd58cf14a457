/// Every pattern of a detector set flattened into arrays of plain values — steps, literals,
/// validators — so the matcher reads them through pointers with no reference counting on the
/// hot path.
struct ScannerProgram: Sendable {
    enum StepKind: UInt8, Sendable {
        case literal, bytes, wordBoundary, redactStart, redactEnd
    }

    struct Step: Sendable {
        var kind: StepKind
        var set = ByteSet()
        var min = 0
        var max = 0
        /// A class run that is never shortened (nothing after it can start inside it).
        var possessive = false
        /// For a literal step: its alternatives, `literals[firstLiteral..<firstLiteral + literalCount]`.
        var firstLiteral = 0
        var literalCount = 0
    }

    struct Literal: Sendable {
        /// `literalBytes[start..<start + count]`, lowercased when `caseInsensitive`.
        var start: Int
        var count: Int
        var caseInsensitive: Bool
    }

    struct Pattern: Sendable {
        var rule: Int
        var firstStep: Int
        var stepCount: Int
        var firstValidator: Int
        var validatorCount: Int
        /// The bytes the scan triggers on, first and second.
        var leadBytes: ByteSet
        var secondBytes: ByteSet
        /// The bytes that can follow at the third and fourth place (all bytes where unknown).
        var thirdBytes = ByteSet.all
        var fourthBytes = ByteSet.all
        /// A pattern led by a class triggers only where a run of that class starts.
        var runClass: ByteSet?
        /// A pattern that starts with `class{min,max} "literal"` is triggered at the literal and
        /// walks back over the class to its start: `anchorClass` and its bounds.
        var anchorClass: ByteSet?
        var anchorMin = 0
        var anchorMax = 0
        /// A pattern led by a literal of several alternatives, all at least four bytes long: the
        /// first four bytes of each, `triggerKeys[firstKey..<firstKey + keyCount]` (none otherwise).
        var firstKey = 0
        var keyCount = 0
    }

    /// The first four bytes of one alternative of a leading literal, read as a little-endian
    /// `UInt32`: four bytes at a trigger can start it only when `word | fold == value`. `fold`
    /// has 0x20 at the letters of a case-insensitive literal (whose `value` is lowercase), so
    /// `Token` and `TOKEN` pass as `token` does. The tables of the first four places hold the
    /// union of the alternatives' bytes (`p`, `a`, `s`, `s` of `password` let `task` and `case`
    /// through); these keep the matcher for the words the alternatives actually start.
    struct TriggerKey: Sendable {
        var value: UInt32
        var fold: UInt32

        init(_ literal: PatternLiteral) {
            (value, fold) = (0, 0)
            for (index, byte) in literal.bytes.prefix(4).enumerated() {
                value |= UInt32(byte) << (8 * index)
                if literal.caseInsensitive, asciiUppercased(byte) != byte { fold |= 0x20 << (8 * index) }
            }
        }
    }

    private(set) var steps: [Step] = []
    private(set) var literals: [Literal] = []
    private(set) var literalBytes: [UInt8] = []
    private(set) var validators: [MatchValidator] = []
    private(set) var patterns: [Pattern] = []
    private(set) var triggerKeys: [TriggerKey] = []
    /// How far back from its trigger any match may start: the longest anchor run.
    var walkBack: Int { patterns.lazy.filter { $0.anchorClass != nil }.map(\.anchorMax).max() ?? 0 }
    /// For each pattern, the pairs of first and second bytes it can be triggered on: one pair of
    /// sets per alternative of a leading literal, so `"ghp_" | "glpat-"` allows `gh` and `gl`
    /// but not `gp` — much sharper than the first and second places taken separately.
    private(set) var triggerPairs: [[(first: ByteSet, second: ByteSet)]] = []

    /// `triggerKeys: false` leaves every pattern without keys (tests compare the two).
    init(rules: [DetectorRule], triggerKeys: Bool = true) {
        for (index, rule) in rules.enumerated() {
            for elements in rule.patterns { add(elements, rule: index, validators: rule.validators, keys: triggerKeys) }
        }
    }

    private mutating func add(_ elements: [PatternElement], rule: Int, validators ruleValidators: [MatchValidator], keys: Bool) {
        let firstStep = steps.count
        for (index, element) in elements.enumerated() {
            switch element {
            case .literal(let alternatives):
                var step = Step(kind: .literal, firstLiteral: literals.count, literalCount: alternatives.count)
                step.literalCount = alternatives.count
                for alternative in alternatives {
                    literals.append(Literal(start: literalBytes.count, count: alternative.bytes.count, caseInsensitive: alternative.caseInsensitive))
                    literalBytes += alternative.bytes
                }
                steps.append(step)
            case .bytes(let set, let min, let max):
                let possessive = Self.isPossessive(set, following: elements[(index + 1)...], hasValidators: !ruleValidators.isEmpty)
                steps.append(Step(kind: .bytes, set: set, min: min, max: max, possessive: possessive))
            case .wordBoundary: steps.append(Step(kind: .wordBoundary))
            case .redactStart: steps.append(Step(kind: .redactStart))
            case .redactEnd: steps.append(Step(kind: .redactEnd))
            }
        }
        var pattern = Pattern(
            rule: rule, firstStep: firstStep, stepCount: steps.count - firstStep, firstValidator: validators.count,
            validatorCount: ruleValidators.count, leadBytes: ByteSet(), secondBytes: .all)
        validators += ruleValidators
        let (pairs, leadingLiteral) = Self.choosePrefilter(elements, into: &pattern)
        triggerPairs.append(pairs)
        if keys, let alternatives = leadingLiteral, alternatives.count > 1, alternatives.allSatisfy({ $0.bytes.count >= 4 }) {
            pattern.firstKey = triggerKeys.count
            pattern.keyCount = alternatives.count
            triggerKeys += alternatives.map(TriggerKey.init)
        }
        patterns.append(pattern)
    }

    /// The lead: a literal's first bytes; a class anchored at the literal after it; or a class
    /// whose runs are tried where they start. Then the bytes each of the first four places from
    /// the trigger can hold. Returns the pattern's trigger pairs, and the alternatives of the
    /// literal that starts at the trigger, if one does.
    private static func choosePrefilter(
        _ elements: [PatternElement], into pattern: inout Pattern
    ) -> (pairs: [(first: ByteSet, second: ByteSet)], literal: [PatternLiteral]?) {
        let consuming = elements.filter { $0 != .wordBoundary && $0 != .redactStart && $0 != .redactEnd }
        guard let lead = consuming.first else { return ([], nil) }
        var fromTrigger = consuming[...]
        if case .bytes(let set, let min, let max) = lead {
            if min >= 1, consuming.count > 1, case .literal = consuming[1], let first = consuming[1].firstBytes,
                first.isDisjoint(with: set), elements.prefix(while: { $0 != consuming[1] }).allSatisfy({ $0 == .wordBoundary || $0 == lead })
            {
                pattern.anchorClass = set
                pattern.anchorMin = min
                pattern.anchorMax = max
                fromTrigger = consuming.dropFirst()
            } else {
                pattern.runClass = set
            }
        }
        let places = placeSets(fromTrigger)
        pattern.leadBytes = places[0]
        pattern.secondBytes = places[1]
        pattern.thirdBytes = places[2]
        pattern.fourthBytes = places[3]
        guard case .literal(let alternatives) = fromTrigger.first else { return ([(places[0], places[1])], nil) }
        guard alternatives.count > 1 else { return ([(places[0], places[1])], alternatives) }
        let pairs = alternatives.map { alternative in
            let alone = placeSets(([.literal([alternative])] + fromTrigger.dropFirst())[...])
            return (alone[0], alone[1])
        }
        return (pairs, alternatives)
    }

    /// The bytes each of the first four places of `elements` can hold, as far as fixed-width
    /// steps tell (all bytes from the first place they do not).
    static func placeSets(_ elements: ArraySlice<PatternElement>) -> [ByteSet] {
        var places = [ByteSet](repeating: .all, count: 4)
        var offset = 0
        for element in elements where offset < 4 {
            switch element {
            case .literal(let alternatives):
                let shortest = alternatives.map(\.bytes.count).min() ?? 0
                for place in offset..<Swift.min(4, offset + shortest) {
                    var set = ByteSet()
                    for alternative in alternatives { set.formUnion(alternative.firstByteSet(at: place - offset)) }
                    places[place] = set
                }
                guard alternatives.allSatisfy({ $0.bytes.count == shortest }) else { return places }
                offset += shortest
            case .bytes(let set, let min, let max):
                for place in offset..<Swift.min(4, offset + min) { places[place] = set }
                guard min == max else { return places }
                offset += min
            case .wordBoundary, .redactStart, .redactEnd: continue
            }
        }
        return places
    }

    /// A run can be taken whole, never shortened, when the next consuming step cannot start on a
    /// byte of the run: shortening would put a class byte where that step needs another byte.
    private static func isPossessive(_ set: ByteSet, following rest: ArraySlice<PatternElement>, hasValidators: Bool) -> Bool {
        for element in rest {
            switch element {
            case .redactStart, .redactEnd: continue
            case .wordBoundary:
                let wordOnly = ByteSet.word.isDisjoint(with: set.asciiComplement) && set.isDisjoint(with: ByteSet(128...255))
                return wordOnly || set.isDisjoint(with: .word)
            case .literal, .bytes:
                guard let first = element.firstBytes else { return false }
                return first.isDisjoint(with: set)
            }
        }
        return !hasValidators
    }
}
