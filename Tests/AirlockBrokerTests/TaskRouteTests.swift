import AirlockBroker
import AirlockCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
@Suite("Tasks")
struct TaskRouteTests {
    @Test func createdTaskHasTokenExpiryAndPrivateWorkspace() async throws {
        try await withRouterBroker { client, broker in
            let reply = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools"), "ttl": .string("15m")]))
            #expect(reply.status == .created)
            #expect(reply.body["token"]?.stringValue?.hasPrefix("alk1.") == true)
            let task = try #require(reply.body["task"])
            #expect(task["state"] == .string("active"))
            #expect(task["policy"] == .string("test-tools"))
            let workspace = try #require(task["workspace"]?.stringValue)
            #expect(workspace.hasPrefix(broker.configuration.stateDirectory + "/workspaces/"))
            var info = stat()
            #expect(stat(workspace, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o2770)
            #expect(info.st_uid == 0 && info.st_gid == broker.configuration.workspaceGID)
            let parent = try FileManager.default.attributesOfItem(atPath: broker.configuration.stateDirectory + "/workspaces")
            #expect((parent[.posixPermissions] as? Int) == 0o700)
        }
    }

    @Test func taskWithoutWorkspaceToolsGetsNoneUnlessAsked() async throws {
        try await withRouterBroker { client, _ in
            let none = try await client.createTask(extra: ["workspace": .bool(false)])
            #expect(none.workspace == nil)
        }
    }

    @Test func unknownPolicyIsUnprocessable() async throws {
        try await withRouterBroker { client, _ in
            expectProblem(try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("nope")])), .unprocessableContent, code: "unknown_policy")
        }
    }

    @Test func badTaskRequestsAreRefusedWithTheFieldNamed() async throws {
        try await withRouterBroker { client, _ in
            let longTTL = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools"), "ttl": .string("30d")]))
            expectProblem(longTTL, .badRequest, code: "invalid_request")
            let typo = try await client.json(.post, "/v1/tasks", body: .object(["policy": .string("test-tools"), "tll": .string("1h")]))
            expectProblem(typo, .badRequest, code: "invalid_request")
            #expect(typo.body["detail"]?.stringValue?.contains("`tll`") == true)
            expectProblem(try await client.json(.post, "/v1/tasks", body: .object([:])), .badRequest, code: "invalid_request")
            expectProblem(try await client.json(.get, "/v1/tasks/does-not-exist"), .notFound, code: "not_found")
        }
    }

    @Test func suspendDeniesCallsAndResumeAllowsThemAgain() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let suspended = try await client.json(.post, "/v1/tasks/\(task.id)/suspend")
            #expect(suspended.body["state"] == .string("suspended"))
            let denied = try await client.call(task.token, tool: "echo", .object(["text": .string("hi")]))
            expectProblem(denied, .forbidden, code: "task_suspended")
            #expect(denied.body["decision"] == .string("deny"))
            #expect(try await client.json(.post, "/v1/tasks/\(task.id)/resume").body["state"] == .string("active"))
            #expect(try await client.call(task.token, tool: "echo", .object(["text": .string("hi")])).status == .ok)
            let shown = try await client.json(.get, "/v1/tasks/\(task.id)")
            #expect(shown.body["callsMade"] == .integer(1))
            #expect(shown.body["callsDenied"] == .integer(1))
        }
    }

    @Test func endingATaskRevokesItsTokenAndIsFinal() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let ended = try await client.json(.delete, "/v1/tasks/\(task.id)")
            #expect(ended.status == .ok)
            #expect(ended.body["state"] == .string("ended"))
            expectProblem(try await client.call(task.token, tool: "echo", .object(["text": .string("hi")])), .forbidden, code: "token_revoked")
            expectProblem(try await client.json(.post, "/v1/tasks/\(task.id)/resume"), .conflict, code: "task_ended")
        }
    }

    @Test func callBudgetIsSpentAndShown() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask(extra: ["maxCalls": .integer(1)])
            #expect(try await client.call(task.token, tool: "echo", .object(["text": .string("1")])).status == .ok)
            expectProblem(try await client.call(task.token, tool: "echo", .object(["text": .string("2")])), .forbidden, code: "call_budget_exhausted")
            let shown = try await client.json(.get, "/v1/tasks/\(task.id)")
            #expect(shown.body["budgetLeft"] == .integer(0))
            #expect(shown.body["maxCalls"] == .integer(1))
        }
    }

    @Test func listShowsEveryTask() async throws {
        try await withRouterBroker { client, _ in
            let a = try await client.createTask()
            let b = try await client.createTask(policy: "code-reading")
            let ids = try await client.json(.get, "/v1/tasks").body["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
            #expect(ids == [a.id, b.id])
        }
    }

    @Test func policiesAreListedWithTextAndDigest() async throws {
        try await withRouterBroker { client, broker in
            let list = try await client.json(.get, "/v1/policies")
            let names = list.body["policies"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["code-reading", "test-tools"])
            let one = try await client.json(.get, "/v1/policies/test-tools")
            let text = try #require(one.body["text"]?.stringValue)
            let onDisk = try String(contentsOfFile: broker.configuration.policiesDirectory + "/test-tools.yaml", encoding: .utf8)
            #expect(text == onDisk)
            #expect(one.body["digest"] == .string(PolicyDigest(policyText: onDisk).hex))
            expectProblem(try await client.json(.get, "/v1/policies/nope"), .notFound, code: "not_found")
        }
    }
}
}
