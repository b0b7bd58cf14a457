import AirlockCore
import ArgumentParser
import Foundation

/// `airlock policy check FILE…`: every file loaded exactly as the broker would load it.
struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate policy files.",
        discussion: """
            Each file is loaded as the broker loads it: unknown fields, wrong types, bad units, slots \
            that name no argument, unknown views or seccomp profiles. Errors are printed as \
            file:line:column: field: message, one per file (loading stops at the first).

            Exit status: 0 every file is valid, 1 at least one is not, 2 bad arguments.
            """
    )

    @OptionGroup var sandbox: SandboxDirectoryOption

    @Argument(help: ArgumentHelp("Policy files (YAML or JSON).", valueName: "file"))
    var files: [String]

    func run() throws {
        let directory: String
        do { directory = try sandbox.resolve() } catch { throw error.report("policy check") }
        let loader = PolicyLoader(sandboxDirectory: directory)
        var failed = 0
        for file in files {
            do {
                let policy = try loader.load(file: file)
                let tools = policy.toolNames.count == 1 ? "1 tool" : "\(policy.toolNames.count) tools"
                print("\(file): ok (policy \(policy.name), \(tools), sha256 \(policy.digest.prefix(16))…)")
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
