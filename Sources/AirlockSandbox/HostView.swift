import AirlockCore

extension FilesystemView {
    /// The system directories a typical Debian tool needs, read-only. Used when no view file is
    /// given; `Sandbox/rootfs/default.yaml` says the same, with a reason per entry.
    public static let system = FilesystemView(
        binds: [.init(source: "/usr")],
        optionalBinds: [
            "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc/alternatives", "/etc/ld.so.cache",
            "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/ssl/certs",
        ].map { FilesystemView.Bind(source: $0) })
}
