// LargeArrays: big result arrays backed by transparent huge pages, as numpy does for its arrays,
// and the allocator setting that lets a process reuse the memory of the arrays it frees.

import CConvKernels

#if canImport(Glibc)
    import Glibc
#endif

/// The memory of a process that makes and frees many large arrays: filters image after image,
/// times a kernel again and again, or runs a model batch after batch.
public enum FreedMemory {
    /// Has glibc's allocator keep freed memory for the next allocation of any size, instead of
    /// giving blocks from 128 KiB up their own mappings (glibc's default) and returning them
    /// to the system as they are freed, so each new one's pages are mapped and zeroed by the
    /// kernel again. Memory a process frees is not returned to the system until it exits, so
    /// call it in processes that reuse what they free, before they allocate; it does nothing
    /// with other C libraries. The `convkit` command calls it first.
    ///
    /// Measured with `convkit bench convolve --size 4096 --threads 1 --repeat 15`, three
    /// alternating runs each, median ms before / after: scharr-x 14.4-17.1 / 11.2-13.0,
    /// gaussian5 19.1-20.2 / 14.5-16.8. `convkit train` for one epoch on 2 threads peaked at
    /// 425-438 MiB before and 436 MiB after. Earlier, blocks up to 32 MiB alone: `convkit
    /// evaluate` over the 10,000 test images went from 89,000 page faults and 0.27-0.87 s of
    /// system time to 53,000 and 0.14 s.
    public static func keep() { ck_keep_freed_buffers() }
}

/// Creates a `[Float]` of `count` values filled by `fill`, asking the kernel for 2 MiB pages
/// first when it is large. A 4096x4096 plane otherwise costs 16,384 page faults on first touch,
/// as much time as a 3x3 convolution itself; numpy (and so OpenCV's Python results) madvise
/// large arrays the same way. The pages are then mapped and zeroed in one call before `fill`
/// runs: each first-touch fault on a huge page stalled the worker that wrote it (on this VM the
/// zeroing also makes the host map the memory back in), and on two threads the faults of both
/// workers interleaved with their writes.
func makeLargeArray(count: Int, _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        #if canImport(Glibc)
            let hugePage: UInt = 2 << 20
            if count * MemoryLayout<Float>.stride >= 8 << 20, let base = buffer.baseAddress {
                let start = (UInt(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
                let end = UInt(bitPattern: base + count) & ~(hugePage - 1)
                if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
                    _ = madvise(pointer, Int(end - start), MADV_HUGEPAGE)
                }
                // Map and zero every page now, in one call, rather than fault by fault while
                // the workers write; kernels before 5.14 refuse and the writes fault as before.
                // Memory a freed array left (``FreedMemory``) is mapped already, and walking
                // its pages again cost 0.8 ms of a 4096x4096 scharr-x's 5 ms on two threads:
                // when its first and last pages are mapped, the block is taken as reused.
                let page = UInt(getpagesize())
                let first = (UInt(bitPattern: base) + page - 1) & ~(page - 1)
                let last = UInt(bitPattern: base + count) & ~(page - 1)
                if last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first),
                    !(isMapped(pointer) && isMapped(pointer + Int(last - first - page)))
                {
                    _ = madvise(pointer, Int(last - first), MADV_POPULATE_WRITE)
                }
            }
        #endif
        fill(buffer)
        initialized = count
    }
}

#if canImport(Glibc)
    /// Whether the page at `page` (page-aligned) is mapped in memory.
    private func isMapped(_ page: UnsafeMutableRawPointer) -> Bool {
        var resident: UInt8 = 0
        return mincore(page, 1, &resident) == 0 && resident & 1 == 1
    }
#endif
