import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation

/// `--sandbox-dir`: where policies' `view` and `seccomp` names are looked up.
struct SandboxDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("sandbox-dir"),
        help: ArgumentHelp(
            "The Sandbox/ directory with rootfs/ views and seccomp/ profiles (default: found next to the airlock binary, "
                + "in /usr/share/airlock, or ./Sandbox; or $\(SandboxDirectory.environmentVariable)).",
            valueName: "dir"))
    var sandboxDirectory: String?

    func resolve() throws(CommandError) -> String {
        if let sandboxDirectory { return sandboxDirectory }
        do { return try SandboxDirectory.locate() } catch { throw CommandError(message: "\(error)") }
    }

    /// Loads and checks one policy file; errors read `file:line:column: field: message`.
    func loadPolicy(_ file: String) throws(CommandError) -> Policy {
        let directory = try resolve()
        do { return try PolicyLoader(sandboxDirectory: directory).load(file: file) } catch { throw CommandError(message: "\(error)") }
    }
}

/// `--state-dir`: where the root keys (`keys/`) and the revocation list live.
struct StateDirectoryOption: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The state directory (root keys, revocations).", valueName: "dir"))
    var stateDirectory = "./.airlock"

    var keyStore: RootKeyStore { RootKeyStore(stateDirectory: stateDirectory) }

    /// The keys, creating the directory and a first key when there are none yet (for minting).
    func keysCreatingIfNeeded() throws(CommandError) -> RootKeyring {
        do { return try keyStore.loadOrCreate() } catch { throw CommandError(message: "\(error)") }
    }

    /// The keys there are; none when the key directory does not exist (for verifying).
    func existingKeys() throws(CommandError) -> RootKeyring {
        do { return try keyStore.load() } catch { throw CommandError(message: "\(error)") }
    }

    func revocations() throws(CommandError) -> RevocationList {
        do { return try RevocationList.load(stateDirectory: stateDirectory) } catch { throw CommandError(message: "\(error)") }
    }
}

extension CommandError {
    /// Prints `airlock <command>: <message>` to standard error; the caller exits with status 2.
    func report(_ command: String) -> ExitCode {
        FileHandle.standardError.write(Data("airlock \(command): \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// The current time in whole seconds, as token caveats and decisions use it.
func currentEpochSeconds() -> EpochSeconds { EpochSeconds(roundingDown: Date()) }

/// Reads a token given on the command line, or from standard input when it is `-` (so the token
/// need not appear in the process list).
func readTokenArgument(_ argument: String) throws(CommandError) -> CapabilityToken {
    do { return try CapabilityToken(text: readTokenText(argument)) } catch { throw CommandError(message: "not a token: \(error)") }
}

/// The token text as given, or read from standard input for `-`.
func readTokenText(_ argument: String) -> String {
    guard argument == "-" else { return argument }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
