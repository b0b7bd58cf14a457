import Testing
@testable import AirlockCore

/// A policy granting one tool, `echo`, whose fields are `body`: they start at line 5, column 5.
private func policy(_ body: String) -> String {
    "name: t\ndescription: d\ntools:\n  echo:\n" + body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
}

private let base = """
    description: Echo a word.
    executable: /usr/bin/echo
    argv: [echo, "{text}"]
    arguments:
      type: object
      properties:
        text: {type: string}
    """

@Suite struct PolicyLoaderTests {
    let sandbox = SandboxFixture()

    @Test(arguments: [
        // Unknown fields, at the key.
        (base + "\noutputs: {}", "test.yaml:12:5: tools.echo: unknown field `outputs`"),
        (base + "\nlimits: {wallTime: 1s, netwrok: none}", "test.yaml:12:28: tools.echo.limits: unknown field `netwrok`"),
        // Wrong types and bad units, at the value.
        (base + "\nlimits: {processes: many}", "test.yaml:12:25: tools.echo.limits.processes: expected a whole number, found `many`"),
        (base + "\nlimits: {processes: 0}", "test.yaml:12:25: tools.echo.limits.processes: must be greater than zero"),
        (base + "\nlimits: {wallTime: 10}", "test.yaml:12:24: tools.echo.limits.wallTime: unknown unit `(none)` (use one of ms, s, m, h)"),
        (base + "\nlimits: {memory: 1Gb}", "test.yaml:12:22: tools.echo.limits.memory: unknown unit `Gb` (use one of B, KiB, MiB, GiB, TiB, kB, MB, GB)"),
        (base + "\nworkspace: rw", "test.yaml:12:16: tools.echo.workspace: `rw` is not one of `none`, `read-only`, `read-write`"),
        (base + "\nnetwork: host", "test.yaml:12:14: tools.echo.network: `host` is not one of `none`"),
        (base + "\nenvironment: [A, B]", "test.yaml:12:18: tools.echo.environment: expected a mapping, found a list"),
        // References that name nothing.
        (base.replacingOccurrences(of: "{text}", with: "{txt}"), "test.yaml:7:18: tools.echo.argv.1: `{txt}` refers to no declared argument (declared: text)"),
        (base + "\nview: fancy", "test.yaml:12:11: tools.echo.view: unknown view `fancy`: there is no Sandbox/rootfs/fancy.yaml (available: default, minimal)"),
        (base + "\nview: ../../etc", "test.yaml:12:11: tools.echo.view: `../../etc` is not a profile name ([a-z0-9-]+, the file name without its extension)"),
        (base + "\nseccomp: loose", "test.yaml:12:14: tools.echo.seccomp: unknown seccomp profile `loose`: there is no Sandbox/seccomp/loose.json (available: default, strict)"),
        (base + "\nstdin: \"{input}\"", "test.yaml:12:12: tools.echo.stdin: `{input}` refers to no declared argument (declared: text)"),
        (base + "\nenvironment: {WORD: \"{wrd}\"}", "test.yaml:12:25: tools.echo.environment.WORD: `{wrd}` refers to no declared argument (declared: text)"),
        // Missing fields.
        ("description: Echo.\nargv: [echo]", "test.yaml:5:5: tools.echo: missing required field `executable`"),
    ])
    func reportsEachMistakeAtItsPlace(body: String, expected: String) {
        let error = #expect(throws: ConfigError.self) { try sandbox.load(policy(body)) }
        #expect(error?.description == expected)
    }

