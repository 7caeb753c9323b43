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

    @OptionGroup var timing: BenchRunOptions<BenchCrossover>

    func run() throws {
        let image = try Plane<Float>(
            rows: timing.size, columns: timing.size,
            values: BenchData.uniform(count: timing.size * timing.size, seed: 20_261_129))
        print(
            "convkit bench crossover: \(timing.size)x\(timing.size) float32, same mode, \(ThreadPolicy.resolve(timing.threads)) threads, median ms of \(timing.repetitions)"
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
                kernel: kernel, inputRows: timing.size, inputColumns: timing.size,
                options: ConvolutionOptions(mode: .same, threads: timing.threads, path: path))
            _ = try Convolution.apply(plan, to: image)
            var runs = [Double]()
            for _ in 0..<timing.repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Convolution.apply(plan, to: image)
                runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.append(runs.sorted()[runs.count / 2])
        }
        let chosen = try ConvolutionPlan(
            kernel: kernel, inputRows: timing.size, inputColumns: timing.size,
            options: ConvolutionOptions(mode: .same, threads: timing.threads)
        ).path
        let name = "\(kernel.name) \(kernel.columns)x\(kernel.rows)"
        print(
            name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%9.2f %9.2f  ", times[0], times[1]) + "\(other.rawValue) "
                + "-> \(chosen.rawValue)")
    }
}

extension BenchCrossover: BenchDefaults {
    static let limits = BenchLimits(
        size: 2048, sizes: 64...8192, repetitions: 3, repetitionCounts: 1...100,
        repeatHelp: "Timed runs per kernel and path (the median).")
}
