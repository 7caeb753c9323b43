// FilterStreaming: `filter` on PNG images larger than its memory budget, in bands of rows: the
// choice between the streamed and the in-memory path, and the streamed run itself.

import ArgumentParser
import Convolution
import Dispatch
import Foundation
import ImageIO
import Synchronization

extension FilterRun {
    /// The memory one file may take: the budget, shared evenly by the files filtered at once
    /// (above it, the in-memory path's estimated need makes a PNG stream in bands).
    var fileBudget: Int { max(1, memoryBudget / max(1, filesAtOnce)) }

    /// The budget one file gets, for messages: `the --memory budget of 2.0 GB`, or `a share of
    /// the --memory budget (1 GB of 2.0 GB, for 2 files at once)`.
    var fileBudgetText: String {
        filesAtOnce == 1
            ? "the --memory budget of \(MemorySize.describe(memoryBudget))"
            : "a file's share of the --memory budget (\(MemorySize.describe(fileBudget)) of \(MemorySize.describe(memoryBudget)), for \(filesAtOnce) files at once)"
    }

    /// Bytes the in-memory path needs per input sample: the decoded sample, its float plane,
    /// the float result and working copies (premultiplied planes, the output image).
    static let inMemoryBytesPerSample = 16

    /// Fewest pixels from which a PNG-to-PNG job streams without being made to: below it the
    /// bands' fixed costs outweigh what they save. Bands save the first touch of the whole
    /// image's float planes (31% of a 4096x3072 RGB gaussian5 run's samples were the kernel
    /// zeroing fresh pages) and deflate beside the convolution.
    static let bandedMinimumPixels = 1 << 20

    /// The streamed run for `job` and its input, or nil when the whole input is read into
    /// memory: the input must be a PNG file (not standard input, not interlaced) or a float32
    /// `.npy` array whose in-memory filtering would exceed the memory budget or `--max-pixels`
    /// (or `--band-rows` asks for bands), and the filter must be able to stream. Without
    /// `--memory`, a PNG-to-PNG job of at least ``bandedMinimumPixels`` whose range needs no
    /// first pass (not `normalize`) streams too, as it takes less memory and CPU time and the
    /// result is the same. `--verbose` says which path runs and why.
    func streamedFilter(for job: FilterJobs.Item) -> (StreamedFilter, BandedInput)? {
        guard let input = BandedInput(path: job.input) else { return nil }
        let pixels = input.rows * input.columns
        let needed = pixels * input.channels * Self.inMemoryBytesPerSample
        let say = { (text: String) in if verbose { printError("convkit: \(job.input): \(text)") } }
        let preferred =
            !memoryGiven && !input.isArray && job.format == .png && imageRange != .normalize
            && pixels >= Self.bandedMinimumPixels
        let why: String
        if let bandRows {
            why = "--band-rows \(bandRows) asks for bands"
        } else if pixels > maxPixels {
            why = "its \(pixels) pixels exceed --max-pixels \(maxPixels)"
        } else if needed > fileBudget {
            why =
                "in memory it would need about \(MemorySize.describe(needed)), more than \(fileBudgetText)"
        } else if preferred {
            why = "PNG to PNG in bands takes less memory and CPU time than in memory"
        } else {
            say(
                "filtering in memory: about \(MemorySize.describe(needed)) of \(fileBudgetText)"
            )
            return nil
        }
        let fallback = preferred ? "filtering in memory" : "filtering in memory within --max-pixels"
        // Over a budget the user gave, the fallback is said whatever --verbose says.
        let overBudget = memoryGiven && needed > fileBudget && bandRows == nil
        let tell = { (text: String) in
            if overBudget {
                printError(
                    "convkit: note: \(job.input): \(text) (about \(MemorySize.describe(needed)), more than \(fileBudgetText))"
                )
            } else {
                say(text)
            }
        }
        if let obstacle = input.obstacle {
            tell("cannot stream \(obstacle), so \(fallback)")
            return nil
        }
        // --float64 keeps Float64 between the kernels of a chain and up to the output's samples
        // or values, which the bands (Float32 between steps and in the range) would not.
        if filter.float64 {
            tell(
                "--float64 keeps Float64 from end to end, which is computed whole; \(fallback)"
            )
            return nil
        }
        if let obstacle = StreamedFilter.obstacle(to: filter) {
            tell("cannot stream: \(obstacle); \(fallback)")
            return nil
        }
        let rows =
            bandRows
            ?? Self.bandRows(width: input.columns, channels: input.channels, budget: fileBudget)
        say("streaming in bands of \(rows) rows: \(why)")
        return (StreamedFilter(filter: filter, gray: gray, bandRows: rows), input)
    }

