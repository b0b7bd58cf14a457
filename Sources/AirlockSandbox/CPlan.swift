import AirlockCore
import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// C memory for one spawn: strings and arrays that must stay put until the child has exec'd.
/// Everything is freed together when the spawn returns (CLONE_VFORK: the child is gone by then).
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        allocations.append(UnsafeMutableRawPointer(p))
        return p
    }

    /// A NULL-terminated `char *[]`.
    func stringArray(_ items: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (i, item) in items.enumerated() { p[i] = string(item) }
        p[items.count] = nil
        allocations.append(UnsafeMutableRawPointer(p))
        return p
    }

    func array<T>(_ items: [T]) -> UnsafeMutablePointer<T>? {
        guard !items.isEmpty else { return nil }
        let p = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        p.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(p))
        return p
    }

    func bytes(_ data: [UInt8]) -> UnsafeRawPointer? {
        guard !data.isEmpty else { return nil }
        let p = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 8)
        data.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        allocations.append(p)
        return UnsafeRawPointer(p)
    }

    deinit {
        for p in allocations { free(p) }
    }
}

extension MountOperation {
    func cValue(root: String, arena: CArena) -> cconfine_mount {
        var m = cconfine_mount()
        m.target = UnsafePointer(arena.string(path == "/" ? root : root + path))
        switch kind {
        case .directory: m.kind = Int32(CCONFINE_MKDIR.rawValue)
        case .file: m.kind = Int32(CCONFINE_MKFILE.rawValue)
        case .bind(let source, let readOnly):
            m.kind = Int32(CCONFINE_BIND.rawValue)
            m.source = UnsafePointer(arena.string(source))
            m.read_only = readOnly ? 1 : 0
        case .tmpfs(let size, let mode, let devices):
            m.kind = Int32(CCONFINE_TMPFS.rawValue)
            m.size = size
            m.mode = mode
            m.allow_devices = devices ? 1 : 0
        case .device(let major, let minor):
            m.kind = Int32(CCONFINE_MKNOD.rawValue)
            m.dev_major = major
            m.dev_minor = minor
        case .symlink(let target):
            m.kind = Int32(CCONFINE_SYMLINK.rawValue)
            m.source = UnsafePointer(arena.string(target))
        case .readOnly: m.kind = Int32(CCONFINE_READONLY.rawValue)
        }
        return m
    }
}
