// WorkerThreads: the --threads option of the benchmarks, and the one check of every --threads.

import ArgumentParser
import ConvkitSupport

/// `--threads N`, 1 to ``ThreadPolicy/maximum``; every core when not given.
struct WorkerThreads: ParsableArguments {
    @Option(valueHelp: "Worker threads (default: every core).", valueName: "N")
    var threads: Int?

    func validate() throws {
        try Self.require(threads)
    }

    /// Fails unless `threads` (when given) is 1 to ``ThreadPolicy/maximum``, the most threads
    /// convkit's loops use.
    static func require(_ threads: Int?) throws {
        if let threads, !(1...ThreadPolicy.maximum).contains(threads) {
            throw ValidationError("--threads must be 1 to \(ThreadPolicy.maximum), got \(threads)")
        }
    }
}
