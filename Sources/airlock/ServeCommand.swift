import AirlockBroker
import ArgumentParser
import Foundation
import Logging

/// `airlock serve`: the broker daemon on its Unix socket.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker: the HTTP API on a Unix socket that agents send tool calls to.",
        discussion: """
            Everything lives under the state directory: root keys, the revocation list, task \
            workspaces and (unless --socket says otherwise) the socket. The socket's directory is \
            made 0700, or 0750 for the group named in the configuration file, so only those users \
            can connect; peer credentials then decide each caller's role.

            SIGTERM or SIGINT: new calls are refused, running calls get the grace period, then \
            their sandboxes are killed and the slots removed.

            At start the broker executes itself again, once, with glibc.malloc.hugetlb=1 added to \
            GLIBC_TUNABLES, so that the buffers of large outputs take huge pages \
            (docs/broker.md); GLIBC_TUNABLES=glibc.malloc.hugetlb=0 keeps glibc's default.

            Exit status: 0 after a clean shutdown, 1 when the broker cannot start, 2 bad arguments \
            or configuration.
            """
    )

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("State directory.", valueName: "dir"))
    var stateDirectory = ".airlock"

    @Option(help: ArgumentHelp("Socket path (default: <state-dir>/airlock.sock).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Directory of task policies (*.yaml).", valueName: "dir"))
    var policies = "Policies"

    @Option(help: ArgumentHelp("Broker configuration file (roles, socket group, limits).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level `\(logLevel)`") }
    }

    func run() async throws {
        MallocHugePages.reexecuteIfNeeded()
        var configuration = BrokerConfiguration(stateDirectory: stateDirectory, socketPath: socket, policiesDirectory: policies)
        if let config {
            do { try BrokerConfigFile.load(file: config, into: &configuration) } catch {
                FileHandle.standardError.write(Data("airlock serve: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let app: BrokerApplication<BrokerRequestContext>
        do { app = try buildApplication(configuration) } catch {
            FileHandle.standardError.write(Data("airlock serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data(Self.quickStart(socket: configuration.effectiveSocketPath).utf8))
        try await app.runUntilSignalled()
    }

    /// Paste-ready commands, spelled with the path this binary was started by.
    static func quickStart(socket: String, airlock: String = CommandLine.arguments[0]) -> String {
        """
        airlock serve: listening on \(socket)
          create a task:  \(airlock) task create --socket \(socket) --policy code-reading
                          curl --unix-socket \(socket) -X POST http://airlock/v1/tasks -H 'Content-Type: application/json' -d '{"policy":"code-reading"}'
                          export TOKEN=alk1...   # the "token" of the answer
          make a call:    \(airlock) call --socket \(socket) --token "$TOKEN" --tool list_files --args '{"path":"."}'
                          curl --unix-socket \(socket) -X POST http://airlock/v1/calls -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"tool":"list_files","arguments":{"path":"."}}'
                          AIRLOCK_SOCKET=\(socket) AIRLOCK_TOKEN=$TOKEN python3 examples/python/airlock_client.py list_files '{"path":"."}'

        """
    }
}
