import AirlockBroker
import AirlockCore
import ArgumentParser
import Foundation
import Synchronization

/// `airlock bench broker`: a full call round trip — socket, token, decision, execution log,
/// confined `/bin/true`, output channel, answer — against a bare `bwrap /bin/true` and plain
/// `posix_spawn`, interleaved in one run; then throughput with concurrent clients, and the
/// broker's resident memory idle and under load.
///
/// The broker is a separate `airlock serve` process (this binary), so its memory is its own and
/// the clients here do not share its threads. Each client keeps its connection alive, as an agent
/// framework's HTTP client does. A second broker, identical but for its state directory on tmpfs
/// (where fsync costs nothing), runs interleaved with the first: the difference between the two
/// is what making the log durable adds to a call.
struct BrokerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Round trip of a call through a live broker, beside bwrap and posix_spawn launches.")

    @Option(help: "Sequential calls to each broker (each interleaved with one bwrap and one posix_spawn launch).") var count = 300
    @Option(help: "Calls in the concurrent run of each broker.") var calls = 2000
    @Option(help: "Concurrent clients, each on its own connection.") var clients = 8
    @Option(help: "A tmpfs directory for the second broker's state (fsync there costs nothing).") var tmpfs = "/dev/shm"
    @Flag(help: "Print the results as JSON.") var json = false

    func run() throws {
        // The same broker twice: its state directory on the disk (the real thing), and on tmpfs,
        // where fsync returns at once. The difference is what durable logging costs a call.
        guard Self.isTmpfs(tmpfs) else {
            throw BenchError(description: "\(tmpfs) is not a tmpfs; name one with --tmpfs (the second broker keeps its log there)")
        }
        let onDisk = try BrokerBenchFixture(clients: clients, root: NSTemporaryDirectory(), uidBase: 2_100_000_000)
        defer { onDisk.remove() }
        let onTmpfs = try BrokerBenchFixture(clients: clients, root: tmpfs + "/", uidBase: 2_100_100_000)
        defer { onTmpfs.remove() }
        let server = try onDisk.startBroker()
        defer { server.stop() }
        let tmpfsServer = try onTmpfs.startBroker()
        defer { tmpfsServer.stop() }

        let token = try onDisk.createTask(), tmpfsToken = try onTmpfs.createTask()
        let connection = try BrokerConnection(socketPath: onDisk.socket)
        let tmpfsConnection = try BrokerConnection(socketPath: onTmpfs.socket)
        let call = onDisk.callRequest(token: token), tmpfsCall = onTmpfs.callRequest(token: tmpfsToken)
        for _ in 0..<20 {  // warm: slots, caches, connections
            try onDisk.checkedCall(connection, call)
            try onTmpfs.checkedCall(tmpfsConnection, tmpfsCall)
        }
        // Idle means after serving calls, not just after start: the call path's pages are in.
        Thread.sleep(forTimeInterval: 1)
        let idleRSS = server.residentBytes()
        let idlePrivate = BrokerProcess.privateBytes(pid: server.pid)

        // Sequential, interleaved: drift affects all four alike.
        let bwrap = BenchFixture.bwrapArguments(program: "/bin/true", inside: "/bin/true").map(BenchFixture.posixSpawn)
        let spawn = BenchFixture.posixSpawn(["/bin/true"])
        var sequential = BrokerBenchReport.Samples()
        for _ in 0..<count {
            var stages: [String: Int64] = [:]
            sequential.disk.append(try Self.timed { stages = try onDisk.checkedCall(connection, call) })
            sequential.stages.append(stages)
            sequential.tmpfs.append(try Self.timed { try onTmpfs.checkedCall(tmpfsConnection, tmpfsCall) })
            if let bwrap { sequential.bwrap.append(try bwrap()) }
            sequential.posixSpawn.append(try spawn())
        }

        // Concurrent: `clients` connections share the calls, in rounds alternating between the
        // two brokers; the disk broker's memory is sampled meanwhile.
        let sampler = PeakMemorySampler(pid: server.pid)
        var concurrent = BrokerBenchReport.Concurrent()
        let rounds = 4
        for _ in 0..<rounds {
            let (disk, diskCPU) = try BrokerBenchReport.MachineCPU.used {
                try onDisk.concurrentCalls(token: token, calls: calls / rounds, clients: clients)
            }
            concurrent.disk.add(disk, cpu: diskCPU)
            let (tmpfs, tmpfsCPU) = try BrokerBenchReport.MachineCPU.used {
                try onTmpfs.concurrentCalls(token: tmpfsToken, calls: calls / rounds, clients: clients)
            }
            concurrent.tmpfs.add(tmpfs, cpu: tmpfsCPU)
        }
        let peakRSS = sampler.stop()

        let report = BrokerBenchReport(
            clients: clients, sequential: sequential, concurrent: concurrent, idleRSS: idleRSS, idlePrivate: idlePrivate, peakRSS: peakRSS)
        print(json ? report.json() : report.table())
    }

    /// Whether the mount `path` is on (the one with the longest mount point that contains it, in
    /// `/proc/self/mounts`) is a tmpfs.
    static func isTmpfs(_ path: String) -> Bool {
        let canonical = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return false }
        let entries = mounts.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count > 2 }
        let containing = entries.filter { entry in
            let point = String(entry[1])
            return canonical == point || canonical.hasPrefix(point == "/" ? "/" : point + "/")
        }
        return containing.max { $0[1].count < $1[1].count }.map { $0[2] == "tmpfs" } ?? false
    }

    static func timed(_ body: () throws -> Void) throws -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return DispatchTime.now().uptimeNanoseconds - start
    }
}

