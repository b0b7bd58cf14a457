import AirlockBroker
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock call`: one tool call through a running broker, as an agent would make it.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a tool through a running broker with a task's token; prints the result envelope.",
        discussion: """
            Exit status: 0 the tool ran and exited 0; 1 it ran and failed (non-zero exit, signal \
            or limit); 4 the call was denied (the reason is printed); 5 the broker refused the \
            request otherwise (busy, malformed, …); 6 the broker could not be reached; 2 bad \
            arguments.
            """
    )

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("The task's token (default: $AIRLOCK_TOKEN).", valueName: "alk1…"))
    var token: String?

    @Option(help: "The tool's name, as the policy spells it.")
    var tool: String

    @Option(help: ArgumentHelp("The arguments as a JSON object.", valueName: "json"))
    var args = "{}"

    @Option(name: .customLong("call-id"), help: "An id for the call (default: a fresh UUID).")
    var callId: String?

    func run() throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["AIRLOCK_TOKEN"], !token.isEmpty else {
            throw ValidationError("give the task's token with --token or $AIRLOCK_TOKEN")
        }
        let arguments: JSONValue
        do { arguments = try JSONParser.parse(args) } catch { throw ValidationError("--args is not valid JSON: \(error)") }
        var body: [String: JSONValue] = ["tool": .string(tool), "arguments": arguments]
        if let callId { body["callId"] = .string(callId) }
        let reply = try options.client.perform("call", "POST", "/v1/calls", headers: [("Authorization", "Bearer \(token)")], json: .object(body))
        switch reply.status {
        case 200:
            reply.printBody()
            let exitCode = reply.json?.objectValue?["exitCode"]
            if exitCode != .integer(0) { throw ExitCode(1) }
        case 403:
            reply.printBody()
            reply.printProblem("call")
            throw ExitCode(4)
        default:
            reply.printProblem("call")
            throw ExitCode(ClientExit.refused)
        }
    }
}
