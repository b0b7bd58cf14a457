import AirlockCore
import AirlockSandbox
import ArgumentParser
import Foundation

/// `airlock exec`: one program in one sandbox, bubblewrap-style, for trying confinement by hand.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one program in a sandbox and report how it ended.",
        discussion: """
            The program sees the base view (Sandbox/rootfs/default.yaml) read-only, a private /tmp, \
            a fresh /proc, a minimal /dev and an empty network namespace (loopback only). It runs as \
            an unprivileged uid with no capabilities, no_new_privs and the seccomp profile.

            Exit status: the program's own, 128+N when signal N ended it, or
              124 wall-clock deadline    121 process limit
              123 CPU time limit         120 seccomp violation
              122 memory limit           125 the sandbox could not start
              2   bad arguments (nothing ran)
            """
    )

    @Option(name: .customLong("ro"), help: ArgumentHelp("Bind a host path read-only at the same path.", valueName: "path"))
    var readOnly: [String] = []

    @Option(name: .customLong("rw"), help: ArgumentHelp("Bind a host path read-write at the same path.", valueName: "path"))
    var readWrite: [String] = []

    @Option(help: ArgumentHelp("Bind a directory at /work and start there (read-write).", valueName: "dir"))
    var workspace: String?

    @Flag(name: .customLong("readonly-workspace"), help: "Bind the workspace read-only.")
    var readOnlyWorkspace = false

    @Option(help: "Wall-clock deadline (ms, s, m, h).") var time = "10s"
    @Option(help: "CPU time per process.") var cpu = "5s"
    @Option(help: "Memory for the whole sandbox (KiB, MiB, GiB).") var memory = "256MiB"
    @Option(help: "Processes and threads.") var procs = "64"
    @Option(help: "Open files per process.") var files = "256"
    @Option(help: "Largest file a process may write.") var fileSize = "16MiB"
    @Option(help: "Bytes of output kept per stream.") var output = "1MiB"

    @Option(help: ArgumentHelp("Seccomp profile (OCI / Docker JSON).", valueName: "file"))
    var seccomp: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("Set an environment variable.", valueName: "name=value"))
    var environment: [String] = []

    @Flag(help: "Print the whole outcome as JSON instead of the program's output.")
    var json = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The program (absolute path) and its arguments.", valueName: "executable"))
    var command: [String] = []

    func run() throws {
        let job: JobSpec
        let program: SeccompProgram
        do throws(CommandError) {
            job = try makeJob()
            program = try loadSeccomp()
        } catch {
            FileHandle.standardError.write(Data("airlock exec: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        let outcome: Outcome
        do {
            outcome = try runInOneSlot(job, seccomp: program)
        } catch {
            FileHandle.standardError.write(Data("airlock exec: \(error)\n".utf8))
            throw ExitCode(125)
        }
        if json {
            print(try outcome.jsonText())
        } else {
            FileHandle.standardOutput.write(Data(outcome.stdout.bytes))
            FileHandle.standardError.write(Data(outcome.stderr.bytes))
            if let note = outcome.note { FileHandle.standardError.write(Data("airlock exec: \(note)\n".utf8)) }
        }
        throw ExitCode(outcome.exitStatus)
    }
}
