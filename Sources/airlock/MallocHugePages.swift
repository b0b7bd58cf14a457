import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Lets glibc's `malloc` advise its own large mappings to use transparent huge pages, for the
/// processes that validate tool output: `airlock serve`, and `airlock bench output`, which
/// measures the same channel.
///
/// A call with tens of MiB of output allocates buffers of that size, and the delivered `String`
/// is one that Swift's standard library allocates, so the broker cannot advise it itself. Fresh
/// 4 KiB pages cost a page fault each (docs/broker.md, "Large outputs and fresh memory"). glibc
/// advises its mappings when started with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, a setting it
/// reads only at process start: so the process sets it and executes itself again, once, before
/// it has done anything else.
///
/// Nothing is changed when the environment names the tunable already (`glibc.malloc.hugetlb=0`
/// turns it off), when the kernel's transparent huge pages are `never`, or when the new image
/// cannot be executed (the process then goes on as it was). Tools never see the variable: a
/// sandbox's environment is the policy's alone.
enum MallocHugePages {
    static let tunable = "glibc.malloc.hugetlb"
    static let variable = "GLIBC_TUNABLES"

    /// Executes this program again with the tunable added, unless one of the reasons above holds;
    /// returns only when it does not.
    static func reexecuteIfNeeded() {
        #if os(Linux)
        let current = getenv(variable).map { String(cString: $0) }
        guard let value = tunables(adding: current), transparentHugePagesAvailable() else { return }
        setenv(variable, value, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Not executed (no /proc, say): go on as before, environment and all.
        if let current { setenv(variable, current, 1) } else { unsetenv(variable) }
        #endif
    }

    /// The value `GLIBC_TUNABLES` gets, or nil when `current` names the tunable already.
    static func tunables(adding current: String?) -> String? {
        guard let current, !current.isEmpty else { return "\(tunable)=1" }
        let names = current.split(separator: ":").map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
        return names.contains(tunable) ? nil : current + ":\(tunable)=1"
    }

    /// Whether the kernel gives huge pages to memory advised for them (`always` or `madvise`).
    private static func transparentHugePagesAvailable() -> Bool {
        guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8) else { return false }
        return !mode.contains("[never]")
    }
}
