import AirlockTestSupport
import Foundation
import Testing

/// `airlock run` end to end on the real kernel: decide, confine, collect, answer.
@Suite struct RunCommandTests {
    let workspace = TemporaryDirectory()
    let state = TemporaryDirectory()

    init() throws {
        workspace.write("src/main.c", "int main(void) { return 0; } /* TODO: more */\n")
        workspace.write("README.md", "A small project.\n")
        workspace.write(
            "Makefile",
            "test:\n\t@echo \"tests ran, filter=$(TEST_FILTER)\"\nbuild:\n\t@echo built\n")
        workspace.write("data/values.csv", "x\n1\n2\n39\n")
        workspace.write(
            "analysis.py",
            """
            import json, sys
            values = [int(line) for line in open("data/values.csv").read().split()[1:]]
            open("result.txt", "w").write(str(sum(values)) + "\\n")
            print(json.dumps({"args": sys.argv[1:], "sum": sum(values)}))
            """)
        // The tool runs as the slot's unprivileged uid, which owns nothing here: the workspace
        // must be readable, and for the read-write policies writable, by others.
        for directory in [workspace.path, workspace.path + "/src", workspace.path + "/data"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        }
    }

    private func run(_ policy: String, _ tool: String, _ arguments: String) throws -> (result: ProgramResult, envelope: [String: Any]) {
        let result = try CLI.run([
            "run", "--policy", examplePolicy(policy), "--task", "task-e2e", "--tool", tool, "--args", arguments,
            "--workspace", workspace.path, "--state-dir", state.path, "--call-id", "call-1",
        ])
        return (result, try jsonObject(result.stdout))
    }

    /// Stdout as delivered, without the `model` sink's frame.
    private func stdout(_ envelope: [String: Any]) -> String? { delivered(envelope, "stdout") }

    private func delivered(_ envelope: [String: Any], _ stream: String) -> String? {
        guard let content = (envelope[stream] as? [String: Any])?["content"] as? String else { return nil }
        guard content.hasPrefix("<tool_output"), let start = content.firstIndex(of: "\n"), content.hasSuffix("\n</tool_output>") else { return content }
        return String(content[content.index(after: start)..<content.index(content.endIndex, offsetBy: -"\n</tool_output>".count)])
    }

