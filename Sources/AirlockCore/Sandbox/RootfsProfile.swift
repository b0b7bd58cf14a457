import Foundation

/// A base filesystem view (`Sandbox/rootfs/<name>.yaml`): the host paths every tool of a policy
/// sees, read-only.
///
/// ```yaml
/// description: Debian system binaries and libraries.   # optional
/// readOnly: [/usr, /bin, /lib]      # required: bound read-only (the sandbox checks they exist)
/// optional: [/lib64, /etc/localtime]  # bound read-only only where the host has them
/// ```
///
/// A view can never make a host path writable (only the workspace is), and it refuses paths that
/// hold secrets or belong to the sandbox itself — `/root`, `/home`, `/etc/shadow`, `/proc`,
/// `/tmp`, `/work`, … — and any directory above them (`/`, `/etc`), so a careless view cannot
/// expose them wholesale.
public enum RootfsProfile {
    /// Paths a view may neither contain nor be an ancestor of.
    static let forbidden: [String] = [
        "/root", "/home", "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh",
        "/proc", "/sys", "/dev", "/run", "/var/run", "/tmp", "/var/tmp", "/var/lib", "/boot",
        FilesystemView.workspaceTarget,
    ]

    public static func load(file: String) throws(ConfigError) -> FilesystemView {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(location: SourceLocation(file: file, line: 1, column: 1), fieldPath: "", message: "the file is not valid UTF-8")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> FilesystemView {
        let root = try ConfigValue.parse(text, file: file).mapping()
        _ = try root.optional("description")?.string()
        var seen: Set<String> = []
        let readOnly = try paths(root.require("readOnly"), seen: &seen)
        var optional: [String] = []
        if let value = root.optional("optional") { optional = try paths(value, seen: &seen) }
        try root.finish()
        return FilesystemView(
            binds: readOnly.map { FilesystemView.Bind(source: $0) },
            optionalBinds: optional.map { FilesystemView.Bind(source: $0) })
    }

    private static func paths(_ value: ConfigValue, seen: inout Set<String>) throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try value.list() {
            let path = try item.nonEmptyString()
            guard path.hasPrefix("/") else { throw item.error("`\(path)` must be an absolute path") }
            guard isNormalised(path) else {
                throw item.error("`\(path)` must be written without `.`, `..`, `//` or a trailing `/`")
            }
            if let clash = forbidden.first(where: { path == $0 || isAncestor(path, of: $0) || isAncestor($0, of: path) }) {
                throw item.error("`\(path)` must not be in a view: it is or contains `\(clash)`")
            }
            guard seen.insert(path).inserted else { throw item.error("`\(path)` is listed twice") }
            result.append(path)
        }
        return result
    }

    static func isNormalised(_ path: String) -> Bool {
        guard path != "/" else { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return !path.hasSuffix("/") && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }
    }

    /// `/usr` is an ancestor of `/usr/bin`; `/` is an ancestor of everything else.
    static func isAncestor(_ a: String, of b: String) -> Bool {
        a == "/" ? b != "/" : b.hasPrefix(a + "/")
    }
}
