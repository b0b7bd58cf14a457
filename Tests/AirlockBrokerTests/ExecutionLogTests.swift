@testable import AirlockAudit
@testable import AirlockBroker
import AirlockCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
@Suite("The broker's execution log")
struct BrokerExecutionLogTests {
    /// A session with allows, denials, a suspension, an ending and a revocation: the log verifies
    /// (chain and checkpoint signatures), has the records in the order things happened, and
    /// replaying it with the recorded policies gives every decision again.
    @Test func sessionIsLoggedInOrderVerifiesAndReplays() async throws {
        let broker = try TestBroker()
        defer { broker.remove() }
        let stateDirectory = broker.configuration.stateDirectory
        try await broker.application().test(.router) { client in
            let task = try await client.createTask()
            let allowed = try await client.call(task.token, tool: "echo", .object(["text": .string("hello")]))
            #expect(allowed.status == .ok)
            let invalid = try await client.call(task.token, tool: "echo", .object(["text": .integer(1)]))
            #expect(invalid.status == .forbidden)
            let forged = try await client.call("alk1.forged", tool: "echo", .object(["text": .string("x")]))
            #expect(forged.status == .forbidden)
            _ = try await client.json(.post, "/v1/tasks/\(task.id)/suspend")
            let suspended = try await client.call(task.token, tool: "echo", .object(["text": .string("x")]))
            #expect(suspended.body["code"] == .string("task_suspended"))
            _ = try await client.json(.post, "/v1/tasks/\(task.id)/resume")
            _ = try await client.json(.delete, "/v1/tasks/\(task.id)")
            let ended = try await client.call(task.token, tool: "echo", .object(["text": .string("x")]))
            #expect(ended.status == .forbidden)
        }
        // The broker has stopped: broker.stopped and a final checkpoint are written.
        let directory = stateDirectory + "/log"
        let key = try LogSigningKey.readPublicKey(path: stateDirectory + "/" + LogSigningKey.publicFileName)
        let report = try LogVerifier(directory: directory, publicKey: key).verify()
        #expect(report.isValid, "\(String(describing: report.problem))")
        #expect(report.checkpoints >= 1)
        let kinds = try LogReader(directory: directory).records(after: 0, limit: 1000, upTo: .max).compactMap { $0.json?["kind"]?.stringValue }
        let expected = [
            "broker.started", "task.created", "token.minted", "call.received", "call.decided", "sandbox.started", "call.finished",
            "call.received", "call.decided", "call.received", "call.decided", "task.suspended", "call.received", "call.decided",
            "task.resumed", "task.ended", "token.revoked", "call.received", "call.decided", "broker.stopped",
        ]
        #expect(kinds.filter { $0 != "file.started" && $0 != "checkpoint" } == expected)

        let replay = try LogReplay(directory: directory, sandboxDirectory: TestBroker.repository + "/Sandbox").run()
        #expect(replay.calls.count == 5)
        #expect(replay.calls.allSatisfy { $0.outcome == .identical }, "\(replay.calls.map { "\($0.callId): \($0.outcome)" })")
    }

    /// When the log cannot be written, nothing is done: no task, no tool run, and the broker says
    /// why (`503 log_unavailable`).
    @Test func unwritableLogStopsCallsBeforeTheyRun() async throws {
        let broker = try TestBroker()
        defer { broker.remove() }
        let app = try broker.application()
        let log = app.broker.log
        try await app.test(.router) { client in
            let task = try await client.createTask()
            let workspace = try #require(task.workspace)
            log.replaceFileForTesting(path: "/dev/full")
            // The first write after the swap fails; from then on every record is refused.
            let first = try await client.call(task.token, tool: "write", .object(["path": .string("first")]))
            expectProblem(first, .serviceUnavailable, code: "log_unavailable")
            let second = try await client.call(task.token, tool: "write", .object(["path": .string("second")]))
            expectProblem(second, .serviceUnavailable, code: "log_unavailable")
            #expect(access(workspace + "/first", F_OK) != 0, "the tool ran although its decision was not logged")
            #expect(access(workspace + "/second", F_OK) != 0)
            let created = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools")]))
            expectProblem(created, .serviceUnavailable, code: "log_unavailable")
        }
    }

    @Test func auditorsReadTheLogAndAgentsCannot() async throws {
        try await withRouterBroker { client, broker in
            let task = try await client.createTask()
            _ = try await client.call(task.token, tool: "echo", .object(["text": .string("hi")]))
            let denied = try await client.json(.get, "/v1/audit/records", as: Peer.agent)
            expectProblem(denied, .forbidden, code: "role_forbidden")
            let page = try await client.execute(uri: "/v1/audit/records?after=0&limit=3", method: .get, headers: [TestContext.peerHeader: Peer.auditor]) {
                ($0.status, $0.headers, Array($0.body.readableBytesView))
            }
            #expect(page.0 == .ok)
            #expect(page.1[.contentType] == "application/jsonl")
            let lines = String(decoding: page.2, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 3)
            #expect(page.1[HTTPField.Name("Airlock-Last-Seq")!] == "3")
            let seqs = lines.compactMap { try? JSONParser.parse(Array($0.utf8))["seq"] }
            #expect(seqs == [.integer(1), .integer(2), .integer(3)])
            let rest = try await client.execute(uri: "/v1/audit/records?after=3", method: .get, headers: [TestContext.peerHeader: Peer.auditor]) {
                String(buffer: $0.body)
            }
            #expect(rest.contains("\"kind\":\"call.finished\""))
            #expect(!rest.contains(task.token), "a token's text (with its signature) is in the log")
            let key = try await client.json(.get, "/v1/audit/key", as: Peer.auditor)
            #expect(key.body["publicKey"]?.stringValue?.count == 64)
            let bad = try await client.json(.get, "/v1/audit/records?limit=0", as: Peer.auditor)
            expectProblem(bad, .badRequest, code: "invalid_request")
            _ = broker
        }
    }
}
}
