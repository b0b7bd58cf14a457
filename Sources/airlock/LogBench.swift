import AirlockAudit
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock bench log`: what the execution log costs — durable appends one at a time and from
/// concurrent writers sharing fsyncs, buffered appends, and verification speed.
struct LogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Measure execution-log appends with fsync (sequential and concurrent) and verify speed.",
        discussion: """
            Each record is a call.received of about 400 bytes. "durable" rows wait for fsync of every \
            record (concurrent writers share one fsync per batch: group commit); "buffered" queues \
            records and syncs once at the end. The verify row re-reads the whole log written by the \
            run (the chain, the sequence, every checkpoint signature). Target: verify ≥ 100,000 records/s.
            """
    )

    @Option(help: "Durable records appended one at a time.") var sequential = 2_000
    @Option(help: "Durable records appended by the concurrent writers (in total).") var concurrent = 20_000
    @Option(help: "Concurrent writers.") var writers = 8
    @Option(help: "Buffered records (they also make up most of what is verified).") var buffered = 300_000
    @Option(help: ArgumentHelp("Where to write the log (default: a temporary directory, removed).", valueName: "dir"))
    var directory: String?
    @Flag(help: "Print the results as JSON.") var json = false

    func run() async throws {
        let state = directory ?? NSTemporaryDirectory() + "/airlock-bench-log-\(getpid())"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: state) } }
        let log = try ExecutionLog.open(ExecutionLog.Options(stateDirectory: state, node: "bench"))
        var rows: [(String, Int, Double)] = []

        var start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<sequential { try await log.append(Self.event(n)) }
        rows.append(("append durable, 1 writer", sequential, Self.seconds(since: start)))

        start = DispatchTime.now().uptimeNanoseconds
        let each = concurrent / max(1, writers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask { for n in 0..<each { try await log.append(Self.event(w * each + n)) } }
            }
            try await group.waitForAll()
        }
        rows.append(("append durable, \(writers) writers", each * writers, Self.seconds(since: start)))

        start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<buffered { try log.appendBuffered(Self.event(n)) }
        try await log.sync()
        rows.append(("append buffered, then 1 fsync", buffered, Self.seconds(since: start)))
        try await log.close()

        start = DispatchTime.now().uptimeNanoseconds
        let report = try LogVerifier(directory: log.directory, publicKey: log.signingKey.publicKey).verify()
        if let problem = report.problem {
            throw CommandError(message: "the benchmark's own log does not verify: \(problem)").report("bench log")
        }
        rows.append(("verify (chain, sequence, signatures)", report.records, Self.seconds(since: start)))
        print(json ? Self.json(rows) : Self.table(rows))
    }

    static func event(_ n: Int) -> LogEvent {
        let call = ToolCall(
            tool: "search", arguments: .object(["pattern": .string("TODO"), "path": .string("src/module\(n % 97)/file\(n).swift")]),
            callId: "call-\(n)")
        return .callReceived(
            call, taskId: "bench-task-0001", token: nil, tokenVerified: false, caller: LogCaller(uid: 1000, role: "agent"))
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func table(_ rows: [(String, Int, Double)]) -> String {
        var lines = ["operation                                 records    seconds    records/s"]
        for (name, count, seconds) in rows {
            let rate = seconds > 0 ? Double(count) / seconds : 0
            lines.append(
                name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%9d  %9.3f  %11.0f", count, seconds, rate))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ rows: [(String, Int, Double)]) -> String {
        JSONSerializer.string(
            .array(
                rows.map { name, count, seconds in
                    .object([
                        "operation": .string(name), "records": .integer(Int64(count)), "seconds": .number(seconds),
                        "recordsPerSecond": .number(seconds > 0 ? (Double(count) / seconds).rounded() : 0),
                    ])
                }))
    }
}
