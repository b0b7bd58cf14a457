import Foundation

/// Gives back the pages of the broker's own code that only start-up used.
///
/// The kernel maps an executable's code 64 KiB around every page a fault touches, and start-up
/// runs a lot of code that is never needed again (argument parsing, YAML, policy compilation,
/// seccomp compilation). Unmapping the code once the socket is listening lets the pages a running
/// broker touches fault back in on their own: about 23 MiB of code pages become the 10–12 MiB the
/// call path uses. The pages stay in the page cache, so this costs a minor fault per 64 KiB the
/// first time a path runs again, and nothing else.
///
/// Only mappings that cannot have been written are touched: code (`r-xp`) mapped privately from
/// the executable file. `MADV_DONTNEED` on such a mapping drops page-table entries only; the
/// next access maps the same file page again.
public enum StartupPages {
    /// Unmaps the executable's code pages; returns how many bytes of mappings were advised.
    @discardableResult
    public static func release() -> Int {
        guard let executable = executablePath(), let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return 0 }
        var released = 0
        for line in maps.split(separator: "\n") {
            guard let range = codeRange(line, of: executable) else { continue }
            guard let start = UnsafeMutableRawPointer(bitPattern: range.start) else { continue }
            let length = Int(range.end - range.start)
            if madvise(start, length, MADV_DONTNEED) == 0 { released += length }
        }
        return released
    }

    /// `start-end r-xp offset dev inode path`, for the executable's own file only.
    static func codeRange(_ line: Substring, of executable: String) -> (start: UInt, end: UInt)? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6, fields[1] == "r-xp", fields[5].trimmingLeadingSpaces == executable else { return nil }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start else { return nil }
        return (start, end)
    }

    static func executablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}

extension Substring {
    fileprivate var trimmingLeadingSpaces: Substring { drop(while: { $0 == " " }) }
}
