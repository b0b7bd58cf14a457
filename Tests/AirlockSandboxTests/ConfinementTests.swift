import AirlockCore
import AirlockSandbox
import Foundation
import Synchronization
import Testing
import AirlockTestSupport

/// Each test names the attack it stops and runs it on the real kernel.
@Suite struct ConfinementTests {
    @Test func runsATool() throws {
        let outcome = try Harness.probe("hello")
        #expect(outcome.termination == .exited(code: 0), "\(outcome.err)")
        #expect(outcome.out == "hello\n")
    }

    @Test func cannotReadHostFileOutsideView() throws {
        let dir = TemporaryDirectory()
        let secret = dir.path + "/secret"
        try "top secret".write(toFile: secret, atomically: true, encoding: .utf8)
        let outcome = try Harness.probe("read", secret)
        #expect(outcome.out == "read: ENOENT\n")
        #expect(try Harness.probe("read", "/etc/shadow").out == "read: ENOENT\n")
        #expect(try Harness.probe("read", "/root/.bashrc").out == "read: ENOENT\n")
    }

    @Test func cannotWriteReadOnlyBind() throws {
        let outcome = try Harness.probe("write", "/usr/airlock-was-here")
        #expect(outcome.out == "write: EROFS\n")
        #expect(try Harness.probe("write", "/airlock-was-here").out == "write: EROFS\n")
        #expect(try Harness.probe("write", "/dev/airlock").out == "write: EROFS\n")
    }

    @Test func readOnlyWorkspaceCannotBeWritten() throws {
        let dir = TemporaryDirectory()
        let outcome = try Harness.probe("write", "/work/file", workspace: .init(source: dir.path, target: "/work", writable: false))
        #expect(outcome.out == "write: EROFS\n")
    }

    @Test func privateTmpIsWritableAndEmpty() throws {
        #expect(try Harness.probe("write", "/tmp/scratch").out == "write: ok\n")
        #expect(try Harness.probe("read", "/tmp/scratch").out == "read: ENOENT\n")
    }

    @Test func cannotSeeHostProcesses() throws {
        let outcome = try Harness.probe("ps")
        #expect(outcome.out == "pid 1\nprocesses: 1\n")
    }

    @Test func cannotReachHostLoopback() throws {
        // A listener on the host's loopback; the sandbox has a loopback of its own.
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, length) } }
        #expect(listen(server, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let outcome = try Harness.probe("connect", "\(port)")
        #expect(outcome.out == "connect: ECONNREFUSED\n")
    }

    @Test func cannotMount() throws {
        #expect(try Harness.probe("mount").out == "mount: EPERM\n")
    }

    @Test func capabilitiesAreEmpty() throws {
        let outcome = try Harness.probe("caps")
        let lines = outcome.out.split(separator: "\n")
        #expect(lines.count == 5)
        for line in lines {
            #expect(line.hasSuffix("0000000000000000"), "\(line)")
        }
    }

    @Test func noNewPrivsIsSetAndRootIsGone() throws {
        let uid = SlotConfiguration.defaultUIDBase + 99_998
        let outcome = try Harness.probe("privs", uid: uid)
        #expect(outcome.out.contains("NoNewPrivs:\t1"))
        #expect(outcome.out.contains("Uid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)"))
        #expect(outcome.out.contains("Gid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)"))
        let groups = outcome.out.split(separator: "\n").first { $0.hasPrefix("Groups:") }
        #expect(groups?.dropFirst("Groups:".count).allSatisfy(\.isWhitespace) == true, "supplementary groups: \(groups ?? "")")
    }

    @Test func cannotSignalHostProcesses() throws {
        // PID 1 here is the tool itself; the host's init is not in this namespace at all.
        #expect(try Harness.probe("kill", "\(getpid())").out == "kill: ESRCH\n")
    }

    @Test func hostnameIsTheSandboxes() throws {
        #expect(try Harness.probe("hostname").out == "airlock\n")
    }

    @Test func environmentIsOnlyWhatTheJobSays() throws {
        let outcome = try Harness.probe("env")
        #expect(outcome.out == "PATH=/usr/bin:/bin\n")
    }

    @Test func descriptorsAreNotInherited() throws {
        // A descriptor the broker holds without close-on-exec must still not reach the tool.
        let leaked = open("/etc/hostname", O_RDONLY)
        defer { close(leaked) }
        let outcome = try Harness.probe("fds")
        #expect(outcome.out == "fd 0\nfd 1\nfd 2\n")
    }

    @Test func brokerHoldingManyDescriptorsDoesNotStarveTheTool() throws {
        // A busy broker holds hundreds of descriptors; the tool's RLIMIT_NOFILE counts only its
        // own, and the seccomp listener the child opens last must fit under it.
        let held = (0..<400).map { _ in open("/dev/null", O_RDONLY) }
        defer { held.forEach { close($0) } }
        let outcome = try Harness.probe("fds", limits: Limits.defaults.with { $0.openFiles = 32 })
        #expect(outcome.termination == .exited(code: 0), "\(outcome.err)")
        #expect(outcome.out == "fd 0\nfd 1\nfd 2\n")
    }

    @Test func stdinIsDelivered() throws {
        let job = Harness.probeJob(["cat"], stdin: Array("to the tool\n".utf8))
        let outcome = try Harness.run(job)
        #expect(outcome.out == "to the tool\n")
    }

    @Test func argumentsArriveAsWholeElements() throws {
        let outcome = try Harness.probe("args", "; rm -rf /", "--output=/etc/x", "$(id)")
        #expect(outcome.out == "[; rm -rf /]\n[--output=/etc/x]\n[$(id)]\n")
    }
}

