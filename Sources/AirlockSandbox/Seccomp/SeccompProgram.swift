import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A compiled seccomp filter, ready for the confined child to install with
/// `seccomp(SECCOMP_SET_MODE_FILTER, installFlags, &(struct sock_fprog){instructionCount, bpf})`.
///
/// Plain bytes, so that the child only copies a pointer and a length and never allocates.
public struct SeccompProgram: Hashable, Sendable {
    /// The profile's file name, for logs.
    public let name: String
    /// SHA-256 (lowercase hex) of the profile's file bytes.
    public let digest: String
    /// An array of `struct sock_filter` (8 bytes each, host byte order), exactly as
    /// `seccomp_export_bpf` wrote it.
    public let bpf: [UInt8]
    /// Whether some action notifies: kill and trap actions are compiled to `SCMP_ACT_NOTIFY`, and
    /// so is a syscall from a foreign architecture. The child must then install with
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER` (already in `installFlags`) and pass the listener to the
    /// broker, which names the syscall from `struct seccomp_notif` and kills the sandbox.
    public let usesNotify: Bool
    /// The `flags` argument of `seccomp(SECCOMP_SET_MODE_FILTER, …)`: `NEW_LISTENER` when
    /// `usesNotify`, plus `LOG` and `WAIT_KILLABLE_RECV` when the profile asks for them. Never
    /// `TSYNC`: the child is single-threaded when it installs the filter.
    public let installFlags: UInt32
    /// Things in the profile that Airlock ignored or narrowed, each with the reason, for the log.
    public let notes: [String]

    /// `bpf.count / 8`: the `len` of `struct sock_fprog`.
    public var instructionCount: Int { bpf.count / 8 }

    init(name: String, digest: String, bpf: [UInt8], usesNotify: Bool, installFlags: UInt32, notes: [String]) {
        self.name = name
        self.digest = digest
        self.bpf = bpf
        self.usesNotify = usesNotify
        self.installFlags = installFlags
        self.notes = notes
    }
}

/// Compiled programs by profile digest, so a profile is compiled once however many calls use it.
/// The broker fills it at start-up; a profile whose file changes gets a new digest and compiles
/// again, and the old program stays valid for calls that already hold it.
public final class SeccompProgramCache: Sendable {
    private let kernel: KernelVersion
    private let programs = Mutex<[String: SeccompProgram]>([:])
    /// The program last read from each path, and the identity of the file it was read from.
    private let byPath = Mutex<[String: (file: FileIdentity, program: SeccompProgram)]>([:])

    public init(kernel: KernelVersion = .running()) {
        self.kernel = kernel
    }

    /// The program of the profile at `path`, compiling it if no profile with the same bytes was
    /// compiled before. The file is read again only when it is not the file last read there (its
    /// device, inode, size, modification or change time differ): every call asks, and reading
    /// and hashing a profile per call is most of what this would cost.
    public func program(contentsOf path: String) throws(SandboxError) -> SeccompProgram {
        let before = FileIdentity(path: path)
        if let before, let known = byPath.withLock({ $0[path] }), known.file == before { return known.program }
        let program = try program(bytes: try SeccompCompiler.readProfile(at: path), name: path)
        // Remembered only if the file did not change while it was read.
        if let before, FileIdentity(path: path) == before { byPath.withLock { $0[path] = (before, program) } }
        return program
    }

    /// The program for a profile's bytes. A program found in the cache keeps the name it was
    /// first compiled under: the cache is keyed by content, not by file name.
    public func program(bytes: [UInt8], name: String) throws(SandboxError) -> SeccompProgram {
        let digest = SeccompCompiler.digest(of: bytes)
        // Compiling under the lock makes "once" exact; it takes milliseconds and happens at start-up.
        return try programs.withLock { (programs: inout [String: SeccompProgram]) throws(SandboxError) -> SeccompProgram in
            if let cached = programs[digest] { return cached }
            let program = try SeccompCompiler.compile(bytes: bytes, name: name, kernel: kernel)
            programs[digest] = program
            return program
        }
    }

    /// How many distinct profiles have been compiled.
    public var count: Int { programs.withLock { $0.count } }
}

/// What tells one version of a file from another without reading it.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var changedSeconds: Int
    var changedNanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        (modifiedSeconds, modifiedNanoseconds) = (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
        (changedSeconds, changedNanoseconds) = (info.st_ctim.tv_sec, info.st_ctim.tv_nsec)
    }
}
