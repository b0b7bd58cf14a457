/// One tool a policy grants: which program runs, how the model's arguments reach it, and
/// everything that confines it. Built by `PolicyLoader`, with the policy's defaults already
/// applied, so every field here is the effective value.
public struct ToolSpec: Sendable {
    public var name: String
    /// What the tool does, for the model and for `airlock policy explain`.
    public var description: String
    /// Absolute path of the program inside the sandbox. The model never chooses it.
    public var executable: String
    public var argv: ArgvTemplate
    /// The JSON Schema the model's arguments must match (an object schema; `additionalProperties`
    /// is false unless the policy says otherwise).
    public var arguments: JSONSchema
    /// Argument names whose values are paths inside the task's workspace.
    public var paths: [String]
    /// The argument whose value is written to the tool's standard input, if any.
    public var stdin: String?
    /// The tool's whole environment (the defaults merged with the tool's own).
    public var environment: [String: EnvironmentValue]
    public var limits: Limits
    public var workspace: WorkspaceAccess
    public var network: NetworkMode
    /// The base view's name (`default`) and the view it names.
    public var viewName: String
    public var view: FilesystemView
    /// The seccomp profile's name (`default`) and the absolute path of its file.
    public var seccompName: String
    public var seccompProfile: String
    /// How the tool's output is checked and shaped before the caller sees it (docs/output.md).
    public var output: OutputRules

    public init(
        name: String, description: String, executable: String, argv: ArgvTemplate, arguments: JSONSchema,
        paths: [String] = [], stdin: String? = nil, environment: [String: EnvironmentValue] = [:],
        limits: Limits = .defaults, workspace: WorkspaceAccess = .none, network: NetworkMode = .none,
        viewName: String, view: FilesystemView, seccompName: String, seccompProfile: String,
        output: OutputRules = .defaults
    ) {
        self.name = name
        self.description = description
        self.executable = executable
        self.argv = argv
        self.arguments = arguments
        self.paths = paths
        self.stdin = stdin
        self.environment = environment
        self.limits = limits
        self.workspace = workspace
        self.network = network
        self.viewName = viewName
        self.view = view
        self.seccompName = seccompName
        self.seccompProfile = seccompProfile
        self.output = output
    }
}
