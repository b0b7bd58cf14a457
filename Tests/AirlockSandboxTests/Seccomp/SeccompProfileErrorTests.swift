import AirlockCore
import AirlockSandbox
import Testing

/// A profile that is wrong must say where: `file:line:column`, the field path, and the thing.
@Suite struct SeccompProfileErrorTests {
    private func expectError(
        _ text: String, at needle: String, after: String? = nil, path: String? = nil, mentions words: [String],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        guard let error = SeccompFixtures.profileError(text) else {
            Issue.record("the profile compiled", sourceLocation: sourceLocation)
            return
        }
        let expected = SeccompFixtures.position(of: needle, in: text, after: after)
        #expect(error.location.file == "test.json", sourceLocation: sourceLocation)
        #expect(error.location.line == expected.line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.location.column == expected.column, "\(error)", sourceLocation: sourceLocation)
        if let path { #expect(error.fieldPath == path, "\(error)", sourceLocation: sourceLocation) }
        for word in words {
            #expect(error.description.contains(word), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedJSONNamesTheLine() {
        let text = """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [
                {"names": ["read"] "action": "SCMP_ACT_ALLOW"}
              ]
            }
            """
        guard let error = SeccompFixtures.profileError(text) else {
            Issue.record("the profile compiled")
            return
        }
        #expect(error.location.file == "test.json")
        #expect(error.location.line == 4, "\(error)")
        #expect(error.location.column > 1, "\(error)")
    }

    @Test func unknownTopLevelFieldIsAnError() {
        let text = """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "defaultErrnoret": 1
            }
            """
        expectError(text, at: "\"defaultErrnoret\"", mentions: ["unknown field `defaultErrnoret`"])
    }

    @Test func unknownRuleFieldIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "comments": "typo"}"#)
        expectError(text, at: "\"comments\"", path: "syscalls.1", mentions: ["unknown field `comments`"])
    }

    @Test func unknownActionIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "action": "SCMP_ACT_DENY"}"#)
        expectError(text, at: "\"SCMP_ACT_DENY\"", path: "syscalls.1.action", mentions: ["unknown action `SCMP_ACT_DENY`", "SCMP_ACT_KILL_PROCESS"])
    }

    @Test func unknownDefaultActionIsAnError() {
        expectError(#"{"defaultAction": "allow"}"#, at: "\"allow\"", path: "defaultAction", mentions: ["unknown action `allow`"])
    }

    @Test func unknownComparisonIsAnError() {
        let text = SeccompFixtures.profile(
            rules: #"{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_MASKED"}]}"#)
        expectError(text, at: "\"SCMP_CMP_MASKED\"", path: "syscalls.1.args.0.op", mentions: ["unknown comparison `SCMP_CMP_MASKED`", "SCMP_CMP_MASKED_EQ"])
    }

    @Test func unknownArchitectureIsAnError() {
        let text = """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86_32"]
            }
            """
        expectError(text, at: "\"SCMP_ARCH_X86_32\"", path: "architectures.1", mentions: ["unknown architecture `SCMP_ARCH_X86_32`"])
    }

    @Test func architecturesAndArchMapTogetherAreAnError() {
        let text = """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86_64"],
              "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}]
            }
            """
        expectError(text, at: "[{", path: "archMap", mentions: ["not both"])
    }

    @Test func unknownIncludedArchitectureIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd46"]}}"#)
        expectError(text, at: "\"amd46\"", path: "syscalls.1.includes.arches.0", mentions: ["unknown architecture `amd46`"])
    }

    @Test func syscallUnknownOnEveryArchitectureIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid", "_llseek", "opne", "mseal"], "action": "SCMP_ACT_ALLOW"}"#)
        expectError(text, at: "\"opne\"", path: "syscalls.1.names.2", mentions: ["unknown syscall `opne`"])
    }

    @Test func argumentIndexBeyondSixIsAnError() {
        let text = SeccompFixtures.profile(
            rules: #"{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}"#)
        expectError(text, at: "6", after: "\"index\": ", path: "syscalls.1.args.0.index", mentions: ["0 to 5"])
    }

    @Test func errnoOnAnAllowRuleIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}"#)
        expectError(text, at: "1}", after: "\"errnoRet\": ", path: "syscalls.1.errnoRet", mentions: ["SCMP_ACT_ERRNO"])
    }

    @Test func errnoBeyondWhatLibseccompAcceptsIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["syslog"], "action": "SCMP_ACT_ERRNO", "errnoRet": 12345}"#)
        expectError(text, at: "12345", path: "syscalls.1.errnoRet", mentions: ["at most 4094"])
    }

    @Test func bothNameFormsAtOnceIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "name": "getppid", "action": "SCMP_ACT_ALLOW"}"#)
        expectError(text, at: "\"getppid\"", path: "syscalls.1.name", mentions: ["not both"])
    }

    @Test func badMinKernelIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.8.1"}}"#)
        expectError(text, at: "\"5.8.1\"", path: "syscalls.1.includes.minKernel", mentions: ["<major>.<minor>"])
    }

    @Test func unknownCapabilityIsAnError() {
        let text = SeccompFixtures.profile(rules: #"{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMN"]}}"#)
        expectError(text, at: "\"CAP_SYS_ADMN\"", path: "syscalls.1.includes.caps.0", mentions: ["unknown capability `CAP_SYS_ADMN`"])
    }

    @Test func unknownFlagIsAnError() {
        let text = """
            {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOGS"]}
            """
        expectError(text, at: "\"SECCOMP_FILTER_FLAG_LOGS\"", path: "flags.0", mentions: ["unknown flag"])
    }

    @Test func profileThatIsNotUTF8IsAnError() {
        do {
            _ = try SeccompCompiler.compile(bytes: [0x7B, 0xFF, 0x7D], name: "bad.json")
            Issue.record("compiled")
        } catch {
            guard case .invalidProfile(let configError) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(configError.description.hasPrefix("bad.json:1:1:"))
        }
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try SeccompCompiler.compile(contentsOf: "/nonexistent/profile.json")
            Issue.record("compiled")
        } catch {
            #expect(error == .invalidJob(field: "seccompProfile", reason: "cannot read /nonexistent/profile.json: \(errnoName(2))"))
        }
    }
}
