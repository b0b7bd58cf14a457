import AirlockCore
import AirlockSandbox
import Foundation
import Testing

/// When a step cannot be taken the tool does not run, and the error names the step.
@Suite struct SpawnFailureTests {
    @Test func missingExecutableNamesTheStep() throws {
        var job = Harness.probeJob([])
        job.executable = "/usr/bin/airlock-does-not-exist"
        #expect(throws: SandboxError.stepFailed(step: "execve", errno: ENOENT)) { try Harness.run(job) }
    }

    @Test func relativeExecutableIsRefusedBeforeSpawning() throws {
        var job = Harness.probeJob([])
        job.executable = "bin/true"
        #expect(throws: SandboxError.self) { try Harness.run(job) }
    }

    @Test func missingBindSourceIsRefused() throws {
        let job = Harness.probeJob(["hello"], extraBinds: [.init(source: "/nonexistent/airlock")])
        do {
            _ = try Harness.run(job)
            Issue.record("a missing bind source must not run")
        } catch let error as SandboxError {
            #expect(error.description.contains("/nonexistent/airlock"))
            #expect(error.description.contains("ENOENT"))
        }
    }

    @Test func missingWorkingDirectoryNamesChdir() throws {
        var job = Harness.probeJob(["hello"])
        job.workingDirectory = "/nowhere"
        #expect(throws: SandboxError.stepFailed(step: "chdir", errno: ENOENT)) { try Harness.run(job) }
    }

    @Test func nulInArgumentIsRefused() throws {
        let job = Harness.probeJob(["args", "a\u{0}b"])
        #expect(throws: SandboxError.self) { try Harness.run(job) }
    }
}
