// FilterRun: one file through `filter`: read, filter, check the result is finite, write.

import ArgumentParser
import ConvkitSupport
import Convolution
import Foundation
import ImageIO

/// Everything needed to filter one file; shared by the worker threads of a batch.
struct FilterRun: Sendable {
    var filter: ImageFilter
    /// `--range`; nil picks the default for images and is a mistake for PNG from a float array.
    let range: OutputRange?
    let gray: Bool
    /// `--bit-depth`: bits per PNG sample; nil keeps an image's (and is 8 for a float array).
    var bitDepth: Int?
    let compression: Int
    let verbose: Bool
    let maxPixels: Int
    /// The batch's output folder, created before the first write (nil for one file).
    let folder: String?
    /// `--memory`: the whole run's budget, shared by the files filtered at once.
    var memoryBudget = MemorySize.defaultBudget
    /// How many files a batch filters at once (one per worker thread), each within its share.
    var filesAtOnce = 1
    /// `--band-rows`: stream in bands of this many output rows whatever the image's size.
    var bandRows: Int?
    /// Whether `--memory` was given: then only the budget (or --max-pixels) makes a PNG stream.
    var memoryGiven = false

    /// Reads, filters and writes one file; returns the input's pixel count (width x height).
    @discardableResult
    func process(_ job: FilterJobs.Item) throws -> Int {
        if let (stream, input) = streamedFilter(for: job) {
            try processStreamed(job, with: stream, input: input)
            return input.rows * input.columns
        }
        var times = StageTimes()
        let input = try times.time("read") {
            try InputFiles.imageOrArray(job.input, maxPixels: maxPixels)
        }
        let pixels: Int
        switch input {
        case .image(let image, let chunks):
            try process(image, chunks: chunks, job, times: &times)
            pixels = image.width * image.height
        case .array(let array):
            try process(array, job, times: &times)
            pixels =
                array.shape.count >= 2 ? array.shape[0] * array.shape[1] : array.shape.first ?? 0
        }
        if verbose { printError("convkit: \(job.input): \(times.summary)") }
        return pixels
    }

    private func process(
        _ input: Image, chunks: PNGChunks, _ job: FilterJobs.Item, times: inout StageTimes
    ) throws {
        let image = gray ? input.grayscale() : input
        describePlan(rows: image.height, columns: image.width, job)
        if filter.float64 {
            return try processInFloat64(image, chunks: chunks, from: input, job, times: &times)
        }
        let result = try naming(job) {
            try times.time("convolve") { try filter.apply(to: image) }
        }
        try requireFinite(
            result.firstNonFinite, largestInput: Double(image.maxSampleValue),
            limit: Double(Float.greatestFiniteMagnitude), job)
        try prepareFolder(for: job)
        switch job.format {
        case .npy: try times.time("write") { try NPY.write(result.npyArray(), to: job.output) }
        case .png:
            let output = try times.time("range") {
                try result.image(range: imageRange, bitDepth: bitDepth)
            }
            Self.noteIfConstant(output, range: imageRange, job)
            try writePNG(output, chunks: chunks, from: input, job, times: &times)
        }
    }

    /// `--float64`: the whole computation in Float64, written as float64, or mapped to PNG
    /// samples from the Float64 result (not from a Float32 rounding of it, which can merge
    /// values that normalize would tell apart).
    private func processInFloat64(
        _ image: Image, chunks: PNGChunks, from input: Image, _ job: FilterJobs.Item,
        times: inout StageTimes
    ) throws {
        let result = try naming(job) {
            try times.time("convolve") { try filter.applyInFloat64(to: image) }
        }
        try requireFinite(
            result.firstNonFinite, largestInput: Double(image.maxSampleValue),
            limit: Double.greatestFiniteMagnitude, job)
        try prepareFolder(for: job)
        switch job.format {
        case .npy: try times.time("write") { try NPY.write(result.npyArray(), to: job.output) }
        case .png:
            let output = try times.time("range") {
                try result.image(
                    range: imageRange, bitDepth: bitDepth ?? image.bitDepth,
                    from: image.maxSampleValue, alpha: image.hasAlpha)
            }
            Self.noteIfConstant(output, range: imageRange, job)
            try writePNG(output, chunks: chunks, from: input, job, times: &times)
        }
    }

    /// `--range`, or the default for an image's result: `normalize` for edge maps, else `clamp`.
    var imageRange: OutputRange {
        range ?? OutputRange.automatic(kernelSteps: filter.steps, magnitude: filter.magnitude)
    }

    /// Writes `output`, the result of filtering `input`, with the chunks it keeps of the input's.
    private func writePNG(
        _ output: Image, chunks: PNGChunks, from input: Image, _ job: FilterJobs.Item,
        times: inout StageTimes
    ) throws {
        let options = PNGWriteOptions(
            compressionLevel: compression, chunks: outputChunks(chunks, channels: input.channels))
        try times.time("write") { try ImageFile.write(output, to: job.output, options: options) }
    }

