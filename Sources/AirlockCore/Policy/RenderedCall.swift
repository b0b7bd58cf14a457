/// A tool call made concrete: the exact argv, environment and stdin, and everything the sandbox
/// needs. Produced by `ToolSpec.render`, turned into a `JobSpec` once `decide()` has settled the
/// effective limits.
public struct RenderedCall: Hashable, Sendable {
    public var tool: String
    /// The arguments as the tool received them: defaults filled in, paths resolved to `/work/…`.
    /// This is what the execution log records.
    public var arguments: JSONValue
    public var executable: String
    /// argv[0] included; each element reaches the tool as one argument.
    public var argv: [String]
    public var environment: [String: String]
    public var stdin: [UInt8]
    /// `/work` when the workspace is bound, else `/`.
    public var workingDirectory: String
    /// The tool's base view plus the workspace bind, if any.
    public var view: FilesystemView
    public var network: NetworkMode
    /// The tool's limits from the policy (a token may lower them).
    public var limits: Limits
    /// Absolute path of the seccomp profile file.
    public var seccompProfile: String

    /// The job for the sandbox; `limits` replaces the policy's (pass the minimum of policy and
    /// token, which `Limits.tightened(by:)` computes).
    public func jobSpec(limits effective: Limits? = nil) -> JobSpec {
        JobSpec(
            executable: executable, arguments: argv, environment: environment, workingDirectory: workingDirectory,
            view: view, network: network, limits: effective ?? limits, seccompProfile: seccompProfile, stdin: stdin)
    }
}
