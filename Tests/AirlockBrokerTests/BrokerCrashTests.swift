@testable import AirlockAudit
@testable import AirlockBroker
import AirlockCore
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
@Suite("A broker killed with SIGKILL mid-call")
struct BrokerCrashTests {
    /// `airlock serve` is killed at random moments while clients make calls, then started again on
    /// the same state directory, several times. After each kill the log verifies; at the end every
    /// call that was answered has its records, the chain runs through every restart, and no
    /// sandbox process or cgroup is left.
    @Test func killedBrokerLosesNoAnsweredCallAndItsLogContinues() async throws {
        let airlock = try airlockExecutable()
        let fixture = try TestBroker()
        defer { fixture.remove() }
        let state = fixture.configuration.stateDirectory
        let uidBase = fixture.configuration.slotUIDBase
        let config = fixture.directory + "/crash.yaml"
        try "slots:\n  uidBase: \(uidBase)\nlimits:\n  slots: 4\n  perTaskConcurrency: 4\n".write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--state-dir", state, "--policies", fixture.configuration.policiesDirectory, "--config", config, "--log-level", "error"]
        let answered = AnsweredCalls()
        var killed: [Int32] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0..<5 {
            let broker = try Self.start(airlock, arguments, socket: fixture.configuration.effectiveSocketPath)
            let token = try Self.createTask(socket: fixture.configuration.effectiveSocketPath)
            let clients = (0..<4).map { client in
                Self.callUntilRefused(socket: fixture.configuration.effectiveSocketPath, token: token, prefix: "r\(round)c\(client)", answered: answered)
            }
            try await Task.sleep(nanoseconds: UInt64.random(in: 200_000_000...700_000_000, using: &generator))
            kill(broker.processIdentifier, SIGKILL)
            broker.waitUntilExit()
            killed.append(broker.processIdentifier)
            for client in clients { client.wait() }
            let report = try LogVerifier(directory: state + "/log", publicKey: nil).verify()
            #expect(report.problem == nil, "round \(round): \(String(describing: report.problem))")
        }
        // A clean start and stop after the crashes: stale cgroups swept, final checkpoint written.
        let last = try Self.start(airlock, arguments, socket: fixture.configuration.effectiveSocketPath)
        last.terminate()
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)

        let key = try LogSigningKey.readPublicKey(path: state + "/" + LogSigningKey.publicFileName)
        let report = try LogVerifier(directory: state + "/log", publicKey: key).verify()
        #expect(report.problem == nil, "\(String(describing: report.problem))")
        var finished: Set<String> = [], started = 0
        try LogReader(directory: state + "/log").forEachRecord { record in
            let json = record.json
            if json?["kind"] == .string("call.finished"), let call = json?["call"]?.stringValue { finished.insert(call) }
            if json?["kind"] == .string("broker.started") { started += 1 }
            return true
        }
        #expect(started == 6)
        let calls = answered.ids.withLock { $0 }
        #expect(calls.count >= 10, "too few calls were answered to test anything: \(calls.count)")
        let missing = calls.filter { !finished.contains($0) }
        #expect(missing.isEmpty, "answered but not in the log: \(missing.prefix(5))")
        // Each sandbox dies with its broker (parent-death signal); what is left for a moment is a
        // zombie that init has yet to reap.
        var running = runningProcesses(ofUIDs: uidBase..<(uidBase + 4))
        for _ in 0..<100 where !running.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            running = runningProcesses(ofUIDs: uidBase..<(uidBase + 4))
        }
        #expect(running.isEmpty, "sandbox processes outlived their broker: \(running)")
        for pid in killed {
            for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
                #expect(access("\(root)/airlock-\(pid)", F_OK) != 0, "the cgroup of killed broker \(pid) is left in \(root)")
            }
        }
    }

    static func start(_ airlock: String, _ arguments: [String], socket: String, environment: [String: String]? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: airlock)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let client = BrokerClient(socketPath: socket, timeoutSeconds: 5)
        for _ in 0..<500 {
            if (try? client.send("GET", "/v1/health"))?.status == 200 { return process }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw POSIXError(.ETIMEDOUT)
    }

    static func createTask(socket: String) throws -> String {
        let reply = try BrokerClient(socketPath: socket, timeoutSeconds: 10).send(
            "POST", "/v1/tasks", json: .object(["policy": .string("test-tools")]))
        return try #require(reply.json?.objectValue?["token"]?.stringValue, "\(reply.status)")
    }

    /// A client thread that makes calls, each with its own id, until the broker stops answering;
    /// every call answered 200 is remembered.
    static func callUntilRefused(socket: String, token: String, prefix: String, answered: AnsweredCalls) -> DispatchGroup {
        let group = DispatchGroup()
        group.enter()
        Thread {
            defer { group.leave() }
            let client = BrokerClient(socketPath: socket, timeoutSeconds: 10)
            for n in 0..<10_000 {
                let id = "\(prefix)n\(n)"
                let tool: JSONValue = n % 3 == 0 ? .object(["tool": .string("sleep"), "arguments": .object(["seconds": .string("0.05")])])
                    : .object(["tool": .string("echo"), "arguments": .object(["text": .string(id)])])
                guard var body = tool.objectValue else { return }
                body["callId"] = .string(id)
                guard let reply = try? client.send("POST", "/v1/calls", headers: [("Authorization", "Bearer \(token)")], json: .object(body)),
                    reply.status == 200
                else { return }
                answered.ids.withLock { $0.append(id) }
            }
        }.start()
        return group
    }
}
}

/// Call ids answered 200, from many client threads.
final class AnsweredCalls: Sendable {
    let ids = Mutex<[String]>([])
}

/// `processes(ofUIDs:)` without zombies: processes that still run.
func runningProcesses(ofUIDs uids: Range<UInt32>) -> [Int] {
    processes(ofUIDs: uids).filter { pid in
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // The state follows the command name in parentheses, which may itself contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first.map { $0 != "Z" && $0 != "X" } ?? false
    }
}
