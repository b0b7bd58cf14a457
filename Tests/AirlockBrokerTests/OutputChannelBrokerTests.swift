@testable import AirlockBroker
import AirlockCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension BrokerTests {
@Suite("Tool output through the broker's output channel")
struct OutputChannelBrokerTests {
    /// A tool that prints a cloud key, a terminal title escape and invalid UTF-8: the answer has
    /// none of them, says what was changed and where, and the task's own token is redacted too.
    @Test func hostileOutputIsCleanedAndReported() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let format = #"key AKIAZ7Q3LXPT4M2KD6WB \033]0;pwned\007title \377bad "# + task.token + #"\n"#
            let reply = try await client.call(task.token, tool: "print", .object(["format": .string(format)]))
            #expect(reply.status == .ok)
            let content = try #require(reply.body["stdout"]?["content"]?.stringValue)
            #expect(!content.contains("AKIAZ7Q3LXPT4M2KD6WB"))
            #expect(content.contains("[REDACTED:aws_access_key]"))
            #expect(!content.contains("\u{1B}") && !content.contains("\u{07}"))
            #expect(!content.contains(task.token), "the task's own token came back")
            #expect(content.contains("\u{FFFD}bad"))
            let findings = reply.body["findings"]?.arrayValue ?? []
            let detectors = Set(findings.compactMap { $0["detector"]?.stringValue })
            #expect(detectors.isSuperset(of: ["aws_access_key", "osc_title", "invalid_utf8"]), "\(detectors)")
            let key = try #require(findings.first { $0["detector"] == .string("aws_access_key") })
            #expect(key["start"] == .integer(4) && key["end"] == .integer(24) && key["action"] == .string("redacted"))
            #expect(reply.body["stdout"]?["originalSHA256"] != reply.body["stdout"]?["deliveredSHA256"])
        }
    }

    /// 15 MB of output: captured up to the tool's cap, delivered within `maxBytes` with its head
    /// and tail and a marker that says how much was left out.
    @Test func floodIsCutToTheRule() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let reply = try await client.call(task.token, tool: "count", .object(["n": .string("2000000")]))
            #expect(reply.status == .ok)
            let stdout = try #require(reply.body["stdout"])
            #expect((stdout["totalBytes"]?.doubleValue ?? 0) > 10 * 1_048_576)
            #expect((stdout["deliveredBytes"]?.doubleValue ?? .infinity) <= 64 * 1024 + 200)
            #expect(stdout["truncation"]?["mode"] == .string("head+tail"))
            let content = try #require(stdout["content"]?.stringValue)
            #expect(content.contains("\n1\n2\n3\n") && content.contains("1999999\n2000000"))
        }
    }

    /// Values the task declares secret never come back, whatever tool prints them.
    @Test func declaredSecretsAreRedacted() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask(extra: ["secrets": .array([.string("correct-horse-battery")])])
            let reply = try await client.call(task.token, tool: "print", .object(["format": .string(#"pw=correct-horse-battery\n"#)]))
            let content = try #require(reply.body["stdout"]?["content"]?.stringValue)
            #expect(!content.contains("correct-horse-battery"))
            #expect(content.contains("[REDACTED:declared_secret]"))
            let short = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools"), "secrets": .array([.string("ab")])]))
            expectProblem(short, .badRequest, code: "invalid_request")
        }
    }

    /// A canary planted in the workspace that comes out of a tool is a high-severity finding; the
    /// broker suspends the task and logs why.
    @Test func canaryLeakSuspendsTheTask() async throws {
        try await withRouterBroker { client, _ in
            let created = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools"), "canary": .bool(true)]))
            #expect(created.status == .created)
            let token = try #require(created.body["token"]?.stringValue)
            let id = try #require(created.body["task"]?["id"]?.stringValue)
            let canary = try #require(created.body["canaries"]?.arrayValue?.first?.stringValue)
            let reply = try await client.call(token, tool: "read", .object(["path": .string(".env.local")]))
            #expect(reply.status == .ok)
            #expect(reply.body["stdout"]?["content"]?.stringValue?.contains(canary) == false, "\(reply.body)")
            let leak = reply.body["findings"]?.arrayValue?.first { $0["kind"] == .string("canary_leak") }
            #expect(leak != nil, "\(reply.body)")
            #expect(leak?["severity"] == .string("high"))
            let task = try await client.json(.get, "/v1/tasks/\(id)")
            #expect(task.body["state"] == .string("suspended"))
            let next = try await client.call(token, tool: "echo", .object(["text": .string("x")]))
            expectProblem(next, .forbidden, code: "task_suspended")
        }
    }
}
}
