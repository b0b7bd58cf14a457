import AirlockCore

/// Why a sandbox could not be prepared or started. Every case names the failing step; those that
/// come from the kernel carry the errno. When one is thrown, the tool has not run.
public enum SandboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A confinement step in the child failed (`mount /usr`, `setresuid`, `seccomp`, `execve`).
    case stepFailed(step: String, errno: Int32)
    /// A step in the parent failed while preparing the sandbox (`pipe2`, `clone`, `cgroup mkdir`).
    case hostFailed(step: String, errno: Int32)
    /// The job cannot be run as given (relative executable, missing bind source, …).
    case invalidJob(field: String, reason: String)
    /// A seccomp profile that does not parse or names something unknown, with its place in the file.
    case invalidProfile(ConfigError)
    /// libseccomp refused to build the filter.
    case seccompCompile(step: String, errno: Int32)

    public var description: String {
        switch self {
        case .stepFailed(let step, let errno): return "sandbox step `\(step)` failed: \(errnoName(errno))"
        case .hostFailed(let step, let errno): return "\(step) failed: \(errnoName(errno))"
        case .invalidJob(let field, let reason): return "\(field): \(reason)"
        case .invalidProfile(let error): return error.description
        case .seccompCompile(let step, let errno): return "seccomp: \(step) failed: \(errnoName(errno))"
        }
    }
}

/// `ENOENT (No such file or directory)`.
public func errnoName(_ code: Int32) -> String {
    let symbol = errnoSymbols[code] ?? "errno \(code)"
    return "\(symbol) (\(String(cString: strerror(code))))"
}

#if canImport(Glibc)
import Glibc
#endif

private let errnoSymbols: [Int32: String] = [
    EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", E2BIG: "E2BIG",
    ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
    EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV",
    ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE",
    EMFILE: "EMFILE", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG", ENOSPC: "ENOSPC", EROFS: "EROFS",
    EMLINK: "EMLINK", EPIPE: "EPIPE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS",
    ELOOP: "ELOOP", EOPNOTSUPP: "EOPNOTSUPP", ECONNREFUSED: "ECONNREFUSED", ENETUNREACH: "ENETUNREACH",
]
