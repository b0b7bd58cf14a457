@testable import airlock
import Testing

/// The `GLIBC_TUNABLES` value `airlock serve` and `airlock bench output` start themselves again
/// with: the huge-page tunable added to what is there, never over an operator's own setting.
@Suite("glibc's huge-page tunable")
struct MallocHugePagesTests {
    @Test func theTunableIsAddedToWhatIsThere() {
        #expect(MallocHugePages.tunables(adding: nil) == "glibc.malloc.hugetlb=1")
        #expect(MallocHugePages.tunables(adding: "") == "glibc.malloc.hugetlb=1")
        #expect(MallocHugePages.tunables(adding: "glibc.malloc.arena_max=4") == "glibc.malloc.arena_max=4:glibc.malloc.hugetlb=1")
    }

    @Test func anOperatorsOwnSettingIsKept() {
        #expect(MallocHugePages.tunables(adding: "glibc.malloc.hugetlb=0") == nil)
        #expect(MallocHugePages.tunables(adding: "glibc.malloc.arena_max=4:glibc.malloc.hugetlb=2") == nil)
        // Another tunable whose name only starts the same is not it.
        #expect(MallocHugePages.tunables(adding: "glibc.malloc.hugetlbx=1") == "glibc.malloc.hugetlbx=1:glibc.malloc.hugetlb=1")
    }
}
