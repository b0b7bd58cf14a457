import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// `struct ucred` as the kernel writes it for `SO_PEERCRED` (Swift's Glibc module does not
/// export it; the layout is fixed by the Linux ABI: pid, uid, gid, each 32 bits).
private struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Linux's `SO_PEERCRED` (17 on every architecture Airlock builds for).
private let soPeerCred: Int32 = 17

extension PeerCredentials {
    /// Reads the connection's peer credentials. Only a Unix-domain stream socket has them; any
    /// other channel (TCP, a test channel) yields nil, so it can never be mistaken for uid 0.
    static func read(from channel: any Channel) async -> PeerCredentials? {
        guard case .unixDomainSocket? = channel.localAddress, let provider = channel as? any SocketOptionProvider else {
            return nil
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soPeerCred))
        guard let cred = try? await future.get(), cred.pid > 0 else { return nil }
        return PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid)
    }
}
