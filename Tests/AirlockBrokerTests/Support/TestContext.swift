import AirlockBroker
import HTTPTypes
import Hummingbird

/// A request context for the router test harness, which has no socket and so no peer
/// credentials: the test names the peer in a header only this test context reads.
struct TestContext: BrokerRequestContextProtocol {
    static let peerHeader = HTTPField.Name("X-Test-Peer")!

    var coreContext: CoreRequestContextStorage
    var caller: Caller?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// `uid:gid:pid`.
    func peerCredentials(for request: Request) async -> PeerCredentials? {
        guard let text = request.headers[Self.peerHeader] else { return nil }
        let parts = text.split(separator: ":").compactMap { UInt32($0) }
        guard parts.count == 3 else { return nil }
        return PeerCredentials(pid: Int32(parts[2]), uid: parts[0], gid: parts[1])
    }

    func abandonRequestBody() {}
}

/// The peers the tests connect as.
enum Peer {
    static let admin = "1000:1000:11"
    static let agent = "1001:1001:12"
    static let auditor = "1002:1002:13"
    static let stranger = "4242:4242:14"

    static let roles = RoleMap(byUID: [1000: .admin, 1001: .agent, 1002: .auditor])
}
