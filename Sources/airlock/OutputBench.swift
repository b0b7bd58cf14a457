import AirlockCore
import ArgumentParser
import Foundation

/// `airlock bench output`: throughput of the output channel — cleaning, format check, every
/// detector, redaction, truncation, sink encoding and both SHA-256 digests — on realistic mixed
/// output of 1 MiB and 64 MiB.
struct OutputBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Measure output validation throughput (MB/s) with every detector on.",
        discussion: """
            The input is generated from a fixed seed: source code and build/test log lines, some in \
            colour, with a secret or PII value on about one line in 250 and a terminal title escape \
            on one in 500. Each row runs OutputChannel.process on the whole input with the \
            repository's detectors (Sandbox/redaction/default.yaml), injection markers on, and \
            reports MB/s (10^6 bytes per second) of input at the median and the slowest run. \
            Target on the reference machine: at least 200 MB/s.
            """
    )

    @Option(help: "Input sizes, comma-separated (units as in policies).") var sizes = "1MiB,64MiB"
    @Option(help: "Measured runs per row (at least 1).") var runs = 7
    @Flag(help: "Print the results as JSON.") var json = false
    @OptionGroup var sandbox: SandboxDirectoryOption

    func run() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        // Measured as the broker runs it: with the same `malloc` setting.
        MallocHugePages.reexecuteIfNeeded()
        var sizeList: [Int] = []
        for text in sizes.split(separator: ",") {
            do { sizeList.append(Int(try ByteCount(parsing: String(text)).bytes)) } catch { throw ValidationError("--sizes: \(error)") }
        }
        let detectors: DetectorSet
        do throws(CommandError) {
            let directory = try sandbox.resolve()
            do { detectors = try DetectorSet.load(sandboxDirectory: directory) } catch { throw CommandError(message: "\(error)") }
        } catch {
            throw error.report("bench output")
        }
        var rows: [OutputBenchRow] = []
        for size in sizeList {
            let fixture = OutputBenchFixture(size: size)
            rows.append(try measure(fixture, detectors: detectors, sink: .model, maxBytes: nil))
            rows.append(try measure(fixture, detectors: detectors, sink: .html, maxBytes: ByteCount(UInt64(size))))
        }
        print(json ? OutputBenchRow.json(rows, runs: runs) : OutputBenchRow.table(rows, runs: runs))
    }

    /// One row: `runs` timed calls after one untimed, with a check that every planted secret
    /// was found (a channel that skipped work would not be measured as fast).
    private func measure(_ fixture: OutputBenchFixture, detectors: DetectorSet, sink: OutputRules.Sink, maxBytes: ByteCount?) throws -> OutputBenchRow {
        var rules = OutputRules()
        rules.detectors = detectors
        rules.sink = sink
        if let maxBytes { rules.maxBytes = maxBytes }
        let channel = OutputChannel(rules: rules, secrets: OutputSecrets(declared: ["correct horse battery staple"], canaries: [Canary.make()]))
        let stdout = CapturedStream(bytes: fixture.bytes, totalBytes: UInt64(fixture.bytes.count))
        let first = channel.process(stdout: stdout, stderr: CapturedStream())
        let redactions = first.findings.filter { $0.action == .redacted }.count + (first.omittedFindings > 0 ? first.omittedFindings : 0)
        guard redactions >= min(fixture.planted, OutputChannel.maxFindings) else {
            throw ValidationError("the channel found \(redactions) secrets but \(fixture.planted) were planted")
        }
        var seconds: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = channel.process(stdout: stdout, stderr: CapturedStream())
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            withExtendedLifetime(result) {}
        }
        let name = "\(ByteCount(UInt64(fixture.bytes.count))), sink \(sink.rawValue), maxBytes \(rules.maxBytes)"
        return OutputBenchRow(name: name, bytes: fixture.bytes.count, seconds: seconds, planted: fixture.planted, findings: first.findings.count)
    }
}

/// One measured configuration: MB/s at the median and at the slowest run.
struct OutputBenchRow {
    var name: String
    var bytes: Int
    var medianMBps: Double
    var slowestMBps: Double
    var planted: Int
    var findings: Int

    static let targetMBps = 200.0

    init(name: String, bytes: Int, seconds: [Double], planted: Int, findings: Int) {
        let sorted = seconds.sorted()
        self.name = name
        self.bytes = bytes
        self.medianMBps = Double(bytes) / 1e6 / sorted[sorted.count / 2]
        self.slowestMBps = Double(bytes) / 1e6 / (sorted.last ?? 1)
        self.planted = planted
        self.findings = findings
    }

    static func table(_ rows: [OutputBenchRow], runs: Int) -> String {
        var lines = [
            "\(runs) runs per row after one unmeasured; every detector on.", "",
            "| input | median MB/s | slowest MB/s | planted | findings | target ≥ \(Int(targetMBps)) MB/s |", "|---|---:|---:|---:|---:|---|",
        ]
        for row in rows {
            let met = row.medianMBps >= targetMBps ? "met" : "MISSED"
            lines.append(String(format: "| %@ | %.0f | %.0f | %d | %d | %@ |", row.name, row.medianMBps, row.slowestMBps, row.planted, row.findings, met))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ rows: [OutputBenchRow], runs: Int) -> String {
        let objects: [JSONValue] = rows.map { row in
            .object([
                "input": .string(row.name), "bytes": .integer(Int64(row.bytes)), "medianMBps": .number(row.medianMBps),
                "slowestMBps": .number(row.slowestMBps), "planted": .integer(Int64(row.planted)), "findings": .integer(Int64(row.findings)),
            ])
        }
        return JSONSerializer.string(.object(["runs": .integer(Int64(runs)), "targetMBps": .number(targetMBps), "rows": .array(objects)]), pretty: true)
    }
}