    static let everyExampleTool: [(policy: String, tool: String, arguments: String, output: String)] = [
        ("code-reading", "list_files", #"{"path": "src"}"#, "main.c"),
        ("code-reading", "read_file", #"{"path": "README.md", "lines": 1}"#, "A small project.\n"),
        ("code-reading", "search", #"{"pattern": "TODO", "path": "."}"#, "/work/src/main.c:1:int main"),
        ("run-tests", "make", #"{"target": "test"}"#, "tests ran, filter=\n"),
        ("run-tests", "make_test_filter", #"{"filter": "unit/parser_test"}"#, "tests ran, filter=unit/parser_test\n"),
        ("data-analysis", "run_script", #"{"script": "analysis.py", "args": ["a"]}"#, #"{"args": ["a"], "sum": 42}"#),
        (
            "data-analysis", "run_snippet", #"{"code": "import os; print(os.getcwd(), sorted(os.listdir('data')))"}"#,
            "/work ['values.csv']\n"
        ),
    ]

    @Test(arguments: everyExampleTool)
    func everyExampleToolRuns(policy: String, tool: String, arguments: String, output: String) throws {
        let (result, envelope) = try run(policy, tool, arguments)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(envelope["decision"] as? String == "allow")
        #expect(envelope["callId"] as? String == "call-1")
        #expect(envelope["exitCode"] as? Int == 0)
        #expect((envelope["termination"] as? [String: Any])?["reason"] as? String == "exited")
        #expect(
            stdout(envelope)?.contains(output) == true,
            "\(stdout(envelope) ?? "no stdout"): \(delivered(envelope, "stderr") ?? "")")
        let timing = try #require(envelope["timing"] as? [String: Any])
        #expect(timing["decideMicroseconds"] is Int && timing["sandboxMicroseconds"] is Int)
        #expect((envelope["usage"] as? [String: Any])?["wallMicroseconds"] is Int)
    }

    @Test func aScriptWritesItsResultIntoTheWorkspace() throws {
        let (result, _) = try run("data-analysis", "run_script", #"{"script": "analysis.py"}"#)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(try String(contentsOfFile: workspace.path + "/result.txt", encoding: .utf8) == "42\n")
    }

    @Test func pathTraversalIsDeniedBeforeAnythingRuns() throws {
        let (result, envelope) = try run("code-reading", "read_file", #"{"path": "../../etc/passwd"}"#)
        #expect(result.status == 3)
        #expect(envelope["decision"] as? String == "deny")
        let reason = try #require(envelope["reason"] as? [String: Any])
        #expect(reason["code"] as? String == "path_outside_workspace")
        #expect((reason["message"] as? String)?.contains(workspace.path) == false)
        #expect(envelope["stdout"] is NSNull && envelope["termination"] is NSNull, "nothing ran")
        // Logged as denied, in a log that verifies and replays to the same decision.
        let records = try String(contentsOfFile: state.path + "/log/000001.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? jsonObject(String($0)) }
        let decided = try #require(records.last { $0["kind"] as? String == "call.decided" })
        #expect(decided["decision"] as? String == "deny")
        #expect((decided["reason"] as? [String: Any])?["code"] as? String == "path_outside_workspace")
        #expect(!records.contains { $0["kind"] as? String == "sandbox.started" })
        #expect(try CLI.run(["audit", "verify", state.path + "/log"]).status == 0)
        let replay = try CLI.run(["audit", "replay", state.path + "/log"])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }

    @Test func injectedArgumentsArriveAsOneLiteralArgvElementEach() throws {
        let hostile = ["--output=/etc/x", "; rm -rf /", "$(touch /work/pwned)", "a b\tc"]
        let arguments = String(
            decoding: try JSONSerialization.data(withJSONObject: ["script": "analysis.py", "args": hostile]), as: UTF8.self)
        let (result, envelope) = try run("data-analysis", "run_script", arguments)
        #expect(result.status == 0, "\(result.stdout)")
        let printed = try jsonObject(try #require(stdout(envelope)))
        #expect(printed["args"] as? [String] == hostile)
        #expect(envelope["argv"] as? [String] == ["python3", "-E", "-s", "/work/analysis.py"] + hostile)
        #expect(!FileManager.default.fileExists(atPath: workspace.path + "/pwned"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/x"))
    }

    @Test func aShellInjectionIntoAFilterIsRefusedBySchema() throws {
        let (result, envelope) = try run("run-tests", "make_test_filter", #"{"filter": "x; rm -rf /"}"#)
        #expect(result.status == 3)
        #expect((envelope["reason"] as? [String: Any])?["code"] as? String == "argument_invalid")
    }

    @Test func aPatternStartingWithDashesIsAPatternNotAnOption() throws {
        let (result, envelope) = try run("code-reading", "search", #"{"pattern": "--output=/etc/x"}"#)
        #expect(result.status == 1, "grep finds nothing and exits 1: \(result.stdout)")
        #expect(envelope["exitCode"] as? Int == 1)
        #expect((envelope["argv"] as? [String])?.contains("--output=/etc/x") == true)
        #expect(!FileManager.default.fileExists(atPath: "/etc/x"))
    }

    @Test func malformedArgsExitTwoWithLineAndColumn() throws {
        let result = try CLI.run([
            "run", "--policy", examplePolicy("code-reading"), "--task", "t", "--tool", "read_file", "--args", "{\"path\": }",
            "--state-dir", state.path,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 1, column 10"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aToolThatFailsMakesTheRunFail() throws {
        let (result, envelope) = try run("code-reading", "read_file", #"{"path": "missing.txt"}"#)
        #expect(result.status == 1)
        #expect(envelope["decision"] as? String == "allow")
        #expect(envelope["exitCode"] as? Int == 1)
        #expect(delivered(envelope, "stderr")?.contains("/work/missing.txt") == true)
    }

    @Test func aTokenForOneToolCannotCallAnother() throws {
        let minted = try CLI.run([
            "token", "mint", "--policy", examplePolicy("code-reading"), "--task", "t-9", "--tools", "list_files", "--state-dir", state.path,
        ])
        let token = minted.stdout.trimmingCharacters(in: .newlines)
        let result = try CLI.run([
            "run", "--policy", examplePolicy("code-reading"), "--token", token, "--tool", "read_file", "--args", #"{"path": "README.md"}"#,
            "--workspace", workspace.path, "--state-dir", state.path,
        ])
        #expect(result.status == 3)
        let reason = try #require((try jsonObject(result.stdout))["reason"] as? [String: Any])
        #expect(reason["code"] as? String == "tool_not_granted")
        #expect((reason["message"] as? String)?.contains("list_files") == true)
    }
}
