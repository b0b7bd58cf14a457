import CSeccomp

/// An architecture (a syscall ABI) that a seccomp profile can name.
///
/// Profiles spell architectures two ways: `architectures` and `archMap` use libseccomp's
/// `SCMP_ARCH_X86_64`, while Docker's `includes.arches` and `excludes.arches` use Go's names
/// (`amd64`, `arm64`). Both are accepted, and anything else is an error.
public struct SeccompArchitecture: Hashable, Sendable, CustomStringConvertible {
    /// As `architectures` spells it: `SCMP_ARCH_X86_64`.
    public let profileName: String
    /// As Docker's `includes.arches` spells it: `amd64`.
    public let shortName: String
    /// libseccomp's token, equal to the kernel's `AUDIT_ARCH_*` value; `nil` when the libseccomp
    /// on this machine does not support the architecture (2.5.4 lacks LoongArch, m68k, SuperH).
    public let token: UInt32?

    init(_ profileName: String, _ shortName: String) {
        self.profileName = profileName
        self.shortName = shortName
        let libseccompName = profileName.dropFirst("SCMP_ARCH_".count).lowercased()
        let token = seccomp_arch_resolve_name(libseccompName)
        self.token = token == 0 ? nil : token
    }

    public var description: String { profileName }

    /// The architecture this process runs on, the one the launcher's `execve` uses.
    public static let native: SeccompArchitecture = {
        let token = seccomp_arch_native()
        return all.first { $0.token == token } ?? SeccompArchitecture("SCMP_ARCH_X86_64", "amd64")
    }()

    /// The architecture named `SCMP_ARCH_…`.
    public static func named(_ profileName: String) -> SeccompArchitecture? {
        all.first { $0.profileName == profileName }
    }

    /// The architecture named as Docker's `includes.arches` does (`amd64`), or by libseccomp's
    /// name (`x86_64`), or by one of the spellings Docker has shipped (`mips3l64n32`).
    public static func matching(shortName: String) -> SeccompArchitecture? {
        let canonical = shortNameAliases[shortName] ?? shortName
        return all.first { $0.shortName == canonical }
    }

    /// Every architecture of the OCI runtime specification.
    public static let all: [SeccompArchitecture] = [
        .init("SCMP_ARCH_X86", "x86"), .init("SCMP_ARCH_X86_64", "amd64"), .init("SCMP_ARCH_X32", "x32"),
        .init("SCMP_ARCH_ARM", "arm"), .init("SCMP_ARCH_AARCH64", "arm64"),
        .init("SCMP_ARCH_MIPS", "mips"), .init("SCMP_ARCH_MIPS64", "mips64"),
        .init("SCMP_ARCH_MIPS64N32", "mips64n32"), .init("SCMP_ARCH_MIPSEL", "mipsel"),
        .init("SCMP_ARCH_MIPSEL64", "mipsel64"), .init("SCMP_ARCH_MIPSEL64N32", "mipsel64n32"),
        .init("SCMP_ARCH_PPC", "ppc"), .init("SCMP_ARCH_PPC64", "ppc64"), .init("SCMP_ARCH_PPC64LE", "ppc64le"),
        .init("SCMP_ARCH_S390", "s390"), .init("SCMP_ARCH_S390X", "s390x"),
        .init("SCMP_ARCH_PARISC", "parisc"), .init("SCMP_ARCH_PARISC64", "parisc64"),
        .init("SCMP_ARCH_RISCV64", "riscv64"), .init("SCMP_ARCH_LOONGARCH64", "loong64"),
        .init("SCMP_ARCH_M68K", "m68k"), .init("SCMP_ARCH_SH", "sh"), .init("SCMP_ARCH_SHEB", "sheb"),
    ]

    private static let shortNameAliases: [String: String] = [
        "x86_64": "amd64", "i386": "x86", "aarch64": "arm64", "loongarch64": "loong64",
        "mipsle": "mipsel", "mips3l64n32": "mipsel64n32",
    ]
}
