import AirlockCore
import AirlockSandbox
import Foundation
import Testing

/// The default seccomp profile, installed by the real child on the real kernel.
@Suite struct SeccompKernelTests {
    @Test func cannotCreateUserNamespace() throws {
        #expect(try Harness.probe("userns").out == "unshare: EPERM\n")
        #expect(try Harness.probe("netns").out == "unshare: EPERM\n")
    }

    @Test func cannotPtraceParentOrSibling() throws {
        // The broker is outside the PID namespace and invisible; a sibling is visible but ptrace
        // itself is refused.
        #expect(try Harness.probe("ptrace").out == "ptrace: EPERM\n")
    }

    @Test func deniedSyscallIsNamed() throws {
        // kexec_load (246 on x86_64) is a kill rule: the broker is notified, names it, and kills
        // the sandbox before the call runs.
        let outcome = try Harness.probe("syscall", "246")
        #expect(outcome.termination == .seccompViolation(syscall: "kexec_load"))
        let iopl = try Harness.probe("syscall", "172")
        #expect(iopl.termination == .seccompViolation(syscall: "iopl"))
    }

    @Test func x32SyscallsAreRefused() throws {
        let outcome = try Harness.probe("x32")
        #expect(!outcome.out.contains(": ok"))
        if case .seccompViolation(let name) = outcome.termination {
            #expect(name.contains("x32") || name.contains("getpid"), "\(name)")
        } else {
            #expect(outcome.out == "x32 getpid: ENOSYS\n" || outcome.out == "x32 getpid: EPERM\n")
        }
    }

    @Test func noNewPrivsAndFilterAreInPlace() throws {
        let outcome = try Harness.probe("privs")
        #expect(outcome.out.contains("NoNewPrivs:\t1"))
        #expect(outcome.out.contains("Seccomp:\t2"))
    }

    @Test func ordinaryToolsStillWork() throws {
        var job = Harness.probeJob([])
        job.executable = "/bin/sh"
        job.arguments = ["sh", "-c", "echo one | tr a-z A-Z; ls / | wc -l >/dev/null; date +%Y >/dev/null && echo done"]
        let outcome = try Harness.run(job)
        #expect(outcome.termination == .exited(code: 0), "\(outcome.err)")
        #expect(outcome.out == "ONE\ndone\n")
    }

    @Test func pythonRunsUnderTheDefaultProfile() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            print("skipped: /usr/bin/python3 is not installed")
            return
        }
        var job = Harness.probeJob([])
        job.executable = "/usr/bin/python3"
        job.arguments = ["python3", "-c", "import json, subprocess, threading; print(json.dumps({'ok': subprocess.run(['true']).returncode}))"]
        let outcome = try Harness.run(job)
        #expect(outcome.termination == .exited(code: 0), "\(outcome.err)")
        #expect(outcome.out == "{\"ok\": 0}\n")
    }
}
