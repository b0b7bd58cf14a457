import Foundation

/// The broker benchmark's results: round-trip latency beside the launch baselines, throughput
/// with concurrent clients, and the broker's resident memory.
struct BrokerBenchReport {
    var sequential: Int
    var concurrentCalls: Int
    var clients: Int
    var roundTrip: Percentiles
    var bwrap: Percentiles?
    var posixSpawn: Percentiles
    var concurrent: Percentiles
    /// Per call with `clients` clients: time waiting for the log's fsyncs over the round trip.
    var logShare: Double
    var callsPerSecond: Double
    var idleRSS: Int
    var idlePrivate: Int
    var peakRSS: Int

    init(
        sequential: Int, concurrentCalls: Int, clients: Int, roundTrip: [UInt64], bwrap: [UInt64], posixSpawn: [UInt64],
        concurrent: [UInt64], logWaits: [UInt64], callsPerSecond: Double, idleRSS: Int, idlePrivate: Int, peakRSS: Int
    ) {
        self.sequential = sequential
        self.concurrentCalls = concurrentCalls
        self.clients = clients
        self.roundTrip = Percentiles(roundTrip)
        self.bwrap = bwrap.isEmpty ? nil : Percentiles(bwrap)
        self.posixSpawn = Percentiles(posixSpawn)
        self.concurrent = Percentiles(concurrent)
        let waited = Double(logWaits.reduce(0, +)) * 1000, spent = Double(concurrent.reduce(0, +))
        self.logShare = spent > 0 ? waited / spent : 0
        self.callsPerSecond = callsPerSecond
        self.idleRSS = idleRSS
        self.idlePrivate = idlePrivate
        self.peakRSS = peakRSS
    }

    /// Median and p99 of nanosecond samples, in microseconds.
    struct Percentiles {
        var median: Double
        var p99: Double

        init(_ samples: [UInt64]) {
            let sorted = samples.sorted()
            median = sorted.isEmpty ? 0 : Double(sorted[sorted.count / 2]) / 1000
            p99 = sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]) / 1000
        }
    }

    private func ratio(_ value: Double, to base: Percentiles?) -> String {
        base.map { String(format: "%.2f", value / $0.median) } ?? "–"
    }

    func table() -> String {
        let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var lines = [
            "\(sequential) sequential calls, each beside one bwrap and one posix_spawn launch of /bin/true;",
            "then \(concurrentCalls) calls from \(clients) concurrent clients (kept-alive connections).", "",
            "| variant | median µs | p99 µs | × posix_spawn | × bwrap |",
            "|---|---:|---:|---:|---:|",
        ]
        func row(_ name: String, _ p: Percentiles) {
            lines.append(String(format: "| %@ | %.0f | %.0f | %@ | %@ |", name, p.median, p.p99, ratio(p.median, to: posixSpawn), ratio(p.median, to: bwrap)))
        }
        row("broker call round trip", roundTrip)
        if let bwrap { row("bwrap /bin/true", bwrap) }
        row("posix_spawn /bin/true", posixSpawn)
        row("round trip, \(clients) clients", concurrent)
        lines += [
            "",
            String(format: "calls/s with %d clients: %.0f", clients, callsPerSecond),
            String(
                format: "waiting for the execution log's fsyncs: %.1f%% of the round trip with %d clients (the decision's overlaps the sandbox's set-up)",
                logShare * 100, clients),
            "broker resident memory: \(mib(idleRSS)) idle (\(mib(idlePrivate)) of it private, the rest shared library pages), \(mib(peakRSS)) peak under load",
        ]
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        func object(_ p: Percentiles) -> [String: Any] { ["medianMicroseconds": p.median, "p99Microseconds": p.p99] }
        var result: [String: Any] = [
            "sequentialCalls": sequential, "concurrentCalls": concurrentCalls, "clients": clients,
            "roundTrip": object(roundTrip), "posixSpawn": object(posixSpawn), "concurrentRoundTrip": object(concurrent),
            "callsPerSecond": callsPerSecond, "logShareOfRoundTrip": logShare, "idleResidentBytes": idleRSS, "idlePrivateBytes": idlePrivate, "peakResidentBytes": peakRSS,
        ]
        if let bwrap {
            result["bwrap"] = object(bwrap)
            result["ratioToBwrap"] = roundTrip.median / bwrap.median
        }
        let data = try? JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
