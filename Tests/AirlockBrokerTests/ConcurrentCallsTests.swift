@testable import AirlockBroker
import AirlockCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
@Suite("Many clients at once on the live socket")
struct ConcurrentCallsTests {
    /// 200 calls from 16 clients (four tasks, four clients each, so no task exceeds its
    /// concurrency cap): every call answers with its own text, and nothing the calls used is left
    /// behind — processes, descriptors, cgroups, mounts.
    @Test func twoHundredCallsFromSixteenClientsLeaveNothingBehind() async throws {
        // A first broker starts what lives as long as the process (NIO's event loops, the
        // sandbox's view templates), so the counts compare like with like.
        try await withLiveBroker { _ in }
        let before = ResourceCount.now()
        let fixture = try TestBroker(slots: 8, queue: 64, perTask: 4, roles: RoleMap.defaults(servingUID: geteuid()))
        defer { fixture.remove() }
        let live = try await LiveBroker.start(fixture)
        var tokens: [String] = []
        for _ in 0..<4 {
            let created = try await live.send("POST", "/v1/tasks", json: .object(["policy": .string("test-tools")]))
            tokens.append(try #require(created.json?["token"]?.stringValue))
        }
        let client = live.client
        let clients = 16, callsPerClient = 200 / 16 + 1
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<clients {
                let token = tokens[index % tokens.count]
                group.addTask {
                    try await offPool {
                        var failures: [String] = []
                        for call in 0..<callsPerClient where index * callsPerClient + call < 200 {
                            let text = "client \(index) call \(call)"
                            let reply = try client.send(
                                "POST", "/v1/calls", headers: [("Authorization", "Bearer \(token)")],
                                json: .object(["tool": .string("echo"), "arguments": .object(["text": .string(text)])]))
                            if reply.status != 200 || reply.json?["stdout"]?["content"] != framed(text + "\n", tool: "echo") {
                                failures.append("\(text): \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
                            }
                        }
                        return failures
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(results.isEmpty, "\(results.count) calls failed, first: \(results.first ?? "")")

        let tasks = try await live.send("GET", "/v1/tasks")
        let made = tasks.json?["tasks"]?.arrayValue?.compactMap { $0["callsMade"]?.doubleValue }.reduce(0, +)
        #expect(made == 200)
        try await live.stop()

        let slotUIDs = fixture.configuration.slotUIDBase..<(fixture.configuration.slotUIDBase + 8)
        #expect(processes(ofUIDs: slotUIDs).isEmpty, "sandbox processes left running")
        // Suites of other modules run beside this one in the same process and hold a few
        // descriptors for moments; a leak in the call path would show as one or more per call.
        let after = ResourceCount.now()
        #expect(after.descriptors <= before.descriptors + 8, "descriptors: \(before.descriptors) before, \(after.descriptors) after")
        #expect(after.mounts <= before.mounts + 4, "mounts: \(before.mounts) before, \(after.mounts) after")
        if let name = fixture.configuration.cgroupName {
            for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
                #expect(access("\(root)/\(name)", F_OK) != 0, "cgroup \(root)/\(name) left behind")
            }
        }
    }
}
}

/// What a broker could leak into the test process: open descriptors and mounts (its own mount
/// namespace is the host's, so a leaked bind would show here).
struct ResourceCount {
    var descriptors: Int
    var mounts: Int

    static func now() -> ResourceCount {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? -1
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return ResourceCount(descriptors: fds, mounts: mountinfo.split(separator: "\n").count)
    }
}
