import AirlockAudit
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock audit show [DIR] [--task ID] [--call ID] [--since TIME] [--denied] [--json]`.
struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a readable timeline of the execution log.",
        discussion: """
            A table with one record per line, or with --json each selected record exactly as it is \
            in the log (one JSON object per line, for jq). Filters combine. This does not verify the \
            log: run `airlock audit verify` for that.
            """
    )

    @OptionGroup var log: LogDirectoryArgument
    @Option(help: ArgumentHelp("Only records of this task.", valueName: "id")) var task: String?
    @Option(help: ArgumentHelp("Only records of this call.", valueName: "id")) var call: String?
    @Option(help: ArgumentHelp("Only records at or after this UTC time (2026-01-31 or 2026-01-31T12:00:00Z).", valueName: "time"))
    var since: String?
    @Flag(help: "Only the records of calls that were denied.") var denied = false
    @Flag(help: "Print the records as JSON Lines.") var json = false

    func validate() throws {
        if let since, LogTime(text: since) == nil { throw ValidationError("--since: not a UTC time like 2026-01-31T12:00:00Z") }
    }

    func run() throws {
        let filter = TimelineFilter(task: task, call: call, since: since.flatMap(LogTime.init(text:)), deniedOnly: denied)
        let records: [(text: LogRecordText, fields: [String: JSONValue])]
        do {
            try log.requireExisting()
            records = try AuditTimeline(directory: log.directory).records(filter)
        } catch let error as CommandError {
            throw error.report("audit show")
        } catch {
            throw CommandError(message: "\(error)").report("audit show")
        }
        if json {
            for record in records { print(record.text.line) }
        } else {
            print(AuditTimeline.table(records))
        }
    }
}
