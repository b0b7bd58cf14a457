import AirlockCore
import CSeccomp

/// A syscall the launcher makes after the filter is installed, and why it needs it.
public struct LauncherSyscall: Hashable, Sendable {
    public var name: String
    public var reason: String
    /// Needed only by a program that notifies (`SeccompProgram.usesNotify`).
    public var onlyWhenNotifying: Bool

    /// The child installs the filter, and then still has to hand the broker its listener, wait at
    /// its gate, start the tool, or report why it could not. A profile that denies any of these (or
    /// allows it only for some arguments) would make every launch fail, or hang, in a way that
    /// looks like the tool's fault; it is refused when it is compiled instead.
    public static let all: [LauncherSyscall] = [
        LauncherSyscall(
            name: "sendmsg", reason: "to pass the seccomp listener to the broker, which names the syscall that ends a tool",
            onlyWhenNotifying: true),
        LauncherSyscall(name: "read", reason: "to wait at the gate until the broker lets the tool start", onlyWhenNotifying: false),
        LauncherSyscall(name: "execve", reason: "to start the tool", onlyWhenNotifying: false),
        LauncherSyscall(name: "write", reason: "to report a failed execve to the broker", onlyWhenNotifying: false),
        LauncherSyscall(name: "exit_group", reason: "to exit after a failed execve", onlyWhenNotifying: false),
    ]
}

extension SeccompPlan {
    /// Refuses a profile under which a launcher syscall is not allowed unconditionally on the
    /// native architecture: every native rule for it must allow (or log) without conditions, and
    /// with no rule at all the default action must.
    static func checkLauncherSyscalls(
        _ rules: [ResolvedRule], profile: SeccompProfile, defaultAction: UInt32, usesNotify: Bool
    ) throws(ConfigError) {
        let allowing = [airlock_scmp_act_allow(), airlock_scmp_act_log()]
        for needed in LauncherSyscall.all where usesNotify || !needed.onlyWhenNotifying {
            let explanation = "the launcher calls `\(needed.name)` after installing the filter, \(needed.reason)"
            let native = rules.filter { $0.architecture == .native && $0.syscall == needed.name }
            if let denying = native.first(where: { !allowing.contains($0.action) }) {
                throw denying.origin.error("`\(needed.name)` must be allowed unconditionally, not \(denying.actionLabel): \(explanation)")
            }
            if let conditional = native.first(where: { !$0.conditions.isEmpty }) {
                throw conditional.origin.error(
                    "`\(needed.name)` must be allowed unconditionally, not only for some arguments: \(explanation)")
            }
            if native.isEmpty && !allowing.contains(defaultAction) {
                throw profile.defaultActionOrigin.error(
                    "`\(needed.name)` falls to the default action \(profile.defaultAction.rawValue); it must be allowed: \(explanation)")
            }
        }
    }
}
