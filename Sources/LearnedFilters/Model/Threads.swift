// Threads: the public switch for the thread count of training and inference.

import ConvkitSupport

/// Number of worker threads for convkit's own loops and for OpenBLAS.
public enum Threads {
    /// The current thread count (at least 1): every active core unless ``set(_:)`` said otherwise.
    public static var count: Int { ThreadPolicy.count }

    /// Sets the thread count for convkit's loops (1 to 256; a count outside is brought inside);
    /// `nil` means every active core.
    /// Same seed and same count give the same weights.
    public static func set(_ count: Int?) {
        ThreadPolicy.set(count)
    }
}
