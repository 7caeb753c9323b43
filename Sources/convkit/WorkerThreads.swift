// WorkerThreads: the --threads option of the benchmarks.

import ArgumentParser

/// `--threads N`, at least 1; every core when not given.
struct WorkerThreads: ParsableArguments {
    @Option(valueHelp: "Worker threads (default: every core).", valueName: "N")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
    }
}
