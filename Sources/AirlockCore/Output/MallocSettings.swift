#if canImport(CMalloc)
import CMalloc
#endif

/// glibc `malloc` settings under which the channel's buffers of a few MiB reuse the memory the
/// call before freed, instead of faulting in fresh pages each call.
///
/// glibc maps each buffer above its mmap threshold on its own; freeing one raises the threshold
/// to that buffer's size (up to 32 MiB), and the trim threshold, above which the free top of a
/// heap goes back to the kernel, to twice that. A call on 1 MiB of output frees some 3.5 MiB
/// (the clean text, the `html` output, the delivered `String`), more than twice the threshold it
/// settles at: each call gave that memory back and the next took a page fault every 4 KiB of it
/// again, about 300 a call in the 1 MiB bench rows. The values set here are those glibc reaches
/// by itself once the process has freed one 32 MiB buffer: buffers of `HugePages.minimumBytes`
/// and more are still mapped on their own, and at most 64 MiB of free memory stays at the top
/// of each heap.
enum MallocSettings {
    /// Sets them, once per process; the first channel built does.
    static func apply() { _ = applied }

    private static let applied: Void = {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(HugePages.minimumBytes))
        _ = mallopt(M_TRIM_THRESHOLD, Int32(2 * HugePages.minimumBytes))
        #endif
    }()
}
