import AirlockCore
import ArgumentParser
import Foundation

/// `airlock token revoke`: adds a token id to the state directory's revocation list.
struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token id, and with it every token derived from it.",
        discussion: """
            Adds the id to <state-dir>/revoked-tokens.json (written atomically). Give the 22-character \
            id that `token inspect` prints, or a whole token (its own effective id is revoked).

            Exit status: 0 revoked (or already revoked), 2 not an id or the list cannot be written.
            """
    )

    @Argument(help: ArgumentHelp("A token id, or a token (alk1.…).", valueName: "id"))
    var id: String

    @OptionGroup var state: StateDirectoryOption

    func run() throws {
        do throws(CommandError) {
            let tokenId = try parseId()
            var list = try state.revocations()
            let already = list.isRevoked(tokenId)
            list.revoke(tokenId)
            do { try list.save(stateDirectory: state.stateDirectory) } catch { throw CommandError(message: "\(error)") }
            print(already ? "\(tokenId) was already revoked" : "revoked \(tokenId)")
        } catch {
            throw error.report("token revoke")
        }
    }

    private func parseId() throws(CommandError) -> TokenID {
        if id.hasPrefix("alk1.") || id == "-" { return try readTokenArgument(id).effectiveId }
        guard let parsed = TokenID(text: id) else {
            throw CommandError(message: "`\(id)` is not a token id (22 characters of base64url, as `token inspect` prints)")
        }
        return parsed
    }
}
