#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The task's workspace on the host: the directory bound at `/work` inside the sandbox.
///
/// `resolve` turns a path argument into the in-sandbox path the tool receives, following
/// symlinks component by component against the real directory (with `lstat` and `readlink`),
/// the way the kernel will inside the sandbox — an absolute link target is read in the sandbox's
/// namespace, so `/work/x` is inside and `/etc/passwd` is not. A path that lands outside the
/// workspace is refused.
///
/// This is the clear, early denial a model can act on, not the boundary: the sandbox's mount
/// view is. A symlink created or swapped after this check still cannot reach anything the view
/// does not contain.
public struct WorkspaceRoot: Hashable, Sendable {
    /// The canonical absolute host path (symlinks in the path itself resolved).
    public let hostPath: String

    /// At most this many symlinks are followed in one path, as the kernel's `ELOOP` limit.
    static let maxSymlinks = 40

    /// `directory` must exist and be a directory.
    public init(hostPath directory: String) throws(WorkspaceRootError) {
        guard let resolved = realpath(directory, nil) else {
            throw WorkspaceRootError(path: directory, reason: "cannot be resolved (\(String(cString: strerror(errno))))")
        }
        defer { free(resolved) }
        let canonical = String(cString: resolved)
        var info = stat()
        guard stat(canonical, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw WorkspaceRootError(path: directory, reason: "is not a directory")
        }
        self.hostPath = canonical
    }

    /// The in-sandbox path (`/work/src/main.c`) for a path argument, or a denial.
    public func resolve(_ path: String, argument: String) throws(CallDenial) -> String {
        var pending = Array(try WorkspacePath.components(of: path, argument: argument).reversed())
        var resolved: [String] = []
        var lastLink: String?
        var followed = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                // Only a symlink's target can bring `..` here: the lexical pass removed the rest.
                guard !resolved.isEmpty else { throw escapes(argument, through: lastLink) }
                resolved.removeLast()
                continue
            }
            let candidate = resolved + [component]
            guard let target = try symlinkTarget(of: candidate, argument: argument) else {
                resolved = candidate  // not a symlink, or not there yet: nothing to follow
                continue
            }
            followed += 1
            guard followed <= Self.maxSymlinks else {
                throw CallDenial(.argumentInvalid, "\(shortQuoted(argument)) passes through more than \(Self.maxSymlinks) symlinks")
            }
            lastLink = WorkspacePath.sandboxPath(candidate)
            var targetPath = Substring(target)
            if target.hasPrefix("/") {
                // Read as the sandbox will read it: `/` is the sandbox's root, the workspace is `/work`.
                let root = WorkspacePath.sandboxRoot
                guard target == root || target.hasPrefix(root + "/") else { throw escapes(argument, through: lastLink) }
                resolved = []
                targetPath = targetPath.dropFirst(root.count)
            }
            pending += targetPath.split(separator: "/").map(String.init).reversed()
        }
        return WorkspacePath.sandboxPath(resolved)
    }

    private func escapes(_ argument: String, through link: String?) -> CallDenial {
        let through = link.map { " through the symlink \($0)" } ?? ""
        return CallDenial(
            .pathOutsideWorkspace,
            "\(shortQuoted(argument)) leads outside the workspace\(through); paths must stay inside \(WorkspacePath.sandboxRoot)")
    }

    /// The target of the symlink at `components` below the root; nil when that is not a symlink
    /// or does not exist. A symlink that cannot be read is refused rather than passed through
    /// unchecked.
    private func symlinkTarget(of components: [String], argument: String) throws(CallDenial) -> String? {
        let host = hostPath + "/" + components.joined(separator: "/")
        var info = stat()
        guard lstat(host, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBytes { readlink(host, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) }
        guard count > 0, let target = String(validating: buffer[0..<count], as: UTF8.self) else {
            throw CallDenial(
                .argumentInvalid, "\(shortQuoted(argument)) passes through the symlink \(WorkspacePath.sandboxPath(components)), which cannot be read")
        }
        return target
    }
}

/// A workspace directory that cannot serve as one.
public struct WorkspaceRootError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "workspace \(path) \(reason)" }
}
