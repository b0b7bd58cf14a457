import AirlockTestSupport
import Foundation
import Testing

/// `airlock bench` runs end to end and reports what its documentation says it reports. The
/// numbers themselves are for `docs/benchmarks.md`, not for tests: only their presence and
/// sanity are checked here.
@Suite(.serialized) struct BenchCommandTests {
    private func report(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["bench"] + arguments + ["--json"])
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    /// The broker bench's fixture directories (on the disk and on the tmpfs) that exist now.
    private func brokerBenchDirectories() -> Set<String> {
        Set(
            [NSTemporaryDirectory(), "/dev/shm/"].flatMap { root in
                ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
                    .filter { $0.hasPrefix("airlock-bench-broker-") }.map { root + $0 }
            })
    }

    /// Two brokers (log on disk, log on tmpfs), a few calls each: every figure is there and
    /// positive, and nothing is left behind (the broker processes are stopped).
    @Test func brokerBenchReportsBothBrokersAndMemory() throws {
        guard getuid() == 0 else {
            print("skipped: the broker's sandboxes need root")
            return
        }
        let before = brokerBenchDirectories()
        let json = try report(["broker", "--count", "3", "--calls", "16"])
        #expect(brokerBenchDirectories().subtracting(before).isEmpty, "fixture directories left behind")
        for key in ["roundTrip", "roundTripLogOnTmpfs", "concurrentRoundTrip", "concurrentRoundTripLogOnTmpfs", "posixSpawn"] {
            let median = (json[key] as? [String: Any])?["medianMicroseconds"] as? Double
            #expect((median ?? 0) > 0, "\(key): \(String(describing: json[key]))")
        }
        #expect(json["concurrentCalls"] as? Int == 16)
        #expect((json["callsPerSecond"] as? Double ?? 0) > 0)
        // /proc/stat counts in 10 ms ticks: 16 calls may use none, so only the presence is certain.
        for key in ["cpuMillisecondsPerCall", "cpuMillisecondsPerCallLogOnTmpfs"] {
            #expect((json[key] as? Double ?? -1) >= 0, "\(key): \(String(describing: json[key]))")
        }
        for key in ["idleShare", "idleShareLogOnTmpfs"] {
            #expect((0...1).contains(json[key] as? Double ?? -1), "\(key): \(String(describing: json[key]))")
        }
        #expect((json["idleResidentBytes"] as? Int ?? 0) > 0)
        let stages = json["stageMedianMicroseconds"] as? [String: Any]
        #expect((stages?["total"] as? Int ?? 0) > 0, "\(String(describing: stages))")
        let leftover = try runProgram("/usr/bin/pgrep", ["-f", "airlock-bench-broker-"])
        #expect(leftover.stdout.isEmpty, "broker processes left running: \(leftover.stdout)")
    }

    @Test func brokerBenchRefusesADirectoryThatIsNotTmpfs() throws {
        let before = brokerBenchDirectories()
        let result = try CLI.run(["bench", "broker", "--tmpfs", NSTemporaryDirectory(), "--count", "1", "--calls", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("is not a tmpfs"), "\(result.stderr)")
        #expect(brokerBenchDirectories().subtracting(before).isEmpty, "fixture directories left behind")
    }

    @Test func outputBenchFindsWhatItPlanted() throws {
        let json = try report(["output", "--sizes", "64KiB", "--runs", "1", "--sandbox-dir", repositoryRoot + "/Sandbox"])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            #expect((row["medianMBps"] as? Double ?? 0) > 0)
            #expect((row["findings"] as? Int ?? 0) >= (row["planted"] as? Int ?? 1), "\(row)")
        }
    }

    @Test func logBenchAppendsAndVerifies() throws {
        let result = try CLI.run(["bench", "log", "--sequential", "20", "--concurrent", "80", "--buffered", "500", "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")
        #expect(rows.map { $0["records"] as? Int ?? 0 }.prefix(3) == [20, 80, 500])
        let verified = rows.last { ($0["operation"] as? String)?.hasPrefix("verify") == true }
        #expect((verified?["records"] as? Int ?? 0) >= 600, "every record written is verified: \(String(describing: verified))")
        #expect(rows.allSatisfy { ($0["recordsPerSecond"] as? Double ?? 0) > 0 })
    }
}
