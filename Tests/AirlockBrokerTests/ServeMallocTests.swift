@testable import AirlockBroker
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
/// `airlock serve` starts itself again with glibc's `glibc.malloc.hugetlb=1`, so that the large
/// buffers of a large output take huge pages (docs/broker.md), unless its environment names the
/// tunable already. (With other tunables beside it, glibc shortens the variable in place at
/// start-up, so `/proc/<pid>/environ` shows only the first; `MallocHugePagesTests` checks how the
/// value is made.)
@Suite("airlock serve and glibc's huge-page setting")
struct ServeMallocTests {
    static let transparentHugePages = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8))
        .map { !$0.contains("[never]") } ?? false

    @Test(
        .enabled(if: transparentHugePages, "the kernel's transparent huge pages are off: serve leaves glibc as it is"),
        arguments: [
            (nil, "glibc.malloc.hugetlb=1"),
            ("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"),
        ] as [(String?, String)])
    func serveRunsWithTheTunableUnlessTold(given: String?, expected: String) throws {
        let fixture = try TestBroker()
        defer { fixture.remove() }
        let config = fixture.directory + "/serve.yaml"
        try "slots:\n  uidBase: \(fixture.configuration.slotUIDBase)\nlimits:\n  slots: 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["GLIBC_TUNABLES"] = given
        let broker = try BrokerCrashTests.start(
            try airlockExecutable(),
            ["serve", "--state-dir", fixture.configuration.stateDirectory, "--policies", fixture.configuration.policiesDirectory, "--config", config],
            socket: fixture.configuration.effectiveSocketPath, environment: environment)
        // The same process (an exec keeps the pid), now with the variable.
        let seen = (try? String(contentsOfFile: "/proc/\(broker.processIdentifier)/environ", encoding: .utf8)) ?? ""
        broker.terminate()
        broker.waitUntilExit()
        #expect(seen.split(separator: "\0").filter { $0.hasPrefix("GLIBC_TUNABLES=") } == ["GLIBC_TUNABLES=\(expected)"])
        #expect(broker.terminationStatus == 0)
    }
}
}
