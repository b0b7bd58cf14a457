import AirlockCore

#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive connection to the broker: requests are sent and answered in turn on the same
/// socket, as an agent framework's HTTP client would do. Not for concurrent use; open one per
/// thread. Replies must carry `Content-Length` (the broker's always do).
public final class BrokerConnection {
    private let fd: Int32
    private var pending: [UInt8] = []

    public init(socketPath: String, timeoutSeconds: Int = 60) throws(BrokerClientError) {
        do { fd = try UnixSocket.connect(socketPath) } catch { throw .socket(error) }
        UnixSocket.setReceiveTimeout(fd, seconds: timeoutSeconds)
    }

    deinit { close(fd) }

    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], json: JSONValue? = nil) throws(BrokerClientError) -> BrokerReply {
        do { try UnixSocket.writeAll(fd, BrokerClient.request(method, path, headers: headers, json: json, keepAlive: true)) } catch {
            throw .socket(error)
        }
        var headerEnd = BrokerClient.headerEnd(pending)
        while headerEnd == nil {
            try readMore()
            headerEnd = BrokerClient.headerEnd(pending)
        }
        var reply = try BrokerClient.parseHead(pending[..<headerEnd!])
        guard let length = reply.header("content-length").flatMap(Int.init), length >= 0, length <= BrokerClient.maxReplyBytes else {
            throw .malformedReply("a kept-alive reply needs a Content-Length")
        }
        let total = headerEnd! + 4 + length
        while pending.count < total { try readMore() }
        reply.body = Array(pending[(headerEnd! + 4)..<total])
        pending.removeFirst(total)
        return reply
    }

    private func readMore() throws(BrokerClientError) {
        let open: Bool
        do { open = try UnixSocket.readSome(fd, into: &pending) } catch { throw .socket(error) }
        guard open else { throw .malformedReply("the connection closed before the reply was complete") }
    }
}
