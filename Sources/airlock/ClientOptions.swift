import AirlockBroker
import AirlockCore
import ArgumentParser
import Foundation

/// Options every client command shares: where the broker listens.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The broker's socket (default: $AIRLOCK_SOCKET, else .airlock/airlock.sock).", valueName: "path"))
    var socket: String?

    var client: BrokerClient {
        BrokerClient(socketPath: socket ?? ProcessInfo.processInfo.environment["AIRLOCK_SOCKET"] ?? ".airlock/airlock.sock")
    }
}

/// Exit statuses shared by the client commands.
enum ClientExit {
    /// The broker refused the request (4xx other than a denial, or 5xx).
    static let refused: Int32 = 5
    /// The broker could not be reached.
    static let unreachable: Int32 = 6
}

extension BrokerClient {
    /// Sends a request; on failure prints the reason and exits with the client's status.
    func perform(_ command: String, _ method: String, _ path: String, headers: [(String, String)] = [], json: JSONValue? = nil) throws -> BrokerReply {
        do {
            return try send(method, path, headers: headers, json: json)
        } catch {
            FileHandle.standardError.write(Data("airlock \(command): cannot reach the broker at \(socketPath): \(error)\n".utf8))
            throw ExitCode(ClientExit.unreachable)
        }
    }
}

extension BrokerReply {
    /// Prints the body as indented JSON (or as text when it is not JSON).
    func printBody() {
        if let json {
            print(JSONSerializer.string(json, pretty: true))
        } else {
            print(String(decoding: body, as: UTF8.self))
        }
    }

    /// For a problem reply: `code: detail` on stderr.
    func printProblem(_ command: String) {
        let fields = json?.objectValue ?? [:]
        let code = fields["code"]?.stringValue ?? "http_\(status)"
        let detail = fields["detail"]?.stringValue ?? String(decoding: body, as: UTF8.self)
        FileHandle.standardError.write(Data("airlock \(command): \(status) \(code): \(detail)\n".utf8))
    }
}
