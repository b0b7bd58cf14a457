import AirlockBroker
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock task`: create, inspect and control tasks on a running broker (admin; list and show
/// also for auditors).
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Create, list, show, suspend, resume and end tasks on a running broker.",
        discussion: """
            Each subcommand prints the broker's JSON answer. Exit status: 0 done, 5 the broker \
            refused (the reason is printed), 6 the broker could not be reached, 2 bad arguments.
            """,
        subcommands: [Create.self, List.self, Show.self, Suspend.self, Resume.self, End.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a task from a policy; prints the task and its token.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The policy's name (see GET /v1/policies).") var policy: String
        @Option(help: "Lifetime, e.g. 15m or 2h (default: the broker's).") var ttl: String?
        @Option(name: .customLong("max-calls"), help: "Most calls the task's token allows.") var maxCalls: Int?
        @Flag(inversion: .prefixedNo, help: "Give the task a workspace (default: when a tool uses one).") var workspace: Bool?

        func validate() throws {
            if let maxCalls, maxCalls <= 0 { throw ValidationError("--max-calls must be above zero") }
        }

        func run() throws {
            var body: [String: JSONValue] = ["policy": .string(policy)]
            if let ttl { body["ttl"] = .string(ttl) }
            if let maxCalls { body["maxCalls"] = .integer(Int64(maxCalls)) }
            if let workspace { body["workspace"] = .bool(workspace) }
            try TaskCommand.run("task create", options, "POST", "/v1/tasks", json: .object(body))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the broker's tasks.")
        @OptionGroup var options: ClientOptions
        func run() throws { try TaskCommand.run("task list", options, "GET", "/v1/tasks") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one task: state, calls made and denied, budget left.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The task id.") var id: String
        func run() throws { try TaskCommand.run("task show", options, "GET", "/v1/tasks/\(try TaskCommand.segment(id))") }
    }

    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a task: its calls are denied until it is resumed.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The task id.") var id: String
        func run() throws { try TaskCommand.run("task suspend", options, "POST", "/v1/tasks/\(try TaskCommand.segment(id))/suspend") }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended task.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The task id.") var id: String
        func run() throws { try TaskCommand.run("task resume", options, "POST", "/v1/tasks/\(try TaskCommand.segment(id))/resume") }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a task: revoke its token and kill its running calls.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The task id.") var id: String
        func run() throws { try TaskCommand.run("task end", options, "DELETE", "/v1/tasks/\(try TaskCommand.segment(id))") }
    }

    /// A task id as one path segment: ids are UUIDs, so anything else is refused here.
    static func segment(_ id: String) throws -> String {
        guard !id.isEmpty, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) else {
            throw ValidationError("`\(id)` is not a task id")
        }
        return id
    }

    static func run(_ command: String, _ options: ClientOptions, _ method: String, _ path: String, json: JSONValue? = nil) throws {
        let reply = try options.client.perform(command, method, path, json: json)
        guard (200..<300).contains(reply.status) else {
            reply.printProblem(command)
            throw ExitCode(ClientExit.refused)
        }
        reply.printBody()
    }
}
