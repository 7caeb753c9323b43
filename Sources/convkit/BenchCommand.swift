// `convkit bench convolve`: median time of the convolution engine on a large random image.

import ArgumentParser
import ConvkitSupport
import Convolution
import Dispatch
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure convkit's speed (scripts/bench-convolve.py compares it with OpenCV and scipy).",
        subcommands: [BenchConvolve.self]
    )
}

struct BenchConvolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convolve",
        abstract: "Median milliseconds to convolve a random float32 image, same mode, per kernel.",
        usage: "convkit bench convolve [<options>]",
        discussion: """
            Kernels: scharr-x 3x3, gaussian5 5x5, box:15, box:31 and a random (not \
            separable) 31x31, on a SIZE x SIZE image of seeded uniform random values in [0, 1). \
            Each kernel is planned once, then timed REPEAT times; the median is reported with \
            the path the planner chose. Build with -c release before measuring.
            """
    )

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Image width and height in pixels.", valueName: "pixels"))
    var size = 4096

    @Option(
        name: .customLong("repeat"), parsing: .unconditional,
        help: ArgumentHelp("Timed runs per kernel (the median is reported).", valueName: "runs"))
    var repetitions = 5

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Worker threads (default: every core).", valueName: "N"))
    var threads: Int?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard (16...16384).contains(size) else {
            throw ValidationError("--size must be 16 to 16384, got \(size)")
        }
        guard (1...1000).contains(repetitions) else {
            throw ValidationError("--repeat must be 1 to 1000, got \(repetitions)")
        }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
    }

    func run() throws {
        let image = try Plane<Float>(
            rows: size, columns: size,
            values: BenchData.uniform(count: size * size, seed: 20_261_129))
        let kernels = try BenchData.kernels()
        var records = [[String: Any]]()
        if !json {
            print(
                "convkit bench convolve: \(size)x\(size) float32, same mode, \(threads ?? ProcessInfo.processInfo.activeProcessorCount) threads, median of \(repetitions)"
            )
            print("kernel       size    path         median ms")
        }
        for kernel in kernels {
            let options = ConvolutionOptions(mode: .same, threads: threads)
            let plan = try ConvolutionPlan(
                kernel: kernel, inputRows: size, inputColumns: size, options: options)
            _ = try Convolution.apply(plan, to: image)  // warm-up: FFTW plans, page mapping
            var times = [Double]()
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Convolution.apply(plan, to: image)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let median = times.sorted()[times.count / 2]
            let shape = Sizes.text(width: kernel.columns, height: kernel.rows)
            if json {
                records.append([
                    "kernel": kernel.name, "shape": shape, "path": plan.path.rawValue,
                    "median_ms": median, "runs_ms": times,
                ])
            } else {
                print(
                    kernel.name.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                        + shape.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                        + plan.path.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + " "
                        + String(format: "%9.1f", median))
            }
        }
        if json {
            let document: [String: Any] = [
                "size": size, "repeat": repetitions, "dtype": "float32", "mode": "same",
                "threads": threads ?? ProcessInfo.processInfo.activeProcessorCount,
                "results": records,
            ]
            try printJSON(document)
        }
    }
}

/// The benchmark's image and kernels, seeded so every run measures the same work.
enum BenchData {
    /// Uniform values in [0, 1) from the package's SplitMix64 generator.
    static func uniform(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextUnitFloat() }
    }

    /// scharr-x, gaussian5, box:15, box:31 from the kernel library, and a random 31x31.
    static func kernels() throws -> [Kernel] {
        var kernels = try ["scharr-x", "gaussian5", "box:15", "box:31"].map { spec -> Kernel in
            guard let kernel = try KernelLibrary.resolve(spec).first else {
                throw CLIError("\(spec): no kernel")
            }
            return kernel
        }
        let weights = uniform(count: 31 * 31, seed: 31).map { Double($0) * 2 - 1 }
        kernels.append(try Kernel(name: "random31", rows: 31, columns: 31, weights: weights))
        return kernels
    }
}
