import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation
import Synchronization

/// `airlock bench spawn`: confined launches against plain `posix_spawn` and `bwrap`, interleaved.
struct SpawnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spawn",
        abstract: "Launch /bin/true and a tiny static binary: confined, with posix_spawn, and with bwrap.")

    @Option(help: "Launches per variant.") var count = 300
    @Option(help: "Concurrent workers for the throughput run.") var workers = 2
    @Flag(help: "Print the results as JSON.") var json = false

    func run() throws {
        let fixture = try BenchFixture()
        defer { fixture.remove() }
        let pool = try SlotPool(SlotConfiguration(count: max(workers, 1), cgroupName: "airlock-bench-\(getpid())"))
        defer { pool.shutdown() }
        let launchers = try fixture.launchers(pool: pool)

        // Sequential: one launch of each variant in turn, so drift affects all alike.
        var samples = [String: [UInt64]](uniqueKeysWithValues: launchers.map { ($0.name, []) })
        for _ in 0..<3 { for launcher in launchers { _ = try launcher.launch() } }  // warm caches
        for _ in 0..<count {
            for launcher in launchers { samples[launcher.name]!.append(try launcher.launch()) }
        }
        // Throughput: each variant alone with `workers` threads.
        var throughput: [String: Double] = [:]
        for launcher in launchers { throughput[launcher.name] = try Self.throughput(launcher, launches: count, workers: workers) }

        let report = SpawnReport(launchers.map { launcher in
            SpawnReport.Row(name: launcher.name, samples: samples[launcher.name]!, perSecond: throughput[launcher.name]!)
        }, count: count, workers: workers)
        print(json ? report.json() : report.table())
    }

    static func throughput(_ launcher: Launcher, launches: Int, workers: Int) throws -> Double {
        let remaining = Atomic<Int>(launches)
        let failure = Mutex<(any Error)?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        onThreads(workers) { _ in
            while remaining.subtract(1, ordering: .relaxed).newValue >= 0 {
                do { _ = try launcher.launch() } catch {
                    failure.withLock { $0 = error }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(launches) / seconds
    }
}
