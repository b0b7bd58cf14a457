import Foundation

/// The spawn benchmark's results: per variant median, p99 and throughput, with ratios.
struct SpawnReport {
    struct Row {
        var name: String
        var median: Double
        var p99: Double
        var perSecond: Double

        init(name: String, samples: [UInt64], perSecond: Double) {
            let sorted = samples.sorted()
            self.name = name
            self.median = Double(sorted[sorted.count / 2]) / 1000
            self.p99 = Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]) / 1000
            self.perSecond = perSecond
        }

        var program: String { String(name.split(separator: " ", maxSplits: 1).last ?? "") }
    }

    var rows: [Row]
    var count: Int
    var workers: Int

    init(_ rows: [Row], count: Int, workers: Int) {
        self.rows = rows
        self.count = count
        self.workers = workers
    }

    private func baseline(_ kind: String, for row: Row) -> Row? {
        rows.first { $0.name == "\(kind) \(row.program)" }
    }

    func table() -> String {
        var lines = [
            "\(count) launches per variant, interleaved; throughput with \(workers) workers.", "",
            "| variant | median µs | p99 µs | launches/s | × posix_spawn | × bwrap |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let spawn = baseline("posix_spawn", for: row).map { String(format: "%.2f", row.median / $0.median) } ?? "–"
            let bwrap = baseline("bwrap", for: row).map { String(format: "%.2f", row.median / $0.median) } ?? "–"
            lines.append(String(format: "| %@ | %.0f | %.0f | %.0f | %@ | %@ |", row.name, row.median, row.p99, row.perSecond, spawn, bwrap))
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let objects = rows.map { row -> [String: Any] in
            var o: [String: Any] = ["variant": row.name, "medianMicroseconds": row.median, "p99Microseconds": row.p99, "launchesPerSecond": row.perSecond]
            if let b = baseline("posix_spawn", for: row) { o["ratioToPosixSpawn"] = row.median / b.median }
            if let b = baseline("bwrap", for: row) { o["ratioToBwrap"] = row.median / b.median }
            return o
        }
        let data = try? JSONSerialization.data(withJSONObject: ["launches": count, "workers": workers, "variants": objects], options: [.prettyPrinted, .sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
