import ArgumentParser

/// `airlock policy`: check task policies and read them in plain words.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check task policies and explain what they grant.",
        subcommands: [PolicyCheckCommand.self, PolicyExplainCommand.self]
    )
}
