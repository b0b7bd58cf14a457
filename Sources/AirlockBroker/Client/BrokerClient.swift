import AirlockCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP answer from the broker.
public struct BrokerReply: Sendable {
    public var status: Int
    /// Header names in lowercase, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    /// The body as JSON, or nil when it is not.
    public var json: JSONValue? { try? JSONParser.parse(body) }
}

/// Why a request did not get an answer.
public enum BrokerClientError: Error, Sendable, CustomStringConvertible {
    case socket(UnixSocketError)
    case malformedReply(String)

    public var description: String {
        switch self {
        case .socket(let error): return error.description
        case .malformedReply(let reason): return "the broker's reply is not valid HTTP: \(reason)"
        }
    }
}

/// A small blocking HTTP/1.1 client over the broker's Unix socket, one connection per request.
///
/// The command line sends one request per run and waits for it; a blocking client of ~150 lines
/// does that without starting an event loop or linking an HTTP client library (and its TLS stack)
/// into the `airlock` binary.
public struct BrokerClient: Sendable {
    public var socketPath: String
    /// Give up on a reply after this many seconds (nil: wait as long as the call takes).
    public var timeoutSeconds: Int?
    public static let maxReplyBytes = 64 << 20

    public init(socketPath: String, timeoutSeconds: Int? = nil) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], json: JSONValue? = nil) throws(BrokerClientError) -> BrokerReply {
        try exchange(Self.request(method, path, headers: headers, json: json, keepAlive: false))
    }

    /// The bytes of one request with a JSON body (or none).
    static func request(_ method: String, _ path: String, headers: [(String, String)], json: JSONValue?, keepAlive: Bool) -> [UInt8] {
        let body = json.map { JSONSerializer.serialize($0) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: airlock\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    /// Sends raw bytes and parses the reply (tests use it for requests a client would never make).
    public func exchange(_ request: [UInt8]) throws(BrokerClientError) -> BrokerReply {
        let raw: [UInt8]
        do {
            let fd = try UnixSocket.connect(socketPath)
            defer { close(fd) }
            if let timeoutSeconds { UnixSocket.setReceiveTimeout(fd, seconds: timeoutSeconds) }
            try UnixSocket.writeAll(fd, request)
            raw = try UnixSocket.readToEnd(fd, limit: Self.maxReplyBytes)
        } catch {
            throw .socket(error)
        }
        return try Self.parse(raw)
    }

    /// Where the blank line that ends the headers starts, if it has arrived.
    static func headerEnd(_ raw: [UInt8]) -> Int? {
        let separator: [UInt8] = [13, 10, 13, 10]
        return raw.indices.first { raw[$0...].starts(with: separator) }
    }

    static func parse(_ raw: [UInt8]) throws(BrokerClientError) -> BrokerReply {
        guard let end = headerEnd(raw) else {
            throw .malformedReply(raw.isEmpty ? "the connection closed without a reply" : "no end of headers")
        }
        var reply = try parseHead(raw[..<end])
        reply.body = Array(raw[(end + 4)...])
        if reply.header("transfer-encoding")?.lowercased() == "chunked" {
            reply.body = try dechunk(reply.body)
        } else if let length = reply.header("content-length").flatMap(Int.init) {
            guard reply.body.count >= length else { throw .malformedReply("body shorter than its Content-Length") }
            reply.body = Array(reply.body.prefix(length))
        }
        return reply
    }

    /// The status line and headers (the bytes before the blank line), with an empty body.
    static func parseHead(_ head: ArraySlice<UInt8>) throws(BrokerClientError) -> BrokerReply {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .malformedReply("status line `\(lines[0])`")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedReply("header line `\(line)`") }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return BrokerReply(status: status, headers: headers, body: [])
    }

    private static func dechunk(_ bytes: [UInt8]) throws(BrokerClientError) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = bytes[index...].indices.first(where: { bytes[$0...].starts(with: [13, 10]) }),
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
            else { throw .malformedReply("bad chunk size") }
            index = lineEnd + 2
            if size == 0 { return result }
            guard index + size <= bytes.count else { throw .malformedReply("chunk runs past the end") }
            result += bytes[index..<(index + size)]
            index += size + 2
        }
    }
}
