/// The lexical half of workspace path resolution: what a path argument means before the
/// filesystem is consulted.
///
/// A path argument names a place inside the task's workspace, which the sandbox sees at `/work`.
/// It may be relative (`src/main.c`, resolved against `/work`) or absolute under `/work/`.
/// `.` components are dropped, `..` removes the previous component, and a `..` with nothing left
/// to remove would leave the workspace, so it is refused. An empty path and a NUL byte are
/// refused too. Symlinks are the other half (`WorkspaceRoot`).
public enum WorkspacePath {
    /// `/work`.
    public static let sandboxRoot = FilesystemView.workspaceTarget

    /// The components of `path` below the workspace root (`[]` is the root itself).
    /// `argument` names the argument in denial messages.
    public static func components(of path: String, argument: String) throws(CallDenial) -> [String] {
        let subject = shortQuoted(argument)
        guard !path.isEmpty else { throw CallDenial(.argumentInvalid, "\(subject) must not be empty") }
        guard !path.utf8.contains(0) else { throw CallDenial(.argumentInvalid, "\(subject) must not contain a NUL byte") }
        var relative = Substring(path)
        if path.hasPrefix("/") {
            guard path == sandboxRoot || path.hasPrefix(sandboxRoot + "/") else {
                throw CallDenial(
                    .pathOutsideWorkspace,
                    "\(subject) must be inside the workspace: a relative path, or an absolute path under \(sandboxRoot)/")
            }
            relative = relative.dropFirst(sandboxRoot.count)
        }
        var components: [String] = []
        for part in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !components.isEmpty else {
                    throw CallDenial(.pathOutsideWorkspace, "\(subject) goes above \(sandboxRoot) with `..`; paths must stay inside the workspace")
                }
                components.removeLast()
            default: components.append(String(part))
            }
        }
        return components
    }

    /// The workspace-relative form of a rendered path, as token argument constraints compare it:
    /// `/work/src/main.c` → `src/main.c`, `/work` → `.`; nil for anything not under `/work`.
    public static func relative(fromSandboxPath path: String) -> String? {
        if path == sandboxRoot { return "." }
        guard path.hasPrefix(sandboxRoot + "/") else { return nil }
        return String(path.dropFirst(sandboxRoot.count + 1))
    }

    /// `["src", "main.c"]` → `/work/src/main.c`; `[]` → `/work`.
    public static func sandboxPath(_ components: [String]) -> String {
        components.isEmpty ? sandboxRoot : sandboxRoot + "/" + components.joined(separator: "/")
    }
}
