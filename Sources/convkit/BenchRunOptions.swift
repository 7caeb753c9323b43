// BenchRunOptions: --size, --repeat and --threads of the benchmarks, declared and checked once,
// with each benchmark's own defaults, ranges and --repeat help.

import ArgumentParser

/// One benchmark's defaults and accepted ranges for ``BenchRunOptions``.
struct BenchLimits {
    /// The default and the accepted range of `--size`.
    let size: Int, sizes: ClosedRange<Int>
    /// The default and the accepted range of `--repeat`, and what one run is.
    let repetitions: Int, repetitionCounts: ClosedRange<Int>, repeatHelp: String
}

/// A benchmark command, with the limits of its run options.
protocol BenchDefaults {
    static var limits: BenchLimits { get }
}

/// `--size`, `--repeat` and `--threads` of the benchmark `Bench`.
struct BenchRunOptions<Bench: BenchDefaults>: ParsableArguments {
    @Option(valueHelp: "Image width and height in pixels.", valueName: "pixels")
    var size = Bench.limits.size

    @Option(
        name: .customLong("repeat"), valueHelp: Bench.limits.repeatHelp, valueName: "runs")
    var repetitions = Bench.limits.repetitions

    @OptionGroup var threading: WorkerThreads
    var threads: Int? { threading.threads }

    func validate() throws {
        let limits = Bench.limits
        guard limits.sizes.contains(size) else {
            throw ValidationError(
                "--size must be \(limits.sizes.lowerBound) to \(limits.sizes.upperBound), got \(size)"
            )
        }
        guard limits.repetitionCounts.contains(repetitions) else {
            throw ValidationError(
                "--repeat must be \(limits.repetitionCounts.lowerBound) to \(limits.repetitionCounts.upperBound), got \(repetitions)"
            )
        }
    }
}