    /// Output rows per band: a band's working set (about 32 bytes per sample of each of its
    /// rows and halo) within an eighth of the budget and 64 MB, from 8 to 256 rows.
    static func bandRows(width: Int, channels: Int, budget: Int) -> Int {
        let perRow = max(1, width * channels * 32)
        return min(256, max(8, min(budget / 8, 64 << 20) / perRow))
    }

    /// Filters `job` band by band and writes the output atomically as the bands come. With
    /// `--range normalize` a first pass finds the result's minimum and maximum, the second
    /// writes; a value that is inf or NaN stops the run before the output is replaced.
    /// `--verbose` prints the stage times, the write's beside the reading and convolving.
    func processStreamed(_ job: FilterJobs.Item, with stream: StreamedFilter, input: BandedInput)
        throws
    {
        if input.isArray { try requireArrayOptions(dtype: "float32", job) }
        describePlan(rows: input.rows, columns: input.columns, job)
        // An array's values are samples of the output's bit depth (8 unless --bit-depth 16).
        let arrayMaxValue = bitDepth == 16 ? 65535 : 255
        var times = StageTimes()
        try naming(job) {
            let size = try stream.outputSize(rows: input.rows, columns: input.columns)
            var mapping: SampleMapping<Float>?
            if job.format == .png && imageRange == .normalize {
                var extremes = (minimum: Float.infinity, maximum: -Float.infinity)
                try times.time("range pass") {
                    try input.run(stream, path: job.input, maxValue: arrayMaxValue) {
                        band, first in
                        try requireFinite(band, first: first, job)
                        let found = OutputRange.extremes(of: band.colour)
                        extremes = (
                            min(extremes.minimum, found.minimum),
                            max(extremes.maximum, found.maximum)
                        )
                    }
                }
                mapping = OutputRange.normalizing(
                    minimum: extremes.minimum, maximum: extremes.maximum,
                    maxValue: (bitDepth ?? input.bitDepth) == 16 ? 65535 : 255)
                if !(extremes.maximum > extremes.minimum) { printError(Self.constantNote(job)) }
            }
            try prepareFolder(for: job)
            let writing = Mutex<UInt64>(0)
            try times.time("read and convolve") {
                try FileAccess.writeAtomically(to: job.output) { descriptor in
                    // Bands are encoded on a queue of their own while the next band is read and
                    // convolved: one band waits at most, so memory stays two bands.
                    let writes = DispatchQueue(label: "convkit.filter.stream-writes")
                    let slot = DispatchSemaphore(value: 1)
                    let failure = Mutex<(any Error)?>(nil)
                    var sink: BandSink?
                    defer { writes.sync {} }
                    try input.run(stream, path: job.input, maxValue: arrayMaxValue) {
                        band, first in
                        if let error = failure.withLock({ $0 }) { throw error }
                        try requireFinite(band, first: first, job)
                        let current =
                            try sink
                            ?? BandSink(
                                format: job.format, descriptor: descriptor, path: job.output,
                                size: size, band: band, bitDepth: bitDepth,
                                compression: compression,
                                chunks: outputChunks(
                                    InputFiles.chunks(of: job.input), channels: input.channels))
                        sink = current
                        let bandMapping =
                            mapping
                            ?? imageRange.mapping(
                                for: [], maxValue: band.outputMaxValue(bitDepth: bitDepth),
                                from: band.maxValue)
                        slot.wait()
                        writes.async {
                            defer { slot.signal() }
                            guard failure.withLock({ $0 == nil }) else { return }
                            let start = DispatchTime.now().uptimeNanoseconds
                            defer {
                                writing.withLock {
                                    $0 += DispatchTime.now().uptimeNanoseconds - start
                                }
                            }
                            do {
                                try current.write(band, mapping: bandMapping, bitDepth: bitDepth)
                            } catch {
                                failure.withLock { $0 = error }
                            }
                        }
                    }
                    writes.sync {}
                    if let error = failure.withLock({ $0 }) { throw error }
                }
            }
            times.addBeside("write", milliseconds: Double(writing.withLock { $0 }) / 1e6)
            if verbose { printError("convkit: \(job.input): \(times.summary)") }
        }
    }