    @Test(arguments: [
        // argv.
        ("argv: [echo, \"{text}\"]", "argv: [\"{text}\"]", "test.yaml:7:12: tools.echo.argv.0: argv[0] must be a literal; the model never names the program"),
        ("argv: [echo, \"{text}\"]", "argv: []", "test.yaml:7:11: tools.echo.argv: argv must not be empty (argv[0] is the program's name)"),
        ("argv: [echo, \"{text}\"]", "argv: [echo, \"--say={text}\"]",
         "test.yaml:7:18: tools.echo.argv.1: `--say={text}` puts the slot `{text}` inside other text; a slot must be a whole argv element (split it into two elements, or write `{{` for a literal brace)"),
        ("argv: [echo, \"{text}\"]", "argv: [echo, \"{text*}\"]", "test.yaml:7:18: tools.echo.argv.1: `{text*}` expands an array, but argument `text` is string; use `{text}`"),
        ("argv: [echo, \"{text}\"]", "argv: [echo, [-n]]", "test.yaml:7:18: tools.echo.argv.1: an optional group needs at least one slot; it is emitted only when its slots have values"),
        ("argv: [echo, \"{text}\"]", "argv: [echo, [[\"{text}\"]]]", "test.yaml:7:19: tools.echo.argv.1.0: optional groups cannot be nested"),
        ("text: {type: string}", "text: {type: array, items: {type: string}}", "test.yaml:7:18: tools.echo.argv.1: `{text}` takes one value, but argument `text` is array; use `{text*}`"),
        ("text: {type: string}", "text: {type: object}", "test.yaml:7:18: tools.echo.argv.1: `{text}` takes one value, but argument `text` is object"),
        ("text: {type: string}", "text: {minLength: 1}", "test.yaml:7:18: tools.echo.argv.1: argument `text` must declare a `type` to fill a slot"),
        // Executable.
        ("executable: /usr/bin/echo", "executable: echo", "test.yaml:6:17: tools.echo.executable: `echo` must be an absolute, normalised path (the model never chooses the program)"),
        ("executable: /usr/bin/echo", "executable: /usr/bin/../bin/echo", "test.yaml:6:17: tools.echo.executable: `/usr/bin/../bin/echo` must be an absolute, normalised path (the model never chooses the program)"),
        ("executable: /usr/bin/echo", "executable: /work/bin/tool", "test.yaml:6:17: tools.echo.executable: `/work/bin/tool` is inside the workspace; a tool's program must come from the read-only view"),
        ("executable: /usr/bin/echo", "executable: /opt/tool/bin/x", "test.yaml:6:17: tools.echo.executable: `/opt/tool/bin/x` is not inside view `default`, which binds /usr, /bin, /lib64"),
        // The argument schema.
        ("type: object", "type: array", "test.yaml:9:7: tools.echo.arguments: a tool's arguments must be a JSON Schema with `type: object`"),
        ("text: {type: string}", "text: {type: string, maxLenght: 5}", "test.yaml:11:30: tools.echo.arguments.properties.text.maxLenght: unknown keyword `maxLenght` (did you mean `maxLength`?)"),
        ("text: {type: string}", "text: {type: string}\n    extra: {type: string}", "test.yaml:12:9: tools.echo.arguments.properties.extra: argument `extra` reaches the tool nowhere: use it in argv, stdin or environment, or remove it"),
    ])
    func refusesToolsThatDoNotHoldTogether(original: String, replacement: String, expected: String) {
        let body = base.replacingOccurrences(of: original, with: replacement)
        let error = #expect(throws: ConfigError.self) { try sandbox.load(policy(body)) }
        #expect(error?.description == expected)
    }

    @Test func pathArgumentsMustBeStringsInAWorkspace() {
        let noWorkspace = #expect(throws: ConfigError.self) { try sandbox.load(policy(base + "\npaths: [text]")) }
        #expect(noWorkspace?.description == "test.yaml:12:12: tools.echo.paths: `text` is a path argument but the tool has `workspace: none`")
        let integer = base.replacingOccurrences(of: "text: {type: string}", with: "text: {type: integer}") + "\npaths: [text]\nworkspace: read-only"
        let notString = #expect(throws: ConfigError.self) { try sandbox.load(policy(integer)) }
        #expect(notString?.description == "test.yaml:12:13: tools.echo.paths.0: path argument `text` must be a string (or an array of strings), not integer")
        let undeclared = #expect(throws: ConfigError.self) { try sandbox.load(policy(base + "\npaths: [file]\nworkspace: read-only")) }
        #expect(undeclared?.description == "test.yaml:12:13: tools.echo.paths.0: `file` refers to no declared argument (declared: text)")
    }

    @Test func refusesDuplicateKeys() throws {
        let error = try #require(throws: ConfigError.self) { try sandbox.load(policy(base + "\nexecutable: /usr/bin/printf")) }
        #expect(error.description.contains("executable"))
        // Yams reports duplicates itself, at the first occurrence of the key.
        #expect(error.description.hasPrefix("test.yaml:6:5: duplicate field `executable`"), "\(error)")
    }

    @Test func reportsYAMLSyntaxErrorsWithTheirPlace() throws {
        let broken = policy(base.replacingOccurrences(of: "argv: [echo, \"{text}\"]", with: "argv: [echo, \"{text}\""))
        let error = try #require(throws: ConfigError.self) { try sandbox.load(broken) }
        #expect(error.location.file == "test.yaml")
        #expect((7...8).contains(error.location.line))
        #expect(error.fieldPath == "")
    }

