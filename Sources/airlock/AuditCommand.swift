import AirlockAudit
import ArgumentParser
import Foundation

/// `airlock audit`: check, read and replay the execution log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, show and replay the execution log.",
        subcommands: [AuditVerifyCommand.self, AuditShowCommand.self, AuditReplayCommand.self, AuditWriteTestCommand.self]
    )
}

/// The log directory argument shared by the audit commands.
struct LogDirectoryArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The log directory (default: .airlock/log).", valueName: "dir"))
    var directory = ".airlock/log"

    /// `<dir>/../audit-key.pub`: where the broker publishes the checkpoint key.
    var defaultKeyPath: String {
        URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent(LogSigningKey.publicFileName).path
    }

    func requireExisting() throws(CommandError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError(message: "\(directory): no such log directory")
        }
    }
}