/// Calls that share a slot and a view template share nothing else.
@Suite struct IsolationBetweenCallsTests {
    @Test func nothingWrittenByOneCallIsSeenByTheNext() throws {
        let pool = try SlotPool(SlotConfiguration(count: 1, uidBase: SlotConfiguration.defaultUIDBase + 99_997, cgroupName: "airlock-test-\(getpid())-isolation"))
        defer { pool.shutdown() }
        let sandbox = try Sandbox()
        let slot = try #require(pool.tryAcquire())
        defer { pool.release(slot) }
        let write = Harness.probeJob(["write", "/tmp/left-behind"])
        let read = Harness.probeJob(["read", "/tmp/left-behind"])
        #expect(try sandbox.run(write, seccomp: Harness.defaultSeccomp, in: slot).out == "write: ok\n")
        #expect(try sandbox.run(read, seccomp: Harness.defaultSeccomp, in: slot).out == "read: ENOENT\n")
    }

    @Test func writableWorkspaceChangesReachTheHost() throws {
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o777)
        let outcome = try Harness.probe("write", "/work/result.txt", workspace: .init(source: dir.path, target: "/work", writable: true))
        #expect(outcome.out == "write: ok\n")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/result.txt"))
    }

    /// A task's calls land in different slots (different uids); with the pool's workspace group
    /// and a 2770 workspace, what one call writes the next can rewrite.
    @Test func filesOneSlotWritesAreWritableFromAnother() throws {
        var configuration = SlotConfiguration(count: 2, uidBase: SlotConfiguration.defaultUIDBase + 99_990, cgroupName: "airlock-test-\(getpid())-shared")
        let group = configuration.uidBase - 1
        configuration.workspaceGID = group
        let pool = try SlotPool(configuration)
        defer { pool.shutdown() }
        let sandbox = try Sandbox()
        let first = try #require(pool.tryAcquire()), second = try #require(pool.tryAcquire())
        defer { pool.release(first); pool.release(second) }
        #expect(first.uid != second.uid)
        let dir = TemporaryDirectory()
        #expect(chown(dir.path, 0, group) == 0 && chmod(dir.path, 0o2770) == 0)
        let workspace = FilesystemView.Bind(source: dir.path, target: "/work", writable: true)
        let write = Harness.probeJob(["write", "/work/shared.txt"], workspace: workspace)
        #expect(try sandbox.run(write, seccomp: Harness.defaultSeccomp, in: first).out == "write: ok\n")
        #expect(try sandbox.run(write, seccomp: Harness.defaultSeccomp, in: second).out == "write: ok\n")
        var info = stat()
        #expect(stat(dir.path + "/shared.txt", &info) == 0)
        #expect(info.st_uid == first.uid)
        #expect(info.st_gid == group)
        #expect(info.st_mode & 0o777 == 0o664)
        // Without the group, the second slot's uid may not touch the first one's file.
        let unshared = try SlotPool(SlotConfiguration(count: 1, uidBase: SlotConfiguration.defaultUIDBase + 99_993, cgroupName: "airlock-test-\(getpid())-unshared"))
        defer { unshared.shutdown() }
        let stranger = try #require(unshared.tryAcquire())
        defer { unshared.release(stranger) }
        #expect(try sandbox.run(write, seccomp: Harness.defaultSeccomp, in: stranger).out == "write: EACCES\n")
    }

    @Test func workspaceMustBeADirectory() throws {
        let job = Harness.probeJob(["hello"], workspace: .init(source: "/etc/hostname", target: "/work"))
        #expect(throws: SandboxError.invalidJob(field: "workspace", reason: "/etc/hostname is not a directory")) { try Harness.run(job) }
    }
}

