// `convkit bench convolve`: median time of the convolution engine on a large random image.

import ArgumentParser
import ConvkitSupport
import Convolution
import Dispatch
import Foundation
import ImageIO

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure convkit's speed (scripts/bench-convolve.py compares it with OpenCV and scipy).",
        subcommands: [BenchConvolve.self, BenchCrossover.self]
    )
}

struct BenchConvolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convolve",
        abstract: "Median milliseconds to convolve a random float32 image, same mode, per kernel.",
        usage: "convkit bench convolve [<options>]",
        discussion: """
            Kernels: scharr-x 3x3, gaussian5 5x5, box:15, box:31 and a random (not \
            separable) 31x31, on a SIZE x SIZE image of seeded uniform random values in [0, 1) \
            (uint8: those values times 256, an 8-bit grey image convolved from its samples to a \
            float32 result, as OpenCV's filter2D with ddepth CV_32F; the widening is timed). Each kernel \
            is planned once, then timed REPEAT times; the median is reported with the path the \
            planner chose and its multiple of a memory copy of the same bytes (read the input, \
            write the float output). Build with -c release before measuring.
            """
    )

    @OptionGroup var timing: BenchRunOptions<BenchConvolve>

    @Option(
        valueHelp:
            "Input samples: float32, or uint8 (an 8-bit grey image, converted to float as filter does).",
        valueName: "type")
    var dtype = BenchInput.float32

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(
        name: .customLong("kernel"),
        help: ArgumentHelp(
            "Time only this kernel (repeatable): scharr-x, gaussian5, box:15, box:31 or random31.",
            valueName: "name"))
    var only: [String] = []

    func validate() throws {
        let names = Set(BenchData.kernelNames)
        for name in only where !names.contains(name) {
            throw ValidationError(
                "--kernel \(name): not one of the benchmark's kernels (\(BenchData.kernelNames.joined(separator: ", ")))"
            )
        }
    }

    func run() throws {
        let values = BenchData.uniform(count: timing.size * timing.size, seed: 20_261_129)
        let image = try Plane<Float>(rows: timing.size, columns: timing.size, values: values)
        let grey = try Image(
            width: timing.size, height: timing.size, channels: 1,
            samples: .uint8(values.map { UInt8($0 * 256) }))
        let workers = ThreadPolicy.resolve(timing.threads)
        let copyRuns = BenchData.copyMilliseconds(
            count: timing.size * timing.size, dtype: dtype, threads: workers,
            repetitions: timing.repetitions)
        let copy = copyRuns.sorted()[timing.repetitions / 2]
        let kernels = try BenchData.kernels().filter { only.isEmpty || only.contains($0.name) }
        var records = [[String: Any]]()
        if !json {
            print(
                "convkit bench convolve: \(timing.size)x\(timing.size) \(dtype.rawValue), same mode, \(workers) threads, median of \(timing.repetitions)"
            )
            print(String(format: "memory copy of the same bytes: %.1f ms", copy))
            print("kernel       size    path         median ms  x copy")
        }
        for kernel in kernels {
            let options = ConvolutionOptions(mode: .same, threads: timing.threads)
            let plan = try ConvolutionPlan(
                kernel: kernel, inputRows: timing.size, inputColumns: timing.size, options: options)
            let convolve = {
                switch dtype {
                case .float32: _ = try Convolution.apply(plan, to: image)
                case .uint8: _ = try Convolution.apply(plan, channel: 0, of: grey)
                }
            }
            try convolve()  // warm-up: FFTW plans, page mapping
            var times = [Double]()
            for _ in 0..<timing.repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                try convolve()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let median = times.sorted()[times.count / 2]
            let shape = Sizes.text(width: kernel.columns, height: kernel.rows)
            if json {
                records.append([
                    "kernel": kernel.name, "shape": shape, "path": plan.path.rawValue,
                    "median_ms": median, "runs_ms": times, "copy_fraction": median / copy,
                ])
            } else {
                print(
                    kernel.name.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                        + shape.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                        + plan.path.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + " "
                        + String(format: "%9.1f  %6.2f", median, median / copy))
            }
        }
        if json {
            let document: [String: Any] = [
                "size": timing.size, "repeat": timing.repetitions, "dtype": dtype.rawValue,
                "mode": "same",
                "threads": workers, "copy_ms": copy, "copy_runs_ms": copyRuns,
                "results": records,
            ]
            try printJSON(document)
        }
    }
}

/// The benchmark's input samples.
enum BenchInput: String, ExpressibleByArgument, CaseIterable {
    case float32, uint8
}

/// The benchmark's image and kernels, seeded so every run measures the same work.
enum BenchData {
    /// Uniform values in [0, 1) from the package's SplitMix64 generator.
    static func uniform(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextUnitFloat() }
    }

    /// The milliseconds of `repetitions` runs (after one warm-up) of a STREAM-style copy on `threads` threads that reads the
    /// input's bytes and writes the float output's (`count` floats from floats, or from bytes
    /// for uint8): the memory-bandwidth floor of a convolution that reads and writes once.
    static func copyMilliseconds(count: Int, dtype: BenchInput, threads: Int, repetitions: Int)
        -> [Double]
    {
        let floats = [Float](repeating: 1, count: dtype == .float32 ? count : 0)
        let bytes = [UInt8](repeating: 1, count: dtype == .uint8 ? count : 0)
        var output = [Float](repeating: 0, count: count)
        var times = [Double]()
        floats.withUnsafeBufferPointer { floatBuffer in
            bytes.withUnsafeBufferPointer { byteBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    // The raw pointers: the shared wrappers' subscripts are not inlined across
                    // modules, which would cost a call per value.
                    let from = floatBuffer.shared
                    let narrow = byteBuffer.shared
                    let to = outBuffer.shared
                    for _ in 0...repetitions {
                        let start = DispatchTime.now().uptimeNanoseconds
                        parallelChunks(count, parts: threads) { _, range in
                            if dtype == .float32 {
                                (to.base + range.lowerBound).update(
                                    from: from.base + range.lowerBound, count: range.count)
                            } else {
                                for i in range { to.base[i] = Float(narrow.base[i]) }
                            }
                        }
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    }
                }
            }
        }
        return Array(times.dropFirst())
    }

    /// The names of ``kernels()``, in order.
    static let kernelNames = ["scharr-x", "gaussian5", "box:15", "box:31", "random31"]

    /// scharr-x, gaussian5, box:15, box:31 from the kernel library, and a random 31x31.
    static func kernels() throws -> [Kernel] {
        var kernels = try kernelNames.dropLast().map { spec -> Kernel in
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

extension BenchConvolve: BenchDefaults {
    static let limits = BenchLimits(
        size: 4096, sizes: 16...16384, repetitions: 5, repetitionCounts: 1...1000,
        repeatHelp: "Timed runs per kernel (the median is reported).")
}
