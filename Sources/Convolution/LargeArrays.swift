// LargeArrays: big result arrays backed by transparent huge pages, as numpy does for its arrays.

#if canImport(Glibc)
    import Glibc
#endif

/// Creates a `[Float]` of `count` values filled by `fill`, asking the kernel for 2 MiB pages
/// first when it is large. A 4096x4096 plane otherwise costs 16,384 page faults on first touch,
/// as much time as a 3x3 convolution itself; numpy (and so OpenCV's Python results) madvise
/// large arrays the same way.
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
            }
        #endif
        fill(buffer)
        initialized = count
    }
}
