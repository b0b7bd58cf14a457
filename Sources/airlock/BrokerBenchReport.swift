import Foundation

/// The broker benchmark's results: round-trip latency beside the launch baselines, throughput
/// with concurrent clients, what durable logging costs (the same broker with its log on the disk
/// and on tmpfs), and the broker's resident memory.
struct BrokerBenchReport {
    /// Sequential launches, nanoseconds each.
    struct Samples {
        var disk: [UInt64] = []
        var tmpfs: [UInt64] = []
        var bwrap: [UInt64] = []
        var posixSpawn: [UInt64] = []
        /// The disk broker's `timing` of each call, µs by stage.
        var stages: [[String: Int64]] = []
    }

    /// The concurrent runs of one broker, added up over the rounds.
    struct Run {
        var samples: [UInt64] = []
        var logWaits: [UInt64] = []
        var seconds: Double = 0
        var cpu = MachineCPU()

        mutating func add(_ round: (samples: [UInt64], logWaits: [UInt64], seconds: Double), cpu used: MachineCPU) {
            samples += round.samples
            logWaits += round.logWaits
            seconds += round.seconds
            cpu.busy += used.busy
            cpu.idle += used.idle
        }

        var callsPerSecond: Double { seconds > 0 ? Double(samples.count) / seconds : 0 }

        /// CPU time the whole machine spent per call (the broker, its sandboxes, the kernel on
        /// their behalf and the bench's clients), milliseconds.
        var cpuPerCall: Double { samples.isEmpty ? 0 : cpu.busySeconds * 1000 / Double(samples.count) }

        /// The broker's own account (`timing.logMicroseconds`) of the time a call waited for the
        /// log, over the round trip. The wait for the decision's record overlaps the tool's gate
        /// wait (and the set-up of a child not prepared before the call), so this is more than
        /// logging adds.
        var logWaitShare: Double {
            let waited = Double(logWaits.reduce(0, +)) * 1000, spent = Double(samples.reduce(0, +))
            return spent > 0 ? waited / spent : 0
        }
    }

    struct Concurrent {
        var disk = Run()
        var tmpfs = Run()
    }

    /// CPU time of the whole machine, from `/proc/stat`: busy (every state but idle and I/O
    /// wait) and idle (both), in clock ticks. The difference of two readings is what a stretch
    /// of time used.
    struct MachineCPU {
        var busy = 0
        var idle = 0

        static func now() -> MachineCPU {
            guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
            else { return MachineCPU() }
            // user nice system idle iowait irq softirq steal (guest time is counted in user).
            let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
            guard ticks.count == 8 else { return MachineCPU() }
            let idle = ticks[3] + ticks[4]
            return MachineCPU(busy: ticks.reduce(0, +) - idle, idle: idle)
        }

        /// What `body` used.
        static func used<Result>(by body: () throws -> Result) rethrows -> (Result, MachineCPU) {
            let before = now()
            let result = try body()
            let after = now()
            return (result, MachineCPU(busy: after.busy - before.busy, idle: after.idle - before.idle))
        }

        var busySeconds: Double { Double(busy) / Double(sysconf(Int32(_SC_CLK_TCK))) }
        /// The share of the machine's CPU time that was idle or waiting for I/O.
        var idleShare: Double { busy + idle > 0 ? Double(idle) / Double(busy + idle) : 0 }
    }

    var clients: Int
    var sequentialCount: Int
    var roundTrip: Percentiles
    var roundTripTmpfs: Percentiles
    var bwrap: Percentiles?
    var posixSpawn: Percentiles
    var concurrent: Percentiles
    var concurrentTmpfs: Percentiles
    var concurrentCalls: Int
    var callsPerSecond: Double
    var callsPerSecondTmpfs: Double
    var cpuPerCall: Double
    var cpuPerCallTmpfs: Double
    var idleShare: Double
    var idleShareTmpfs: Double
    var logWaitShare: Double
    var idleRSS: Int
    var idlePrivate: Int
    var peakRSS: Int
    /// Median µs of each stage the broker reports, sequential calls on the disk broker.
    var stageMedians: [(name: String, micros: Int64)]

    /// The envelope's `timing` members, in the order a call passes them.
    static let stageNames = ["authorize", "queue", "sandbox", "validate", "log", "total"]

