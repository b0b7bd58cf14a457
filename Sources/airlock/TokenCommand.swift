import ArgumentParser

/// `airlock token`: mint, narrow, read and revoke capability tokens (format: docs/tokens.md).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint, attenuate, inspect and revoke capability tokens.",
        subcommands: [TokenMintCommand.self, TokenAttenuateCommand.self, TokenInspectCommand.self, TokenRevokeCommand.self]
    )
}
