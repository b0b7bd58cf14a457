import Foundation
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// A recorded session replays to the decisions that were made; a new policy lists the changes.
@Suite struct ReplayTests {
    @Test func sessionCoversAllowsAndDenies() async throws {
        let session = try await RecordedSession.recorded()
        let codes = session.decisions.mapValues { $0.denial?.code.rawValue ?? "allow" }
        #expect(
            codes == [
                "c1": "allow", "c2": "path_outside_workspace", "c3": "unknown_tool", "c4": "allow", "c5": "allow",
                "c6": "call_budget_exhausted", "c7": "tool_not_granted", "c8": "task_suspended", "c9": "allow", "c10": "token_invalid",
                "c11": "token_revoked", "c12": "token_expired", "c13": "allow",
            ])
        #expect(try LogVerifier(directory: session.logDirectory, publicKey: session.log.signingKey.publicKey).verify().isValid)
    }

    @Test func recordedPolicyReproducesEveryDecision() async throws {
        let session = try await RecordedSession.recorded()
        let report = try LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory).run()
        #expect(report.calls.map(\.callId) == (1...13).map { "c\($0)" })
        #expect(report.calls.allSatisfy { $0.outcome == .identical }, "\(report.calls.filter { $0.outcome != .identical })")
        for call in report.calls {
            #expect(call.replayed?.allowed == (session.decisions[call.callId]?.allowed != nil))
        }
        #expect(report.calls.filter { $0.job != nil }.allSatisfy { $0.recordedOutputSha256 != nil })
    }

    @Test func alteredRecordIsReportedAsMismatch() async throws {
        let session = try await RecordedSession.recorded()
        let path = LogDirectory.path(session.logDirectory, 1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.components(separatedBy: "\n").map { line in
            line.contains(#""kind":"call.decided""#) && line.contains(#""call":"c6""#)
                ? line.replacingOccurrences(of: #""message":"this token's budget"#, with: #""message":"that token's budget"#) : line
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let report = try LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory).run()
        #expect(report.mismatches.map(\.callId) == ["c6"])
    }

    @Test func tightenedPolicyListsExactlyTheCallsThatChange() async throws {
        let session = try await RecordedSession.recorded()
        let withoutGrep = RecordedSession.policyText.replacingOccurrences(
            of: """
                  grep:
                    description: Search.
                """, with: """
                  grep-old:
                    description: Search.
                """)
        let tightened = try PolicyLoader(sandboxDirectory: session.sandboxDirectory).parse(withoutGrep, file: "tight.yaml")
        let report = try LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory).run(policy: tightened)
        #expect(report.changes.map(\.callId) == ["c4", "c13"])
        #expect(report.changes.allSatisfy { $0.replayed?.code == "unknown_tool" && $0.recorded.allowed })
        #expect(report.notReplayable.isEmpty)
    }

    @Test func editThatGrantsNothingNewChangesNoDecision() async throws {
        let session = try await RecordedSession.recorded()
        let edited = RecordedSession.policyText.replacingOccurrences(of: "Replay tests.", with: "Replay tests, edited.")
        let policy = try PolicyLoader(sandboxDirectory: session.sandboxDirectory).parse(edited, file: "edited.yaml")
        let report = try LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory).run(policy: policy)
        #expect(report.changes.isEmpty)
        #expect(report.calls.count == 13)
    }

    @Test func goneWorkspaceMakesPathCallsNotReplayable() async throws {
        let session = try await RecordedSession.recorded()
        try FileManager.default.removeItem(atPath: session.workspace)
        let report = try LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory).run()
        #expect(report.notReplayable.map(\.callId) == ["c1", "c2", "c4", "c7", "c13"])
        #expect(report.mismatches.isEmpty)
    }

    @Test func taskFilterKeepsOnlyThatTask() async throws {
        let session = try await RecordedSession.recorded()
        let replay = LogReplay(directory: session.logDirectory, sandboxDirectory: session.sandboxDirectory)
        #expect(try replay.run(task: "other").calls.isEmpty)
        #expect(try replay.run(task: RecordedSession.taskId).calls.count == 13)
    }

    @Test func policyIsStoredByDigestBesideTheLog() async throws {
        let session = try await RecordedSession.recorded()
        let stored = LogDirectory.policyPath(session.logDirectory, digest: session.policy.digest)
        #expect(try String(contentsOfFile: stored, encoding: .utf8) == session.policy.text)
    }

    @Test func showSelectsDeniedCallsOfATask() async throws {
        let session = try await RecordedSession.recorded()
        let timeline = AuditTimeline(directory: session.logDirectory)
        let denied = try timeline.records(TimelineFilter(task: RecordedSession.taskId, deniedOnly: true))
        let calls = Set(denied.compactMap { $0.fields["call"]?.stringValue })
        #expect(calls == ["c2", "c3", "c6", "c7", "c8", "c10", "c11", "c12"])
        let one = try timeline.records(TimelineFilter(call: "c1"))
        #expect(one.map { $0.fields["kind"]?.stringValue ?? "" } == ["call.received", "call.decided", "sandbox.started", "call.finished"])
        #expect(AuditTimeline.table(one).contains("allow"))
    }
}
