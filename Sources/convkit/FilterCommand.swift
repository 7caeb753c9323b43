// `convkit filter`: applies kernels to images and float arrays, one file or many in parallel.

import ArgumentParser
import ConvkitSupport
import Convolution
import Dispatch
import Foundation
import ImageIO
import Synchronization

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convolve images with kernels, as scipy.signal.convolve2d or torch conv2d would.",
        discussion: """
            Every channel is filtered in Float32 (--float64 for the exact reference loops). The \
            kernel is flipped (true convolution, scipy.signal.convolve2d) unless --correlate is \
            given (scipy.signal.correlate2d, cv2.filter2D, torch conv2d).

            Inputs: PNG images (any colour type and bit depth), NPY images (uint8 or uint16, \
            shape (H, W) or (H, W, C) with C from 1 to 4) and float NPY arrays (float32 or \
            float64, the same shapes; every channel is filtered, float64 in Float64).

            Geometry: --padding adds cells by the --boundary rule, then --mode applies, then the \
            (dilated) kernel slides with --stride. Per-axis values are N or WxH (width x height: \
            --stride 1x2 steps 2 rows down); --padding is N or T,B,L,R. With --padding the mode \
            defaults to valid, so '--correlate --padding 1 --stride 2' is exactly \
            torch.nn.functional.conv2d(x, k, stride=2, padding=1). 'same' keeps scipy's \
            alignment for even-sized kernels, which differs between convolve and correlate.

            Output: the extension decides the format. OUT.png maps the float result to the \
            input's bit depth (or --bit-depth) by --range (default: normalize for edge \
            detectors and --magnitude, clamp otherwise; a float array has no bit depth, so PNG \
            output from one is 8-bit unless --bit-depth 16, and needs --range). OUT.npy keeps the exact result: float32, or float64 \
            for a float64 array or with --float64, shape (H, W) or (H, W, C). A PNG from a PNG \
            keeps its colour space, resolution (divided by --stride) and text chunks. A result holding inf or NaN is an \
            error naming its cause. Several inputs or a folder need an output folder (an \
            existing one or a name ending in '/'), filled with NAME.png or NAME.npy \
            (--format), never over one of the inputs; files run in parallel, a bad file is \
            reported and the rest still processed, and the exit status is then 1. A folder \
            gives its .png and .npy files; images in other formats (JPEG, TIFF, ...) and \
            FIFOs or devices are skipped and named in a note, hidden files and folders ('.' \
            names) in silence.

            Alpha is never edge-filtered: blurs use premultiplied alpha, other kernels pass it \
            through (--alpha changes this).

            Examples:
              convkit filter in.png --kernel scharr-x -o edges.png
              convkit filter in.png --kernel gaussian:9,2 -o soft.png
              convkit filter in.png --kernel sobel-x --kernel sobel-y --magnitude -o g.png
              convkit filter in.png --kernel sobel-x -o gx.npy
              convkit filter gx.npy --kernel box3 --range normalize -o gx-soft.png
              convkit filter scan16.png --kernel gaussian5 -o s.npy
              convkit filter s.npy --kernel sharpen --range clamp --bit-depth 16 -o s.png
              convkit filter in.png --kernel K --correlate --padding 1 --stride 2 -o o.npy
              convkit filter photos/ --kernel gaussian5 -o blurred/ --skip-existing
              convkit filter scans/ --recursive --kernel box3 -o out/ --shard auto \\
                --manifest done.jsonl

            Batches: --recursive mirrors subfolders under the output folder. --shard K/N \
            takes the inputs whose path (inside its folder input, or as written) hashes \
            (FNV-1a 64) to K modulo N, so N jobs with the same inputs cover each one once. \
            --shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (sbatch \
            --array=0-3 for N = 4); Kubernetes gives JOB_COMPLETION_INDEX but no count, so \
            write --shard auto/N there. --manifest lines: input, output, status, kernels, \
            options, pixels, seconds; read them with 'convkit manifest summary'.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Input PNG or NPY files, or folders of them ('-' for standard input).",
            valueName: "input"))
    var inputs: [String] = []

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Output file (.png or .npy; '-' for standard output), or folder for several inputs.",
            valueName: "file|folder/"))
    var output: String

    @Option(
        help: ArgumentHelp(
            "A kernel: name, family (gaussian:5,1.0), matrix (\"3x3: ...\") or file; repeat to apply several in order. See 'convkit kernels'.",
            valueName: "kernel"))
    var kernel: [String] = []

    @Option(
        help: "full, same or valid (default: same, or valid with --padding).")
    var mode: ConvolutionMode?

    @Option(
        help:
            "Values outside the image: fill (the --fill value), wrap, symm (mirror with edge), reflect101 (mirror without edge, OpenCV's default) or nearest."
    )
    var boundary: BoundaryName = .fill

    @Option(
        valueHelp: "The value outside the image for --boundary fill (default: 0).",
        valueName: "value")
    var fill: NumberArgument?

    @Option(valueHelp: "Step between outputs: N, or WxH.", valueName: "N|WxH")
    var stride: AxisPairArgument = AxisPairArgument(AxisPair(1))

    @Option(valueHelp: "Spacing between kernel taps: N, or WxH.", valueName: "N|WxH")
    var dilation: AxisPairArgument = AxisPairArgument(AxisPair(1))

    @Option(
        valueHelp: "Cells added on every side (N), or top,bottom,left,right (default: none).",
        valueName: "N|T,B,L,R")
    var padding: PaddingArgument?

    @Flag(
        help: "Correlate (do not flip the kernel), as cv2.filter2D and torch conv2d do.")
    var correlate = false

    @Flag(
        help: "Combine exactly two kernels as sqrt(a^2 + b^2), e.g. sobel-x and sobel-y.")
    var magnitude = false

    @Flag(help: "Convert colour to grey first (ITU-R BT.601 luma).")
    var gray = false

    @Option(
        help:
            "How a float result becomes PNG samples: clamp, abs, normalize (min-max; a result of one value everywhere becomes all zeros, as with cv2.normalize, and a note says so) or offset (0 is mid-grey) (default: normalize for edge detectors, clamp otherwise)."
    )
    var range: OutputRange?

    @Option(
        help:
            "Alpha handling: auto (premultiply for blurs, pass otherwise), premultiply, pass or filter."
    )
    var alpha: AlphaPolicy = .auto

    @Option(
        help:
            "Format of outputs written into a folder or to '-' (default: png; a file's extension decides)."
    )
    var format: ImageFileFormat?

    @Option(
        valueHelp:
            "Bits per PNG sample: 8 or 16 (default: the input image's; 8 for a float array). clamp, abs and offset rescale an image's range to it (x257 from 8 to 16 bits); a float array's values are taken as samples of this depth.",
        valueName: "bits")
    var bitDepth: Int?

    @OptionGroup var png: CompressionOption

    @Flag(
        help:
            "Compute in Float64 with the plain reference loops (slow; for exactness checks; never streamed); .npy output is then float64, PNG output mapped from the Float64 result."
    )
    var float64 = false

    @Flag(
        help: "With several inputs, leave outputs that already exist untouched.")
    var skipExisting = false

    @Flag(
        help:
            "Say which algorithm (direct SIMD, separable, FFT) runs for each kernel, and why, and the milliseconds of each file's stages (read, convolve, range, write)."
    )
    var verbose = false

    @OptionGroup var reading: ReadOptions

    @OptionGroup var batch: BatchOptions

    @Option(
        valueHelp:
            "Memory budget in bytes, or with K, M, G, T, e.g. 512M or 2.5G (default: a quarter of RAM). A PNG or float32 .npy array whose in-memory filtering would need more, or that exceeds --max-pixels, is streamed in bands of rows (not interlaced; a chain of kernels streams unless it wraps or uses the FFT path); --max-pixels then does not apply. Without --memory, PNG-to-PNG filtering of 1 MP or more streams whenever it can and --range is not normalize (less memory and CPU time; the same result).",
        valueName: "size")
    var memory: String?

    @Option(name: .long, parsing: .unconditional, help: .hidden)
    var bandRows: Int?

    func validate() throws {
        guard !inputs.isEmpty || batch.filesFrom != nil else {
            throw ValidationError("give at least one input file or folder, or --files-from LIST")
        }
        guard !kernel.isEmpty else {
            throw ValidationError("give at least one --kernel ('convkit kernels' lists them)")
        }
        if magnitude && kernel.count != 2 {
            throw ValidationError(
                "--magnitude combines exactly two kernels, got \(counted(kernel.count, "--kernel option"))"
            )
        }
        try stride.requireAtLeast(1, option: "--stride")
        try dilation.requireAtLeast(1, option: "--dilation")
        if let p = padding?.padding, p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0 {
            throw ValidationError(
                "--padding cannot be negative, got \(p.top),\(p.bottom),\(p.left),\(p.right)")
        }
        if let fill {
            try fill.requireFloat32(option: "--fill")
            guard boundary == .fill else {
                throw ValidationError(
                    "--fill applies only to --boundary fill, not \(boundary.rawValue)")
            }
        }
        if let memory, MemorySize.parse(memory) == nil {
            throw ValidationError("--memory must be \(MemorySize.expected), got '\(memory)'")
        }
        if let bitDepth, bitDepth != 8, bitDepth != 16 {
            throw ValidationError("--bit-depth must be 8 or 16, got \(bitDepth)")
        }
        if let bandRows, bandRows < 1 {
            throw ValidationError("--band-rows must be at least 1, got \(bandRows)")
        }
    }

    /// The checks that need the planned jobs, made in `run()` so that the inputs (a folder of a
    /// million files, a `--files-from` list on standard input) are listed once: options for
    /// PNG output refused for `.npy` output, and `--skip-existing` for a single file.
    private func check(_ jobs: FilterJobs) throws {
        if (jobs.items.first?.format ?? format) == .npy {
            for (given, option) in [(bitDepth != nil, "--bit-depth"), (range != nil, "--range")]
            where given {
                throw ValidationError(
                    "\(option) sets the samples of PNG output; .npy output keeps the exact float result"
                )
            }
            try png.requireNotGiven(for: ".npy output")
        }
        if skipExisting && !jobs.isBatch {
            throw ValidationError(
                "--skip-existing is for several inputs or a folder; with one input, -o names the one file to write"
            )
        }
    }

    func run() throws {
        let steps = try kernel.map { try KernelArguments.resolve($0, float64: float64) }
        let options = ConvolutionOptions(
            operation: correlate ? .correlate : .convolve,
            mode: mode ?? (padding == nil ? .same : .valid),
            boundary: boundary.rule(fill: fill?.value ?? 0),
            padding: padding?.padding ?? .zero,
            stride: stride.pair, dilation: dilation.pair)
        let filter = ImageFilter(
            steps: steps, options: options, magnitude: magnitude, alpha: alpha, float64: float64)
        let jobs = try FilterJobs.plan(
            inputs: try batch.inputs(after: inputs), output: output, format: format,
            recursive: batch.recursive, listed: batch.filesFrom != nil)
        try check(jobs)
        let shard = try batch.resolvedShard(isBatch: jobs.isBatch)
        let recorder = BatchRecorder(
            writer: try batch.manifest.map { try ManifestWriter(path: $0) }, kernels: kernel,
            options: manifestOptions, shard: shard, describe: Self.message)
        var run = FilterRun(
            filter: filter, range: range, gray: gray, compression: png.compression,
            verbose: verbose, maxPixels: reading.maxPixels, folder: jobs.folder)
        run.memoryBudget = memory.flatMap(MemorySize.parse) ?? MemorySize.defaultBudget
        run.bandRows = bandRows
        run.bitDepth = bitDepth
        run.memoryGiven = memory != nil
        if !jobs.isBatch {
            let job = jobs.items[0]
            try recorder.run(job) { try run.process(job) }
            return
        }
        let mine = jobs.items.filter { shard?.contains($0.key) ?? true }
        try jobs.refuseOverwritingInputs(running: mine)
        for note in jobs.skipped.skippedNotes { printError("convkit: note: " + note) }
        try runBatch(mine, run: run, recorder: recorder)
    }

    /// Processes many files on every core; failures are reported and counted, not fatal.
    private func runBatch(_ items: [FilterJobs.Item], run: FilterRun, recorder: BatchRecorder)
        throws
    {
        let todo =
            skipExisting
            ? items.filter {
                $0.unreadable != nil || !FileManager.default.fileExists(atPath: $0.output)
            } : items
        let progress = BatchProgress(total: todo.count)
        let failures = FailureCount()
        let workers = min(todo.count, max(1, ThreadPolicy.cores))
        var batchRun = run
        batchRun.filter.options.threads = workers > 1 ? 1 : nil
        batchRun.filesAtOnce = workers
        let shared = batchRun
        let next = WorkQueue(count: todo.count)
        let fatal = Mutex<BatchStoppingError?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while fatal.withLock({ $0 == nil }), let index = next.take() {
                do {
                    try recorder.run(todo[index]) {
                        if let error = todo[index].unreadable { throw error }
                        return try shared.process(todo[index])
                    }
                } catch let error as BatchStoppingError {
                    fatal.withLock { $0 = $0 ?? error }
                } catch {
                    failures.add()
                    progress.report("convkit: error: \(Self.message(for: error, job: todo[index]))")
                }
                progress.advance()
            }
        }
        progress.finish()
        if let error = fatal.withLock({ $0 }) { throw error }
        try BatchOutcome.finish(failed: failures.value, of: todo.count)
    }

    /// A one-line message for a failed file, naming the input if the error names neither it
    /// nor its output (whose name comes from the input's).
    static func message(for error: Error, job: FilterJobs.Item) -> String {
        let text =
            (error as? UserFacingError).map(presented) ?? (error as? ValidationError)?.message
            ?? "\(error)"
        let line =
            text.hasPrefix(job.input + ":") || text.hasPrefix(job.output + ":")
            ? text : "\(job.input): \(text)"
        return oneLine(line)
    }
}
