/// Matches one pattern of a `ScannerProgram` at one position, by backtracking over class runs
/// (bounded: the language has no nested repetition, and `stepBudget` caps pathological rules).
/// Reads the program through pointers: no allocation and no reference counting per attempt.
struct PatternMatcher {
    /// Steps one attempt may take before it gives up: a rule that would need more is cut off
    /// rather than let a hostile output stall the channel.
    static let stepBudget = 50_000

    let buffer: UnsafeBufferPointer<UInt8>
    let steps: UnsafeBufferPointer<ScannerProgram.Step>
    let literals: UnsafeBufferPointer<ScannerProgram.Literal>
    let literalBytes: UnsafeBufferPointer<UInt8>
    let validators: UnsafeBufferPointer<MatchValidator>
    private var pattern = ScannerProgram.Pattern(
        rule: 0, firstStep: 0, stepCount: 0, firstValidator: 0, validatorCount: 0, leadBytes: ByteSet(), secondBytes: ByteSet())
    private var end = 0
    private var matchStart = 0
    private var redactStart = -1
    private var redactEnd = -1
    private var budget = 0

    init(
        buffer: UnsafeBufferPointer<UInt8>, steps: UnsafeBufferPointer<ScannerProgram.Step>, literals: UnsafeBufferPointer<ScannerProgram.Literal>,
        literalBytes: UnsafeBufferPointer<UInt8>, validators: UnsafeBufferPointer<MatchValidator>
    ) {
        self.buffer = buffer
        self.steps = steps
        self.literals = literals
        self.literalBytes = literalBytes
        self.validators = validators
    }

    /// The match of `pattern` starting at `start`: its end and the redacted span (the whole
    /// match unless the pattern marks one), or nil.
    mutating func match(_ pattern: ScannerProgram.Pattern, at start: Int) -> (end: Int, redacted: Range<Int>)? {
        self.pattern = pattern
        budget = Self.stepBudget
        matchStart = start
        redactStart = -1
        redactEnd = -1
        guard run(pattern.firstStep, start) else { return nil }
        let lower = redactStart >= 0 ? redactStart : start
        let upper = redactEnd >= 0 ? redactEnd : end
        return (end, lower..<upper)
    }

    private mutating func run(_ index: Int, _ position: Int) -> Bool {
        budget -= 1
        guard budget > 0 else { return false }
        guard index < pattern.firstStep + pattern.stepCount else { return finish(at: position) }
        let step = steps[index]
        switch step.kind {
        case .literal:
            for alternative in step.firstLiteral..<step.firstLiteral + step.literalCount {
                let literal = literals[alternative]
                if literalMatches(literal, at: position), run(index + 1, position + literal.count) { return true }
            }
            return false
        case .bytes:
            let limit = Swift.min(step.max, buffer.count - position)
            var length = 0
            while length < limit, step.set.contains(buffer[position + length]) { length += 1 }
            guard length >= step.min else { return false }
            if step.possessive { return run(index + 1, position + length) }
            while length >= step.min {
                if run(index + 1, position + length) { return true }
                length -= 1
            }
            return false
        case .wordBoundary:
            guard isWord(position - 1) != isWord(position) else { return false }
            return run(index + 1, position)
        case .redactStart:
            redactStart = position
            return run(index + 1, position)
        case .redactEnd:
            redactEnd = position
            return run(index + 1, position)
        }
    }

    private func literalMatches(_ literal: ScannerProgram.Literal, at position: Int) -> Bool {
        guard buffer.count - position >= literal.count else { return false }
        if literal.caseInsensitive {
            for offset in 0..<literal.count where asciiLowercased(buffer[position + offset]) != literalBytes[literal.start + offset] { return false }
        } else {
            for offset in 0..<literal.count where buffer[position + offset] != literalBytes[literal.start + offset] { return false }
        }
        return true
    }

    private mutating func finish(at position: Int) -> Bool {
        end = position
        let lower = redactStart >= 0 ? redactStart : matchStart
        let upper = redactEnd >= 0 ? redactEnd : position
        guard upper > lower else { return false }
        guard pattern.validatorCount > 0, let base = buffer.baseAddress else { return true }
        let span = UnsafeBufferPointer(start: base + lower, count: upper - lower)
        for index in pattern.firstValidator..<pattern.firstValidator + pattern.validatorCount where !validators[index].accepts(span) {
            return false
        }
        return true
    }

    private func isWord(_ index: Int) -> Bool {
        index >= 0 && index < buffer.count && ByteSet.word.contains(buffer[index])
    }
}
