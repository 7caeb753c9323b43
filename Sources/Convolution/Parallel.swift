// Parallel: splitting work into bands that run on every core.

import Dispatch
import Foundation

/// A pointer that worker threads write through, each to its own disjoint part.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

/// A read-only pointer shared by worker threads.
struct SharedConstPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
}

enum Parallel {
    /// The number of worker threads to use: `requested`, or every active core.
    static func threadCount(_ requested: Int?) -> Int {
        max(1, requested ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `body` over `0..<count` split into contiguous ranges, on `threads` workers. A few
    /// ranges per thread balance the load when cores are shared with other work.
    static func forEachBand(
        count: Int, threads: Int, minimumBand: Int = 1, _ body: @Sendable (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        if threads <= 1 || count <= minimumBand {
            body(0..<count)
            return
        }
        let bands = min(max(1, count / minimumBand), threads * 4)
        let size = (count + bands - 1) / bands
        let used = (count + size - 1) / size
        DispatchQueue.concurrentPerform(iterations: used) { index in
            let start = index * size
            body(start..<min(count, start + size))
        }
    }
}
