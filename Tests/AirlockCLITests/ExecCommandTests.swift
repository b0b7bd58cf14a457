import Foundation
import Testing

/// `airlock exec` as a user runs it: the built binary, its output and its exit status.
@Suite struct ExecCommandTests {
    @Test func echoPrintsHi() throws {
        let result = try CLI.run(["exec", "--", "/bin/echo", "hi"])
        #expect(result.status == 0)
        #expect(result.stdout == "hi\n")
    }

    @Test func exitCodeIsTheTools() throws {
        #expect(try CLI.run(["exec", "--", "/bin/sh", "-c", "exit 7"]).status == 7)
    }

    @Test func deadlineHasItsOwnExitStatus() throws {
        let result = try CLI.run(["exec", "--time", "200ms", "--", "/bin/sleep", "5"])
        #expect(result.status == 124)
        #expect(result.stderr.contains("deadline"))
    }

    @Test func jsonPrintsTheWholeOutcome() throws {
        let result = try CLI.run(["exec", "--json", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let termination = try #require(object["termination"] as? [String: Any])
        #expect(termination["reason"] as? String == "exited")
        #expect(termination["exitCode"] as? Int == 3)
        #expect((object["stdout"] as? [String: Any])?["text"] as? String == "out\n")
        #expect((object["stderr"] as? [String: Any])?["text"] as? String == "err\n")
        #expect(object["usage"] is [String: Any])
    }

    @Test(arguments: [
        (["exec", "--memory", "12XB", "--", "/bin/true"], "--memory"),
        (["exec", "--time", "10", "--", "/bin/true"], "--time"),
        (["exec", "--procs", "0", "--", "/bin/true"], "--procs"),
        (["exec", "--", "bin/true"], "absolute path"),
        (["exec", "--", "/usr/bin/airlock-no-such-program"], "not an executable file"),
        (["exec", "--ro", "/nonexistent/airlock", "--", "/bin/true"], "/nonexistent/airlock"),
        (["exec", "--seccomp", "/nonexistent.json", "--", "/bin/true"], "nonexistent.json"),
        (["exec"], "missing the program"),
    ])
    func badInputExitsTwoAndRunsNothing(arguments: [String], mention: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func malformedSeccompProfileNamesLineAndColumn() throws {
        let file = NSTemporaryDirectory() + "airlock-bad-\(UUID().uuidString).json"
        try "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ {\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOPE\"} ]\n}\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try CLI.run(["exec", "--seccomp", file, "--", "/bin/true"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file):3:"), "\(result.stderr)")
    }

    @Test func workspaceIsBoundAtWork() throws {
        let dir = NSTemporaryDirectory() + "airlock-ws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "from the host\n".write(toFile: dir + "/note.txt", atomically: true, encoding: .utf8)
        let result = try CLI.run(["exec", "--workspace", dir, "--readonly-workspace", "--", "/bin/sh", "-c", "pwd; cat note.txt"])
        #expect(result.stdout == "/work\nfrom the host\n", "\(result.stderr)")
    }
}
