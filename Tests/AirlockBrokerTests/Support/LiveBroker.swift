@testable import AirlockBroker
import AirlockCore
import AirlockTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (the command-line client, a child process) on its own thread, so that it
/// never holds one of the few cooperative-pool threads the broker's own handlers need.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A broker serving on a real Unix socket in a temporary directory, started with the production
/// context (`SO_PEERCRED`), as `airlock serve` starts it.
struct LiveBroker {
    let fixture: TestBroker
    let app: BrokerApplication<BrokerRequestContext>
    let group: ServiceGroup
    let running: Task<Void, any Error>

    var socketPath: String { fixture.configuration.effectiveSocketPath }
    var client: BrokerClient { BrokerClient(socketPath: socketPath, timeoutSeconds: 60) }

    static func start(_ fixture: TestBroker) async throws -> LiveBroker {
        var logger = Logger(label: "airlock.live-test")
        logger.logLevel = .warning
        let app = try buildApplication(fixture.configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        let live = LiveBroker(fixture: fixture, app: app, group: group, running: running)
        for _ in 0..<500 where !SocketBinding.isLive(live.socketPath) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(SocketBinding.isLive(live.socketPath), "the broker never listened on \(live.socketPath)")
        return live
    }

    /// What SIGTERM does, without signalling the shared test process.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func send(_ method: String, _ path: String, token: String? = nil, json: JSONValue? = nil) async throws -> BrokerReply {
        let client = client
        return try await offPool {
            try client.send(method, path, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [], json: json)
        }
    }
}

/// Runs `body` with a live broker whose callers are identified by the kernel. The test process
/// runs as root, which the default roles make admin.
func withLiveBroker(
    slots: Int = 2, configure: (inout TestBroker) throws -> Void = { _ in }, _ body: (LiveBroker) async throws -> Void
) async throws {
    var fixture = try TestBroker(slots: slots, roles: RoleMap.defaults(servingUID: geteuid()))
    defer { fixture.remove() }
    try configure(&fixture)
    let live = try await LiveBroker.start(fixture)
    do {
        try await body(live)
    } catch {
        try? await live.stop()
        throw error
    }
    try await live.stop()
}

extension BrokerReply {
    var problemCode: String? { json?["code"]?.stringValue }
}

/// `runProgram` on a thread of its own: the program may talk to a broker served by this
/// process's cooperative pool.
func runProgramOffPool(_ path: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProgramResult {
    try await offPool { try runProgram(path, arguments, environment: environment) }
}
