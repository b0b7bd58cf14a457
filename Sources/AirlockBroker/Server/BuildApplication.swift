import AirlockCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The broker as a Hummingbird application: routes on a Unix socket, plus the services that
/// drain calls and remove the slots on shutdown.
///
/// `run()` orders shutdown so the grace period holds: first calls are refused and the grace timer
/// starts, then the HTTP server stops accepting and waits for its requests (which end by the
/// grace deadline, killed if need be), then the slots are removed and the socket deleted.
public struct BrokerApplication<Context: BrokerRequestContextProtocol>: ApplicationProtocol {
    public let responder: RouterResponder<Context>
    public let configuration: ApplicationConfiguration
    public let logger: Logger
    public let broker: Broker
    let binding: SocketBinding

    public var server: HTTPServerBuilder {
        let requestTimeout = TimeAmount.milliseconds(Int64(broker.limits.requestTimeout.value))
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [PeerCredentialsHandler(), RequestDeadline(timeout: requestTimeout)],
            idleTimeout: .milliseconds(Int64(broker.limits.idleTimeout.value)))
        // Each connection's handlers run on its own event loop (see `EventLoopBoundChannel`).
        return HTTPServerBuilder { responder in
            EventLoopBoundChannel(inner: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }

    /// For the router test harness, which runs `services` around each test (no server there).
    public var services: [any Service] { [ReleaseService(broker: broker, binding: binding), DrainService(broker: broker)] }

    public func onServerRunning(_ channel: any Channel) async {
        do { try binding.setPermissions() } catch {
            logger.error("socket permissions not set", metadata: ["error": "\(error)"])
        }
        logger.info("broker listening", metadata: ["socket": "\(binding.path)"])
        // Start-up is over: the code only it ran need not stay mapped.
        let released = StartupPages.release()
        logger.debug("start-up code pages unmapped", metadata: ["bytes": "\(released)"])
    }

    public func run() async throws {
        let http = Application(
            responder: responder, server: server, configuration: configuration,
            onServerRunning: { await self.onServerRunning($0) }, logger: logger)
        // A group shuts its services down last to first: drain, then the server, then release.
        let group = ServiceGroup(
            configuration: .init(services: [ReleaseService(broker: broker, binding: binding), http, DrainService(broker: broker)], logger: logger))
        try await group.run()
    }
}

/// On shutdown, first: refuse new calls and start the grace timer.
struct DrainService: Service {
    let broker: Broker
    func run() async throws {
        try? await gracefulShutdown()
        broker.beginShutdown(grace: .milliseconds(Int64(broker.limits.gracePeriod.value)))
    }
}

/// On shutdown, last: wait for calls to end, remove the slots, delete the socket.
struct ReleaseService: Service {
    let broker: Broker
    let binding: SocketBinding
    func run() async throws {
        try? await gracefulShutdown()
        await broker.finishShutdown(grace: .milliseconds(Int64(broker.limits.gracePeriod.value)))
        binding.release()
    }
}

/// Builds the broker: socket path checked and locked, policies, keys and slots ready, routes set.
/// `serve` uses `BrokerRequestContext`; tests pass a context that supplies peer credentials.
public func buildApplication<Context: BrokerRequestContextProtocol>(
    _ configuration: BrokerConfiguration, context: Context.Type, logger: Logger = Logger(label: "airlock.broker")
) throws(BrokerStartError) -> BrokerApplication<Context> {
    let binding = try SocketBinding(path: configuration.effectiveSocketPath, group: configuration.socketGroup)
    let broker: Broker
    do { broker = try Broker.start(configuration, logger: logger) } catch {
        binding.release()
        throw error
    }
    let router = Router(context: Context.self)
    router.add(middleware: ProblemMiddleware<Context>())
    router.add(middleware: BodyLimit<Context>(maxBytes: configuration.limits.maxBodyBytes))
    router.add(middleware: CallerMiddleware<Context>(roles: configuration.roles))
    let v1 = router.group("v1")
    HealthRoutes(broker: broker).register(on: v1)
    PolicyRoutes(broker: broker).register(on: v1)
    TaskRoutes(broker: broker).register(on: v1)
    CallRoutes(broker: broker).register(on: v1)
    TokenRoutes(broker: broker).register(on: v1)
    AuditRoutes(broker: broker).register(on: v1)
    return BrokerApplication(
        responder: router.buildResponder(),
        configuration: .init(address: .unixDomainSocket(path: configuration.effectiveSocketPath), serverName: "airlock"),
        logger: logger, broker: broker, binding: binding)
}

/// The production application: callers identified by `SO_PEERCRED`.
public func buildApplication(_ configuration: BrokerConfiguration, logger: Logger = Logger(label: "airlock.broker")) throws(BrokerStartError) -> BrokerApplication<BrokerRequestContext> {
    try buildApplication(configuration, context: BrokerRequestContext.self, logger: logger)
}

extension BrokerApplication {
    /// Runs until SIGTERM or SIGINT, then shuts down gracefully (see `run()`).
    public func runUntilSignalled() async throws {
        try await runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
