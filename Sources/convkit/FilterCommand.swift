// `convkit filter`: applies kernels to images, one file or many in parallel.

import ArgumentParser
import Convolution
import Dispatch
import Foundation
import ImageIO

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convolve images with kernels, as scipy.signal.convolve2d or torch conv2d would.",
        discussion: """
            Every colour channel is filtered in Float32 (--float64 for the exact reference
            loops). The kernel is flipped (true convolution, scipy.signal.convolve2d) unless
            --correlate is given (scipy.signal.correlate2d, cv2.filter2D, torch conv2d).

            Geometry: --padding adds cells by the --boundary rule, then --mode applies, then the
            (dilated) kernel slides with --stride. Per-axis values are written N or HxW (rows x
            columns, numpy's order: --stride 2x1); --padding is N or T,B,L,R. With --padding the
            mode defaults to valid, so '--correlate --padding 1 --stride 2' is exactly
            torch.nn.functional.conv2d(x, k, stride=2, padding=1). 'same' keeps scipy's
            alignment for even-sized kernels, which differs between convolve and correlate.

            Output: -o OUT.png maps the float result to the input's bit depth by --range
            (default: normalize for edge detectors and --magnitude, clamp otherwise); -o OUT.npy
            keeps the exact float32 result, (H, W) or (H, W, C). Several inputs or a folder
            need an output folder; files run in parallel, a bad file is reported and the rest
            still processed, and the exit status is 1 if any failed.

            Alpha is never edge-filtered: blurs use premultiplied alpha, other kernels pass it
            through (--alpha changes this).
            """
    )

    @Argument(help: "Input PNG or NPY files, or folders of them ('-' for standard input).")
    var inputs: [String]

    @Option(
        name: .shortAndLong,
        help:
            "Output file (.png or .npy, '-' for PNG on standard output), or a folder for several inputs."
    )
    var output: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A kernel: name, family (gaussian:5,1.0), matrix (\"3x3: ...\") or file; repeat to apply several in order. See 'convkit kernels'.",
            valueName: "KERNEL"))
    var kernel: [String] = []

    @Option(name: .long, help: "full, same or valid (default: same, or valid with --padding).")
    var mode: ConvolutionMode?

    @Option(
        name: .long,
        help:
            "Values outside the image: fill (--fill), wrap, symm (mirror with edge), reflect101 (mirror without edge, OpenCV's default) or nearest."
    )
    var boundary: BoundaryName = .fill

    @Option(name: .long, help: "The value outside the image for --boundary fill.")
    var fill: Double = 0

    @Option(
        name: .long,
        help: ArgumentHelp("Step between outputs: N, or HxW (rows x columns).", valueName: "N|HxW"))
    var stride: AxisPairArgument = AxisPairArgument(AxisPair(1))

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Spacing between kernel taps: N, or HxW (rows x columns).", valueName: "N|HxW"))
    var dilation: AxisPairArgument = AxisPairArgument(AxisPair(1))

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Cells added on every side (N), or top,bottom,left,right (T,B,L,R).",
            valueName: "N|T,B,L,R"))
    var padding: PaddingArgument?

    @Flag(
        name: .long,
        help: "Correlate (do not flip the kernel), as cv2.filter2D and torch conv2d do.")
    var correlate = false

    @Flag(
        name: .long,
        help: "Combine exactly two kernels as sqrt(a^2 + b^2), e.g. sobel-x and sobel-y.")
    var magnitude = false

    @Flag(name: .long, help: "Convert colour to grey first (ITU-R BT.601 luma).")
    var gray = false

    @Option(
        name: .long,
        help:
            "How a float result becomes samples: clamp, abs, normalize (min-max) or offset (0 is mid-grey)."
    )
    var range: OutputRange?

    @Option(
        name: .long,
        help:
            "Alpha handling: auto (premultiply for blurs, pass otherwise), premultiply, pass or filter."
    )
    var alpha: AlphaPolicy = .auto

    @Option(name: .long, help: "PNG zlib compression level, 0 (fastest) to 9 (smallest).")
    var compression = 6

    @Flag(
        name: .long,
        help: "Compute in Float64 with the plain reference loops (slow; for exactness checks).")
    var float64 = false

    @Flag(name: .long, help: "With several inputs, leave outputs that already exist untouched.")
    var skipExisting = false

    @Flag(
        name: .long,
        help: "Say which algorithm (direct SIMD, separable, FFT) runs for each kernel, and why.")
    var verbose = false

    @OptionGroup var reading: ReadOptions

    func validate() throws {
        guard !inputs.isEmpty else {
            throw ValidationError("give at least one input file or folder")
        }
        guard !kernel.isEmpty else {
            throw ValidationError("give at least one --kernel (see 'convkit kernels')")
        }
        if magnitude && kernel.count != 2 {
            throw ValidationError(
                "--magnitude combines exactly two kernels, got \(kernel.count) --kernel options")
        }
        guard stride.pair.rows >= 1, stride.pair.columns >= 1 else {
            throw ValidationError("--stride must be at least 1 on each axis, got \(stride.pair)")
        }
        guard dilation.pair.rows >= 1, dilation.pair.columns >= 1 else {
            throw ValidationError(
                "--dilation must be at least 1 on each axis, got \(dilation.pair)")
        }
        guard (0...9).contains(compression) else {
            throw ValidationError("--compression must be 0 to 9, got \(compression)")
        }
        if let p = padding?.padding, p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0 {
            throw ValidationError(
                "--padding cannot be negative, got \(p.top),\(p.bottom),\(p.left),\(p.right)")
        }
    }

    func run() throws {
        let steps = try kernel.map { try KernelLibrary.resolve($0) }
        let options = ConvolutionOptions(
            operation: correlate ? .correlate : .convolve,
            mode: mode ?? (padding == nil ? .same : .valid),
            boundary: boundary.rule(fill: fill),
            padding: padding?.padding ?? .zero,
            stride: stride.pair, dilation: dilation.pair)
        let filter = ImageFilter(
            steps: steps, options: options, magnitude: magnitude, alpha: alpha, float64: float64)
        let outputRange = range ?? OutputRange.automatic(kernelSteps: steps, magnitude: magnitude)
        let jobs = try FilterJobs.plan(inputs: inputs, output: output)
        if jobs.count == 1 && !jobs.isBatch {
            try process(jobs.items[0], filter: filter, range: outputRange)
            return
        }
        try runBatch(jobs.items, filter: filter, range: outputRange)
    }

    /// Reads, filters and writes one file.
    private func process(_ job: FilterJobs.Item, filter: ImageFilter, range: OutputRange) throws {
        var image = try ImageFile.read(path: job.input, maxPixels: reading.maxPixels)
        if gray { image = image.grayscale() }
        if verbose {
            for line in try filter.planDescriptions(rows: image.height, columns: image.width) {
                printError("convkit: \(job.input): \(line)")
            }
        }
        let result: FilteredImage
        do {
            result = try filter.apply(to: image)
        } catch let error as ConvolutionError {
            throw CLIError("\(job.input): \(error)")
        }
        if ImageFileFormat(path: job.output) == .npy {
            try NPY.write(result.npyArray(), to: job.output)
        } else {
            try ImageFile.write(
                result.image(range: range), to: job.output,
                options: PNGWriteOptions(compressionLevel: compression))
        }
    }

    /// Processes many files on every core; failures are reported and counted, not fatal.
    private func runBatch(_ items: [FilterJobs.Item], filter: ImageFilter, range: OutputRange)
        throws
    {
        let todo =
            skipExisting
            ? items.filter { !FileManager.default.fileExists(atPath: $0.output) } : items
        let progress = BatchProgress(total: todo.count)
        let failures = FailureCount()
        let workers = min(todo.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        var batchFilter = filter
        batchFilter.options.threads = workers > 1 ? 1 : nil
        let runFilter = batchFilter
        let next = WorkQueue(count: todo.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take() {
                do {
                    try process(todo[index], filter: runFilter, range: range)
                } catch {
                    failures.add()
                    progress.report("convkit: error: \(message(for: error, job: todo[index]))")
                }
                progress.advance()
            }
        }
        progress.finish()
        let failed = failures.value
        if failed > 0 {
            printError("convkit: \(failed) of \(todo.count) files failed")
            throw ExitCode(1)
        }
    }

    /// A one-line message for a failed file, naming the input if the error names neither it
    /// nor its output (whose name comes from the input's).
    private func message(for error: Error, job: FilterJobs.Item) -> String {
        let text = (error as? UserFacingError)?.description ?? "\(error)"
        return text.hasPrefix(job.input) || text.hasPrefix(job.output)
            ? text : "\(job.input): \(text)"
    }
}
