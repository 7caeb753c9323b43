// Parallel: splits batch loops over the cores in fixed chunks, so results do not depend on timing.

import Dispatch

/// A raw pointer that may cross into the worker closures; callers guarantee disjoint writes.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Number of worker threads for convkit's own loops and for OpenBLAS.
public enum Threads {
    nonisolated(unsafe) private static var configured: Int = {
        BLAS.setThreads(1)
        return 2
    }()

    /// The current thread count (at least 1).
    public static var count: Int { configured }

    /// Sets the thread count for convkit's loops. Same seed and same count give the same
    /// weights. OpenBLAS itself runs single-threaded inside each of these threads: the layers
    /// split the batch, which keeps each thread's matrices in cache and avoids OpenBLAS's
    /// spinning workers competing with ours.
    public static func set(_ count: Int) {
        configured = max(1, count)
    }
}

/// Runs `body` on `chunks` contiguous ranges that cover `0..<count`, one per thread; chunk
/// boundaries depend only on `count` and the thread count, never on scheduling.
func parallelChunks(
    _ count: Int, chunks: Int = Threads.count, _ body: @Sendable (Int, Range<Int>) -> Void
) {
    let parts = max(1, min(chunks, count))
    if parts == 1 {
        body(0, 0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let start = count * part / parts
        let end = count * (part + 1) / parts
        body(part, start..<end)
    }
}
