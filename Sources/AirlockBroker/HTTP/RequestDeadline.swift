import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request, once its head has arrived, is not read to its end within
/// `timeout`: a client that dribbles its body a byte at a time cannot hold a connection (and the
/// request's handler) for ever.
///
/// Before the head is complete no request part exists, so that stretch is bounded by the idle
/// timeout, which only complete parts reset: a head sent a byte at a time is cut off there.
final class RequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            let channel = context.channel
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                channel.close(promise: nil)
            }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
