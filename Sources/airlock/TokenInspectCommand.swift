import AirlockCore
import ArgumentParser
import Foundation

/// `airlock token inspect`: everything a token says, and whether its chain verifies here.
struct TokenInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a token's fields and caveats in chain order; verify it when the root key is here.",
        discussion: """
            Anyone can read a token (caveats are signed, not encrypted). When <state-dir>/keys holds the \
            token's root key, the signature chain is verified too and the output says so, with the \
            folded grant and whether the token is revoked or outside its validity window; otherwise \
            the output says it was not verified. The signature itself is never printed.

            Exit status: 0 read (and verified, when the key is here), 1 the signature chain does not \
            verify, 2 not a token or an unreadable key store.
            """
    )

    @Argument(help: ArgumentHelp("The token, or - to read it from standard input.", valueName: "token"))
    var token: String

    @OptionGroup var state: StateDirectoryOption

    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let parsed: CapabilityToken
        let verification: Verification
        do {
            parsed = try readTokenArgument(token)
            verification = try verify(parsed)
        } catch {
            throw error.report("token inspect")
        }
        if json {
            var object = parsed.inspectionJSON.objectValue ?? [:]
            object["verification"] = verification.json
            print(JSONSerializer.string(.object(object), pretty: true))
        } else {
            print(parsed.inspection)
            print(verification.lines.joined(separator: "\n"))
        }
        if case .failed = verification.result { throw ExitCode(1) }
    }

    struct Verification {
        enum Result {
            case notChecked(reason: String)
            case verified(Grant, status: String)
            case failed(TokenError)
        }
        var result: Result

        var lines: [String] {
            switch result {
            case .notChecked(let reason): return ["signature     not verified: \(reason)"]
            case .failed(let error): return ["signature     INVALID: \(error)"]
            case .verified(let grant, let status):
                var lines = ["signature     verified with root key \(grant.keyId)", "grants        \(grant.tools)"]
                if let t = grant.notBefore { lines.append("valid from    \(t)") }
                if let t = grant.expires { lines.append("valid until   \(t)") }
                if let n = grant.maxCalls { lines.append("max calls     \(n)") }
                if !grant.limits.isEmpty { lines.append("limits        \(grant.limits)") }
                for constraint in grant.argumentConstraints { lines.append("argument      \(constraint)") }
                lines.append("status        \(status)")
                return lines
            }
        }

        var json: JSONValue {
            switch result {
            case .notChecked(let reason): return .object(["verified": .bool(false), "reason": .string(reason)])
            case .failed(let error):
                return .object(["verified": .bool(false), "error": .string(error.description), "code": .string(error.code)])
            case .verified(let grant, let status):
                return .object(["verified": .bool(true), "keyId": .string(grant.keyId), "status": .string(status)])
            }
        }
    }

    private func verify(_ token: CapabilityToken) throws(CommandError) -> Verification {
        let keyring = try state.existingKeys()
        guard keyring.key(id: token.keyId) != nil else {
            return Verification(result: .notChecked(reason: "no root key `\(token.keyId)` in \(state.keyStore.directory)"))
        }
        let grant: Grant
        do { grant = try keyring.verify(token) } catch { return Verification(result: .failed(error)) }
        return Verification(result: .verified(grant, status: try status(of: grant)))
    }

    private func status(of grant: Grant) throws(CommandError) -> String {
        let now = currentEpochSeconds()
        if try state.revocations().isRevoked(grant) { return "revoked" }
        if let t = grant.notBefore, now < t { return "not yet valid" }
        if let t = grant.expires, now >= t { return "expired" }
        return "valid"
    }
}
