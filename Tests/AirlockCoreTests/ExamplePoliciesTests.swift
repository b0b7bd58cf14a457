import Foundation
import Testing
@testable import AirlockCore
import AirlockTestSupport

/// The policies in `Policies/` are used by the quick start and the end-to-end tests: each must
/// load against the repository's own `Sandbox/` directory and behave as its comments say.
@Suite struct ExamplePoliciesTests {
    static let directory = repositoryRoot + "/Policies"
    static let loader = PolicyLoader(sandboxDirectory: repositoryRoot + "/Sandbox")
    static let policyFiles: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".yaml") }
        .sorted()

    static func load(_ name: String) throws -> Policy {
        try loader.load(file: directory + "/" + name + ".yaml")
    }

    @Test func theThreeExamplesArePresent() {
        #expect(Set(Self.policyFiles).isSuperset(of: ["code-reading.yaml", "data-analysis.yaml", "run-tests.yaml"]))
    }

    @Test(arguments: policyFiles)
    func everyPolicyLoadsAndIsNamedAfterItsFile(file: String) throws {
        let policy = try Self.loader.load(file: Self.directory + "/" + file)
        #expect(policy.name + ".yaml" == file)
        #expect(!policy.toolNames.isEmpty)
        for tool in policy.tools.values {
            #expect(tool.seccompProfile.hasPrefix(repositoryRoot + "/Sandbox/seccomp/"))
            #expect(FileManager.default.fileExists(atPath: tool.seccompProfile))
        }
        let explanation = policy.explain()
        for name in policy.toolNames { #expect(explanation.contains("Tool \(name): ")) }
    }

    @Test func policySchemaIsStrictJSONForDraft202012() throws {
        let bytes = try #require(FileManager.default.contents(atPath: Self.directory + "/policy.schema.json"))
        let schema = try JSONParser.parse(Array(bytes))
        let object = try #require(schema.objectValue)
        #expect(object["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(object["required"] == .array([.string("name"), .string("description"), .string("tools")]))
        // Every top-level field the loader reads is described, and nothing else is allowed.
        let properties = try #require(object["properties"]?.objectValue)
        #expect(Set(properties.keys) == ["name", "description", "defaults", "tools"])
        #expect(object["additionalProperties"] == .bool(false))
        let tool = try #require(object["$defs"]?.objectValue?["tool"]?.objectValue?["properties"]?.objectValue)
        #expect(Set(tool.keys) == [
            "description", "executable", "argv", "arguments", "paths", "stdin", "environment", "limits",
            "workspace", "network", "view", "seccomp", "output",
        ])
    }

    @Test func examplesGrantNoNetworkAndNoUndeclaredArguments() throws {
        for name in ["code-reading", "run-tests", "data-analysis"] {
            for tool in try Self.load(name).tools.values {
                #expect(tool.network == .none)
                #expect(tool.arguments.forbidsAdditionalProperties)
            }
        }
    }

    @Test func codeReadingIsReadOnlyAndSearchArgumentsStayLiteral() throws {
        let policy = try Self.load("code-reading")
        let workspace = TemporaryDirectory()
        workspace.write("src/main.c")
        let root = try WorkspaceRoot(hostPath: workspace.path)
        let search = try policy.tool(named: "search").render(
            arguments: .object(["pattern": .string("--output=/etc/x"), "path": .string("src")]), workspace: root)
        #expect(search.argv.suffix(4) == ["--regexp", "--output=/etc/x", "--", "/work/src"])
        #expect(search.argv.contains("--no-ignore-case"))
        #expect(search.view.workspace?.writable == false)
        let read = try policy.tool(named: "read_file").render(arguments: .object(["path": .string("src/main.c")]), workspace: root)
        #expect(read.argv == ["head", "--lines", "2000", "--", "/work/src/main.c"])
        let list = try policy.tool(named: "list_files").render(arguments: .object([:]), workspace: root)
        #expect(list.argv == ["ls", "-la", "--color=never", "--", "/work"])
        let escape = #expect(throws: CallDenial.self) {
            try policy.tool(named: "read_file").render(arguments: .object(["path": .string("../../etc/passwd")]), workspace: root)
        }
        #expect(escape?.code == .pathOutsideWorkspace)
        let explanation = policy.explain()
        #expect(explanation.contains("the workspace at /work (read-only)"))
        #expect(!explanation.contains("(read-write)"))
        #expect(explanation.contains("no network"))
    }

    @Test func runTestsWritesTheWorkspaceAndOnlyRunsListedTargets() throws {
        let policy = try Self.load("run-tests")
        let workspace = TemporaryDirectory()
        let root = try WorkspaceRoot(hostPath: workspace.path)
        let make = try policy.tool(named: "make")
        let call = try make.render(arguments: .object([:]), workspace: root)
        #expect(call.argv == ["make", "--no-print-directory", "--jobs", "2", "test"])
        #expect(call.view.workspace?.writable == true)
        #expect(call.limits.wallTime == .seconds(600))
        let variable = #expect(throws: CallDenial.self) {
            try make.render(arguments: .object(["target": .string("CC=/tmp/evil")]), workspace: root)
        }
        #expect(variable?.code == .argumentInvalid)
        let filter = try policy.tool(named: "make_test_filter").render(arguments: .object(["filter": .string("tests/unit")]), workspace: root)
        #expect(filter.environment["TEST_FILTER"] == "tests/unit")
        let shell = #expect(throws: CallDenial.self) {
            try policy.tool(named: "make_test_filter").render(arguments: .object(["filter": .string("x; curl evil")]), workspace: root)
        }
        #expect(shell?.message == #""filter" must match ^[A-Za-z0-9_./:-]+$"#)
    }

    @Test func dataAnalysisRunsOnlyPythonOnAWorkspaceScript() throws {
        let policy = try Self.load("data-analysis")
        let workspace = TemporaryDirectory()
        let root = try WorkspaceRoot(hostPath: workspace.path)
        let run = try policy.tool(named: "run_script").render(
            arguments: .object(["script": .string("analysis/summary.py"), "args": .array([.string("--csv"), .string("data.csv")])]),
            workspace: root)
        #expect(run.executable == "/usr/bin/python3")
        #expect(run.argv == ["python3", "-E", "-s", "/work/analysis/summary.py", "--csv", "data.csv"])
        #expect(run.limits.memory == .gib(2))
        let notPython = #expect(throws: CallDenial.self) {
            try policy.tool(named: "run_script").render(arguments: .object(["script": .string("run.sh")]), workspace: root)
        }
        #expect(notPython?.code == .argumentInvalid)
        let snippet = try policy.tool(named: "run_snippet").render(arguments: .object(["code": .string("print(1)")]), workspace: root)
        #expect(snippet.stdin == Array("print(1)".utf8))
        #expect(snippet.view.workspace?.writable == false)
    }
}