/// Samples a process's resident memory every 20 ms on its own thread and keeps the largest.
final class PeakMemorySampler: Sendable {
    private let state: Mutex<(peak: Int, running: Bool)>
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        state = Mutex((BrokerProcess.residentBytes(pid: pid), true))
        Thread { [self] in
            while state.withLock({ $0.running }) {
                let now = BrokerProcess.residentBytes(pid: pid)
                state.withLock { $0.peak = max($0.peak, now) }
                Thread.sleep(forTimeInterval: 0.02)
            }
            done.signal()
        }.start()
    }

    /// Stops sampling; the peak seen.
    func stop() -> Int {
        state.withLock { $0.running = false }
        done.wait()
        return state.withLock { $0.peak }
    }
}

/// A state directory, a policy with one tool (`/bin/true`) and a configuration that lets every
/// client of the concurrent run be in flight at once.
struct BrokerBenchFixture {
    let directory: String
    var socket: String { directory + "/state/airlock.sock" }

    /// Under `root` (a directory path ending in `/`); the broker's slots run as `uidBase + i`.
    init(clients: Int, root: String, uidBase: UInt32) throws {
        directory = root + "airlock-bench-broker-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory + "/policies", withIntermediateDirectories: true)
        try Self.policy.write(toFile: directory + "/policies/bench.yaml", atomically: true, encoding: .utf8)
        let config = """
            limits:
              perTaskConcurrency: \(max(clients, 1))
              queue: \(max(clients * 2, 64))
            slots:
              uidBase: \(uidBase)

            """
        try config.write(toFile: directory + "/config.yaml", atomically: true, encoding: .utf8)
    }

