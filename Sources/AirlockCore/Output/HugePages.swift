#if canImport(Glibc)
import Glibc
#endif

/// Fresh memory for the channel's largest buffers (the clean text, the `html` output).
enum HugePages {
    /// From this size on glibc's `malloc` gives a buffer a mapping of its own (its mmap threshold,
    /// as `MallocSettings` sets it), unmapped when the buffer is freed: advice given to it ends
    /// with it.
    static let minimumBytes = 32 << 20

    /// An empty array with room for `capacity` bytes, its memory advised to be backed by 2 MiB
    /// pages when it is larger than `minimumBytes`. Filling a fresh buffer otherwise takes a page
    /// fault every 4 KiB, which for 64 MiB costs as much as the work done in it.
    static func bytes(capacity: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            advise(buffer)
            count = 0
        }
    }

    /// `MADV_HUGEPAGE` for the whole pages of `buffer`, before it is first written. A hint: with
    /// transparent huge pages off, or none free, the kernel gives small pages as before.
    static func advise(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        #if os(Linux)
        guard buffer.count > minimumBytes, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
        #endif
    }
}
