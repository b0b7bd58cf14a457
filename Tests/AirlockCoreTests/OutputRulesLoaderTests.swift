import Testing
@testable import AirlockCore

/// A tool's `output:` mapping as the policy loader reads it.
@Suite struct OutputRulesLoaderTests {
    let sandbox = SandboxFixture()

    /// A policy whose one tool, `echo`, has `output: <mapping>` on line 9, the mapping at column 13.
    private func policy(_ mapping: String) -> String {
        "name: t\ndescription: d\ntools:\n  echo:\n    description: Echo.\n    executable: /usr/bin/echo\n    argv: [echo]\n    workspace: none\n    output: \(mapping)\n"
    }

    private func rules(_ mapping: String) throws -> OutputRules {
        try sandbox.load(policy(mapping)).tool(named: "echo").output
    }

    @Test func defaultsWithoutAnOutputMapping() throws {
        let text = "name: t\ndescription: d\ntools:\n  echo: {description: Echo., executable: /usr/bin/echo, argv: [echo]}\n"
        let output = try sandbox.load(text).tool(named: "echo").output
        #expect(output.maxBytes == .kib(128))
        #expect(output.truncate == .headAndTail)
        #expect(output.format == .text && output.schema == nil)
        #expect(output.encoding == .replace && output.sink == .model)
        #expect(output.redaction == OutputRules.Redaction())
        #expect(output.injection)
        #expect(output.log == OutputRules.LogRule(body: false, maxBytes: .kib(64)))
        #expect(output.detectors.names == OutputFixture.detectors.names)
        #expect(output.detectors.names.contains("aws_access_key"))
    }

    @Test func readsEveryField() throws {
        let output = try rules("""
            {maxBytes: 64KiB, truncate: tail, format: jsonl, schema: {type: object}, encoding: reject, sink: markdown,
             redaction: {disable: [email, phone_number], rules: [team]}, injection: false, log: {body: true, maxBytes: 4KiB}}
            """)
        #expect(output.maxBytes == .kib(64))
        #expect(output.truncate == .tail)
        #expect(output.format == .jsonl)
        #expect(output.schema?.types == [.object])
        #expect(output.encoding == .reject && output.sink == .markdown && !output.injection)
        #expect(output.redaction == OutputRules.Redaction(enabled: true, disabled: ["email", "phone_number"], ruleFiles: ["team"]))
        #expect(output.log == OutputRules.LogRule(body: true, maxBytes: .kib(4)))
        #expect(!output.detectors.names.contains("email") && !output.detectors.names.contains("phone_number"))
        #expect(output.detectors.names.last == "acme_token")
    }

    @Test func redactionOffKeepsOnlyTheInjectionMarkers() throws {
        let output = try rules("{redaction: {enabled: false}}")
        #expect(!output.detectors.rules.isEmpty)
        #expect(output.detectors.rules.allSatisfy { $0.kind == .injection })
    }

    @Test(arguments: [
        ("{maxBytes: 1Gb}", "test.yaml:9:24: tools.echo.output.maxBytes: unknown unit `Gb` (use one of B, KiB, MiB, GiB, TiB, kB, MB, GB)"),
        ("{maxBytes: 0}", "test.yaml:9:24: tools.echo.output.maxBytes: `0` must be greater than zero"),
        ("{truncate: middle}", "test.yaml:9:24: tools.echo.output.truncate: `middle` is not one of `head`, `tail`, `head+tail`"),
        ("{format: xml}", "test.yaml:9:22: tools.echo.output.format: `xml` is not one of `text`, `json`, `jsonl`"),
        ("{sink: terminal}", "test.yaml:9:20: tools.echo.output.sink: `terminal` is not one of `model`, `html`, `markdown`, `sql`, `shell`, `json`"),
        ("{encoding: latin1}", "test.yaml:9:24: tools.echo.output.encoding: `latin1` is not one of `replace`, `reject`"),
        ("{sinks: html}", "test.yaml:9:14: tools.echo.output: unknown field `sinks`"),
        ("{schema: {type: object}}", "test.yaml:9:22: tools.echo.output.schema: a schema needs `format: json` or `format: jsonl`; text output has no JSON value to check"),
        ("{format: json, schema: {type: object, maxLenght: 3}}", "test.yaml:9:51: tools.echo.output.schema.maxLenght: unknown keyword `maxLenght` (did you mean `maxLength`?)"),
        ("{injection: yes}", "test.yaml:9:25: tools.echo.output.injection: expected true or false, found `yes`"),
        ("{log: {body: true, keep: all}}", "test.yaml:9:32: tools.echo.output.log: unknown field `keep`"),
        ("{redaction: {disable: [emails]}}", "test.yaml:9:36: tools.echo.output.redaction.disable.0: unknown detector `emails` (known: "),
        ("{redaction: {rules: [missing]}}", "test.yaml:9:34: tools.echo.output.redaction.rules.0: unknown redaction rules `missing`: there is no Sandbox/redaction/missing.yaml (available: default, team)"),
        ("{redaction: {rules: [team, team]}}", "test.yaml:9:40: tools.echo.output.redaction.rules.1: `team` is listed twice (`default` is always used)"),
        ("{redaction: {enable: false}}", "test.yaml:9:26: tools.echo.output.redaction: unknown field `enable`"),
        ("text", "test.yaml:9:13: tools.echo.output: expected a mapping, found a scalar"),
    ])
    func reportsEachMistakeAtItsPlace(mapping: String, expected: String) {
        let error = #expect(throws: ConfigError.self) { try rules(mapping) }
        #expect(error?.description.hasPrefix(expected) == true, "\(error?.description ?? "no error")")
    }

    @Test func theExamplePoliciesUseFittingRules() throws {
        let loader = PolicyLoader(sandboxDirectory: repositoryRoot + "/Sandbox")
        let reading = try loader.load(file: repositoryRoot + "/Policies/code-reading.yaml")
        let tests = try loader.load(file: repositoryRoot + "/Policies/run-tests.yaml")
        let analysis = try loader.load(file: repositoryRoot + "/Policies/data-analysis.yaml")
        for policy in [reading, tests, analysis] {
            for tool in policy.tools.values {
                #expect(tool.output.maxBytes.bytes <= tool.limits.outputBytes.bytes, "\(policy.name).\(tool.name)")
                #expect(!tool.output.detectors.rules.isEmpty)
            }
        }
    }
}
