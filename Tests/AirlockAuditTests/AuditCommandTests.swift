import AirlockTestSupport
import Foundation
import Testing

@testable import AirlockAudit

/// `airlock audit verify|show|replay` as a user runs them: output and exit status.
@Suite struct AuditCommandTests {
    static func airlock(_ arguments: [String]) throws -> ProgramResult? {
        guard let binary = airlockExecutablePath else {
            print("skipped: the airlock binary is not built next to the tests")
            return nil
        }
        return try runProgram(binary, arguments)
    }

    @Test func verifyExitsZeroOnlyWhenTheLogHolds() async throws {
        let session = try await RecordedSession.recorded()
        guard let intact = try Self.airlock(["audit", "verify", session.logDirectory]) else { return }
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.hasSuffix("ok\n"))

        let path = LogDirectory.path(session.logDirectory, 1)
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        lines.remove(at: 7)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let broken = try #require(try Self.airlock(["audit", "verify", session.logDirectory, "--json"]))
        #expect(broken.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.output.utf8)) as? [String: Any])
        let problem = try #require(report["problem"] as? [String: Any])
        #expect(problem["kind"] as? String == "deleted")
        #expect(problem["file"] as? String == "000001.jsonl" && problem["line"] as? Int == 8)
    }

    @Test func verifyWithAnotherKeyFails() async throws {
        let session = try await RecordedSession.recorded()
        let other = session.scratch.write("other.pub", LogDigest.hex(LogSigningKey(privateKey: .init()).publicKey) + "\n")
        guard let result = try Self.airlock(["audit", "verify", session.logDirectory, "--key", other]) else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("bad_signature"))
    }

    @Test func showPrintsDeniedCallsAsJSONLines() async throws {
        let session = try await RecordedSession.recorded()
        guard let result = try Self.airlock(["audit", "show", session.logDirectory, "--denied", "--json", "--call", "c6"]) else { return }
        #expect(result.status == 0)
        let kinds = result.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["kind"] as? String
        }
        #expect(kinds == ["call.received", "call.decided"])
        let table = try #require(try Self.airlock(["audit", "show", session.logDirectory, "--task", RecordedSession.taskId]))
        #expect(table.output.contains("call_budget_exhausted"))
    }

    @Test func replayReportsIdenticalDecisionsAndPolicyChanges() async throws {
        let session = try await RecordedSession.recorded()
        let sandbox = ["--sandbox-dir", session.sandboxDirectory]
        guard let same = try Self.airlock(["audit", "replay", session.logDirectory] + sandbox) else { return }
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains("13 calls: 0 mismatches, 0 not replayable"))

        let tight = session.scratch.write(
            "tight.yaml", RecordedSession.policyText.replacingOccurrences(of: "  echo:\n", with: "  echo-old:\n"))
        let changed = try #require(try Self.airlock(["audit", "replay", session.logDirectory, "--policy", tight] + sandbox))
        #expect(changed.status == 0, "\(changed.output)")
        #expect(changed.output.contains("call c5 tool echo: allow -> deny (unknown_tool)"))
        #expect(changed.output.contains("13 calls: 3 would be decided differently"))
    }

    @Test func replayExecuteRunsAllowedCallsAndComparesOutputs() async throws {
        guard geteuid() == 0 else {
            print("skipped: --execute needs root to confine the tools")
            return
        }
        let session = try await RecordedSession.recorded()
        // The repository's real views and seccomp profiles: the tools run for real this time.
        let arguments = ["audit", "replay", session.logDirectory, "--sandbox-dir", repositoryRoot + "/Sandbox", "--execute"]
        guard let result = try Self.airlock(arguments) else { return }
        // echo's recorded outputs are what echo prints; the others' were made up, so they differ.
        #expect(result.output.contains("tool echo: 2 runs, deterministic"), "\(result.output)")
        #expect(result.output.contains("tool grep: 2 runs, NOT deterministic (2 differ)"), "\(result.output)")
        #expect(result.status == 1)
    }
}
