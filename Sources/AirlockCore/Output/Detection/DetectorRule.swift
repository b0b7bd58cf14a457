/// One detector of a redaction rules file: what it finds, how sure a match is, and the patterns
/// that find it.
public struct DetectorRule: Hashable, Sendable {
    /// What a match is. Secrets, PII and canaries are replaced by a placeholder; injection
    /// markers are only flagged.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case secret, pii, injection, canary
    }

    /// `high`: a match is almost never anything else (a fixed prefix, a checksum); the
    /// precision test holds these to zero matches on ordinary files. `low`: a shape that
    /// ordinary text also has now and then (emails, phone numbers, generic assignments).
    public enum Confidence: String, Hashable, Sendable, CaseIterable {
        case high, low
    }

    public enum Severity: String, Hashable, Sendable, CaseIterable {
        case high, medium, low
    }

    /// `[a-z0-9_]+`; the placeholder is `[REDACTED:<name>]`.
    public var name: String
    public var kind: Kind
    public var confidence: Confidence
    public var severity: Severity
    public var description: String
    /// Any one of these matches.
    public var patterns: [[PatternElement]]
    /// Every one of these must accept the match.
    public var validators: [MatchValidator]
    /// The rules file it came from (`default`), or `builtin` for the ones Airlock always adds.
    public var origin: String

    public init(
        name: String, kind: Kind, confidence: Confidence, severity: Severity, description: String = "",
        patterns: [[PatternElement]], validators: [MatchValidator] = [], origin: String = "builtin"
    ) {
        self.name = name
        self.kind = kind
        self.confidence = confidence
        self.severity = severity
        self.description = description
        self.patterns = patterns
        self.validators = validators
        self.origin = origin
    }

    /// Injection markers are flagged; everything else is redacted.
    public var redacts: Bool { kind != .injection }

    /// `[REDACTED:aws_access_key]`.
    public var placeholder: [UInt8] { Array("[REDACTED:\(name)]".utf8) }

    /// Airlock's own capability tokens (`alk1.` and base64url). Always on, whatever the policy says.
    public static let airlockToken = DetectorRule(
        name: "airlock_token", kind: .secret, confidence: .high, severity: .high,
        description: "An Airlock capability token.",
        patterns: [[.literal([PatternLiteral(bytes: Array("alk1.".utf8))]), .bytes(base64URL, min: 16, max: 8192)]])

    /// An exact string: a value the task declares secret (`declared_secret`), one the broker
    /// always treats as secret (`airlock_secret`), or a canary (`canary`).
    static func literal(_ bytes: [UInt8], name: String, kind: Kind) -> DetectorRule {
        DetectorRule(
            name: name, kind: kind, confidence: .high, severity: .high,
            patterns: [[.literal([PatternLiteral(bytes: bytes)])]])
    }

    static let base64URL = ByteSet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))
}
