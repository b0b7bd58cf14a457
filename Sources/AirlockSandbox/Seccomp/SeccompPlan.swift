import AirlockCore
import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// What the filter will contain, decided from a profile on this machine before libseccomp sees it:
/// which architectures, which rules apply here, each rule's number on each architecture and the
/// action it compiles to. What can be wrong with a profile on this machine is found here, with its
/// place in the file; libseccomp is left with building the BPF.
struct SeccompPlan {
    /// Native first: the filter's other architectures are merged into its context.
    var architectures: [SeccompArchitecture]
    var defaultAction: UInt32
    /// Rules to give libseccomp, without those that repeat the default action (libseccomp refuses
    /// them) or repeat another rule.
    var rules: [ResolvedRule]
    var usesNotify: Bool
    var installFlags: UInt32
    var notes: [String]

    /// One libseccomp rule: one syscall on one architecture.
    struct ResolvedRule {
        var architecture: SeccompArchitecture
        var syscall: String
        /// The syscall's number on `architecture`: two rules conflict when these match.
        var numberOnArchitecture: Int32
        /// What `seccomp_rule_add_array` takes: libseccomp's native numbering.
        var libseccompNumber: Int32
        var action: UInt32
        /// `SCMP_ACT_ERRNO(1)`, for messages.
        var actionLabel: String
        var conditions: [SeccompProfile.Argument]
        var origin: SeccompProfile.Origin

        /// What the rule does, regardless of where it is written: two rules with one effect are one.
        struct Effect: Hashable {
            var architecture: SeccompArchitecture
            var number: Int32
            var action: UInt32
            var conditions: [SeccompProfile.Argument]
        }

        var effect: Effect {
            Effect(architecture: architecture, number: numberOnArchitecture, action: action, conditions: conditions)
        }
    }

    /// What a syscall from an architecture outside the filter gets. A foreign ABI (x32 numbers,
    /// `int 0x80`) is an attack on the filter itself: notify, so the broker names the syscall and
    /// ends the sandbox. This makes `usesNotify` true for every program today; the launcher still
    /// reads the flag rather than assume it.
    static var badArchitectureAction: UInt32 { airlock_scmp_act_notify() }

    init(_ profile: SeccompProfile, kernel: KernelVersion) throws(ConfigError) {
        let native = SeccompArchitecture.native
        var notes = profile.notes
        architectures = Self.architectures(of: profile, native: native, notes: &notes)
        defaultAction = profile.defaultAction.compiled(errnoRet: profile.defaultErrnoRet)
        var resolved: [ResolvedRule] = []
        for rule in profile.syscalls where Self.applies(rule, native: native, kernel: kernel) {
            resolved += Self.resolve(rule, on: architectures)
        }
        let notify = airlock_scmp_act_notify()
        usesNotify = [defaultAction, Self.badArchitectureAction].contains(notify) || resolved.contains { $0.action == notify }
        try Self.checkLauncherSyscalls(resolved, profile: profile, defaultAction: defaultAction, usesNotify: usesNotify)
        try Self.checkConflicts(resolved)
        var seen: Set<ResolvedRule.Effect> = []
        let byDefault = defaultAction
        rules = resolved.filter { $0.action != byDefault && seen.insert($0.effect).inserted }
        installFlags = Self.installFlags(profile.flags, usesNotify: usesNotify, notes: &notes)
        self.notes = notes
    }

    /// Docker's meaning of `includes` / `excludes`, for a sandbox that holds no capability.
    static func applies(_ rule: SeccompProfile.Rule, native: SeccompArchitecture, kernel: KernelVersion) -> Bool {
        if rule.excludes.arches.contains(native) { return false }
        // excludes.caps: the bounding set is empty, so no listed capability is held.
        if let minimum = rule.excludes.minKernel, kernel >= minimum { return false }
        if !rule.includes.arches.isEmpty && !rule.includes.arches.contains(native) { return false }
        // includes.caps: a rule for holders of a capability never applies to a sandbox.
        if !rule.includes.caps.isEmpty { return false }
        if let minimum = rule.includes.minKernel, kernel < minimum { return false }
        return true
    }

    /// The native architecture, then `architectures`, then the `archMap` entry for this machine.
    /// An architecture libseccomp cannot filter is left out: its syscalls then meet the
    /// bad-architecture action, which only ever narrows what the profile allows.
    static func architectures(of profile: SeccompProfile, native: SeccompArchitecture, notes: inout [String]) -> [SeccompArchitecture] {
        var wanted = [native] + profile.architectures
        for entry in profile.archMap where entry.architecture == native {
            wanted += [entry.architecture] + entry.subArchitectures
        }
        var result: [SeccompArchitecture] = []
        for arch in wanted where !result.contains(arch) {
            if arch.token == nil {
                notes.append("\(arch.profileName) is left out: this libseccomp cannot filter it, so its syscalls end the tool")
            } else {
                result.append(arch)
            }
        }
        return result
    }

