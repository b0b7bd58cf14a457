import AirlockCore
import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// One operation on a view's new root. The template helper performs them in order and knows
/// nothing else.
struct MountOperation: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case directory
        case file
        case bind(source: String, readOnly: Bool)
        case tmpfs(size: UInt64, mode: UInt32, devices: Bool = false)
        case readOnly
        case device(major: UInt32, minor: UInt32)
        case symlink(target: String)
    }

    var kind: Kind
    /// Path inside the sandbox (`/usr`), for messages.
    var path: String
}

/// Turns a `FilesystemView` (without its workspace) into the ordered list of operations that
/// build the view's template root: the parent resolves and checks everything, so the helper only
/// replays the list. Per-call mounts (`/tmp`, `/proc`, the workspace) get empty mount points here.
struct MountPlan: Sendable {
    private(set) var operations: [MountOperation] = []
    private var directories: Set<String> = ["/"]
    private var symlinks: [MountOperation] = []

    /// Devices every tool may use; nothing else of the host's `/dev` exists inside.
    static let devices: [(String, UInt32, UInt32)] = [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9),
    ]

    init(view: FilesystemView) throws(SandboxError) {
        for bind in view.binds { try addBind(bind, optional: false) }
        for bind in view.optionalBinds { try addBind(bind, optional: true) }
        ensureDirectory("/tmp")
        ensureDirectory("/proc")
        ensureDirectory(FilesystemView.workspaceTarget)
        addDev()
        // Symlinks last: no later operation may resolve a path through a link made here, since
        // before pivot_root an absolute link would point into the host's tree.
        operations += symlinks
        operations.append(MountOperation(kind: .readOnly, path: "/dev"))
    }

    private mutating func addDev() {
        ensureDirectory("/dev")
        operations.append(MountOperation(kind: .tmpfs(size: 65536, mode: 0o755, devices: true), path: "/dev"))
        for (name, major, minor) in Self.devices {
            operations.append(MountOperation(kind: .device(major: major, minor: minor), path: "/dev/" + name))
        }
        for (name, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")] {
            symlinks.append(MountOperation(kind: .symlink(target: target), path: "/dev/" + name))
        }
    }

    private mutating func addBind(_ bind: FilesystemView.Bind, optional: Bool) throws(SandboxError) {
        let field = "view"
        guard bind.source.hasPrefix("/"), bind.target.hasPrefix("/") else {
            throw .invalidJob(field: field, reason: "bind paths must be absolute: \(bind.source) -> \(bind.target)")
        }
        guard !bind.target.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalidJob(field: field, reason: "bind target \(bind.target) must not contain . or ..")
        }
        let reserved = ["/tmp", "/proc", "/dev", FilesystemView.workspaceTarget]
        if bind.target == "/" || reserved.contains(where: { bind.target == $0 || bind.target.hasPrefix($0 + "/") }) {
            throw .invalidJob(field: field, reason: "cannot bind at \(bind.target): /, /tmp, /proc, /dev and /work belong to the sandbox")
        }
        var info = stat()
        guard lstat(bind.source, &info) == 0 else {
            if optional && errno == ENOENT { return }
            throw .invalidJob(field: field, reason: "cannot bind \(bind.source): \(errnoName(errno))")
        }
        let target = normalized(bind.target)
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK && bind.source == bind.target {
            // /bin -> usr/bin: recreate the link, so the sandbox sees the host's layout.
            guard let destination = Host.readLink(bind.source) else {
                throw .invalidJob(field: field, reason: "cannot read link \(bind.source): \(errnoName(errno))")
            }
            ensureDirectory(parent(of: target))
            symlinks.append(MountOperation(kind: .symlink(target: destination), path: target))
            return
        }
        guard access(bind.source, R_OK) == 0 else {
            throw .invalidJob(field: field, reason: "cannot read \(bind.source): \(errnoName(errno))")
        }
        var followed = stat()
        guard stat(bind.source, &followed) == 0 else {
            throw .invalidJob(field: field, reason: "cannot bind \(bind.source): \(errnoName(errno))")
        }
        let isDirectory = (followed.st_mode & S_IFMT) == S_IFDIR
        if isDirectory {
            ensureDirectory(target)
        } else {
            ensureDirectory(parent(of: target))
            operations.append(MountOperation(kind: .file, path: target))
        }
        operations.append(MountOperation(kind: .bind(source: bind.source, readOnly: !bind.writable), path: target))
    }

    private mutating func ensureDirectory(_ path: String) {
        guard !directories.contains(path) else { return }
        ensureDirectory(parent(of: path))
        directories.insert(path)
        operations.append(MountOperation(kind: .directory, path: path))
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }
}
