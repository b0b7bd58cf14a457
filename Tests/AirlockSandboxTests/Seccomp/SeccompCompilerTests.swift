import AirlockCore
import AirlockSandbox
import Foundation
import Testing
import AirlockTestSupport

/// Profiles the launcher could not live with are refused when compiled, not when a tool fails.
@Suite struct SeccompCompilerTests {
    @Test func refusesAProfileThatBlocksExecve() throws {
        let text = SeccompFixtures.profile(rules: #"{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}"#)
        let error = try #require(SeccompFixtures.profileError(text))
        let position = SeccompFixtures.position(of: "\"execve\"", in: text, after: "SCMP_ACT_ALLOW")
        #expect(error.location.line == position.line && error.location.column == position.column, "\(error)")
        #expect(error.description.contains("`execve` must be allowed unconditionally"), "\(error)")
        #expect(error.description.contains("to start the tool"), "\(error)")
    }

    @Test func refusesAProfileWhoseDefaultDeniesALauncherSyscall() throws {
        let text = """
            {
              "defaultAction": "SCMP_ACT_KILL_PROCESS",
              "syscalls": [{"names": ["read", "execve", "write", "sendmsg"], "action": "SCMP_ACT_ALLOW"}]
            }
            """
        let error = try #require(SeccompFixtures.profileError(text))
        #expect(error.location.line == 2 && error.fieldPath == "defaultAction", "\(error)")
        #expect(error.description.contains("`exit_group`"), "\(error)")
    }

    @Test func refusesALauncherSyscallAllowedOnlyForSomeArguments() throws {
        let text = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "syscalls": [
                {"names": ["read", "execve", "exit_group", "sendmsg"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}
              ]
            }
            """
        let error = try #require(SeccompFixtures.profileError(text))
        #expect(error.location.line == 5, "\(error)")
        #expect(error.description.contains("not only for some arguments"), "\(error)")
    }

    @Test func refusesAProfileThatWouldStrandTheListener() throws {
        let text = """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "execve", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}
            """
        let error = try #require(SeccompFixtures.profileError(text))
        #expect(error.description.contains("`sendmsg`") && error.description.contains("listener"), "\(error)")
    }

    @Test func refusesAConditionalDenySwallowedByAnUnconditionalAllow() throws {
        let text = SeccompFixtures.profile(rules: """
            {"names": ["ioctl"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 4294967295, "valueTwo": 21522, "op": "SCMP_CMP_MASKED_EQ"}]}
            """)
        let error = try #require(SeccompFixtures.profileError(text))
        let position = SeccompFixtures.position(of: "\"ioctl\"", in: text, after: "\"SCMP_ACT_ALLOW\"},\n    {\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\"}")
        #expect(error.location.line == position.line, "\(error)")
        #expect(error.description.contains("would drop this conditional"), "\(error)")
    }

    @Test func aRuleRepeatingTheDefaultActionIsAccepted() throws {
        // libseccomp refuses such a rule; Docker profiles write them (clone3 → ENOSYS under an ENOSYS default).
        let text = """
            {
              "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
              "syscalls": [
                {"names": ["read", "execve", "write", "exit_group", "sendmsg"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
              ]
            }
            """
        let filter = SeccompEvaluator(try SeccompFixtures.compile(text))
        #expect(try filter.verdict(X86_64.number("clone3")) == .errno(38))
        #expect(try filter.verdict(X86_64.number("execve")) == .allow)
    }

    @Test func trapAndKillDefaultsNotifyToo() throws {
        let text = """
            {"defaultAction": "SCMP_ACT_TRAP", "syscalls": [{"names": ["read", "execve", "write", "exit_group", "sendmsg"], "action": "SCMP_ACT_ALLOW"}]}
            """
        let filter = SeccompEvaluator(try SeccompFixtures.compile(text))
        #expect(try filter.verdict(X86_64.number("getpid")) == .notify)
    }

    @Test func defaultErrnoIsEPERMWhenUnsaid() throws {
        let filter = SeccompEvaluator(try SeccompFixtures.compile(SeccompFixtures.profile()))
        #expect(try filter.verdict(X86_64.number("getpid")) == .errno(1))
    }

    @Test func digestIsTheSHA256OfTheFileBytes() throws {
        #expect(SeccompCompiler.digest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let text = SeccompFixtures.profile()
        #expect(try SeccompFixtures.compile(text).digest == SeccompCompiler.digest(of: Array(text.utf8)))
    }

    @Test func cacheCompilesEachProfileOnce() throws {
        let cache = SeccompProgramCache(kernel: SeccompFixtures.kernel618)
        let first = try cache.program(bytes: Array(SeccompFixtures.profile().utf8), name: "a.json")
        let again = try cache.program(bytes: Array(SeccompFixtures.profile().utf8), name: "b.json")
        #expect(cache.count == 1)
        #expect(again == first, "the cached program, under the name it was first compiled with")
        let other = try cache.program(bytes: Array(SeccompFixtures.profile(defaultAction: "SCMP_ACT_KILL").utf8), name: "c.json")
        #expect(cache.count == 2)
        #expect(other.digest != first.digest)
        _ = try cache.program(contentsOf: SeccompFixtures.defaultProfilePath)
        #expect(cache.count == 3)
    }

    /// A path is read again only when its file changed; then its new bytes are what count.
    @Test func cacheReadsAProfileFileAgainOnlyWhenItChanged() throws {
        let cache = SeccompProgramCache(kernel: SeccompFixtures.kernel618)
        let directory = TemporaryDirectory()
        let path = directory.path + "/profile.json"
        try SeccompFixtures.profile().write(toFile: path, atomically: false, encoding: .utf8)
        let first = try cache.program(contentsOf: path)
        #expect(try cache.program(contentsOf: path) == first)
        // Rewritten in place (same inode)…
        try SeccompFixtures.profile(defaultAction: "SCMP_ACT_KILL").write(toFile: path, atomically: false, encoding: .utf8)
        let rewritten = try cache.program(contentsOf: path)
        #expect(rewritten.digest != first.digest)
        #expect(rewritten.digest == SeccompCompiler.digest(of: Array(SeccompFixtures.profile(defaultAction: "SCMP_ACT_KILL").utf8)))
        // …and replaced by rename (a new inode), back to the first text.
        try SeccompFixtures.profile().write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try cache.program(contentsOf: path).digest == first.digest)
        #expect(cache.count == 2)
    }

    @Test func cacheRefusesAnInvalidProfileWithoutCachingIt() {
        let cache = SeccompProgramCache(kernel: SeccompFixtures.kernel618)
        #expect(throws: SandboxError.self) { try cache.program(bytes: Array("{".utf8), name: "bad.json") }
        #expect(cache.count == 0)
    }

    @Test func cacheIsSafeUnderConcurrentUse() async throws {
        let cache = SeccompProgramCache(kernel: SeccompFixtures.kernel618)
        let bytes = try SeccompFixtures.read(SeccompFixtures.defaultProfilePath)
        let digests = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try cache.program(bytes: bytes, name: "default-\(index).json").digest }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(digests.count == 1)
        #expect(cache.count == 1)
    }

    @Test func kernelVersionsCompareAsDockerDoes() {
        #expect(KernelVersion(release: "6.18.44-fc-v782") == KernelVersion(major: 6, minor: 18))
        #expect(KernelVersion(profileText: "4.8") == KernelVersion(major: 4, minor: 8))
        #expect(KernelVersion(profileText: "4.8.1") == nil)
        #expect(KernelVersion(profileText: "4") == nil)
        #expect(KernelVersion(major: 4, minor: 10) > KernelVersion(major: 4, minor: 8))
        #expect(KernelVersion.running() > KernelVersion(major: 3, minor: 0))
    }
}