    static let policy = """
        name: bench
        description: One tool that does nothing, to measure what a call costs around the tool.
        tools:
          noop:
            description: Run /bin/true.
            executable: /bin/true
            argv: [true]
            arguments: {type: object, additionalProperties: false}

        """

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// `airlock serve` (this executable) on the fixture, once its socket answers.
    func startBroker() throws -> BrokerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "serve", "--state-dir", directory + "/state", "--policies", directory + "/policies", "--config", directory + "/config.yaml",
            "--log-level", "error",
        ]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = BrokerProcess(process: process)
        let client = BrokerClient(socketPath: socket, timeoutSeconds: 5)
        for _ in 0..<500 {
            if (try? client.send("GET", "/v1/health"))?.status == 200 { return server }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        server.stop()
        throw BenchError(description: "the broker did not start (run `airlock serve --state-dir \(directory)/state --policies \(directory)/policies` to see why)")
    }

    func createTask() throws -> String {
        let reply = try BrokerClient(socketPath: socket, timeoutSeconds: 10).send(
            "POST", "/v1/tasks", json: .object(["policy": .string("bench")]))
        guard reply.status == 201, let token = reply.json?.objectValue?["token"]?.stringValue else {
            throw BenchError(description: "task creation answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        return token
    }

    func callRequest(token: String) -> (headers: [(String, String)], body: JSONValue) {
        ([("Authorization", "Bearer \(token)")], .object(["tool": .string("noop"), "arguments": .object([:])]))
    }

    /// One call that must succeed; returns the broker's account of where its time went (the
    /// envelope's `timing`, in microseconds by stage: `logMicroseconds`, `sandboxMicroseconds`, …).
    @discardableResult
    func checkedCall(_ connection: BrokerConnection, _ call: (headers: [(String, String)], body: JSONValue)) throws -> [String: Int64] {
        let reply = try connection.send("POST", "/v1/calls", headers: call.headers, json: call.body)
        let envelope = reply.json?.objectValue
        guard reply.status == 200, envelope?["exitCode"] == .integer(0) else {
            throw BenchError(description: "a call answered \(reply.status): \(String(decoding: reply.body.prefix(400), as: UTF8.self))")
        }
        var stages: [String: Int64] = [:]
        for (name, value) in envelope?["timing"]?.objectValue ?? [:] {
            if case .integer(let micros) = value { stages[name] = micros }
        }
        return stages
    }

    /// Latencies of every call (ns), the broker's log waits (µs), and the wall time of the run.
    func concurrentCalls(token: String, calls: Int, clients: Int) throws -> (samples: [UInt64], logWaits: [UInt64], seconds: Double) {
        let remaining = Atomic<Int>(calls)
        let results = Mutex<(samples: [UInt64], logWaits: [UInt64], error: (any Error)?)>(([], [], nil))
        let call = callRequest(token: token)
        let start = DispatchTime.now().uptimeNanoseconds
        onThreads(clients) { _ in
            var samples: [UInt64] = [], logWaits: [UInt64] = []
            do {
                let connection = try BrokerConnection(socketPath: socket)
                while remaining.subtract(1, ordering: .relaxed).newValue >= 0 {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    logWaits.append(UInt64(max(0, try checkedCall(connection, call)["logMicroseconds"] ?? 0)))
                    samples.append(DispatchTime.now().uptimeNanoseconds - begin)
                }
            } catch {
                results.withLock { $0.error = error }
            }
            results.withLock {
                $0.samples += samples
                $0.logWaits += logWaits
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return try results.withLock { state in
            if let error = state.error { throw error }
            return (state.samples, state.logWaits, seconds)
        }
    }
}

/// The broker under measurement.
struct BrokerProcess {
    let process: Process
    var pid: Int32 { process.processIdentifier }

    func residentBytes() -> Int { Self.residentBytes(pid: pid) }

    /// VmRSS of a process, in bytes.
    static func residentBytes(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kib * 1024
    }

    /// Memory only this process uses (`Private_Clean` + `Private_Dirty` of smaps_rollup): the
    /// resident set without the pages of shared libraries that other processes map too.
    static func privateBytes(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { $0.hasPrefix("Private_") }
            .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } }
            .reduce(0, +) * 1024
    }

    /// SIGTERM, as an operator stops it, and wait for the clean shutdown.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
