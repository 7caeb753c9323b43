// Parallel: the thread policy and the loops that split work over it, deterministically.

import Dispatch
import Foundation

/// How many threads convkit's loops use: every active core unless set otherwise. One value for
/// the whole process, so filtering, PNG coding and training agree.
package enum ThreadPolicy {
    nonisolated(unsafe) private static var configured: Int?

    /// The cores this process may run on, read once: Foundation reads them from the cgroup and
    /// cpuset files on every call, which took 11% of `predict`'s samples over 10,000 small
    /// images when each parallel loop asked again.
    package static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The most threads any loop uses: more are of no use on any machine, and a count near
    /// `Int.max` would overflow the loops' band arithmetic.
    package static let maximum = 256

    /// The thread count: the last value given to ``set(_:)``, or every active core.
    package static var count: Int {
        configured ?? cores
    }

    /// Uses `count` threads from now on (1 to ``maximum``); `nil` goes back to every core. Call
    /// it before starting parallel work, not during.
    package static func set(_ count: Int?) {
        configured = count.map(bounded)
    }

    /// `requested` if given (1 to ``maximum``), else ``count``.
    package static func resolve(_ requested: Int?) -> Int {
        requested.map(bounded) ?? count
    }

    private static func bounded(_ count: Int) -> Int {
        min(max(1, count), maximum)
    }
}

/// Runs `body` on at most `parts` contiguous ranges that cover `0..<count`, each with its part
/// number. The boundaries depend only on `count` and `parts`, never on scheduling, so per-part
/// results are the same on every run.
package func parallelChunks(
    _ count: Int, parts: Int = ThreadPolicy.count, _ body: @Sendable (Int, Range<Int>) -> Void
) {
    let used = chunkCount(count, parts: parts)
    if used == 1 {
        body(0, 0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: used) { part in
        body(part, count * part / used..<count * (part + 1) / used)
    }
}

/// Runs `body` over `0..<count` in bands of at least `minimumBand`, a few per thread, so a
/// core slowed by other work does not hold up the rest. For loops whose bands write disjoint
/// results; use ``parallelChunks(_:parts:_:)`` where a band's result depends on its boundaries.
package func parallelBands(
    _ count: Int, threads: Int = ThreadPolicy.count, minimumBand: Int = 1,
    _ body: @Sendable (Range<Int>) -> Void
) {
    guard count > 0 else { return }
    if threads <= 1 || count <= minimumBand {
        body(0..<count)
        return
    }
    let bands = min(max(1, count / minimumBand), threads * 4)
    let size = (count + bands - 1) / bands
    DispatchQueue.concurrentPerform(iterations: (count + size - 1) / size) { index in
        let start = index * size
        body(start..<min(count, start + size))
    }
}

/// Sums over `0..<count` in parallel with a result that does not depend on timing: each of at
/// most `parts` chunks adds into its own zeroed buffer of `length` floats, and the buffers are
/// then added into `total` in chunk order.
package func accumulateInChunks(
    _ count: Int, length: Int, into total: UnsafeMutablePointer<Float>,
    parts: Int = ThreadPolicy.count,
    _ body: @Sendable (_ range: Range<Int>, _ sums: UnsafeMutablePointer<Float>) -> Void
) {
    let used = chunkCount(count, parts: parts)
    var partial = [Float](repeating: 0, count: used * length)
    partial.withSharedMutablePointer { sums in
        parallelChunks(count, parts: used) { part, range in
            body(range, sums + part * length)
        }
    }
    partial.withUnsafeBufferPointer { sums in
        for part in 0..<used {
            let chunk = sums.baseAddress.unsafelyUnwrapped + part * length
            for index in 0..<length { total[index] += chunk[index] }
        }
    }
}

/// How many ranges ``parallelChunks(_:parts:_:)`` cuts `count` items into: at most `parts`, at
/// least 1. Loops that keep one partial sum per range size their buffers with it.
package func chunkCount(_ count: Int, parts: Int = ThreadPolicy.count) -> Int {
    max(1, min(parts, count))
}

extension Array where Element == Float {
    /// Adds per-range partial sums to these values in range order, so the result depends only
    /// on the number of ranges: range `k`'s sums are `count` floats starting at
    /// `offset + k * stride` of `partial`.
    package mutating func addPartialSums(
        _ partial: [Float], chunks: Int, offset: Int = 0, stride: Int
    ) {
        for chunk in 0..<chunks {
            let start = offset + chunk * stride
            for index in indices { self[index] += partial[start + index] }
        }
    }
}
