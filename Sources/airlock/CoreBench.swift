import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation

/// `airlock bench core`: the per-call cost of the pure core — verifying a token and deciding a
/// call — measured one operation at a time after a warm-up.
struct CoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Measure token verification (5-caveat chain) and the full decide() per operation.",
        discussion: """
            The decision is the whole of decide(): parse the token text, verify the HMAC chain, fold \
            the caveats, check the policy digest, revocation, task, time, tool, budgets, validate the \
            arguments against the schema, resolve the path argument inside a real workspace directory \
            (lstat per component), check the token's path constraint and compute the limits. \
            Targets on the reference machine (median): verify < 20 µs, decision < 50 µs.
            """
    )

    @Option(help: "Measured operations per row.") var iterations = 20_000
    @Option(help: "Unmeasured operations per row first.") var warmup = 2_000
    @Flag(help: "Print the results as JSON.") var json = false
    @OptionGroup var sandbox: SandboxDirectoryOption

    func run() throws {
        guard iterations > 0, warmup >= 0 else { throw ValidationError("--iterations must be positive and --warmup not negative") }
        let fixture: CoreBenchFixture
        do throws(CommandError) {
            fixture = try CoreBenchFixture(sandboxDirectory: sandbox.resolve())
        } catch {
            throw error.report("bench core")
        }
        defer { fixture.remove() }
        try fixture.checkOutcomes()
        var rows: [CoreBenchRow] = []
        rows.append(measure("token parse (text → fields)", target: nil) { _ = try? CapabilityToken(text: fixture.tokenText) })
        rows.append(
            measure("token verify (5 caveats: parse, HMAC chain, fold)", target: 20) {
                _ = try? fixture.keyring.verify(text: fixture.tokenText)
            })
        rows.append(measure("decide: allow (search, path under src)", target: 50) { _ = fixture.decideAllowed() })
        rows.append(measure("decide: deny path_outside_workspace", target: nil) { _ = fixture.decideTraversal() })
        rows.append(measure("decide: deny token_invalid (tampered)", target: nil) { _ = fixture.decideTampered() })
        print(json ? CoreBenchRow.json(rows, iterations: iterations) : CoreBenchRow.table(rows, iterations: iterations, warmup: warmup))
    }

    private func measure(_ name: String, target: Double?, _ body: () -> Void) -> CoreBenchRow {
        for _ in 0..<warmup { body() }
        var samples = [UInt64](repeating: 0, count: iterations)
        for index in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples[index] = DispatchTime.now().uptimeNanoseconds - start
        }
        return CoreBenchRow(name: name, samples: samples, targetMicroseconds: target)
    }
}

/// One measured operation: median and p99 of its per-operation times.
struct CoreBenchRow {
    var name: String
    var median: Double
    var p99: Double
    var targetMicroseconds: Double?

    init(name: String, samples: [UInt64], targetMicroseconds: Double?) {
        let sorted = samples.sorted()
        self.name = name
        self.median = Double(sorted[sorted.count / 2]) / 1000
        self.p99 = Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]) / 1000
        self.targetMicroseconds = targetMicroseconds
    }

    static func table(_ rows: [CoreBenchRow], iterations: Int, warmup: Int) -> String {
        var lines = [
            "\(iterations) operations per row after \(warmup) unmeasured; times per operation.", "",
            "| operation | median µs | p99 µs | target (median) |", "|---|---:|---:|---|",
        ]
        for row in rows {
            let target = row.targetMicroseconds.map { "< \(Int($0)) µs: " + (row.median < $0 ? "met" : "MISSED") } ?? "–"
            lines.append(String(format: "| %@ | %.2f | %.2f | %@ |", row.name, row.median, row.p99, target))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ rows: [CoreBenchRow], iterations: Int) -> String {
        let objects: [JSONValue] = rows.map { row in
            var object: [String: JSONValue] = [
                "operation": .string(row.name), "medianMicroseconds": .number(row.median), "p99Microseconds": .number(row.p99),
            ]
            if let target = row.targetMicroseconds { object["targetMicroseconds"] = .number(target) }
            return .object(object)
        }
        return JSONSerializer.string(.object(["iterations": .integer(Int64(iterations)), "operations": .array(objects)]), pretty: true)
    }
}
