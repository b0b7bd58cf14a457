#if canImport(Glibc)
import Glibc
#endif

/// A kernel release as `<major>.<minor>`, the precision of a profile's `minKernel`.
public struct KernelVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Docker's `minKernel` form: exactly `<major>.<minor>`, both decimal.
    public init?(profileText text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else {
            return nil
        }
        self.init(major: major, minor: minor)
    }

    /// The leading `<major>.<minor>` of a release string such as `6.18.44-fc-v782`.
    public init?(release: String) {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2, release.first?.isNumber == true else { return nil }
        self.init(major: numbers[0], minor: numbers[1])
    }

    /// The kernel this process runs on, from `uname(2)`; `0.0` if the release cannot be read,
    /// which makes every `includes.minKernel` rule inapplicable rather than guessing.
    public static func running() -> KernelVersion {
        var name = utsname()
        guard uname(&name) == 0 else { return KernelVersion(major: 0, minor: 0) }
        let release = withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return KernelVersion(release: release) ?? KernelVersion(major: 0, minor: 0)
    }

    public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(major).\(minor)" }
}