    init(clients: Int, sequential: Samples, concurrent: Concurrent, idleRSS: Int, idlePrivate: Int, peakRSS: Int) {
        self.clients = clients
        sequentialCount = sequential.disk.count
        roundTrip = Percentiles(sequential.disk)
        roundTripTmpfs = Percentiles(sequential.tmpfs)
        bwrap = sequential.bwrap.isEmpty ? nil : Percentiles(sequential.bwrap)
        posixSpawn = Percentiles(sequential.posixSpawn)
        self.concurrent = Percentiles(concurrent.disk.samples)
        concurrentTmpfs = Percentiles(concurrent.tmpfs.samples)
        concurrentCalls = concurrent.disk.samples.count
        callsPerSecond = concurrent.disk.callsPerSecond
        callsPerSecondTmpfs = concurrent.tmpfs.callsPerSecond
        cpuPerCall = concurrent.disk.cpuPerCall
        cpuPerCallTmpfs = concurrent.tmpfs.cpuPerCall
        idleShare = concurrent.disk.cpu.idleShare
        idleShareTmpfs = concurrent.tmpfs.cpu.idleShare
        logWaitShare = concurrent.disk.logWaitShare
        self.idleRSS = idleRSS
        self.idlePrivate = idlePrivate
        self.peakRSS = peakRSS
        stageMedians = Self.stageNames.map { name in
            let values = sequential.stages.compactMap { $0[name + "Microseconds"] }.sorted()
            return (name, values.isEmpty ? 0 : values[values.count / 2])
        }
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

    /// What durable logging adds: the round trip with the log on the disk over the same broker's
    /// with it on tmpfs, minus one.
    var durabilityCostSequential: Double { roundTripTmpfs.median > 0 ? roundTrip.median / roundTripTmpfs.median - 1 : 0 }
    var durabilityCostConcurrent: Double { concurrentTmpfs.median > 0 ? concurrent.median / concurrentTmpfs.median - 1 : 0 }

    private func ratio(_ value: Double, to base: Percentiles?) -> String {
        base.map { String(format: "%.2f", value / $0.median) } ?? "–"
    }

    func table() -> String {
        let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var lines = [
            "\(sequentialCount) sequential calls to each broker, each beside one bwrap and one posix_spawn launch of /bin/true;",
            "then \(concurrentCalls) calls to each from \(clients) concurrent clients (kept-alive connections), in alternating rounds.",
            "The same broker runs twice: its log on the disk (fsync'd), and on tmpfs (fsync free).", "",
            "| variant | median µs | p99 µs | × posix_spawn | × bwrap |",
            "|---|---:|---:|---:|---:|",
        ]
        func row(_ name: String, _ p: Percentiles) {
            lines.append(String(format: "| %@ | %.0f | %.0f | %@ | %@ |", name, p.median, p.p99, ratio(p.median, to: posixSpawn), ratio(p.median, to: bwrap)))
        }
        row("broker call round trip", roundTrip)
        row("… log on tmpfs", roundTripTmpfs)
        if let bwrap { row("bwrap /bin/true", bwrap) }
        row("posix_spawn /bin/true", posixSpawn)
        row("round trip, \(clients) clients", concurrent)
        row("… log on tmpfs, \(clients) clients", concurrentTmpfs)
        lines += [
            "",
            String(format: "calls/s with %d clients: %.0f (log on tmpfs: %.0f)", clients, callsPerSecond, callsPerSecondTmpfs),
            String(
                format: "durable logging adds %.1f%% to the median round trip sequentially, %.1f%% with %d clients",
                durabilityCostSequential * 100, durabilityCostConcurrent * 100, clients),
            String(
                format: "the broker waited for the log for %.1f%% of the round trip with %d clients (the decision's wait is also the tool's wait at its gate)",
                logWaitShare * 100, clients),
            String(
                format: "CPU time per call with %d clients, the whole machine: %.2f ms (log on tmpfs: %.2f ms); CPU idle or waiting for I/O: %.1f%% (log on tmpfs: %.1f%%)",
                clients, cpuPerCall, cpuPerCallTmpfs, idleShare * 100, idleShareTmpfs * 100),
            "where a sequential call's time goes, by the broker's own account (median µs): "
                + stageMedians.map { "\($0.name) \($0.micros)" }.joined(separator: ", "),
            "broker resident memory: \(mib(idleRSS)) idle after the warm-up calls (\(mib(idlePrivate)) of it private, the rest pages of code mapped from files), \(mib(peakRSS)) peak under load",
        ]
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        func object(_ p: Percentiles) -> [String: Any] { ["medianMicroseconds": p.median, "p99Microseconds": p.p99] }
        var result: [String: Any] = [
            "sequentialCalls": sequentialCount, "concurrentCalls": concurrentCalls, "clients": clients,
            "roundTrip": object(roundTrip), "roundTripLogOnTmpfs": object(roundTripTmpfs), "posixSpawn": object(posixSpawn),
            "concurrentRoundTrip": object(concurrent), "concurrentRoundTripLogOnTmpfs": object(concurrentTmpfs),
            "callsPerSecond": callsPerSecond, "callsPerSecondLogOnTmpfs": callsPerSecondTmpfs,
            "cpuMillisecondsPerCall": cpuPerCall, "cpuMillisecondsPerCallLogOnTmpfs": cpuPerCallTmpfs,
            "idleShare": idleShare, "idleShareLogOnTmpfs": idleShareTmpfs,
            "durableLoggingCostSequential": durabilityCostSequential, "durableLoggingCostConcurrent": durabilityCostConcurrent,
            "logWaitShareOfRoundTrip": logWaitShare,
            "stageMedianMicroseconds": Dictionary(uniqueKeysWithValues: stageMedians.map { ($0.name, $0.micros) }), "idleResidentBytes": idleRSS, "idlePrivateBytes": idlePrivate, "peakResidentBytes": peakRSS,
        ]
        if let bwrap {
            result["bwrap"] = object(bwrap)
            result["ratioToBwrap"] = roundTrip.median / bwrap.median
        }
        let data = try? JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
