import AirlockBroker
import ArgumentParser

@main
struct Airlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an AI agent's tool calls in confined, audited sandboxes.",
        version: Broker.version,
        subcommands: [
            ServeCommand.self, TaskCommand.self, CallCommand.self, ExecCommand.self, RunCommand.self, PolicyCommand.self,
            TokenCommand.self, AuditCommand.self, BenchCommand.self,
        ]
    )
}
