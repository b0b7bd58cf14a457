import Crypto
import Foundation

/// The exact strings the channel redacts whatever the rules say: the task's declared secret
/// values, the broker's own secrets (capability tokens, root key material — in every text form
/// it could be printed in), and the task's canaries, whose appearance is a `canary_leak`.
public struct OutputSecrets: Sendable, Equatable {
    /// Values shorter than this are ignored: a two-byte "secret" would shred ordinary text.
    /// The broker should refuse them when a task is created.
    public static let minimumLength = 4

    /// Values the task declares secret (`[REDACTED:declared_secret]`).
    public var declared: [String]
    /// Strings the broker always treats as secret (`[REDACTED:airlock_secret]`).
    public var alwaysSecret: [String]
    /// Canary strings planted for this task (`[REDACTED:canary]`, finding `canary_leak`).
    public var canaries: [String]

    public init(declared: [String] = [], alwaysSecret: [String] = [], canaries: [String] = []) {
        self.declared = declared
        self.alwaysSecret = alwaysSecret
        self.canaries = canaries
    }

    /// The text forms key material may be printed in: lower- and upper-case hex, base64 and
    /// base64url (with and without padding). For root keys and other binary secrets.
    public static func textEncodings(of bytes: [UInt8]) -> [String] {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = Data(bytes).base64EncodedString()
        let base64URL = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let unpadded = base64URL.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        var forms: [String] = []
        for form in [hex, hex.uppercased(), base64, base64.trimmingCharacters(in: CharacterSet(charactersIn: "=")), base64URL, unpadded]
        where !forms.contains(form) {
            forms.append(form)
        }
        return forms
    }

    /// The literal detectors, canaries first so a canary inside a declared secret still counts.
    var rules: [DetectorRule] {
        func literals(_ values: [String], name: String, kind: DetectorRule.Kind) -> [DetectorRule] {
            var seen: Set<String> = []
            return values.filter { $0.utf8.count >= Self.minimumLength && seen.insert($0).inserted }
                .map { DetectorRule.literal(Array($0.utf8), name: name, kind: kind) }
        }
        return literals(canaries, name: "canary", kind: .canary) + literals(declared, name: "declared_secret", kind: .secret)
            + literals(alwaysSecret, name: "airlock_secret", kind: .secret)
    }
}

extension OutputSecrets {
    /// Every text form of every root key in `keyring` (see `textEncodings(of:)`), for
    /// `alwaysSecret`: a tool that somehow read a key file cannot print it.
    public static func textForms(of keyring: RootKeyring) -> [String] {
        keyring.keys.flatMap { key in textEncodings(of: key.secret.withUnsafeBytes { Array($0) }) }
    }
}
