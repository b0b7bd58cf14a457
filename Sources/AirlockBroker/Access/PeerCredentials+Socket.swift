import NIOCore
import Synchronization

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
    /// The connection's peer credentials: those `PeerCredentialsHandler` read when the connection
    /// opened, or else read now. Only a Unix-domain stream socket has them; any other channel (TCP,
    /// a test channel) yields nil, so it can never be mistaken for uid 0.
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        if let known = PeerCredentialsHandler.known(for: channel) { return known }
        return try? await read(from: channel).get()
    }

    /// `SO_PEERCRED`, read on the channel's event loop (at once when called there). The kernel
    /// records them at `connect()`, so they hold for the connection's life.
    fileprivate static func read(from channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard case .unixDomainSocket? = channel.localAddress, let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soPeerCred))
        return future.map { cred in cred.pid > 0 ? PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid) : nil }.recover { _ in nil }
    }
}

/// Reads a connection's peer credentials once, on its event loop, when it opens, so a request
/// finds them without a round trip to the event loop. Entries are keyed by the channel and
/// checked against it (a weak reference), and removed when the connection closes.
final class PeerCredentialsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private struct Entry {
        weak var channel: (any Channel)?
        let credentials: PeerCredentials
    }

    private static let table = Mutex<[ObjectIdentifier: Entry]>([:])

    static func known(for channel: any Channel) -> PeerCredentials? {
        table.withLock { table in
            guard let entry = table[ObjectIdentifier(channel)], entry.channel === channel else { return nil }
            return entry.credentials
        }
    }

    static var count: Int { table.withLock { $0.count } }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { remember(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        remember(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        forget(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        forget(context.channel)
    }

    private func remember(_ channel: any Channel) {
        PeerCredentials.read(from: channel).whenSuccess { credentials in
            guard let credentials, channel.isActive else { return }
            Self.table.withLock { $0[ObjectIdentifier(channel)] = Entry(channel: channel, credentials: credentials) }
        }
    }

    private func forget(_ channel: any Channel) {
        _ = Self.table.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
