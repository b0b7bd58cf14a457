import AirlockCore

#if canImport(Glibc)
import Glibc
#endif

/// Task workspaces: `<state>/workspaces/<task id>`, created by the broker.
///
/// `<state>/workspaces` is 0700, so no host user but root can reach a workspace; the workspace
/// itself is 0777 because each call runs as its slot's own uid, and a task's calls land in
/// different slots. (A shared sandbox gid with mode 2770 and umask 002 would be tighter; it needs
/// a gid in `JobSpec`/`Slot` separate from the uid.)
struct WorkspaceStore: Sendable {
    let directory: String

    init(stateDirectory: String) {
        self.directory = stateDirectory + "/workspaces"
    }

    func create(taskId: String) throws(Problem) -> String {
        try makeDirectory(directory, mode: 0o700)
        let path = directory + "/" + taskId
        try makeDirectory(path, mode: 0o777)
        // mkdir applies the umask; the mode must be exact.
        guard chmod(path, 0o777) == 0 else { throw failure("chmod \(path)") }
        return path
    }

    private func makeDirectory(_ path: String, mode: mode_t) throws(Problem) {
        if mkdir(path, mode) != 0 && errno != EEXIST { throw failure("mkdir \(path)") }
    }

    private func failure(_ step: String) -> Problem {
        Problem(.internalServerError, code: "workspace_failed", detail: "the task's workspace could not be created (\(step): \(String(cString: strerror(errno))))")
    }
}
