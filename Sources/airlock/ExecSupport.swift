import AirlockCore
import AirlockSandbox
import Foundation

/// A command-line mistake: printed with the command's name, exit status 2, nothing runs.
struct CommandError: Error {
    var message: String
}

extension ExecCommand {
    func makeJob() throws(CommandError) -> JobSpec {
        guard let executable = command.first else {
            throw CommandError(message: "missing the program to run: airlock exec [options] -- /path/to/program [args…]")
        }
        guard executable.hasPrefix("/") else {
            throw CommandError(message: "the program must be an absolute path (the sandbox has no PATH lookup): `\(executable)`")
        }
        var view = try loadView()
        for path in readOnly { view.binds.append(try bind(path, writable: false)) }
        for path in readWrite { view.binds.append(try bind(path, writable: true)) }
        if let workspace {
            let bound = try bind(workspace, writable: !readOnlyWorkspace)
            view.workspace = FilesystemView.Bind(source: bound.source, target: FilesystemView.workspaceTarget, writable: bound.writable)
        }
        // Fail before anything is set up when the program cannot be there (symlinked top-level
        // directories like /bin resolve on the host the same way they do inside).
        guard let hostPath = view.hostPath(of: executable) ?? view.hostPath(of: resolvedOnHost(executable)),
            FileManager.default.isExecutableFile(atPath: hostPath)
        else {
            throw CommandError(message: "\(executable) is not an executable file inside the sandbox's view (add --ro PATH to bind it)")
        }
        return JobSpec(
            executable: executable, arguments: [URL(fileURLWithPath: executable).lastPathComponent] + command.dropFirst(),
            environment: try parseEnvironment(), workingDirectory: workspace == nil ? "/" : FilesystemView.workspaceTarget,
            view: view, network: .none, limits: try parseLimits())
    }

    private func resolvedOnHost(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    func parseLimits() throws(CommandError) -> Limits {
        var limits = Limits.defaults
        limits.wallTime = try duration("--time", time)
        limits.cpuTime = try duration("--cpu", cpu)
        limits.memory = try size("--memory", memory)
        limits.processes = try count("--procs", procs)
        limits.openFiles = try count("--files", files)
        limits.fileSize = try size("--file-size", fileSize)
        limits.outputBytes = try size("--output", output)
        // The address-space backstop must never be what stops a tool the cgroup would allow.
        limits.addressSpace = max(limits.addressSpace, ByteCount(limits.memory.bytes.multipliedReportingOverflow(by: 4).partialValue))
        return limits
    }

    private func duration(_ flag: String, _ text: String) throws(CommandError) -> Milliseconds {
        do { return try Milliseconds(parsing: text) } catch { throw CommandError(message: "\(flag): \(error)") }
    }

    private func size(_ flag: String, _ text: String) throws(CommandError) -> ByteCount {
        do { return try ByteCount(parsing: text) } catch { throw CommandError(message: "\(flag): \(error)") }
    }

    private func count(_ flag: String, _ text: String) throws(CommandError) -> UInt64 {
        guard let n = UInt64(text), n > 0 else { throw CommandError(message: "\(flag): `\(text)` must be a whole number greater than zero") }
        return n
    }

    private func bind(_ path: String, writable: Bool) throws(CommandError) -> FilesystemView.Bind {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let resolved = URL(fileURLWithPath: absolute).standardizedFileURL.path
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            throw CommandError(message: "cannot bind \(path): it does not exist or is not readable")
        }
        return FilesystemView.Bind(source: resolved, target: resolved, writable: writable)
    }

    private func parseEnvironment() throws(CommandError) -> [String: String] {
        var result: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        for entry in environment {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw CommandError(message: "--env: expected NAME=VALUE, got `\(entry)`")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    private func loadView() throws(CommandError) -> FilesystemView {
        do {
            let directory = try SandboxDirectory.locate()
            return try RootfsProfile.load(file: directory + "/rootfs/default.yaml")
        } catch let error as SandboxError {
            throw CommandError(message: "\(error)")
        } catch {
            throw CommandError(message: "\(error)")
        }
    }

    func loadSeccomp() throws(CommandError) -> SeccompProgram {
        do {
            let path = try seccomp ?? (SandboxDirectory.locate() + "/seccomp/default.json")
            return try SeccompCompiler.compile(contentsOf: path)
        } catch {
            throw CommandError(message: "\(error)")
        }
    }
}

/// A pool of one slot, made for this run and removed after it. Its uid is drawn from the
/// part of the reserved range kept for one-off runs, apart from any broker's slots.
func runInOneSlot(_ job: JobSpec, seccomp: SeccompProgram) throws(SandboxError) -> Outcome {
    let pid = UInt32(getpid())
    let configuration = SlotConfiguration(
        count: 1, uidBase: SlotConfiguration.oneOffUIDBase + pid % SlotConfiguration.oneOffUIDCount,
        cgroupName: "airlock-exec-\(pid)")
    let pool = try SlotPool(configuration)
    defer { pool.shutdown() }
    guard let slot = pool.tryAcquire() else { throw .hostFailed(step: "acquire slot", errno: EBUSY) }
    defer { pool.release(slot) }
    return try Sandbox().run(job, seccomp: seccomp, in: slot)
}

extension Outcome {
    /// The exit status `airlock exec` ends with.
    var exitStatus: Int32 {
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        case .wallTimeout: return 124
        case .cpuLimit: return 123
        case .memoryLimit: return 122
        case .processLimit: return 121
        case .seccompViolation: return 120
        case .spawnFailed: return 125
        }
    }

    /// One line for the terminal when the program did not end on its own terms.
    var note: String? {
        switch termination {
        case .exited: return stdout.truncated || stderr.truncated ? "output truncated (see --output)" : nil
        case .signaled(let signal): return "killed by signal \(signal)"
        case .wallTimeout: return "killed at the wall-clock deadline (--time)"
        case .cpuLimit: return "killed at the CPU time limit (--cpu)"
        case .memoryLimit: return "killed at the memory limit (--memory)"
        case .processLimit: return "ran out of processes (--procs)"
        case .seccompViolation(let syscall): return "killed: the seccomp profile forbids \(syscall)"
        case .spawnFailed(let step, let errno): return "the sandbox could not start: \(step): \(errnoName(errno))"
        }
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
