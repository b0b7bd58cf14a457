import AirlockCore
import ArgumentParser
import Foundation

/// `airlock policy explain FILE`: what each tool may read, write, reach and use.
struct PolicyExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Describe in plain words what each tool of a policy may read, write, reach and use.",
        discussion: "Exit status: 0 explained, 1 the policy is not valid (the error is printed as by `policy check`)."
    )

    @OptionGroup var sandbox: SandboxDirectoryOption

    @Argument(help: ArgumentHelp("A policy file.", valueName: "file"))
    var file: String

    func run() throws {
        let directory: String
        do { directory = try sandbox.resolve() } catch { throw error.report("policy explain") }
        do {
            let policy = try PolicyLoader(sandboxDirectory: directory).load(file: file)
            print(policy.explain(), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
