import Foundation

/// What every test target needs from the host: temporary directories, the `airlock` executable
/// built beside the tests, and running a program to its end.

/// A directory under the system temporary directory (mode 0755, so a sandbox's uid can enter
/// what a test binds), removed when the value goes away. `path` is canonical.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() {
        var template = Array((NSTemporaryDirectory() + "/airlock-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: errno \(errno)")
        chmod(created!, 0o755)
        path = URL(fileURLWithPath: String(cString: created!)).resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `relative`, creating directories on the way; the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String = "") -> String {
        let file = path + "/" + relative
        do {
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        } catch {
            preconditionFailure("cannot write \(file): \(error)")
        }
        return file
    }

    public func makeDirectory(_ relative: String) {
        do { try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true) } catch {
            preconditionFailure("cannot make \(relative): \(error)")
        }
    }

    public func symlink(_ relative: String, to target: String) {
        do { try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target) } catch {
            preconditionFailure("cannot link \(relative): \(error)")
        }
    }
}

/// The `airlock` executable built beside this test bundle, if there is one.
public let airlockExecutablePath: String? = {
    var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    while url.path != "/" {
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("airlock").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}()

/// How a program run by `runProgram` ended.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Both streams, standard output first.
    public var output: String { stdout + stderr }
}

/// Runs `executable` to its end, with `stdin` as its input. Both outputs are read at once, so a
/// program that fills one pipe while the other is read cannot hang the test. Blocking: from
/// async code that shares the cooperative pool with what the program talks to, run it on a
/// thread of its own.
public func runProgram(
    _ executable: String, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil
) throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    let errorData = ErrorStreamReader(err.fileHandleForReading)
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = errorData.wait()
    process.waitUntilExit()
    return ProgramResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorStreamReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
