import Testing
@testable import AirlockCore
import AirlockTestSupport

private let renderPolicy = """
    name: render
    description: Rendering tests.
    defaults:
      workspace: read-only
      environment: {LC_ALL: C.UTF-8, PATH: /usr/bin}
    tools:
      grep:
        description: Search.
        executable: /usr/bin/grep
        argv: [grep, -n, [--max-count, "{max}"], "{case}", --, "{pattern}", "{path}"]
        arguments:
          type: object
          properties:
            pattern: {type: string, minLength: 1, maxLength: 200}
            path: {type: string, default: "."}
            max: {type: integer, minimum: 1}
            case: {type: string, enum: [--ignore-case, --no-ignore-case]}
          required: [pattern]
        paths: [path]
      cat:
        description: Concatenate files.
        executable: /usr/bin/cat
        argv: [cat, --, "{files*}"]
        arguments:
          type: object
          properties: {files: {type: array, items: {type: string}, minItems: 1}}
          required: [files]
        paths: [files]
      tee:
        description: Write standard input to a file.
        executable: /usr/bin/tee
        argv: [tee, --, "{file}"]
        stdin: "{content}"
        workspace: read-write
        environment: {MODE: "{mode}", LC_ALL: POSIX}
        limits: {wallTime: 3s}
        arguments:
          type: object
          properties: {file: {type: string}, content: {type: string}, mode: {type: string}}
          required: [file, content]
        paths: [file]
      echo:
        description: Echo values.
        executable: /usr/bin/echo
        argv: [echo, "{word}", "{n}", "{x}", "{flag}"]
        workspace: none
        arguments:
          type: object
          properties: {word: {type: [string, "null"]}, n: {type: integer}, x: {type: number}, flag: {type: boolean}}
    """

@Suite struct ToolRenderTests {
    let sandbox = SandboxFixture()
    let workspace = TemporaryDirectory()

    private func render(_ tool: String, _ arguments: String) throws -> RenderedCall {
        let policy = try sandbox.load(renderPolicy)
        let root = try WorkspaceRoot(hostPath: workspace.path)
        return try policy.tool(named: tool).render(arguments: JSONParser.parse(arguments), workspace: root)
    }

    private func denial(_ tool: String, _ arguments: JSONValue) throws -> CallDenial? {
        let policy = try sandbox.load(renderPolicy)
        let root = try WorkspaceRoot(hostPath: workspace.path)
        let spec = try policy.tool(named: tool)
        return #expect(throws: CallDenial.self) { try spec.render(arguments: arguments, workspace: root) }
    }

