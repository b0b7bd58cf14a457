import ArgumentParser

@main
struct Airlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an AI agent's tool calls in confined, audited sandboxes.",
        version: "0.1.0",
        subcommands: [ExecCommand.self, BenchCommand.self]
    )
}
