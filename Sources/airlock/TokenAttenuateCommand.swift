import AirlockCore
import ArgumentParser
import Foundation

/// `airlock token attenuate`: a narrower token derived offline, with no key and no broker.
struct TokenAttenuateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attenuate",
        abstract: "Derive a narrower token from a token, offline.",
        discussion: """
            Appends a `derived` caveat with a fresh id and the caveats given, extending the token's \
            signature chain: no root key is needed, and nothing can be widened or removed (a caveat \
            asking for more than the token has changes nothing). Revoking the original token also \
            revokes the derived one. The new token is printed on standard output.

            Exit status: 0 derived, 2 bad arguments or not a token.
            """
    )

    @Argument(help: ArgumentHelp("The token to narrow, or - to read it from standard input.", valueName: "token"))
    var token: String

    @OptionGroup var caveatOptions: CaveatOptions

    func run() throws {
        do throws(CommandError) {
            let parent = try readTokenArgument(token)
            let caveats = try caveatOptions.caveats(now: currentEpochSeconds())
            guard !caveats.isEmpty else {
                throw CommandError(message: "no caveat given: add --ttl, --tools, --max-calls, --path-under or a limit")
            }
            let derived: CapabilityToken
            do { derived = try parent.attenuated(with: caveats) } catch { throw CommandError(message: "\(error)") }
            print(derived.text)
        } catch {
            throw error.report("token attenuate")
        }
    }
}