    @Test func fillsDefaultsAndDropsAbsentOptionalSlots() throws {
        let call = try render("grep", #"{"pattern": "main"}"#)
        #expect(call.argv == ["grep", "-n", "--", "main", "/work"])
        #expect(call.arguments == .object(["pattern": .string("main"), "path": .string("/work")]))
    }

    @Test func optionalGroupAppearsWholeWhenItsSlotHasAValue() throws {
        let call = try render("grep", #"{"pattern": "main", "max": 5, "case": "--ignore-case", "path": "src"}"#)
        #expect(call.argv == ["grep", "-n", "--max-count", "5", "--ignore-case", "--", "main", "/work/src"])
    }

    @Test func nullArgumentCountsAsAbsent() throws {
        let call = try render("echo", #"{"word": null, "n": 3}"#)
        #expect(call.argv == ["echo", "3"])
        #expect(try render("echo", "null").argv == ["echo"])
    }

    @Test func arrayArgumentExpandsToOneElementPerItem() throws {
        let call = try render("cat", #"{"files": ["a.txt", "src/b c.txt", "--help"]}"#)
        #expect(call.argv == ["cat", "--", "/work/a.txt", "/work/src/b c.txt", "/work/--help"])
    }

    @Test(arguments: ["; rm -rf /", "--output=/etc/x", "$(reboot)", "`id`", "a b c", "-e x", "'\"", "\n--exec"])
    func injectedTextArrivesAsOneLiteralElement(text: String) throws {
        let arguments = JSONValue.object(["word": .string(text), "n": .integer(1)])
        let policy = try sandbox.load(renderPolicy)
        let call = try policy.tool(named: "echo").render(arguments: arguments, workspace: nil)
        #expect(call.argv == ["echo", text, "1"])
        let search = try render("grep", JSONValue.object(["pattern": .string(text)]).jsonText)
        #expect(search.argv == ["grep", "-n", "--", text, "/work"])
    }

    @Test func scalarsBecomeTheirJSONText() throws {
        let call = try render("echo", #"{"word": "w", "n": -42, "x": 2.5, "flag": false}"#)
        #expect(call.argv == ["echo", "w", "-42", "2.5", "false"])
    }

    @Test func stdinEnvironmentAndJobSpecComeFromTheTool() throws {
        let call = try render("tee", #"{"file": "out/result.txt", "content": "héllo\n", "mode": "fast"}"#)
        #expect(call.argv == ["tee", "--", "/work/out/result.txt"])
        #expect(call.stdin == Array("héllo\n".utf8))
        #expect(call.environment == ["LC_ALL": "POSIX", "PATH": "/usr/bin", "MODE": "fast"])
        #expect(call.workingDirectory == "/work")
        #expect(call.view.workspace == FilesystemView.Bind(source: workspace.path, target: "/work", writable: true))
        #expect(call.view.binds.map(\.source) == ["/usr", "/bin"])
        #expect(call.limits.wallTime == .seconds(3))
        let job = call.jobSpec()
        #expect(job.executable == "/usr/bin/tee")
        #expect(job.arguments == call.argv)
        #expect(job.stdin == call.stdin)
        #expect(job.seccompProfile == sandbox.path + "/seccomp/default.json")
        let tighter = Limits.defaults.tightened(by: Limits(
            wallTime: .seconds(1), cpuTime: .seconds(1), memory: .mib(1), addressSpace: .mib(1), processes: 1,
            openFiles: 1, fileSize: .mib(1), outputBytes: .mib(1), tmpSize: .mib(1)))
        #expect(call.jobSpec(limits: tighter).limits == tighter)
    }

    @Test func absentSlotLeavesNoEnvironmentVariable() throws {
        let call = try render("tee", #"{"file": "x", "content": ""}"#)
        #expect(call.environment["MODE"] == nil)
        #expect(call.stdin == [])
    }

    @Test func readOnlyWorkspaceIsBoundReadOnlyAndNoneIsNotBound() throws {
        #expect(try render("grep", #"{"pattern": "x"}"#).view.workspace?.writable == false)
        let echo = try render("echo", #"{}"#)
        #expect(echo.view.workspace == nil)
        #expect(echo.workingDirectory == "/")
    }

    @Test(arguments: [
        (JSONValue.object(["pattern": .string("a\u{0}b")]), #""pattern" must not contain a NUL byte"#),
        (.object(["pattern": .string("a"), "x\u{0}": .null]), "\"x\\u0000\" must not contain a NUL byte"),
    ])
    func refusesNULAnywhere(arguments: JSONValue, message: String) throws {
        let refused = try denial("grep", arguments)
        #expect(refused?.code == .argumentInvalid)
        #expect(refused?.message == message)
    }

    @Test func refusesNULInsideAnArrayItem() throws {
        let refused = try denial("cat", .object(["files": .array([.string("ok"), .string("bad\u{0}")])]))
        #expect(refused?.message == #""files/1" must not contain a NUL byte"#)
    }

    @Test(arguments: [
        (#"{"pattern": ""}"#, #""pattern" must have at least 1 character"#),
        (#"{}"#, #""pattern" is required"#),
        (#"{"pattern": "x", "output": "/etc/x"}"#, #"unexpected property "output""#),
        (#"{"pattern": "x", "case": "--exec"}"#, #""case" must be one of "--ignore-case", "--no-ignore-case""#),
        (#"{"pattern": 7, "max": 0}"#, #""max" must be at least 1; "pattern" must be a string, not an integer"#),
        (#""x""#, "the arguments must be an object, not a string"),
    ])
    func refusesArgumentsTheSchemaRefuses(arguments: String, message: String) throws {
        let refused = try denial("grep", try JSONParser.parse(arguments))
        #expect(refused?.code == .argumentInvalid)
        #expect(refused?.message == message)
        #expect(refused?.violations.isEmpty == false)
    }

    @Test func refusesAnArgumentTooLongForExecve() throws {
        let refused = try denial("echo", .object(["word": .string(String(repeating: "x", count: 200_000))]))
        #expect(refused?.code == .argumentInvalid)
        #expect(refused?.message.hasPrefix("an argument of 200000 bytes is longer than") == true)
        let many = try denial("cat", .object(["files": .array(Array(repeating: .string(String(repeating: "f", count: 100_000)), count: 12))]))
        #expect(many?.message.hasPrefix("the arguments total ") == true)
        #expect(throws: Never.self) { try render("echo", JSONValue.object(["word": .string(String(repeating: "x", count: 100_000))]).jsonText) }
    }

    @Test func refusesAPathThatLeavesTheWorkspace() throws {
        let refused = try denial("grep", .object(["pattern": .string("x"), "path": .string("../../etc")]))
        #expect(refused?.code == .pathOutsideWorkspace)
        let item = try denial("cat", .object(["files": .array([.string("a"), .string("/etc/shadow")])]))
        #expect(item?.code == .pathOutsideWorkspace)
        #expect(item?.message.hasPrefix(#""files/1" must be inside the workspace"#) == true)
    }

    @Test func toolWithAWorkspaceNeedsOne() throws {
        let policy = try sandbox.load(renderPolicy)
        let refused = #expect(throws: CallDenial.self) {
            try policy.tool(named: "grep").render(arguments: .object(["pattern": .string("x")]), workspace: nil)
        }
        #expect(refused?.code == .workspaceMissing)
    }
}
