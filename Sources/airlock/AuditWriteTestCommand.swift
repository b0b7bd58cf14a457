import AirlockAudit
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock audit write-test`: appends records durably as fast as it can from several tasks and
/// prints the seq of every acknowledged record, one per line, as soon as it is acknowledged. For
/// the crash tests, which kill it at random moments and then check that every printed seq is in
/// the log. Hidden: not a user command.
struct AuditWriteTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write-test", abstract: "Append records continuously (for crash tests).", shouldDisplay: false)

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("State directory of the log.", valueName: "dir")) var stateDirectory: String
    @Option(help: "Concurrent appenders.") var writers = 4
    @Option(help: "Records per appender (0: until killed).") var records = 0
    @Option(help: "Rotate files at this size in bytes.") var maxFileBytes = 64 << 10
    @Option(help: "A checkpoint every this many records.") var checkpointEvery = 50

    func run() async throws {
        var options = ExecutionLog.Options(stateDirectory: stateDirectory, node: "write-test")
        options.maxFileBytes = maxFileBytes
        options.checkpointEveryRecords = checkpointEvery
        let log = try ExecutionLog.open(options)
        let perWriter = records
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var n = 0
                    while perWriter == 0 || n < perWriter {
                        n += 1
                        let event = LogEvent.anomaly(
                            taskId: "task-\(writer)", callId: "call-\(writer)-\(n)", anomaly: "write_test",
                            detail: .object(["writer": .integer(Int64(writer)), "n": .integer(Int64(n)), "pad": .string(String(repeating: "x", count: 200))]))
                        guard let receipt = try? await log.append(event) else { return }
                        acknowledge(receipt.seq)
                    }
                }
            }
        }
        try await log.close()
    }
}

/// One line on standard output, written with a single `write(2)` so lines never interleave.
private func acknowledge(_ seq: UInt64) {
    let line = Array("\(seq)\n".utf8)
    line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
}