    private func process(_ array: NPYArray, _ job: FilterJobs.Item, times: inout StageTimes)
        throws
    {
        try requireArrayOptions(dtype: InputFiles.dtypeName(array.values), job)
        if array.shape.count >= 2 {
            describePlan(rows: array.shape[0], columns: array.shape[1], job)
        }
        let result = try naming(job) {
            try times.time("convolve") { try filter.apply(to: array, name: job.input) }
        }
        let largest = array.values.doubles.reduce(0) { max($0, abs($1)) }
        let isDouble = if case .float64 = result.planes { true } else { false }
        try requireFinite(
            result.firstNonFinite, largestInput: largest,
            limit: isDouble
                ? Double.greatestFiniteMagnitude : Double(Float.greatestFiniteMagnitude),
            job)
        try prepareFolder(for: job)
        switch job.format {
        case .npy: try times.time("write") { try NPY.write(result.npyArray(), to: job.output) }
        case .png:
            let output = try times.time("range") {
                try result.image(range: range ?? .normalize, bitDepth: bitDepth ?? 8)
            }
            Self.noteIfConstant(output, range: range ?? .normalize, job)
            try times.time("write") {
                try ImageFile.write(
                    output, to: job.output, options: PNGWriteOptions(compressionLevel: compression))
            }
        }
    }

    /// The ancillary chunks a PNG output keeps from the input's `chunks` (an image of
    /// `channels`): without those of colour when `--gray` makes a colour image grey, and
    /// `pHYs` divided by the stride.
    func outputChunks(_ chunks: PNGChunks, channels: Int) -> PNGChunks {
        chunks.forOutput(
            grey: gray, fromChannels: channels, columns: filter.options.stride.columns,
            rows: filter.options.stride.rows)
    }

    /// The options a float array refuses: `--gray`, and PNG output without `--range`.
    func requireArrayOptions(dtype: String, _ job: FilterJobs.Item) throws {
        if gray {
            throw ValidationError(
                "\(job.input): --gray converts colour images; a \(dtype) array's channels are filtered as they are"
            )
        }
        if job.format == .png && range == nil {
            throw ValidationError(
                "\(job.input): a \(dtype) array has no sample range, so PNG output needs --range (normalize, clamp, abs or offset); or write .npy to keep the exact values"
            )
        }
    }

    /// Runs `body`; a ``ConvolutionError`` it throws becomes one line that names the input
    /// once (an array's errors name it already) and adds the command-line hint.
    func naming<T>(_ job: FilterJobs.Item, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConvolutionError {
            let text = "\(error)\(commandLineHint(for: error))"
            throw CLIError(text.hasPrefix(job.input + ":") ? text : "\(job.input): \(text)")
        }
    }

    /// `--verbose`: one line per kernel saying which algorithm runs and why.
    func describePlan(rows: Int, columns: Int, _ job: FilterJobs.Item) {
        guard verbose, let lines = try? filter.planDescriptions(rows: rows, columns: columns)
        else { return }
        for line in lines { printError("convkit: \(job.input): \(line)") }
    }

    /// A result with inf or NaN is an error naming the input that caused it, never an image.
    func requireFinite(
        _ bad: (channel: Int, x: Int, y: Int)?, largestInput: Double, limit: Double,
        _ job: FilterJobs.Item
    ) throws {
        guard let bad else { return }
        let cause =
            filter.overflowCause(largestInput: largestInput, limit: limit)
            ?? "the arithmetic overflowed"
        throw CLIError(
            "\(job.input): the result is not finite (inf or NaN at x \(bad.x), y \(bad.y)): \(cause)"
        )
    }

    /// Creates the batch's output folder (its failure stops the batch), then the subfolder
    /// a `--recursive` output goes into (its failure fails this file only).
    func prepareFolder(for job: FilterJobs.Item) throws {
        guard let folder else { return }
        do {
            try OutputPaths.createFolder(folder)
        } catch let error as CLIError {
            throw BatchStoppingError(description: error.description)
        }
        let parent = (job.output as NSString).deletingLastPathComponent
        if parent != OutputPaths.trimmedFolder(folder) { try OutputPaths.createFolder(parent) }
    }
}

/// A failure that no later file of a batch can escape: the output folder cannot be made, or
/// the manifest cannot be appended to (every later file would go unrecorded, and a restart with
/// `--skip-existing` would never record it). The batch stops with this one message instead of
/// one per file.
struct BatchStoppingError: UserFacingError {
    let description: String
}

/// The end of a run over several files: a count of those that failed, and exit status 1.
enum BatchOutcome {
    /// Exits with 1 after failures, first saying how many files failed when there were several
    /// (`report`).
    static func finish(failed: Int, of total: Int, report: Bool = true) throws {
        guard failed > 0 else { return }
        if report { printError("convkit: \(failed) of \(counted(total, "file")) failed") }
        throw ExitCode(1)
    }
}
