#if canImport(Glibc)
import Glibc
#endif

/// Finds the `Sandbox/` directory that holds the seccomp profiles and base views.
///
/// In order: `$AIRLOCK_SANDBOX_DIR`; the nearest `Sandbox/` above the running executable (a
/// checkout's `.build/…/airlock` finds the checkout's); `/usr/share/airlock/Sandbox`; `./Sandbox`.
/// A directory counts only if it holds `seccomp/default.json`, so a stray folder is never used.
public enum SandboxDirectory {
    public static let environmentVariable = "AIRLOCK_SANDBOX_DIR"

    public static func locate() throws(SandboxError) -> String {
        var candidates: [String] = []
        if let fromEnvironment = getenv(environmentVariable) {
            let path = String(cString: fromEnvironment)
            guard isSandboxDirectory(path) else {
                throw .invalidJob(field: environmentVariable, reason: "\(path) holds no seccomp/default.json")
            }
            return path
        }
        var directory = executableDirectory()
        while directory != "/" && !directory.isEmpty {
            candidates.append(directory + "/Sandbox")
            directory = parent(of: directory)
        }
        candidates.append("/usr/share/airlock/Sandbox")
        if let cwd = getcwd(nil, 0) {
            candidates.append(String(cString: cwd) + "/Sandbox")
            free(cwd)
        }
        if let found = candidates.first(where: isSandboxDirectory) { return found }
        throw .invalidJob(
            field: "Sandbox directory",
            reason: "no Sandbox/seccomp/default.json found near the executable, in /usr/share/airlock or here; set \(environmentVariable)")
    }

    static func isSandboxDirectory(_ path: String) -> Bool {
        access(path + "/seccomp/default.json", R_OK) == 0
    }

    private static func executableDirectory() -> String {
        guard let executable = Host.readLink("/proc/self/exe"), !executable.isEmpty else { return "" }
        return parent(of: executable)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
