// `convkit bench crossover`: the measurements behind the planner's rules, path against path.

import ArgumentParser
import ConvkitSupport
import Convolution
import Dispatch
import Foundation

struct BenchCrossover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossover",
        abstract: "Time the planner's paths against each other where its rules switch.",
        usage: "convkit bench crossover [<options>]",
        discussion: """
            Rank-1 K x K kernels (K = 2 to 9) on the direct and separable paths, and random \
            (not separable) K x K kernels (K = 7 to 21, odd) on the direct and FFT paths, on a \
            SIZE x SIZE float32 image, same mode, median of REPEAT. The last column is the path \
            the planner picks. Build with -c release before measuring.
            """
    )

    // Like bench convolve's on purpose: the same options, this benchmark's defaults and ranges.
    @Option(valueHelp: "Image width and height in pixels.", valueName: "pixels")
    var size = 2048

    @Option(
        name: .customLong("repeat"), valueHelp: "Timed runs per kernel and path (the median).",
        valueName: "runs")
    var repetitions = 3

    @OptionGroup var threading: WorkerThreads
    var threads: Int? { threading.threads }

    func validate() throws {
        guard (64...8192).contains(size) else {
            throw ValidationError("--size must be 64 to 8192, got \(size)")
        }
        guard (1...100).contains(repetitions) else {
            throw ValidationError("--repeat must be 1 to 100, got \(repetitions)")
        }
    }

    func run() throws {
        let image = try Plane<Float>(
            rows: size, columns: size,
            values: BenchData.uniform(count: size * size, seed: 20_261_129))
        print(
            "convkit bench crossover: \(size)x\(size) float32, same mode, \(ThreadPolicy.resolve(threads)) threads, median ms of \(repetitions)"
        )
        print("kernel           direct     other   planner")
        for k in 2...9 {
            let factor = BenchData.uniform(count: k, seed: UInt64(k)).map { Double($0) + 0.5 }
            let weights = factor.flatMap { a in factor.map { a * $0 } }
            let kernel = try Kernel(name: "rank1", rows: k, columns: k, weights: weights)
            try compare(kernel, .separable, on: image)
        }
        for k in stride(from: 7, through: 21, by: 2) {
            let weights = BenchData.uniform(count: k * k, seed: UInt64(k)).map {
                Double($0) * 2 - 1
            }
            let kernel = try Kernel(name: "random", rows: k, columns: k, weights: weights)
            try compare(kernel, .fft, on: image)
        }
    }

    /// Prints one line: `kernel` on the direct path and on `other`, and the planner's choice.
    private func compare(_ kernel: Kernel, _ other: ConvolutionPath, on image: Plane<Float>)
        throws
    {
        var times = [Double]()
        for path in [ConvolutionPath.direct, other] {
            let plan = try ConvolutionPlan(
                kernel: kernel, inputRows: size, inputColumns: size,
                options: ConvolutionOptions(mode: .same, threads: threads, path: path))
            _ = try Convolution.apply(plan, to: image)
            var runs = [Double]()
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Convolution.apply(plan, to: image)
                runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.append(runs.sorted()[runs.count / 2])
        }
        let chosen = try ConvolutionPlan(
            kernel: kernel, inputRows: size, inputColumns: size,
            options: ConvolutionOptions(mode: .same, threads: threads)
        ).path
        let name = "\(kernel.name) \(kernel.columns)x\(kernel.rows)"
        print(
            name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%9.1f %9.1f  ", times[0], times[1]) + "\(other.rawValue) "
                + "-> \(chosen.rawValue)")
    }
}
