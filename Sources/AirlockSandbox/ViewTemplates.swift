import AirlockCore
import CConfine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Template mount namespaces, one per distinct view, built on first use and kept until the
/// sandbox goes away. Every call enters its view's template and works on a private copy, so the
/// expensive part of a root — binds, device nodes, `pivot_root`, detaching the host's tree — is
/// paid once per view instead of once per call.
///
/// A bound *file* keeps the inode it had when the template was built: a host file replaced by
/// rename later is not seen until the template is rebuilt (`invalidate()`); bound directories
/// always show their current contents.
final class ViewTemplates: Sendable {
    let rootDirectory: String
    private let templates = Mutex<[FilesystemView: Int32]>([:])

    init(rootDirectory: String) {
        self.rootDirectory = rootDirectory
    }

    /// The template for `view` (its workspace is ignored: that is per call).
    func descriptor(for view: FilesystemView) throws(SandboxError) -> Int32 {
        var key = view
        key.workspace = nil
        if let fd = templates.withLock({ $0[key] }) { return fd }
        let plan = try MountPlan(view: key)
        let arena = CArena()
        let mounts = plan.operations.map { $0.cValue(root: rootDirectory, arena: arena) }
        var result = cconfine_spawn_result()
        let fd = mounts.withUnsafeBufferPointer { cconfine_view_create(rootDirectory, $0.baseAddress, $0.count, &result) }
        guard fd >= 0 else { throw .stepFailed(step: Self.describe(result, plan: plan), errno: result.error) }
        // Two threads may build the same view at once; keep one, close the other.
        return templates.withLock { cache in
            if let existing = cache[key] {
                close(fd)
                return existing
            }
            cache[key] = fd
            return fd
        }
    }

    /// Drops every template; the next call of each view builds it again.
    func invalidate() {
        templates.withLock { cache in
            cache.values.forEach { close($0) }
            cache = [:]
        }
    }

    deinit { invalidate() }

    /// `mount bind /usr -> /usr`: the step, and the operation it failed on.
    static func describe(_ result: cconfine_spawn_result, plan: MountPlan) -> String {
        let name = String(cString: cconfine_step_name(result.failed_step))
        let index = Int(result.failed_detail)
        let perOperation: Set<Int32> = [
            Int32(CCONFINE_STEP_MKDIR.rawValue), Int32(CCONFINE_STEP_MKFILE.rawValue), Int32(CCONFINE_STEP_MOUNT_BIND.rawValue),
            Int32(CCONFINE_STEP_MOUNT_ATTRIBUTES.rawValue), Int32(CCONFINE_STEP_MOUNT_TMPFS.rawValue),
            Int32(CCONFINE_STEP_MKNOD.rawValue), Int32(CCONFINE_STEP_SYMLINK.rawValue),
        ]
        guard perOperation.contains(result.failed_step), plan.operations.indices.contains(index) else { return name }
        let op = plan.operations[index]
        if case .bind(let source, _) = op.kind { return "\(name) \(source) -> \(op.path)" }
        return "\(name) \(op.path)"
    }
}
