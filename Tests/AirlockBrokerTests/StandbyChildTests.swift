import AirlockBroker
import AirlockCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
/// After a call, the slot's thread prepares the next child (confined, waiting at its gate) for a
/// call shaped like the last; a call of that shape runs in it, any other stops it.
@Suite("Children prepared ahead of calls")
struct StandbyChildTests {
    @Test func aCallOfTheSameShapeRunsInTheWaitingChild() async throws {
        try await withRouterBroker(slots: 1) { client, broker in
            let task = try await client.createTask()
            #expect(try await client.call(task.token, tool: "sleep", .object(["seconds": .string("0")])).body["exitCode"] == .integer(0))
            let waiting = try await waitingChild(of: broker)

            // The next `sleep` runs in that very process: it shows as `sleep 1` while it runs.
            async let reply = client.call(task.token, tool: "sleep", .object(["seconds": .string("1")]))
            var ran = false
            for _ in 0..<200 where !ran {
                ran = commandLine(of: waiting) == ["sleep", "1"]
                if !ran { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(ran, "the call did not run in the waiting child \(waiting)")
            #expect(try await reply.body["exitCode"] == .integer(0))
            let next = try await waitingChild(of: broker)
            #expect(next != waiting, "a child ran twice")
        }
    }

    @Test func aCallOfAnotherShapeStopsTheWaitingChild() async throws {
        try await withRouterBroker(slots: 1) { client, broker in
            let task = try await client.createTask()
            _ = try await client.call(task.token, tool: "echo", .object(["text": .string("first")]))
            let waiting = try await waitingChild(of: broker)
            // `count` has other limits than `echo`: it cannot use the child made for `echo`.
            let reply = try await client.call(task.token, tool: "count", .object(["n": .string("3")]))
            #expect(reply.body["stdout"]?["content"] == framed("1\n2\n3\n", tool: "count"))
            #expect(kill(pid_t(waiting), 0) != 0, "the child prepared for echo still runs")
            #expect(try await waitingChild(of: broker) != waiting)
        }
    }

    @Test func endingTheTaskStopsTheChildPreparedForIt() async throws {
        try await withRouterBroker(slots: 1) { client, broker in
            let task = try await client.createTask()
            _ = try await client.call(task.token, tool: "echo", .object(["text": .string("x")]))
            _ = try await waitingChild(of: broker)
            #expect(try await client.json(.delete, "/v1/tasks/\(task.id)").status == .ok)
            try await expectNoSlotProcesses(of: broker)
        }
    }

    @Test func noChildIsPreparedAfterACallKilledWithItsTask() async throws {
        try await withRouterBroker(slots: 1) { client, broker in
            let task = try await client.createTask()
            async let reply = client.call(task.token, tool: "sleep", .object(["seconds": .string("20")]))
            // Wait until the tool runs, then end its task.
            for _ in 0..<200 where !slotProcesses(of: broker).contains(where: { commandLine(of: $0) == ["sleep", "20"] }) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await client.json(.delete, "/v1/tasks/\(task.id)").status == .ok)
            #expect(try await reply.body["killedBy"] == .string("task_ended"))
            try await expectNoSlotProcesses(of: broker)
        }
    }
}
}

private func slotProcesses(of broker: TestBroker) -> [Int] {
    let base = broker.configuration.slotUIDBase
    return processes(ofUIDs: base..<(base + UInt32(broker.configuration.limits.slots)))
}

/// The one process that waits in the broker's slot after a call (within two seconds).
private func waitingChild(of broker: TestBroker) async throws -> Int {
    for _ in 0..<200 {
        let found = slotProcesses(of: broker)
        if found.count == 1 { return found[0] }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("no child waits in the slot: \(slotProcesses(of: broker))")
    throw CancellationError()
}

/// Within two seconds, no process runs as the broker's slot uid.
private func expectNoSlotProcesses(of broker: TestBroker) async throws {
    var left = slotProcesses(of: broker)
    for _ in 0..<200 where !left.isEmpty {
        try await Task.sleep(for: .milliseconds(10))
        left = slotProcesses(of: broker)
    }
    #expect(left.isEmpty, "processes still run as the slot's uid: \(left)")
}

private func commandLine(of pid: Int) -> [String] {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
}
