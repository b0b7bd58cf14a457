import Foundation
import Testing

@testable import AirlockBroker

@Suite struct StartupPagesTests {
    @Test func findsOnlyTheExecutablesCode() {
        let exe = "/opt/airlock/bin/airlock"
        let code = StartupPages.codeRange("55d0c000-55d1c000 r-xp 00000000 fe:01 123 \(exe)", of: exe)
        #expect(code?.start == 0x55d0_c000 && code?.end == 0x55d1_c000)
        // Written or writable mappings, other files, anonymous memory: never.
        #expect(StartupPages.codeRange("55d0c000-55d1c000 rw-p 00000000 fe:01 123 \(exe)", of: exe) == nil)
        #expect(StartupPages.codeRange("55d0c000-55d1c000 r--p 00000000 fe:01 123 \(exe)", of: exe) == nil)
        #expect(StartupPages.codeRange("55d0c000-55d1c000 r-xs 00000000 fe:01 123 \(exe)", of: exe) == nil)
        #expect(StartupPages.codeRange("7f00-8f00 r-xp 00000000 fe:01 9 /usr/lib/x86_64-linux-gnu/libc.so.6", of: exe) == nil)
        #expect(StartupPages.codeRange("7f00-8f00 r-xp 00000000 00:00 0", of: exe) == nil)
        #expect(StartupPages.codeRange("8f00-7f00 r-xp 00000000 fe:01 123 \(exe)", of: exe) == nil)
    }

    /// On this process (the test runner): its code stops being resident, and keeps running.
    @Test func codePagesLeaveAndComeBackOnUse() throws {
        let before = try codeResidentKiB()
        let released = StartupPages.release()
        let after = try codeResidentKiB()
        #expect(released > 0)
        #expect(after < before, "resident code: \(before) KiB before, \(after) KiB after")
        // Code runs again (its pages fault back in from the page cache).
        let sum = (1...1000).reduce(0, +)
        #expect(sum == 500_500)
        #expect(try codeResidentKiB() > 0)
    }

    /// `Rss` of the executable's `r-xp` mappings, from `/proc/self/smaps`.
    private func codeResidentKiB() throws -> Int {
        let exe = try #require(StartupPages.executablePath())
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var total = 0, inCode = false
        for line in smaps.split(separator: "\n") {
            let first = line.prefix(while: { $0 != " " })
            if first.contains("-"), first.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                inCode = StartupPages.codeRange(line, of: exe) != nil
            } else if inCode, line.hasPrefix("Rss:") {
                total += Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            }
        }
        return total
    }
}
