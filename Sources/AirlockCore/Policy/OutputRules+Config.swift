/// Reads a tool's `output:` mapping (docs/output.md): every field optional, every mistake a
/// `ConfigError` at its place.
extension OutputRules {
    static func read(_ value: ConfigValue?, profiles: SandboxProfiles, tool: ConfigValue) throws(ConfigError) -> OutputRules {
        var rules = OutputRules()
        guard let value else {
            rules.detectors = DetectorSet(rules: try profiles.redactionRules(named: nil, owner: tool))
            return rules
        }
        let mapping = try value.mapping()
        if let v = mapping.optional("maxBytes") { rules.maxBytes = try v.byteCount() }
        if let v = mapping.optional("truncate") { rules.truncate = try v.choice(Truncation.self) }
        if let v = mapping.optional("format") { rules.format = try v.choice(Format.self) }
        let schemaValue = mapping.optional("schema")
        if let schemaValue { rules.schema = try JSONSchema.compile(schemaValue) }
        if let v = mapping.optional("encoding") { rules.encoding = try v.choice(Encoding.self) }
        if let v = mapping.optional("sink") { rules.sink = try v.choice(Sink.self) }
        if let v = mapping.optional("injection") { rules.injection = try v.bool() }
        if let v = mapping.optional("log") { rules.log = try readLog(v) }
        let redactionValue = mapping.optional("redaction")
        try mapping.finish()
        if let schemaValue, rules.format == .text {
            throw schemaValue.error("a schema needs `format: json` or `format: jsonl`; text output has no JSON value to check")
        }
        try readRedaction(redactionValue, into: &rules, profiles: profiles, owner: value)
        return rules
    }

    private static func readLog(_ value: ConfigValue) throws(ConfigError) -> LogRule {
        let mapping = try value.mapping()
        var log = LogRule()
        if let v = mapping.optional("body") { log.body = try v.bool() }
        if let v = mapping.optional("maxBytes") { log.maxBytes = try v.byteCount() }
        try mapping.finish()
        return log
    }

    /// `redaction: {enabled, disable: [names], rules: [files]}`. The named files are loaded now,
    /// and every disabled name must be a detector of `default` or of those files.
    private static func readRedaction(
        _ value: ConfigValue?, into rules: inout OutputRules, profiles: SandboxProfiles, owner: ConfigValue
    ) throws(ConfigError) {
        var detectors = try profiles.redactionRules(named: nil, owner: owner)
        guard let value else {
            rules.detectors = DetectorSet(rules: detectors)
            return
        }
        let mapping = try value.mapping()
        if let v = mapping.optional("enabled") { rules.redaction.enabled = try v.bool() }
        let disableValue = mapping.optional("disable")
        let filesValue = mapping.optional("rules")
        try mapping.finish()
        for item in try filesValue?.list() ?? [] {
            let name = try item.nonEmptyString()
            guard !rules.redaction.ruleFiles.contains(name), name != "default" else {
                throw item.error("`\(name)` is listed twice (`default` is always used)")
            }
            let added = try profiles.redactionRules(named: item, owner: owner)
            if let clash = added.first(where: { rule in detectors.contains { $0.name == rule.name } }) {
                throw item.error("detector `\(clash.name)` of `\(name)` is already defined by another rules file")
            }
            detectors += added
            rules.redaction.ruleFiles.append(name)
        }
        for item in try disableValue?.list() ?? [] {
            let name = try item.nonEmptyString()
            guard detectors.contains(where: { $0.name == name }) else {
                let known = detectors.map(\.name).joined(separator: ", ")
                throw item.error("unknown detector `\(name)` (known: \(known))")
            }
            rules.redaction.disabled.append(name)
        }
        rules.detectors = DetectorSet(rules: detectors, redaction: rules.redaction)
    }
}
