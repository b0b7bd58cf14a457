import AirlockCore
import AirlockSandbox
import Foundation

/// One way of launching a program once; returns the nanoseconds it took, start to reaped.
struct Launcher: Sendable {
    var name: String
    var launch: @Sendable () throws -> UInt64
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `body` on `count` threads of its own at once and waits for all of them.
/// (`DispatchQueue.concurrentPerform` would run no more iterations at once than there are cores,
/// so eight clients on two cores would be two.)
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}

/// The programs and sandboxes a spawn benchmark launches.
struct BenchFixture {
    let directory: String
    /// A 129-byte static x86-64 ELF that only calls exit(0): the cheapest possible exec.
    let staticBinary: String?

    init() throws {
        directory = NSTemporaryDirectory() + "airlock-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #if arch(x86_64)
        let path = directory + "/exit0"
        try Data(Self.exitZeroELF).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        staticBinary = path
        #else
        staticBinary = nil
        #endif
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    func launchers(pool: SlotPool) throws -> [Launcher] {
        // (label, host path, path inside the sandbox)
        var programs = [("/bin/true", "/bin/true", "/bin/true")]
        if let staticBinary { programs.append(("static", staticBinary, "/opt/airlock-bench/exit0")) }
        let sandboxDirectory = try SandboxDirectory.locate()
        let view = try RootfsProfile.load(file: sandboxDirectory + "/rootfs/default.yaml")
        let seccomp = try SeccompCompiler.compile(contentsOf: sandboxDirectory + "/seccomp/default.json")
        let sandbox = try Sandbox()
        var result: [Launcher] = []
        for (label, path, inside) in programs {
            result.append(Launcher(name: "posix_spawn \(label)", launch: Self.posixSpawn([path])))
            result.append(Launcher(name: "airlock \(label)", launch: Self.confined(path, inside: inside, view: view, seccomp: seccomp, sandbox: sandbox, pool: pool)))
            if let arguments = Self.bwrapArguments(program: path, inside: inside) {
                result.append(Launcher(name: "bwrap \(label)", launch: Self.posixSpawn(arguments)))
            }
        }
        return result
    }

    /// `bwrap` running `program` (seen at `inside`) in the same view as Airlock's default: system
    /// directories read-only, private /tmp, /proc, /dev, every namespace unshared. Nil when bwrap
    /// is not installed.
    static func bwrapArguments(program path: String, inside: String) -> [String]? {
        guard let bwrap = ["/usr/bin/bwrap", "/bin/bwrap"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        var arguments = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                         "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                         "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
        if path != inside { arguments += ["--ro-bind", path, inside] }
        return arguments + [inside]
    }

    private static func confined(_ path: String, inside: String, view: FilesystemView, seccomp: SeccompProgram, sandbox: Sandbox, pool: SlotPool) -> @Sendable () throws -> UInt64 {
        var view = view
        if path != inside { view.binds.append(.init(source: path, target: inside)) }
        let job = JobSpec(executable: inside, arguments: [inside], view: view)
        return {
            guard let slot = pool.tryAcquire() else { throw BenchError(description: "no idle slot") }
            defer { pool.release(slot) }
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try sandbox.run(job, seccomp: seccomp, in: slot)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            guard outcome.termination == .exited(code: 0) else {
                throw BenchError(description: "\(path) ended with \(outcome.termination): \(String(decoding: outcome.stderr.bytes, as: UTF8.self))")
            }
            return elapsed
        }
    }

    /// Plain `posix_spawn` + `waitpid`: the floor every sandbox is compared with.
    static func posixSpawn(_ arguments: [String]) -> @Sendable () throws -> UInt64 {
        let argv = CStrings(arguments)
        return {
            var pid: pid_t = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let rc = posix_spawn(&pid, argv.pointers[0]!, nil, nil, argv.pointers, environ)
            guard rc == 0 else { throw BenchError(description: "posix_spawn \(arguments[0]): \(errnoName(rc))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            guard status == 0 else { throw BenchError(description: "\(arguments.joined(separator: " ")) exited with status \(status)") }
            return elapsed
        }
    }

    static let exitZeroELF: [UInt8] = {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        let base: UInt64 = 0x40_0000, headers: UInt64 = 64 + 56
        let code: [UInt8] = [0xB8, 0x3C, 0, 0, 0, 0x31, 0xFF, 0x0F, 0x05]  // mov eax,60; xor edi,edi; syscall
        let size = headers + UInt64(code.count)
        var elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        elf += le(UInt16(2)) + le(UInt16(0x3E)) + le(UInt32(1)) + le(base + headers) + le(UInt64(64)) + le(UInt64(0))
        elf += le(UInt32(0)) + le(UInt16(64)) + le(UInt16(56)) + le(UInt16(1)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
        elf += le(UInt32(1)) + le(UInt32(5)) + le(UInt64(0)) + le(base) + le(base) + le(size) + le(size) + le(UInt64(0x1000))
        return elf + code
    }()
}

/// NULL-terminated C strings that live as long as the launcher.
final class CStrings: @unchecked Sendable {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) { pointers = strings.map { strdup($0) } + [nil] }

    deinit { pointers.forEach { free($0) } }
}