    @Test(arguments: [
        ("name: Bad_Name\ndescription: d\ntools: {}", "test.yaml:1:7: name: `Bad_Name` is not a policy name ([a-z0-9-]+)"),
        ("name: t\ndescription: d\ntools: {}", "test.yaml:3:8: tools: a policy must grant at least one tool"),
        ("name: t\ndescription: d\ntools:\n  Echo!: {}", "test.yaml:4:10: tools.Echo!: `Echo!` is not a tool name ([a-z0-9][a-z0-9_-]*, at most 64 characters)"),
        ("name: t\ndescription: d\ntools: {}\nversion: 2", "test.yaml:4:1: unknown field `version`"),
        ("name: t\ndescription: d\ndefaults: {netwrok: none}\ntools: {}", "test.yaml:3:12: defaults: unknown field `netwrok`"),
        ("name: t\ndescription: d\ndefaults: {view: gone}\ntools: {}", "test.yaml:3:18: defaults.view: unknown view `gone`: there is no Sandbox/rootfs/gone.yaml (available: default, minimal)"),
        ("name: t\ndescription: d\ndefaults: {environment: {A: \"{x}\"}}\ntools: {}", "test.yaml:3:29: defaults.environment.A: `{x}`: slots are only allowed in a tool's environment, not in defaults"),
        ("name: t\ndescription: d\ndefaults: {environment: {A-B: x}}\ntools: {}", "test.yaml:3:31: defaults.environment.A-B: `A-B` is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)"),
        ("- a list", "test.yaml:1:1: expected a mapping, found a list"),
    ])
    func checksThePolicyItself(text: String, expected: String) {
        let error = #expect(throws: ConfigError.self) { try sandbox.load(text) }
        #expect(error?.description == expected)
    }

    @Test func appliesDefaultsUnderToolOverrides() throws {
        let text = """
            name: merged
            description: Defaults and overrides.
            defaults:
              limits: {wallTime: 30s, memory: 512MiB}
              workspace: read-only
              view: minimal
              seccomp: strict
              environment: {LC_ALL: C.UTF-8, PATH: /usr/bin}
            tools:
              echo:
                description: Echo.
                executable: /usr/bin/echo
                argv: [echo, "{word}"]
                arguments: {type: object, properties: {word: {type: string}}}
                environment: {PATH: /bin, WORD: "{word}"}
                limits: {wallTime: 1m, processes: 4}
              true:
                description: Nothing.
                executable: /usr/bin/true
                argv: [true]
                workspace: none
                view: default
            """
        let policy = try sandbox.load(text)
        #expect(policy.toolNames == ["echo", "true"])
        let echo = try policy.tool(named: "echo")
        #expect(echo.limits.wallTime == .seconds(60))
        #expect(echo.limits.memory == .mib(512))
        #expect(echo.limits.processes == 4)
        #expect(echo.limits.cpuTime == Limits.defaults.cpuTime)
        #expect(echo.environment == ["LC_ALL": .literal("C.UTF-8"), "PATH": .literal("/bin"), "WORD": .slot("word")])
        #expect(echo.workspace == .readOnly)
        #expect(echo.viewName == "minimal")
        #expect(echo.view.binds.map(\.source) == ["/usr/bin"])
        #expect(echo.seccompProfile == sandbox.path + "/seccomp/strict.json")
        #expect(echo.arguments.forbidsAdditionalProperties)
        let nothing = try policy.tool(named: "true")
        #expect(nothing.workspace == .none)
        #expect(nothing.viewName == "default")
        #expect(nothing.seccompName == "strict")
        #expect(nothing.limits.wallTime == .seconds(30))
        #expect(nothing.arguments.properties.isEmpty)
    }

    @Test func additionalPropertiesCanBeAllowedExplicitly() throws {
        let body = base.replacingOccurrences(of: "type: object", with: "type: object\n  additionalProperties: true")
        let tool = try sandbox.load(policy(body)).tool(named: "echo")
        #expect(!tool.arguments.forbidsAdditionalProperties)
    }

    @Test func keepsTheExactTextAndItsSHA256() throws {
        let text = policy(base)
        let loaded = try sandbox.load(text)
        #expect(loaded.text == text)
        // sha256 of this exact text, computed independently (sha256sum).
        #expect(loaded.digest == "458900eb38cb77a2ac516bc7ed9bb2161ea3d70fcbe82d01dfe73b87c4320ef8")
        let edited = try sandbox.load(text.replacingOccurrences(of: "Echo a word.", with: "Echo a word!"))
        #expect(edited.digest != loaded.digest)
        #expect(edited.digest.count == 64)
    }

    @Test func unknownToolIsADenialThatListsTheTools() throws {
        let policy = try sandbox.load(policy(base))
        let denial = #expect(throws: CallDenial.self) { try policy.tool(named: "rm") }
        #expect(denial?.code == .unknownTool)
        #expect(denial?.description == "unknown_tool: there is no tool \"rm\"; this task's tools are echo")
    }
}
