import AirlockCore

/// A seccomp profile in the OCI runtime / Docker JSON format, as written in the file.
///
/// The format is the one platform teams already review for their containers, so a profile written
/// for Docker loads here unchanged. Loading checks every name against what exists (actions,
/// comparison operators, architectures, syscalls on some architecture); deciding which rules apply
/// to this machine and turning them into BPF is `SeccompCompiler`'s job.
public struct SeccompProfile: Hashable, Sendable {
    /// What a syscall that no rule matches gets.
    public var defaultAction: SeccompAction
    /// The errno of `defaultAction` when it is `SCMP_ACT_ERRNO` (`SCMP_ACT_TRACE`: the message);
    /// `EPERM` when absent, as in runc.
    public var defaultErrnoRet: UInt16?
    /// Extra ABIs the filter accepts, beside the native one (OCI form).
    public var architectures: [SeccompArchitecture]
    /// Extra ABIs per native architecture (Docker form): only the entry whose `architecture` is
    /// this machine's applies.
    public var archMap: [ArchMapEntry]
    public var syscalls: [Rule]
    public var flags: [FilterFlag]
    /// Fields that were accepted but do nothing in Airlock, each with the reason, for the log.
    public var notes: [String]
    /// Where `defaultAction` is written, for errors that blame it.
    public var defaultActionOrigin: Origin

    /// A place in the profile: `file:line:column` and the field path.
    public struct Origin: Hashable, Sendable {
        public var location: SourceLocation
        public var fieldPath: String

        public init(location: SourceLocation, fieldPath: String) {
            self.location = location
            self.fieldPath = fieldPath
        }

        /// An error at this place.
        public func error(_ message: String) -> ConfigError {
            ConfigError(location: location, fieldPath: fieldPath, message: message)
        }
    }

    public struct ArchMapEntry: Hashable, Sendable {
        public var architecture: SeccompArchitecture
        public var subArchitectures: [SeccompArchitecture]
    }

    /// One entry of `syscalls`: an action for some syscalls, optionally only when their arguments
    /// match, optionally only on some architectures, capability sets or kernels.
    public struct Rule: Hashable, Sendable {
        /// `names`, or the legacy single `name`.
        public var names: [String]
        /// Where each name is written, in the order of `names`.
        public var nameOrigins: [Origin]
        public var action: SeccompAction
        public var errnoRet: UInt16?
        /// All must match (AND), except that several comparisons of the same argument are separate
        /// rules (OR), as runc compiles them: libseccomp cannot compare one argument twice.
        public var args: [Argument]
        public var comment: String?
        public var includes: Condition
        public var excludes: Condition
        public var origin: Origin
    }

    /// `args[]`: compare syscall argument `index` (0–5) with `value`. For `SCMP_CMP_MASKED_EQ`,
    /// `value` is the mask and `valueTwo` what the masked argument must equal.
    public struct Argument: Hashable, Sendable {
        public var index: Int
        public var value: UInt64
        public var valueTwo: UInt64
        public var op: Comparison
    }

    public enum Comparison: String, CaseIterable, Hashable, Sendable {
        case notEqual = "SCMP_CMP_NE"
        case lessThan = "SCMP_CMP_LT"
        case lessOrEqual = "SCMP_CMP_LE"
        case equal = "SCMP_CMP_EQ"
        case greaterOrEqual = "SCMP_CMP_GE"
        case greaterThan = "SCMP_CMP_GT"
        case maskedEqual = "SCMP_CMP_MASKED_EQ"
    }

    /// `includes` / `excludes`. Docker's meaning: a rule applies when every non-empty part of
    /// `includes` holds and no non-empty part of `excludes` does.
    public struct Condition: Hashable, Sendable {
        /// Capabilities. The sandbox holds none, so `includes.caps` never holds and
        /// `excludes.caps` never excludes.
        public var caps: [String] = []
        /// Architectures, matched against the native one only (as Docker does).
        public var arches: [SeccompArchitecture] = []
        /// Compared with the running kernel's `<major>.<minor>`.
        public var minKernel: KernelVersion?

        public init(caps: [String] = [], arches: [SeccompArchitecture] = [], minKernel: KernelVersion? = nil) {
            self.caps = caps
            self.arches = arches
            self.minKernel = minKernel
        }
    }

    /// Top-level `flags`: flags for `seccomp(SECCOMP_SET_MODE_FILTER, …)`.
    public enum FilterFlag: String, CaseIterable, Hashable, Sendable {
        /// Ignored: the launcher installs the filter in a single-threaded child.
        case tsync = "SECCOMP_FILTER_FLAG_TSYNC"
        /// Honoured: the kernel audits every action but `SCMP_ACT_ALLOW`.
        case log = "SECCOMP_FILTER_FLAG_LOG"
        /// Ignored: untrusted tools keep the speculative-store-bypass mitigation.
        case specAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
        /// Honoured when the program notifies: a notified tool stays killable.
        case waitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
    }
}

/// A seccomp action as profiles name it.
public enum SeccompAction: String, CaseIterable, Hashable, Sendable {
    case kill = "SCMP_ACT_KILL"
    case killProcess = "SCMP_ACT_KILL_PROCESS"
    case killThread = "SCMP_ACT_KILL_THREAD"
    case trap = "SCMP_ACT_TRAP"
    case errno = "SCMP_ACT_ERRNO"
    case trace = "SCMP_ACT_TRACE"
    case allow = "SCMP_ACT_ALLOW"
    case log = "SCMP_ACT_LOG"
    case notify = "SCMP_ACT_NOTIFY"

    /// Whether the tool ends when the action fires. Airlock compiles all of these to
    /// `SCMP_ACT_NOTIFY`: the broker reads the syscall from the notification, names it in the
    /// outcome and kills the sandbox, so the syscall never runs. A plain kill would leave only
    /// `SIGSYS` and no name.
    public var endsTool: Bool {
        switch self {
        case .kill, .killProcess, .killThread, .trap, .notify: return true
        case .errno, .trace, .allow, .log: return false
        }
    }

    /// Whether `errnoRet` means something for this action (the errno, or the tracer's message).
    public var takesErrnoRet: Bool { self == .errno || self == .trace }
}
