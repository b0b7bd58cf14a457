import Foundation

@testable import AirlockAudit
@testable import AirlockCore

/// A directory under the system temporary directory, removed when the value goes away.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/airlock-audit-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = URL(fileURLWithPath: String(cString: created!)).resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ relative: String, _ text: String) -> String {
        let file = path + "/" + relative
        try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// A log written by the real `ExecutionLog`, and ways to damage its files.
struct LogFixture {
    let scratch = ScratchDirectory()
    var state: String { scratch.path + "/state" }
    var directory: String { state + "/log" }

    /// `records` anomaly records of about 300 bytes, files rotated at `maxFileBytes`.
    static func written(records: Int, maxFileBytes: Int = 1 << 30, checkpointEvery: Int = 1000, close: Bool = true) async throws
        -> LogFixture
    {
        let fixture = LogFixture()
        var options = ExecutionLog.Options(stateDirectory: fixture.state, node: "test")
        options.maxFileBytes = maxFileBytes
        options.checkpointEveryRecords = checkpointEvery
        let log = try ExecutionLog.open(options)
        for n in 0..<records { try await log.append(Self.event(n)) }
        if close { try await log.close() } else { log.abandonForTesting() }
        return fixture
    }

    static func event(_ n: Int) -> LogEvent {
        .anomaly(taskId: "task-1", callId: "call-\(n)", anomaly: "test", detail: .object(["n": .integer(Int64(n)), "text": .string("record number \(n)")]))
    }

    var publicKey: [UInt8] { try! LogSigningKey.readPublicKey(path: state + "/" + LogSigningKey.publicFileName) }

    func verify() throws -> VerifyReport { try LogVerifier(directory: directory, publicKey: publicKey).verify() }

    func path(_ file: Int) -> String { LogDirectory.path(directory, file) }

    /// The file's lines without their `\n` (a torn last line included as it is).
    func lines(_ file: Int) -> [String] {
        let text = String(decoding: FileManager.default.contents(atPath: path(file)) ?? Data(), as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func setLines(_ file: Int, _ lines: [String], terminated: Bool = true) {
        let text = lines.joined(separator: "\n") + (terminated && !lines.isEmpty ? "\n" : "")
        _ = FileManager.default.createFile(atPath: path(file), contents: Data(text.utf8))
    }

    func fileNumbers() -> [Int] { (try? LogDirectory.fileNumbers(in: directory)) ?? [] }
}

/// The `airlock` binary built beside this test bundle.
let airlockBinary: String? = {
    var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    while url.path != "/" {
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("airlock").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}()

/// Runs a program to its end: exit status and standard output and error together.
func runProgram(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The checkout, for `examples/` and `Policies/`.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
