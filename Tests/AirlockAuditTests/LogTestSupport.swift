import AirlockTestSupport
import Foundation
import Testing

@testable import AirlockAudit
@testable import AirlockCore

/// A log written by the real `ExecutionLog`, and ways to damage its files.
struct LogFixture {
    let scratch = TemporaryDirectory()
    var state: String { scratch.path + "/state" }
    var directory: String { state + "/log" }

    /// `records` anomaly records of about 300 bytes, files rotated at `maxFileBytes`.
    static func written(records: Int, maxFileBytes: Int = 1 << 30, checkpointEvery: Int = 1000, close: Bool = true) async throws
        -> LogFixture
    {
        let fixture = LogFixture()
        let log = try fixture.openLog {
            $0.maxFileBytes = maxFileBytes
            $0.checkpointEveryRecords = checkpointEvery
        }
        for n in 0..<records { try await log.append(Self.event(n)) }
        if close { try await log.close() } else { log.abandonForTesting() }
        return fixture
    }

    /// Opens the log a `written(..., close: false)` fixture abandoned, as a broker restarting after
    /// a crash would. Suites run side by side in this process and clone sandbox children, and a
    /// child holds a copy of every descriptor (the abandoned log's lock among them) until its
    /// set-up closes them: a lock still held is retried for up to two seconds.
    func reopen() throws -> ExecutionLog {
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            do { return try ExecutionLog.open(ExecutionLog.Options(stateDirectory: state, node: "test")) } catch {
                guard case .inUse = error, ContinuousClock.now < deadline else { throw error }
                usleep(10_000)
            }
        }
    }

    /// Opens this fixture's log, with `configure` adjusting the options first.
    func openLog(_ configure: (inout ExecutionLog.Options) -> Void = { _ in }) throws -> ExecutionLog {
        var options = ExecutionLog.Options(stateDirectory: state, node: "test")
        configure(&options)
        return try ExecutionLog.open(options)
    }

    static func event(_ n: Int) -> LogEvent {
        .anomaly(taskId: "task-1", callId: "call-\(n)", anomaly: "test", detail: .object(["n": .integer(Int64(n)), "text": .string("record number \(n)")]))
    }

    var publicKey: [UInt8] { try! LogSigningKey.readPublicKey(path: state + "/" + LogSigningKey.publicFileName) }

    func verify() throws -> VerifyReport { try LogVerifier(directory: directory, publicKey: publicKey).verify() }

    func path(_ file: Int) -> String { LogDirectory.path(directory, file) }

    /// The file's bytes as they are, padding included.
    func bytes(_ file: Int) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path(file)) ?? Data()) }

    /// The file's bytes without its padding (the zero bytes after the records).
    func records(_ file: Int) -> [UInt8] {
        var bytes = bytes(file)
        while bytes.last == 0 { bytes.removeLast() }
        return bytes
    }

    /// The file's lines without their `\n` (a torn last line included as it is; no padding).
    func lines(_ file: Int) -> [String] {
        let text = String(decoding: records(file), as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Writes `fragment` where the next record would have gone, into the padding, as a write
    /// cut short by a crash leaves it.
    func tear(_ file: Int, with fragment: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path(file)))
        defer { handle.closeFile() }
        handle.seek(toFileOffset: UInt64(records(file).count))
        handle.write(Data(fragment.utf8))
    }

    func setLines(_ file: Int, _ lines: [String], terminated: Bool = true) {
        let text = lines.joined(separator: "\n") + (terminated && !lines.isEmpty ? "\n" : "")
        _ = FileManager.default.createFile(atPath: path(file), contents: Data(text.utf8))
    }

    func fileNumbers() -> [Int] { (try? LogDirectory.fileNumbers(in: directory)) ?? [] }
}

/// The checkout, for `examples/` and `Policies/`.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
