import AirlockCore
import Foundation

/// What `bench core` decides against: a code-reading policy, a small workspace, an in-memory root
/// key and a token with five caveats (tools, expiry, call budget, then attenuated: derived id and
/// a path constraint), as an agent would hold it.
struct CoreBenchFixture {
    let workspaceDirectory: String
    let policy: Policy
    let keyring: RootKeyring
    let tokenText: String
    let tamperedText: String
    let state: DecisionState
    let now: EpochSeconds

    static let policyText = """
        name: bench-code-reading
        description: Read and search one repository (bench core).
        defaults:
          workspace: read-only
          environment: {LC_ALL: C.UTF-8, PATH: /usr/bin:/bin}
          limits: {wallTime: 10s, memory: 256MiB, processes: 8}
        tools:
          search:
            description: Search files for an extended regular expression.
            executable: /usr/bin/grep
            argv: [grep, --recursive, --line-number, --extended-regexp, "{case}", [--max-count, "{maxPerFile}"], --regexp, "{pattern}", --, "{path}"]
            arguments:
              type: object
              properties:
                pattern: {type: string, minLength: 1, maxLength: 200}
                path: {type: string, maxLength: 4096, default: "."}
                case: {type: string, enum: [--no-ignore-case, --ignore-case], default: --no-ignore-case}
                maxPerFile: {type: integer, minimum: 1, maximum: 1000}
              required: [pattern]
            paths: [path]
          read_file:
            description: Print a file.
            executable: /usr/bin/head
            argv: [head, --lines, "{lines}", --, "{path}"]
            arguments:
              type: object
              properties:
                path: {type: string, minLength: 1, maxLength: 4096}
                lines: {type: integer, minimum: 1, maximum: 100000, default: 2000}
              required: [path]
            paths: [path]
        """

    init(sandboxDirectory: String) throws(CommandError) {
        workspaceDirectory = NSTemporaryDirectory() + "airlock-bench-core-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: workspaceDirectory + "/src/lib", withIntermediateDirectories: true)
            try Data("int main(void) { return 0; }\n".utf8).write(to: URL(fileURLWithPath: workspaceDirectory + "/src/lib/main.c"))
            policy = try PolicyLoader(sandboxDirectory: sandboxDirectory).parse(Self.policyText, file: "bench-code-reading.yaml")
            now = EpochSeconds(roundingDown: Date())
            let key = RootKey.generate()
            keyring = RootKeyring(keys: [key])
            let minted = try CapabilityToken.mint(
                key: key, taskId: "bench-task", policyName: policy.name, policyDigest: PolicyDigest(policyText: policy.text),
                caveats: [.tools(["search", "read_file"]), .expires(now.adding(seconds: 3600)), .maxCalls(1_000_000)])
            let token = try minted.attenuated(with: [.argument(ArgumentConstraint(name: "path", rule: .pathUnder(["src"])))])
            tokenText = token.text
            // One character inside the signature changed: still well-formed, so the whole chain is
            // computed before it fails (changing the last character could make it malformed instead).
            var characters = Array(tokenText)
            let changed = characters.count - 10
            characters[changed] = characters[changed] == "A" ? "B" : "A"
            tamperedText = String(characters)
            state = DecisionState(taskId: "bench-task", keys: keyring, workspace: try WorkspaceRoot(hostPath: workspaceDirectory))
        } catch {
            throw CommandError(message: "cannot set up the benchmark: \(error)")
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: workspaceDirectory) }

    static let allowedCall = ToolCall(
        tool: "search", arguments: .object(["pattern": .string("main"), "path": .string("src/lib")]), callId: "bench")
    static let traversalCall = ToolCall(tool: "read_file", arguments: .object(["path": .string("../../etc/passwd")]), callId: "bench")

    func decideAllowed() -> Decision { decide(call: Self.allowedCall, token: tokenText, policy: policy, now: now, state: state) }
    func decideTraversal() -> Decision { decide(call: Self.traversalCall, token: tokenText, policy: policy, now: now, state: state) }
    func decideTampered() -> Decision { decide(call: Self.allowedCall, token: tamperedText, policy: policy, now: now, state: state) }

    /// Measuring the wrong path would be worse than not measuring: each operation must end as
    /// intended before it is timed.
    func checkOutcomes() throws {
        guard decideAllowed().allowed != nil else {
            throw BenchError(description: "the allowed call was denied: \(decideAllowed().denial!)")
        }
        guard decideTraversal().denial?.code == .pathOutsideWorkspace else {
            throw BenchError(description: "the traversal was not denied as expected")
        }
        guard decideTampered().denial?.code == .tokenInvalid else {
            throw BenchError(description: "the tampered token was not denied as expected")
        }
        _ = try keyring.verify(text: tokenText)
    }
}
