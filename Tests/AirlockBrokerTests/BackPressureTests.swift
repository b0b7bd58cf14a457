import AirlockBroker
import AirlockCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Polls `GET /v1/health` until `busy` sandboxes run (or fails after five seconds).
func waitForBusySlots(_ client: some TestClientProtocol, _ busy: Int64) async throws {
    for _ in 0..<500 {
        if try await client.json(.get, "/v1/health").body["slots"]?["busy"] == .integer(busy) { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("never saw \(busy) busy slots")
}

extension BrokerTests {
@Suite("Back-pressure and killing")
struct BackPressureTests {
    @Test func fullSlotsAndQueueAnswer429WithRetryAfter() async throws {
        try await withRouterBroker(slots: 1, queue: 0) { client, _ in
            let a = try await client.createTask()
            let b = try await client.createTask()
            async let long = client.call(a.token, tool: "sleep", .object(["seconds": .string("1.5")]))
            try await waitForBusySlots(client, 1)
            let refused = try await client.call(b.token, tool: "echo", .object(["text": .string("x")]))
            expectProblem(refused, .tooManyRequests, code: "broker_busy")
            #expect(refused.headers[.retryAfter] == "1")
            #expect(try await long.body["exitCode"] == .integer(0))
            // The refused call was never counted against task b.
            #expect(try await client.json(.get, "/v1/tasks/\(b.id)").body["callsMade"] == .integer(0))
            #expect(try await client.call(b.token, tool: "echo", .object(["text": .string("x")])).status == .ok)
        }
    }

    @Test func oneTaskCannotTakeMoreThanItsShare() async throws {
        try await withRouterBroker(slots: 2, queue: 4, perTask: 1) { client, _ in
            let a = try await client.createTask()
            let b = try await client.createTask()
            async let long = client.call(a.token, tool: "sleep", .object(["seconds": .string("1.5")]))
            try await waitForBusySlots(client, 1)
            expectProblem(try await client.call(a.token, tool: "echo", .object(["text": .string("x")])), .tooManyRequests, code: "task_busy")
            #expect(try await client.call(b.token, tool: "echo", .object(["text": .string("x")])).status == .ok)
            #expect(try await long.status == .ok)
        }
    }

    @Test func queuedCallRunsWhenASlotFrees() async throws {
        try await withRouterBroker(slots: 1, queue: 1) { client, _ in
            let a = try await client.createTask()
            let b = try await client.createTask()
            async let long = client.call(a.token, tool: "sleep", .object(["seconds": .string("0.8")]))
            try await waitForBusySlots(client, 1)
            let queued = try await client.call(b.token, tool: "echo", .object(["text": .string("after")]))
            #expect(queued.status == .ok)
            #expect(queued.body["stdout"]?["content"] == framed("after\n", tool: "echo"))
            #expect((queued.body["timing"]?["queueMicroseconds"]?.doubleValue ?? 0) > 100_000)
            #expect(try await long.status == .ok)
        }
    }

    @Test func endingATaskKillsItsRunningCall() async throws {
        try await withRouterBroker(slots: 1) { client, _ in
            let task = try await client.createTask()
            let start = ContinuousClock.now
            async let long = client.call(task.token, tool: "sleep", .object(["seconds": .string("30")]))
            try await waitForBusySlots(client, 1)
            #expect(try await client.json(.delete, "/v1/tasks/\(task.id)").status == .ok)
            let reply = try await long
            #expect(reply.status == .ok)
            #expect(reply.body["killedBy"] == .string("task_ended"))
            #expect(reply.body["termination"]?["reason"] == .string("signaled"))
            #expect(ContinuousClock.now - start < .seconds(10))
            try await waitForBusySlots(client, 0)
        }
    }
}
}
