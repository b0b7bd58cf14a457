import AirlockCore
import AirlockSandbox
import Foundation
import Testing

/// Tools that misbehave: each ends with a typed reason, keeps its partial output, and leaves
/// nothing running.
@Suite struct LimitTests {
    @Test func forkBombHitsProcessLimit() throws {
        let limits = Limits.defaults.with { $0.processes = 16; $0.wallTime = .seconds(5) }
        let outcome = try Harness.probe("forkbomb", limits: limits)
        // The bomb sees fork fail long before the host notices anything.
        #expect(outcome.out.hasPrefix("forked "), "\(outcome.out)")
        #expect(outcome.out.contains("EAGAIN"))
        let forked = Int(outcome.out.split(separator: " ")[1]) ?? .max
        #expect(forked < 16)
    }

    @Test func forkBombThatNeverStopsEndsAsProcessLimit() throws {
        // A shell loop that keeps forking: it runs into the limit, then into the deadline.
        let limits = Limits.defaults.with { $0.processes = 8; $0.wallTime = Milliseconds(1500) }
        var job = Harness.probeJob([], limits: limits)
        job.executable = "/bin/sh"
        job.arguments = ["sh", "-c", "while true; do sleep 10 & done"]
        let outcome = try Harness.run(job)
        #expect(outcome.termination == .processLimit)
    }

    @Test func memoryBombEndsAsMemoryLimit() throws {
        let limits = Limits.defaults.with { $0.memory = .mib(64); $0.addressSpace = .gib(4) }
        let outcome = try Harness.probe("membomb", "1024", limits: limits)
        #expect(outcome.termination == .memoryLimit, "\(outcome.out)")
        #expect(outcome.usage.peakMemoryBytes >= ByteCount.mib(60).bytes)
    }

    /// Each call's peak memory is its own: the slot's counter is reset after every reading.
    @Test func peakMemoryIsPerCallInAReusedSlot() throws {
        let limits = Limits.defaults.with { $0.memory = .mib(256); $0.addressSpace = .gib(4) }
        let outcomes = try Harness.runInOneSlot([
            Harness.probeJob(["membomb", "48"], limits: limits), Harness.probeJob(["hostname"], limits: limits),
            Harness.probeJob(["membomb", "24"], limits: limits),
        ])
        #expect(outcomes.map(\.termination) == [.exited(code: 0), .exited(code: 0), .exited(code: 0)])
        let peaks = outcomes.map(\.usage.peakMemoryBytes)
        #expect(peaks[0] >= ByteCount.mib(48).bytes, "\(peaks)")
        #expect(peaks[1] < ByteCount.mib(16).bytes, "the second call reported the first call's peak: \(peaks)")
        #expect(peaks[2] >= ByteCount.mib(24).bytes && peaks[2] < ByteCount.mib(40).bytes, "\(peaks)")
    }

    @Test func addressSpaceLimitRefusesHugeAllocation() throws {
        let limits = Limits.defaults.with { $0.memory = .gib(1); $0.addressSpace = .mib(128) }
        let outcome = try Harness.probe("membomb", "512", limits: limits)
        #expect(outcome.termination == .exited(code: 1))
        #expect(outcome.out.contains("ENOMEM"))
    }

    @Test func cpuSpinEndsAsCpuLimit() throws {
        let limits = Limits.defaults.with { $0.cpuTime = .seconds(1); $0.wallTime = .seconds(10) }
        let outcome = try Harness.probe("spin", limits: limits)
        #expect(outcome.termination == .cpuLimit)
        #expect(outcome.usage.userCPUMicroseconds + outcome.usage.systemCPUMicroseconds >= 500_000)
    }

    @Test func sleeperKilledAtDeadlineKeepsPartialOutput() throws {
        let limits = Limits.defaults.with { $0.wallTime = Milliseconds(300) }
        let outcome = try Harness.probe("sleep", limits: limits)
        #expect(outcome.termination == .wallTimeout)
        #expect(outcome.out == "sleeping\n")
    }

    @Test func daemonDiesWithTheCall() throws {
        let uid = SlotConfiguration.defaultUIDBase + 99_999
        let outcome = try Harness.probe("daemon", uid: uid)
        #expect(outcome.termination == .exited(code: 0))
        #expect(outcome.out == "daemon started\n")
        // The double-forked daemon was in the tool's PID namespace, which died with the tool.
        #expect(processesOfUID(uid).isEmpty)
    }

    @Test func outputFloodIsCapped() throws {
        let limits = Limits.defaults.with { $0.outputBytes = .kib(64) }
        let outcome = try Harness.probe("flood", "\(10 << 20)", limits: limits)
        #expect(outcome.termination == .exited(code: 0))
        #expect(outcome.stdout.bytes.count == 64 << 10)
        #expect(outcome.stdout.totalBytes == 10 << 20)
        #expect(outcome.stdout.truncated)
        #expect(!outcome.stderr.truncated)
    }

    @Test func stderrFloodIsCappedToo() throws {
        let limits = Limits.defaults.with { $0.outputBytes = .kib(4) }
        let outcome = try Harness.probe("stderr-flood", "\(1 << 20)", limits: limits)
        #expect(outcome.stderr.bytes.count == 4096)
        #expect(outcome.stderr.totalBytes == 1 << 20)
    }

    @Test func fileSizeLimitStopsLargeWrites() throws {
        var job = Harness.probeJob([], limits: Limits.defaults.with { $0.fileSize = .kib(64) })
        job.executable = "/bin/sh"
        job.arguments = ["sh", "-c", "head -c 1048576 /dev/zero > /tmp/big; echo $?; wc -c < /tmp/big"]
        let outcome = try Harness.run(job)
        #expect(outcome.out.hasSuffix("65536\n"), "\(outcome.out) \(outcome.err)")
    }

    @Test func toolIgnoringItsStdinDoesNotHurtTheBroker() throws {
        // 4 MiB of stdin to a tool that exits at once: the supervisor's write fails with EPIPE.
        let job = Harness.probeJob(["exit", "0"], stdin: [UInt8](repeating: 0x41, count: 4 << 20))
        #expect(try Harness.run(job).termination == .exited(code: 0))
    }

    @Test func exitCodeIsReported() throws {
        #expect(try Harness.probe("exit", "42").termination == .exited(code: 42))
    }
}

/// Host processes running as `uid` (a slot's uid: none may outlive its call).
func processesOfUID(_ uid: UInt32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { name -> Int32? in
        guard let pid = Int32(name) else { return nil }
        var info = stat()
        guard stat("/proc/\(name)", &info) == 0, info.st_uid == uid else { return nil }
        return pid
    }
}
