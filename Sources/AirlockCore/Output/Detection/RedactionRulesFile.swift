import Foundation

/// A redaction rules file (`Sandbox/redaction/<name>.yaml`): detectors as data, so a team can
/// add its own without touching code.
///
/// ```yaml
/// description: Company-internal tokens.
/// detectors:
///   - name: acme_token
///     kind: secret            # secret | pii | injection
///     confidence: high        # high | low
///     severity: high          # high | medium | low
///     description: ACME deploy tokens.
///     patterns: ['\b "acme_" [A-Za-z0-9]{32} \b']
///     validate: [entropy>=3.5]
/// ```
public enum RedactionRulesFile {
    public static func load(file: String, origin: String) throws(ConfigError) -> [DetectorRule] {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(location: start, fieldPath: "", message: "cannot read the rules file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(location: start, fieldPath: "", message: "the rules file is not valid UTF-8")
        }
        return try parse(text, file: file, origin: origin)
    }

    public static func parse(_ text: String, file: String, origin: String) throws(ConfigError) -> [DetectorRule] {
        let root = try ConfigValue.parse(text, file: file).mapping()
        _ = try root.optional("description")?.string()
        let list = try root.require("detectors")
        try root.finish()
        var rules: [DetectorRule] = []
        for item in try list.list() {
            let rule = try detector(item, origin: origin)
            if rules.contains(where: { $0.name == rule.name }) { throw item.error("detector `\(rule.name)` is defined twice") }
            rules.append(rule)
        }
        return rules
    }

    private static func detector(_ value: ConfigValue, origin: String) throws(ConfigError) -> DetectorRule {
        let mapping = try value.mapping()
        let nameValue = try mapping.require("name")
        let name = try nameValue.nonEmptyString()
        guard isDetectorName(name) else { throw nameValue.error("`\(name)` is not a detector name ([a-z0-9_]+)") }
        guard name != DetectorRule.airlockToken.name, !OutputChannel.reservedDetectorNames.contains(name) else {
            throw nameValue.error("`\(name)` is reserved for a built-in detector")
        }
        let kind = try mapping.require("kind").choice(DetectorRule.Kind.self, excluding: [.canary])
        let confidence = try mapping.require("confidence").choice(DetectorRule.Confidence.self)
        let severity = try mapping.require("severity").choice(DetectorRule.Severity.self)
        let description = try mapping.optional("description")?.string() ?? ""
        let patternsValue = try mapping.require("patterns")
        var patterns: [[PatternElement]] = []
        for item in try patternsValue.list() {
            let text = try item.string()
            do { patterns.append(try PatternParser.parse(text)) } catch { throw item.error(error.description) }
        }
        guard !patterns.isEmpty else { throw patternsValue.error("a detector needs at least one pattern") }
        var validators: [MatchValidator] = []
        if let list = mapping.optional("validate") {
            for item in try list.list() {
                let text = try item.string()
                guard let validator = MatchValidator(text) else {
                    throw item.error("unknown validator `\(text)` (use one of \(MatchValidator.names.joined(separator: ", ")))")
                }
                validators.append(validator)
            }
        }
        try mapping.finish()
        return DetectorRule(
            name: name, kind: kind, confidence: confidence, severity: severity, description: description,
            patterns: patterns, validators: validators, origin: origin)
    }

    static func isDetectorName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
