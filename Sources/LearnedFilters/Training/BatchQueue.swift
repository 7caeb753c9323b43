// BatchQueue: the next batches of an epoch made on a background thread while the current one
// trains, at most `depth` ahead, handed out in order.

import Foundation

/// Makes batches `0..<steps` in order on its own thread, keeping at most `depth` made and not
/// yet taken, so decoding overlaps training while memory stays bounded. Which samples a batch
/// holds is decided by the caller's `make`, never by timing.
final class BatchQueue: @unchecked Sendable {
    typealias Batch = (images: Tensor, labels: [Int])

    private let condition = NSCondition()
    private var made = [Int: Result<Batch, Error>]()
    private var taken = 0
    private var cancelled = false
    private var producerDone = false

    /// Starts making batches with `make(step)`.
    init(steps: Int, depth: Int = 2, make: @escaping @Sendable (Int) throws -> Batch) {
        let thread = Thread { [self] in
            for step in 0..<steps {
                condition.lock()
                while step - taken >= depth, !cancelled { condition.wait() }
                let stop = cancelled
                condition.unlock()
                if stop { break }
                let result = Result { try make(step) }
                condition.lock()
                made[step] = result
                condition.broadcast()
                condition.unlock()
                if case .failure = result { break }
            }
            condition.lock()
            producerDone = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Waits for batch `step` (taken in order from 0) and returns it, or its error.
    func take(_ step: Int) throws -> Batch {
        condition.lock()
        defer { condition.unlock() }
        while made[step] == nil { condition.wait() }
        let result = made.removeValue(forKey: step)!
        taken = step + 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops making batches and waits for the background thread to finish.
    func finish() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !producerDone { condition.wait() }
        condition.unlock()
    }
}
