import AirlockCore

extension SeccompProfile {
    /// Parses a profile in the OCI / Docker JSON format (YAML is accepted too: JSON is YAML's flow
    /// style). Every error names `file:line:column` and the field path: malformed JSON, an unknown
    /// field, action, operator or architecture, or a syscall name that no architecture has.
    /// Names that exist only on other architectures (`_llseek`, `socketcall`) are accepted: Docker
    /// profiles list them for every platform at once.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> SeccompProfile {
        let root = try ConfigValue.parse(text, file: file)
        let fields = try root.mapping()
        let defaultActionValue = try fields.require("defaultAction")
        let defaultAction = try parseAction(defaultActionValue)
        var profile = SeccompProfile(
            defaultAction: defaultAction,
            defaultErrnoRet: try fields.optional("defaultErrnoRet").map { v throws(ConfigError) in try parseErrno(v, for: defaultAction) },
            architectures: try fields.optional("architectures")?.list().map { v throws(ConfigError) in try parseArchitecture(v) } ?? [],
            archMap: try fields.optional("archMap")?.list().map { v throws(ConfigError) in try parseArchMapEntry(v) } ?? [],
            syscalls: try fields.optional("syscalls")?.list().map { v throws(ConfigError) in try parseRule(v) } ?? [],
            flags: try fields.optional("flags")?.list().map { v throws(ConfigError) in try parseFlag(v) } ?? [],
            notes: [],
            defaultActionOrigin: Origin(defaultActionValue)
        )
        if !profile.architectures.isEmpty, !profile.archMap.isEmpty, let archMap = fields.optional("archMap") {
            throw archMap.error("use either `architectures` or `archMap`, not both (Docker refuses both too)")
        }
        for key in ["listenerPath", "listenerMetadata"] where fields.optional(key) != nil {
            profile.notes.append("`\(key)` is ignored: Airlock's broker is the seccomp listener of every sandbox")
        }
        for flag in profile.flags {
            switch flag {
            case .tsync:
                profile.notes.append("`\(flag.rawValue)` is ignored: the filter is installed in a single-threaded child")
            case .specAllow:
                profile.notes.append("`\(flag.rawValue)` is ignored: untrusted tools keep the speculative-store-bypass mitigation")
            case .log, .waitKillableRecv: break
            }
        }
        try fields.finish()
        return profile
    }

    static func parseAction(_ value: ConfigValue) throws(ConfigError) -> SeccompAction {
        let name = try value.string()
        guard let action = SeccompAction(rawValue: name) else {
            throw value.error("unknown action `\(name)`; expected one of \(list(SeccompAction.allCases.map(\.rawValue)))")
        }
        return action
    }

    /// `errnoRet` / `defaultErrnoRet`: an errno below 4095 for `SCMP_ACT_ERRNO` (libseccomp refuses
    /// larger ones; refusing them here gives the error a line), the tracer's 16-bit message for
    /// `SCMP_ACT_TRACE`; meaningless, so refused, for other actions.
    static func parseErrno(_ value: ConfigValue, for action: SeccompAction) throws(ConfigError) -> UInt16 {
        guard action.takesErrnoRet else {
            throw value.error("only `SCMP_ACT_ERRNO` and `SCMP_ACT_TRACE` take an errno; this rule's action is `\(action.rawValue)`")
        }
        let number = try value.uint64()
        let limit: UInt64 = action == .errno ? 4094 : UInt64(UInt16.max)
        guard number <= limit else { throw value.error("\(number) is out of range: at most \(limit) for `\(action.rawValue)`") }
        return UInt16(number)
    }

    static func parseArchitecture(_ value: ConfigValue) throws(ConfigError) -> SeccompArchitecture {
        let name = try value.string()
        guard let arch = SeccompArchitecture.named(name) else {
            throw value.error("unknown architecture `\(name)`; expected one of \(list(SeccompArchitecture.all.map(\.profileName)))")
        }
        return arch
    }

    static func parseArchMapEntry(_ value: ConfigValue) throws(ConfigError) -> ArchMapEntry {
        let fields = try value.mapping()
        let entry = ArchMapEntry(
            architecture: try parseArchitecture(try fields.require("architecture")),
            subArchitectures: try fields.optional("subArchitectures")?.list()
                .map { v throws(ConfigError) in try parseArchitecture(v) } ?? []
        )
        try fields.finish()
        return entry
    }

    static func parseFlag(_ value: ConfigValue) throws(ConfigError) -> FilterFlag {
        let name = try value.string()
        guard let flag = FilterFlag(rawValue: name) else {
            throw value.error("unknown flag `\(name)`; expected one of \(list(FilterFlag.allCases.map(\.rawValue)))")
        }
        return flag
    }

    static func parseRule(_ value: ConfigValue) throws(ConfigError) -> Rule {
        let fields = try value.mapping()
        let nameValues: [ConfigValue]
        switch (fields.optional("names"), fields.optional("name")) {
        case (let names?, nil):
            nameValues = try names.list()
            guard !nameValues.isEmpty else { throw names.error("must not be empty") }
        case (nil, let name?): nameValues = [name]
        case (_?, let name?): throw name.error("use `names` or the legacy `name`, not both")
        case (nil, nil): throw value.error("missing required field `names`")
        }
        let names = try nameValues.map { v throws(ConfigError) in try parseSyscallName(v) }
        let action = try parseAction(try fields.require("action"))
        let rule = Rule(
            names: names,
            nameOrigins: nameValues.map(Origin.init),
            action: action,
            errnoRet: try fields.optional("errnoRet").map { v throws(ConfigError) in try parseErrno(v, for: action) },
            args: try fields.optional("args")?.list().map { v throws(ConfigError) in try parseArgument(v) } ?? [],
            comment: try fields.optional("comment")?.string(),
            includes: try fields.optional("includes").map { v throws(ConfigError) in try parseCondition(v) } ?? Condition(),
            excludes: try fields.optional("excludes").map { v throws(ConfigError) in try parseCondition(v) } ?? Condition(),
            origin: Origin(value)
        )
        try fields.finish()
        return rule
    }

    static func parseSyscallName(_ value: ConfigValue) throws(ConfigError) -> String {
        let name = try value.nonEmptyString()
        guard SyscallTable.isKnown(name) else {
            throw value.error("unknown syscall `\(name)`: no architecture has a syscall of that name")
        }
        return name
    }

    static func parseArgument(_ value: ConfigValue) throws(ConfigError) -> Argument {
        let fields = try value.mapping()
        let indexValue = try fields.require("index")
        let index = try indexValue.uint64()
        guard index <= 5 else { throw indexValue.error("syscalls have 6 arguments: `index` must be 0 to 5, found \(index)") }
        let opValue = try fields.require("op")
        let opName = try opValue.string()
        guard let op = Comparison(rawValue: opName) else {
            throw opValue.error("unknown comparison `\(opName)`; expected one of \(list(Comparison.allCases.map(\.rawValue)))")
        }
        let argument = Argument(
            index: Int(index),
            value: try fields.require("value").uint64(),
            valueTwo: try fields.optional("valueTwo")?.uint64() ?? 0,
            op: op
        )
        try fields.finish()
        return argument
    }

    static func parseCondition(_ value: ConfigValue) throws(ConfigError) -> Condition {
        let fields = try value.mapping()
        var condition = Condition()
        for capValue in try fields.optional("caps")?.list() ?? [] {
            let cap = try capValue.string()
            guard knownCapabilities.contains(cap) else { throw capValue.error("unknown capability `\(cap)`") }
            condition.caps.append(cap)
        }
        for archValue in try fields.optional("arches")?.list() ?? [] {
            let name = try archValue.string()
            guard let arch = SeccompArchitecture.matching(shortName: name) else {
                throw archValue.error("unknown architecture `\(name)`; expected one of \(list(SeccompArchitecture.all.map(\.shortName)))")
            }
            condition.arches.append(arch)
        }
        if let kernelValue = fields.optional("minKernel") {
            let text = try kernelValue.string()
            if !text.isEmpty {
                guard let version = KernelVersion(profileText: text) else {
                    throw kernelValue.error("invalid kernel version `\(text)`; expected `<major>.<minor>`, such as `5.8`")
                }
                condition.minKernel = version
            }
        }
        try fields.finish()
        return condition
    }

    private static func list(_ names: [String]) -> String {
        names.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// Linux capability names (`include/uapi/linux/capability.h`, through `CAP_CHECKPOINT_RESTORE`).
    static let knownCapabilities: Set<String> = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]
}

extension SeccompProfile.Origin {
    init(_ value: ConfigValue) {
        self.init(location: value.location, fieldPath: value.fieldPath)
    }
}
