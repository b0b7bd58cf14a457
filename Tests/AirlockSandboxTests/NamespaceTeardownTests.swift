import AirlockCore
import Foundation
import Testing

@testable import AirlockSandbox

/// A call's mount namespace outlives its child until the slot lets it go, and only the last
/// call's: the teardown is off the call's path, and nothing accumulates.
@Suite struct NamespaceTeardownTests {
    @Test func theLastCallsMountNamespaceIsHeldUntilTornDown() throws {
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/mnt")
        var held: [String] = []
        var descriptors: [Int32] = []
        // A tool that lives a moment: one that exits before the broker has opened its namespace
        // (best effort) leaves nothing to hold.
        var job = Harness.probeJob([])
        job.executable = "/bin/sh"
        job.arguments = ["sh", "-c", "sleep 0.1"]
        _ = try Harness.runInOneSlot([job, job]) { slot in
            let fd = slot.heldNamespaceDescriptor
            descriptors.append(fd)
            held.append((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "none")
            if descriptors.count == 2 {
                slot.tearDownHeldNamespace()
                #expect(slot.heldNamespaceDescriptor == -1)
            }
        }
        #expect(descriptors.allSatisfy { $0 >= 0 })
        #expect(held.allSatisfy { $0.hasPrefix("mnt:[") && $0 != own }, "\(held), own \(own)")
        #expect(held[0] != held[1], "each call has a namespace of its own")
    }
}
