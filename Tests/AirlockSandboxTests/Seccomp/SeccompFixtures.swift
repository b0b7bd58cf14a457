import AirlockCore
import AirlockSandbox
import Foundation

/// Paths and helpers shared by the seccomp tests.
enum SeccompFixtures {
    /// `Sandbox/seccomp/default.json` of this checkout.
    static var defaultProfilePath: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        while let last = components.last, last != "Tests" { components.removeLast() }
        components.removeLast()
        return components.joined(separator: "/") + "/Sandbox/seccomp/default.json"
    }

    static let kernel618 = KernelVersion(major: 6, minor: 18)

    struct Unreadable: Error { var path: String }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(path: path) }
        return Array(data)
    }

    /// Compiles profile text as if read from `file`.
    static func compile(_ text: String, file: String = "test.json", kernel: KernelVersion = kernel618) throws(SandboxError) -> SeccompProgram {
        try SeccompCompiler.compile(bytes: Array(text.utf8), name: file, kernel: kernel)
    }

    /// The `ConfigError` that compiling `text` throws, or `nil` if it compiles.
    static func profileError(_ text: String, kernel: KernelVersion = kernel618) -> ConfigError? {
        do {
            _ = try compile(text, kernel: kernel)
            return nil
        } catch {
            guard case .invalidProfile(let configError) = error else { return nil }
            return configError
        }
    }

    /// 1-based line and column of the first occurrence of `needle` (after `after`, if given).
    static func position(of needle: String, in text: String, after: String? = nil) -> (line: Int, column: Int) {
        var searchStart = text.startIndex
        if let after, let range = text.range(of: after) { searchStart = range.upperBound }
        guard let range = text.range(of: needle, range: searchStart..<text.endIndex) else { return (0, 0) }
        let before = text[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        return (line, text.distance(from: lineStart, to: range.lowerBound) + 1)
    }

    /// A minimal profile the launcher can live with, plus `rules` (JSON objects, comma-separated).
    static func profile(defaultAction: String = "SCMP_ACT_ERRNO", rules: String = "") -> String {
        """
        {
          "defaultAction": "\(defaultAction)",
          "syscalls": [
            {"names": ["read", "execve", "write", "exit_group", "sendmsg"], "action": "SCMP_ACT_ALLOW"}\(rules.isEmpty ? "" : ",\n    " + rules)
          ]
        }
        """
    }
}

/// Syscall numbers and argument values the tests use, spelled once.
enum X86_64 {
    static func number(_ name: String) -> Int32 { SyscallTable.x86_64Number(of: name) ?? -1 }

    static let cloneNewNamespaceFlags: [(name: String, bit: UInt64)] = [
        ("CLONE_NEWNS", 0x0002_0000), ("CLONE_NEWCGROUP", 0x0200_0000), ("CLONE_NEWUTS", 0x0400_0000),
        ("CLONE_NEWIPC", 0x0800_0000), ("CLONE_NEWUSER", 0x1000_0000), ("CLONE_NEWPID", 0x2000_0000),
        ("CLONE_NEWNET", 0x4000_0000),
    ]
    /// What glibc's pthread_create passes: CLONE_VM | FS | FILES | SIGHAND | THREAD | SYSVSEM |
    /// SETTLS | PARENT_SETTID | CHILD_CLEARTID.
    static let cloneThreadFlags: UInt64 = 0x003D_0F00
    static let sigchld: UInt64 = 17
}
