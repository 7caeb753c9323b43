// LargeArrays: big result arrays backed by transparent huge pages, as numpy does for its arrays.

#if canImport(Glibc)
    import Glibc
#endif

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
                let page = UInt(getpagesize())
                let first = (UInt(bitPattern: base) + page - 1) & ~(page - 1)
                let last = UInt(bitPattern: base + count) & ~(page - 1)
                if last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) {
                    _ = madvise(pointer, Int(last - first), MADV_POPULATE_WRITE)
                }
            }
        #endif
        fill(buffer)
        initialized = count
    }
}
