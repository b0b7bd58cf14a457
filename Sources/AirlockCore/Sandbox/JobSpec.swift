/// Everything the sandbox needs to run one tool, as plain data. Nothing is inherited from the
/// caller: not the environment, not descriptors, not the working directory.
public struct JobSpec: Hashable, Sendable, Codable {
    /// Absolute path of the executable, as seen inside the sandbox.
    public var executable: String
    /// The full argv, `argv[0]` included. Each element reaches the tool as one argument.
    public var arguments: [String]
    /// The complete environment of the tool.
    public var environment: [String: String]
    /// Working directory inside the sandbox.
    public var workingDirectory: String
    /// What the sandbox sees of the host's files.
    public var view: FilesystemView
    public var network: NetworkMode
    public var limits: Limits
    /// Path of the seccomp profile (OCI / Docker JSON); `nil` means the built-in default.
    public var seccompProfile: String?
    /// Bytes written to the tool's standard input, then closed.
    public var stdin: [UInt8]

    public init(
        executable: String, arguments: [String], environment: [String: String] = [:],
        workingDirectory: String = "/", view: FilesystemView = .init(), network: NetworkMode = .none,
        limits: Limits = .defaults, seccompProfile: String? = nil, stdin: [UInt8] = []
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.view = view
        self.network = network
        self.limits = limits
        self.seccompProfile = seccompProfile
        self.stdin = stdin
    }
}

/// The sandbox's root filesystem: an empty tmpfs with only these paths bound in.
public struct FilesystemView: Hashable, Sendable, Codable {
    public struct Bind: Hashable, Sendable, Codable {
        /// Host path (absolute).
        public var source: String
        /// Path inside the sandbox (absolute); defaults to the same as `source`.
        public var target: String
        public var writable: Bool

        public init(source: String, target: String? = nil, writable: Bool = false) {
            self.source = source
            self.target = target ?? source
            self.writable = writable
        }
    }

    /// Host paths bound read-only or read-write. Missing optional paths are skipped.
    public var binds: [Bind]
    /// Host paths bound only if they exist (e.g. `/lib64`, which not every distribution has).
    public var optionalBinds: [Bind]
    /// The task's workspace, bound at `workspaceTarget`.
    public var workspace: Bind?

    public static let workspaceTarget = "/work"

    public init(binds: [Bind] = [], optionalBinds: [Bind] = [], workspace: Bind? = nil) {
        self.binds = binds
        self.optionalBinds = optionalBinds
        self.workspace = workspace
    }
}

/// What the sandbox can reach over the network.
public enum NetworkMode: String, Hashable, Sendable, Codable {
    /// An empty network namespace with only its own loopback: nothing of the host's.
    case none
}

extension FilesystemView {
    /// The host path that `path` inside the sandbox shows, through the innermost bind that covers
    /// it; `nil` when no bind does (the path exists only in the sandbox's own filesystems).
    public func hostPath(of path: String) -> String? {
        let all = binds + optionalBinds + (workspace.map { [$0] } ?? [])
        let covering = all.filter { path == $0.target || path.hasPrefix($0.target == "/" ? "/" : $0.target + "/") }
        guard let bind = covering.max(by: { $0.target.count < $1.target.count }) else { return nil }
        return bind.source + path.dropFirst(bind.target.count)
    }
}
