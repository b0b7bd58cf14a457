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

    /// The decoy a canary is planted in: a file an agent looking for credentials would read.
    static let canaryFile = ".env.local"

    /// Writes `canary` into the workspace's decoy file, readable by the task's tools (0640, the
    /// workspace group).
    func plantCanary(_ canary: String, in workspace: String) throws(Problem) {
        let path = workspace + "/" + Self.canaryFile
        let text = "# local overrides, do not commit\nAPI_TOKEN=\(canary)\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw failure("create \(path)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fchown(fd, 0, group) == 0, fchmod(fd, 0o640) == 0 else {
            throw failure("write \(path)")
        }
    }

    /// Removes a workspace that was just made (its task could not be recorded).
    func remove(_ path: String) {
        unlink(path + "/" + Self.canaryFile)
        rmdir(path)
    }

    private func makeDirectory(_ path: String, mode: mode_t) throws(Problem) {
        if mkdir(path, mode) != 0 && errno != EEXIST { throw failure("mkdir \(path)") }
    }

    private func failure(_ step: String) -> Problem {
        Problem(.internalServerError, code: "workspace_failed", detail: "the task's workspace could not be created (\(step): \(String(cString: strerror(errno))))")
    }
}
