import AirlockCore
import ArgumentParser
import Foundation

/// `airlock token mint`: a token for one task, bound to the exact text of its policy.
struct TokenMintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Mint a capability token for one task.",
        discussion: """
            The token is signed with the newest root key in <state-dir>/keys (a first key is created, \
            mode 0600, when there is none) and bound to the SHA-256 of the policy file: editing the \
            policy ends the token (policy_changed). It is valid for --ttl (30m unless told). \
            The token is printed on standard output; its id and expiry on standard error.

            Exit status: 0 minted, 2 bad arguments, an invalid policy or an unusable key store.
            """
    )

    @Option(help: ArgumentHelp("The task's policy file.", valueName: "file"))
    var policy: String

    @Option(help: ArgumentHelp("The task id the token is for.", valueName: "id"))
    var task: String

    @OptionGroup var caveatOptions: CaveatOptions
    @OptionGroup var state: StateDirectoryOption
    @OptionGroup var sandbox: SandboxDirectoryOption

    static let defaultTTL = "30m"

    func run() throws {
        do throws(CommandError) {
            let policy = try sandbox.loadPolicy(policy)
            let token = try Self.mint(policy: policy, task: task, caveats: caveatOptions, state: state, now: currentEpochSeconds())
            print(token.text)
            let expiry = token.caveats.compactMap { caveat -> EpochSeconds? in
                if case .expires(let t) = caveat { return t }
                return nil
            }.min()
            FileHandle.standardError.write(
                Data("minted token \(token.id) for task \(task), policy \(policy.name)\(expiry.map { ", expires \($0)" } ?? "")\n".utf8))
        } catch {
            throw error.report("token mint")
        }
    }

    /// Mints with the state directory's current key; tool names and path arguments must exist
    /// in the policy, so a typo fails here instead of at the first call.
    static func mint(policy: Policy, task: String, caveats options: CaveatOptions, state: StateDirectoryOption, now: EpochSeconds)
        throws(CommandError) -> CapabilityToken
    {
        if let names = options.toolNames {
            for name in names where policy.tools[name] == nil {
                throw CommandError(
                    message: "--tools: policy \(policy.name) has no tool `\(name)` (it has \(policy.toolNames.joined(separator: ", ")))")
            }
        }
        for constraint in try options.pathConstraints() where !policy.tools.values.contains(where: { $0.paths.contains(constraint.name) }) {
            throw CommandError(message: "--path-under: no tool of policy \(policy.name) has a path argument `\(constraint.name)`")
        }
        let caveats = try options.caveats(now: now, defaultTTL: defaultTTL)
        let keyring = try state.keysCreatingIfNeeded()
        guard let key = keyring.current else { throw CommandError(message: "no root key in \(state.keyStore.directory)") }
        guard let digest = PolicyDigest(hex: policy.digest) else { throw CommandError(message: "the policy digest is not SHA-256 hex") }
        do {
            return try CapabilityToken.mint(key: key, taskId: task, policyName: policy.name, policyDigest: digest, caveats: caveats)
        } catch {
            throw CommandError(message: "\(error)")
        }
    }
}
