/// Makes sure an exact secret (a canary, a declared secret, the broker's own) is redacted whole
/// and reported as itself even where the scanner's leftmost-first matching gave its bytes to a
/// match that started earlier (`API_TOKEN=<canary>` is first a `password_assignment`). A
/// canary seen only as "some assignment" would not be a `canary_leak`, and a match that ends
/// inside a secret would show the rest of it.
///
/// Only the neighbourhood of other matches is searched: a literal that overlaps no other match
/// is found by the scanner itself. Matches are few, so this costs next to nothing.
struct LiteralCover {
    /// Scanner rule index and bytes of each exact secret.
    let literals: [(rule: Int, bytes: [UInt8])]

    init(rules: [DetectorRule]) {
        literals = rules.enumerated().compactMap { index, rule in
            guard rule.kind == .canary || rule.kind == .secret, rule.patterns.count == 1, rule.patterns[0].count == 1,
                case .literal(let options) = rule.patterns[0][0], options.count == 1, !options[0].bytes.isEmpty
            else { return nil }
            return (index, options[0].bytes)
        }
    }

    /// `matches` (sorted, disjoint) with every overlapped literal occurrence merged into one match
    /// of the literal's rule that covers it and what overlapped it; and the matches it added.
    func apply(_ matches: [DetectorMatch], to text: [UInt8]) -> (matches: [DetectorMatch], added: [DetectorMatch]) {
        guard !literals.isEmpty, !matches.isEmpty else { return (matches, []) }
        let literalRules = Set(literals.map(\.rule))
        var occurrences: [(rule: Int, range: Range<Int>)] = []
        for match in matches where !literalRules.contains(match.rule) {
            for literal in literals {
                let from = max(0, match.match.lowerBound - literal.bytes.count + 1)
                let to = min(text.count, match.match.upperBound + literal.bytes.count - 1)
                var start = from
                while start + literal.bytes.count <= to {
                    if text[start] == literal.bytes[0], text[start..<(start + literal.bytes.count)].elementsEqual(literal.bytes) {
                        occurrences.append((literal.rule, start..<(start + literal.bytes.count)))
                        start += literal.bytes.count
                    } else {
                        start += 1
                    }
                }
            }
        }
        guard !occurrences.isEmpty else { return (matches, []) }
        var result = matches
        var added: [DetectorMatch] = []
        for occurrence in occurrences {
            if result.contains(where: { $0.rule == occurrence.rule && $0.redacted.lowerBound <= occurrence.range.lowerBound && $0.redacted.upperBound >= occurrence.range.upperBound }) {
                continue
            }
            var lower = occurrence.range.lowerBound, upper = occurrence.range.upperBound
            result.removeAll { match in
                guard match.match.overlaps(lower..<upper) || match.redacted.overlaps(lower..<upper) else { return false }
                lower = min(lower, match.redacted.lowerBound)
                upper = max(upper, match.redacted.upperBound)
                return true
            }
            added.removeAll { $0.redacted.overlaps(lower..<upper) }
            let merged = DetectorMatch(rule: occurrence.rule, match: lower..<upper, redacted: lower..<upper)
            result.append(merged)
            added.append(merged)
        }
        result.sort { $0.match.lowerBound < $1.match.lowerBound }
        return (result, added)
    }
}