/// The gate: the child sets up its sandbox, then waits before it executes the tool.
@Suite struct GateTests {
    private func run(opening: Bool, after delay: Double) throws -> (Result<Outcome, SandboxError>, Bool) {
        var ends: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        let writeEnd = ends[1]
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
            var go: UInt8 = 1
            if opening { _ = send(writeEnd, &go, 1, Int32(MSG_NOSIGNAL)) }
            close(writeEnd)
        }
        defer { close(ends[0]) }
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o777)
        let job = Harness.probeJob(["write", "/work/ran"], workspace: .init(source: dir.path, target: "/work", writable: true))
        let pool = try SlotPool(SlotConfiguration(count: 1, uidBase: SlotConfiguration.defaultUIDBase + 99_980 + (opening ? 1 : 0), cgroupName: "airlock-test-\(getpid())-gate-\(opening)"))
        defer { pool.shutdown() }
        let slot = try #require(pool.tryAcquire())
        defer { pool.release(slot) }
        let result = Result { () throws(SandboxError) -> Outcome in try Sandbox().run(job, seccomp: Harness.defaultSeccomp, in: slot, gate: ends[0]) }
        return (result, FileManager.default.fileExists(atPath: dir.path + "/ran"))
    }

    @Test func anOpenedGateLetsTheToolRun() throws {
        let (result, ran) = try run(opening: true, after: 0.2)
        #expect(try result.get().out == "write: ok\n")
        #expect(ran)
    }

    @Test func aClosedGateStopsTheToolBeforeItRuns() throws {
        let (result, ran) = try run(opening: false, after: 0.2)
        #expect(throws: SandboxError.stepFailed(step: "wait for the go-ahead (gate)", errno: ECANCELED)) { try result.get() }
        #expect(!ran, "the tool ran although the gate was closed")
    }
}

/// A view's template is built in a helper that shares the broker's descriptor table while other
/// threads clone sandboxes, and a clone copies the table. A descriptor the helper held open for
/// writing on the template's root would outlive its `close` in such a copy, and the root could then
/// not be made read-only (EBUSY; seen once in 200 concurrent calls through the broker). The
/// template is built without opening anything for writing.
@Suite struct ViewTemplateTests {
    @Test func templatesBuildWhileOtherThreadsCopyTheDescriptorTable() throws {
        // Threads that each take a copy of the table (unshare(CLONE_FILES), what a clone without
        // CLONE_FILES does) and hold it for a while, as a sandbox child does until it executes.
        typealias Unshare = @convention(c) (Int32) -> Int32
        let unshare = unsafeBitCast(try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare")), to: Unshare.self)
        let cloneFiles: Int32 = 0x400
        let stop = Atomic<Bool>(false)
        let copiers = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: copiers) {
                while !stop.load(ordering: .relaxed) {
                    let thread = Thread {
                        _ = unshare(cloneFiles)
                        usleep(5_000)
                    }
                    thread.start()
                    usleep(200)
                }
            }
        }
        defer {
            stop.store(true, ordering: .relaxed)
            copiers.wait()
        }
        // Every run builds its view (64 bound files and the probe) in a fresh template.
        let files = (0..<64).map { FilesystemView.Bind(source: "/etc/passwd", target: "/opt/file-\($0)") }
        var failures: [String] = []
        for _ in 0..<40 {
            do {
                let outcome = try Harness.probe("hello", extraBinds: files)
                if outcome.out != "hello\n" { failures.append("output: \(outcome.out)") }
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 40 runs failed, first: \(failures.first ?? "")")
    }
}
