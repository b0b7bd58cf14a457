import Hummingbird
import NIOCore

/// What the broker's routes need from a request context: the verified caller, the kernel's
/// credentials for the connection, and a way to stop reading a refused body.
///
/// The production context (`BrokerRequestContext`) reads `SO_PEERCRED` from the connection;
/// tests supply their own conformance, because the router test harness has no socket.
public protocol BrokerRequestContextProtocol: RequestContext where Source == ApplicationRequestContextSource {
    /// Set by `CallerMiddleware` before any route runs; nil only before that.
    var caller: Caller? { get set }
    /// The credentials of the process at the other end of the connection, or nil when they cannot
    /// be read (then the request is refused).
    func peerCredentials(for request: Request) async -> PeerCredentials?
    /// Stops reading the request: its body was refused, so the connection is not worth keeping.
    func abandonRequestBody()
}

/// The context `airlock serve` uses: the caller is whoever the kernel says connected.
public struct BrokerRequestContext: BrokerRequestContextProtocol {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public func peerCredentials(for request: Request) async -> PeerCredentials? {
        await PeerCredentials.of(channel)
    }

    public func abandonRequestBody() {
        // Closing the input ends the request stream: the server answers, then drops the connection
        // instead of draining a body it has refused.
        channel.close(mode: .input, promise: nil)
    }
}
