import AirlockCore
import CConfine

#if canImport(Glibc)
import Glibc
#endif

/// What the supervisor and the cgroup saw, reduced to one termination reason.
struct TerminationEvidence: Sendable {
    var waitStatus: Int32
    var timedOut: Bool
    var seccompSyscall: String?
    var oomKills: UInt64
    var pidsLimitHits: UInt64
    var cpuMicroseconds: UInt64
    var cpuLimit: Milliseconds

    /// The most specific true explanation wins: a forbidden syscall, then running out of memory or
    /// processes, then CPU time, then the wall clock; otherwise how the tool itself ended.
    var reason: TerminationReason {
        let status = cconfine_decode_wait_status(waitStatus)
        if let syscall = seccompSyscall { return .seccompViolation(syscall: syscall) }
        let killed = status.signaled == 1
        if killed && oomKills > 0 { return .memoryLimit }
        // The pids controller does not kill; it fails fork. A tool that then fails or hangs ran
        // out of processes; one that copes and exits 0 simply exited.
        let failed = killed || timedOut || status.exit_code != 0
        if pidsLimitHits > 0 && failed { return .processLimit }
        // RLIMIT_CPU's hard limit is a SIGKILL from the kernel (soft = hard). Nothing inside the
        // namespace can SIGKILL its PID 1, and the supervisor's own kills are known, so such a
        // death after substantial CPU use is the limit. rusage samples CPU time and reads up to
        // ~15% below the precise runtime the kernel enforces, hence the generous margin.
        let cpuLimitMicroseconds = cpuLimit.secondsRoundedUp * 1_000_000
        if killed && !timedOut
            && (status.signal == SIGXCPU || (status.signal == SIGKILL && cpuMicroseconds * 2 >= cpuLimitMicroseconds)) {
            return .cpuLimit
        }
        if timedOut { return .wallTimeout }
        if killed { return .signaled(signal: status.signal) }
        return .exited(code: status.exit_code)
    }
}
