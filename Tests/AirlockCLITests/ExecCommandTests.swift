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

/// The sandbox dies with the process that made it, even after it dropped to its own uid (the
/// kernel clears the parent-death signal on a uid change, so it is set after the drop).
@Suite struct SandboxDiesWithItsParentTests {
    @Test func killingAirlockExecKillsTheTool() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["exec", "--time", "60s", "--", "/bin/sleep", "60"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The one-off uid is derived from the pid (see SlotConfiguration.oneOffUIDBase).
        let uid = 2_001_000_000 + UInt32(process.processIdentifier) % 1_000_000
        var sleeper: [Int32] = []
        for _ in 0..<200 where sleeper.isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
            sleeper = runningPids(uid: uid)
        }
        try #require(!sleeper.isEmpty, "the sandboxed sleep never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        for _ in 0..<100 where !runningPids(uid: uid).isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        #expect(runningPids(uid: uid).isEmpty, "the sandboxed sleep outlived airlock exec")
    }

    /// Pids running (not zombies) with real uid `uid`.
    private func runningPids(uid: UInt32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> Int32? in
            guard let pid = Int32(name), let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8) else { return nil }
            let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { first, _ in first })
            let realUID = fields["Uid"]?.split(whereSeparator: \.isWhitespace).first.flatMap { UInt32($0) }
            let zombie = fields["State"]?.hasPrefix("Z") ?? true
            return realUID == uid && !zombie ? pid : nil
        }
    }
}
