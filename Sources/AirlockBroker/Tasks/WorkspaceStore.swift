import AirlockCore

#if canImport(Glibc)
import Glibc
#endif

/// Task workspaces: `<state>/workspaces/<task id>`, created by the broker.
///
/// `<state>/workspaces` is 0700, so no host user but root can reach a workspace. A workspace is
/// owned by root and the broker's workspace group, mode 2770: each call runs as its slot's own
/// uid, a task's calls land in different slots, and every slot has the workspace group as its one
/// supplementary group. The setgid bit gives new files and directories that group, and the tool's
/// umask (002) keeps them group-writable, so what one call writes the next can change.
struct WorkspaceStore: Sendable {
    let directory: String
    let group: UInt32

    init(stateDirectory: String, group: UInt32) {
        self.directory = stateDirectory + "/workspaces"
        self.group = group
    }

    func create(taskId: String) throws(Problem) -> String {
        try makeDirectory(directory, mode: 0o700)
        let path = directory + "/" + taskId
        try makeDirectory(path, mode: 0o770)
        guard chown(path, 0, group) == 0 else { throw failure("chown \(path)") }
        // mkdir applies the umask and ignores the setgid bit; the mode must be exact.
        guard chmod(path, 0o2770) == 0 else { throw failure("chmod \(path)") }
        return path
    }

    /// Removes a workspace that was just made (its task could not be recorded).
    func remove(_ path: String) {
        rmdir(path)
    }

    private func makeDirectory(_ path: String, mode: mode_t) throws(Problem) {
        if mkdir(path, mode) != 0 && errno != EEXIST { throw failure("mkdir \(path)") }
    }

    private func failure(_ step: String) -> Problem {
        Problem(.internalServerError, code: "workspace_failed", detail: "the task's workspace could not be created (\(step): \(String(cString: strerror(errno))))")
    }
}