    /// The rule's syscalls on each architecture of the filter. A name that does not exist on an
    /// architecture (`_llseek` on x86_64) is skipped there.
    private static func resolve(_ rule: SeccompProfile.Rule, on architectures: [SeccompArchitecture]) -> [ResolvedRule] {
        let action = rule.action.compiled(errnoRet: rule.errnoRet)
        let label = rule.action.takesErrnoRet ? "\(rule.action.rawValue)(\(rule.errnoRet ?? UInt16(EPERM)))" : rule.action.rawValue
        var result: [ResolvedRule] = []
        for (name, origin) in zip(rule.names, rule.nameOrigins) {
            for arch in architectures {
                guard let numbers = numbers(of: name, on: arch) else { continue }
                for conditions in conditionGroups(rule.args) {
                    result.append(ResolvedRule(
                        architecture: arch, syscall: name, numberOnArchitecture: numbers.onArchitecture,
                        libseccompNumber: numbers.libseccomp, action: action, actionLabel: label,
                        conditions: conditions, origin: origin))
                }
            }
        }
        return result
    }

    /// The syscall's number on `arch`, and the number libseccomp takes for it. libseccomp's tables
    /// first; for the native x86_64 ABI, `SyscallTable` knows the syscalls newer than them.
    static func numbers(of name: String, on arch: SeccompArchitecture) -> (onArchitecture: Int32, libseccomp: Int32)? {
        guard let token = arch.token else { return nil }
        let onArchitecture = seccomp_syscall_resolve_name_arch(token, name)
        if arch == .native {
            if onArchitecture >= 0 { return (onArchitecture, onArchitecture) }
            guard onArchitecture == airlock_scmp_nr_error(), token == airlock_scmp_arch_x86_64(),
                let number = SyscallTable.x86_64Number(of: name)
            else { return nil }
            return (number, number)
        }
        guard onArchitecture >= 0 else { return nil }
        let nativeNumber = seccomp_syscall_resolve_name(name)  // a pseudo-number if not native
        return nativeNumber == airlock_scmp_nr_error() ? nil : (onArchitecture, nativeNumber)
    }

    /// runc's reading of `args`: one rule with every comparison (AND), unless an argument is
    /// compared twice, which libseccomp cannot do in one rule; then one rule per comparison (OR).
    static func conditionGroups(_ args: [SeccompProfile.Argument]) -> [[SeccompProfile.Argument]] {
        let indexes = args.map(\.index)
        return Set(indexes).count == indexes.count ? [args] : args.map { [$0] }
    }

    /// libseccomp lets a syscall's unconditional rule silently swallow its conditional rules with
    /// other actions (an `ioctl` allow-all drops an `ioctl(TIOCSTI)` deny). Such a profile does not
    /// mean what it says, so it is refused.
    static func checkConflicts(_ rules: [ResolvedRule]) throws(ConfigError) {
        var unconditional: [String: ResolvedRule] = [:]
        for rule in rules where rule.conditions.isEmpty {
            let key = "\(rule.architecture.profileName)/\(rule.numberOnArchitecture)"
            if let first = unconditional[key], first.action != rule.action {
                throw rule.origin.error(
                    "`\(rule.syscall)` already has an unconditional \(first.actionLabel) rule at \(first.origin.location); "
                        + "a second unconditional rule with \(rule.actionLabel) contradicts it")
            }
            unconditional[key] = unconditional[key] ?? rule
        }
        for rule in rules where !rule.conditions.isEmpty {
            let key = "\(rule.architecture.profileName)/\(rule.numberOnArchitecture)"
            if let first = unconditional[key], first.action != rule.action {
                throw rule.origin.error(
                    "`\(rule.syscall)` also has an unconditional \(first.actionLabel) rule at \(first.origin.location); "
                        + "libseccomp would drop this conditional \(rule.actionLabel) rule silently. "
                        + "Give every rule of `\(rule.syscall)` conditions, or one action")
            }
        }
    }

    static func installFlags(_ flags: [SeccompProfile.FilterFlag], usesNotify: Bool, notes: inout [String]) -> UInt32 {
        var result: UInt32 = usesNotify ? airlock_seccomp_flag_new_listener() : 0
        if flags.contains(.log) { result |= airlock_seccomp_flag_log() }
        if flags.contains(.waitKillableRecv) {
            if usesNotify {
                result |= airlock_seccomp_flag_wait_killable_recv()
            } else {
                notes.append("`SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` is ignored: this program never notifies")
            }
        }
        return result
    }
}

extension SeccompAction {
    /// The libseccomp action: every action that ends the tool becomes `SCMP_ACT_NOTIFY`.
    func compiled(errnoRet: UInt16?) -> UInt32 {
        switch self {
        case .allow: return airlock_scmp_act_allow()
        case .log: return airlock_scmp_act_log()
        case .errno: return airlock_scmp_act_errno(errnoRet ?? UInt16(EPERM))
        case .trace: return airlock_scmp_act_trace(errnoRet ?? UInt16(EPERM))
        case .kill, .killProcess, .killThread, .trap, .notify: return airlock_scmp_act_notify()
        }
    }
}
