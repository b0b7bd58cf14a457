/// The detectors of the rules files a tool uses, after its `redaction.disable` list: what the
/// output channel scans for, besides the literals it always adds (Airlock tokens, declared
/// secrets, canaries).
public struct DetectorSet: Sendable {
    public let rules: [DetectorRule]

    public init(rules: [DetectorRule]) {
        self.rules = rules
    }

    /// The rules `redaction` leaves in force: none of the disabled ones, and with redaction off
    /// only the injection markers (they flag, never redact).
    public init(rules: [DetectorRule], redaction: OutputRules.Redaction) {
        self.rules = rules.filter { rule in
            !redaction.disabled.contains(rule.name) && (redaction.enabled || rule.kind == .injection)
        }
    }

    /// The detectors of `Sandbox/redaction/default.yaml` followed by each named rules file,
    /// without the disabled ones, for tools outside a policy (benchmarks, tests, tooling).
    public static func load(sandboxDirectory: String, redaction: OutputRules.Redaction = .init()) throws(ConfigError) -> DetectorSet {
        var rules: [DetectorRule] = []
        for name in ["default"] + redaction.ruleFiles {
            rules += try RedactionRulesFile.load(file: sandboxDirectory + "/redaction/\(name).yaml", origin: name)
        }
        return DetectorSet(rules: rules, redaction: redaction)
    }

    public var names: [String] { rules.map(\.name) }
}