    private func requireFinite(_ band: FilteredImage, first: Int, _ job: FilterJobs.Item) throws {
        guard let bad = band.firstNonFinite else { return }
        try requireFinite(
            (bad.channel, bad.x, bad.y + first), largestInput: Double(band.maxValue),
            limit: Double(Float.greatestFiniteMagnitude), job)
    }
}

/// An input file that can be read in bands: a PNG (its rows in order) or a float32 `.npy`
/// array (any rows, read from the file as needed).
enum BandedInput {
    case png(PNGDecoder.Header)
    case array(NPYRowReader)

    /// The file at `path` if it is one of these; nil for standard input, pipes and other files
    /// (read whole, once, which reports what is wrong with them).
    init?(path: String) {
        guard FileAccess.isRegularFile(path),
            let prefix = try? FileAccess.readPrefix(path, count: 8)
        else {
            return nil
        }
        if PNGDecoder.hasSignature(prefix),
            let header = try? PNGDecoder.header(path: path)
        {
            self = .png(header)
        } else if NPY.hasMagic(prefix), let reader = try? NPYRowReader(path: path),
            reader.rows > 0, reader.columns > 0, (1...4).contains(reader.channels)
        {
            self = .array(reader)
        } else {
            return nil
        }
    }

    var isArray: Bool { if case .array = self { true } else { false } }
    var rows: Int {
        switch self {
        case .png(let header): header.height
        case .array(let reader): reader.rows
        }
    }
    var columns: Int {
        switch self {
        case .png(let header): header.width
        case .array(let reader): reader.columns
        }
    }
    var channels: Int {
        switch self {
        case .png(let header): header.channels
        case .array(let reader): reader.channels
        }
    }
    /// Bits per sample of the input (8 for an array, which has no bit depth).
    var bitDepth: Int {
        if case .png(let header) = self { return header.decodedBitDepth }
        return 8
    }

    /// Why the file cannot be read by rows, or nil.
    var obstacle: String? {
        if case .png(let header) = self, header.format.interlaced {
            return "an interlaced PNG (Adam7 rows arrive in seven passes)"
        }
        return nil
    }

    /// Runs `stream` over the file at `path`; an array's bands carry `maxValue`.
    func run(
        _ stream: StreamedFilter, path: String, maxValue: Int,
        body: (FilteredImage, Int) throws -> Void
    ) throws {
        switch self {
        case .png: try stream.run(path: path, body: body)
        case .array(let reader): try stream.run(array: reader, maxValue: maxValue, body: body)
        }
    }
}

/// Where streamed bands go: a PNG of the input's bit depth (or `--bit-depth`), or a float32
/// `.npy` array. Used by one thread at a time (the write queue, after the first band's header).
private enum BandSink: @unchecked Sendable {
    case png(PNGRowWriter)
    case npy(NPYRowWriter)

    init(
        format: ImageFileFormat, descriptor: Int32, path: String, size: AxisPair,
        band: FilteredImage, bitDepth: Int?, compression: Int, chunks: PNGChunks
    ) throws {
        let channels = band.colour.count + (band.alpha == nil ? 0 : 1)
        switch format {
        case .png:
            self = .png(
                try PNGRowWriter(
                    descriptor: descriptor, path: path, width: size.columns, height: size.rows,
                    channels: channels,
                    bitDepth: band.outputMaxValue(bitDepth: bitDepth) > 255 ? 16 : 8,
                    compressionLevel: compression, chunks: chunks))
        case .npy:
            let shape =
                channels == 1 ? [size.rows, size.columns] : [size.rows, size.columns, channels]
            self = .npy(try NPYRowWriter(descriptor: descriptor, path: path, shape: shape))
        }
    }

    func write(_ band: FilteredImage, mapping: SampleMapping<Float>, bitDepth: Int?) throws {
        switch self {
        case .png(let writer):
            try writer.write(band.image(colourMapping: mapping, bitDepth: bitDepth))
        case .npy(let writer):
            guard case .float32(let values) = try band.npyArray().values else { return }
            try writer.write(values)
        }
    }
}
