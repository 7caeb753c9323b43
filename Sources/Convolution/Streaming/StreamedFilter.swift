// StreamedFilter: an ImageFilter run over a PNG file in bands of rows, for images larger than
// memory: each band is read with its halo, convolved by the ordinary engine, and handed on.

import ConvkitSupport
import ImageIO

/// Filters a PNG file band by band with the same engine and the same result as
/// ``ImageFilter/apply(to:)`` on the whole image, holding only a band of rows, its halo (the
/// rows the kernel's span reaches past the band) and the few edge rows the boundary rule copies.
///
/// Each band of output rows is computed by the whole filter on a slab of the boundary-extended
/// image: the rows the band needs, extended along rows by the boundary rule, convolved in
/// `valid` mode with the columns padded as the whole image's are. Every output value is then
/// the same sum of the same products as in the whole image (the direct, separable and
/// reference paths compute each output row on its own; on the FFT path bands start and end
/// where the whole image's tiles do), so streamed and in-memory outputs are identical.
///
/// A filter of one step (one kernel, a compass set, or `magnitude`'s two kernels, each applied
/// to the input) streams when its kernels have one size. A chain of steps streams too (see
/// `runChain(path:body:)`) unless its boundary is `wrap` or one of its kernels
/// runs on the FFT path.
public struct StreamedFilter: Sendable {
    public let filter: ImageFilter
    /// Convert colour to grey before filtering, as `Image.grayscale()` does.
    public let gray: Bool
    /// Output rows per band (the FFT path rounds it up to whole tiles).
    public let bandRows: Int

    public init(filter: ImageFilter, gray: Bool = false, bandRows: Int = 64) {
        self.filter = filter
        self.gray = gray
        self.bandRows = max(1, bandRows)
    }

    /// Why `filter` cannot stream, in words, or nil when it can.
    public static func obstacle(to filter: ImageFilter) -> String? {
        let kernels = filter.steps.flatMap { $0 }
        guard let first = kernels.first else { return "there is no kernel" }
        if isChain(filter) { return chainObstacle(to: filter) }
        if kernels.contains(where: { $0.rows != first.rows || $0.columns != first.columns }) {
            return "its kernels differ in size"
        }
        return nil
    }

    /// Whether `filter` applies its steps one after another (not `magnitude`'s two at once).
    static func isChain(_ filter: ImageFilter) -> Bool {
        filter.steps.count > 1 && !filter.magnitude
    }

    /// Filters the non-interlaced PNG at `path`, calling `body` with each band's result and
    /// the output row it starts at, top to bottom.
    /// - Throws: ``ConvolutionError`` as ``ImageFilter/apply(to:)`` does, `ImageIOError` for
    ///   the file, and whatever `body` throws (which stops the run).
    public func run(path: String, body: (FilteredImage, Int) throws -> Void) throws {
        if let obstacle = Self.obstacle(to: filter) {
            throw ConvolutionError.shapeMismatch("the filter cannot stream: \(obstacle)")
        }
        if Self.isChain(filter) { return try runChain(path: path, body: body) }
        let reader = try PNGRowReader(path: path)
        let header = reader.header
        guard !reader.isInterlaced else {
            throw ImageIOError.unsupported(
                path: path, detail: "an interlaced PNG cannot be read by rows")
        }
        let (slabFilter, bands) = try singleStep(rows: header.height, columns: header.width)
        var input = try ExtendedInput(path: path, reader: reader, bands: bands)
        for band in bands.bands {
            var (slab, fillRows) = try input.slab(bands.extendedRows(of: band))
            if gray { slab = slab.grayscale() }
            let result = try slabFilter.apply(to: slab, fillingRows: fillRows)
            try body(Self.firstRows(band.count, of: result), band.lowerBound)
        }
    }

    /// A filter of one step over an input of `rows` x `columns`: the filter that computes a
    /// band from its slab, and the bands (on the FFT path, following the whole image's tiles).
    func singleStep(rows: Int, columns: Int) throws -> (slabFilter: ImageFilter, bands: StreamBands)
    {
        let kernel = filter.steps[0][0]
        let bandFilter = try self.bandFilter(kernel: kernel, columns: columns)
        let plan = try ConvolutionPlan(
            kernel: kernel, inputRows: bandFilter.spanRows, inputColumns: columns,
            options: bandFilter.filter.options)
        let bands = try StreamBands(
            inputRows: rows, kernelRows: kernel.rows, options: filter.options,
            fftColumns: plan.path == .fft && !filter.float64
                ? (plan.geometry.span.columns, plan.geometry.padded.columns) : nil,
            bandRows: bandRows)
        var slabFilter = bandFilter.filter
        slabFilter.options.fftRowTile = bands.tile?.rows
        return (slabFilter, bands)
    }

    /// The filter that computes a band from its slab: `valid` along rows, the whole image's
    /// column padding as explicit padding.
    func bandFilter(kernel: Kernel, columns: Int) throws -> (
        filter: ImageFilter, spanRows: Int
    ) {
        let options = filter.options
        let spanRows = dilatedKernelSpan(kernel: kernel.rows, dilation: options.dilation.rows)
        let axis = ConvolutionAxis(
            input: columns, kernel: kernel.columns, stride: options.stride.columns,
            dilation: options.dilation.columns,
            padding: (options.padding.left, options.padding.right), options: options)
        var band = filter
        band.options.mode = .valid
        band.options.padding = Padding(
            top: 0, bottom: 0, left: axis.padding.before, right: axis.padding.after)
        guard axis.output > 0 else {
            throw ConvolutionError.kernelLargerThanImage(
                kernel: kernel.name, span: AxisPair(rows: spanRows, columns: axis.span),
                image: AxisPair(rows: spanRows, columns: axis.padded), mode: options.mode)
        }
        return (band, spanRows)
    }

    /// The output size for an input of `rows` x `columns` (what ``run(path:body:)`` yields).
    public func outputSize(rows: Int, columns: Int) throws -> AxisPair {
        if Self.isChain(filter) { return try chainSteps(rows: rows, columns: columns).output }
        let kernel = filter.steps[0][0]
        let bands = try StreamBands(
            inputRows: rows, kernelRows: kernel.rows, options: filter.options, fftColumns: nil,
            bandRows: 1)
        let band = try bandFilter(kernel: kernel, columns: columns)
        let g = try ConvolutionGeometry(
            inputRows: band.spanRows, inputColumns: columns, kernelRows: kernel.rows,
            kernelColumns: kernel.columns, options: band.filter.options)
        return AxisPair(rows: bands.outputRows, columns: g.output.columns)
    }

    /// Reads every row of `reader`, keeping the rows in `wanted`.
    static func readRows(_ wanted: Set<Int>, of reader: PNGRowReader, rowBytes: Int)
        throws -> [Int: [UInt8]]
    {
        var kept = [Int: [UInt8]]()
        var row = [UInt8](repeating: 0, count: rowBytes)
        for y in 0..<reader.header.height {
            try row.withUnsafeMutableBytes { try reader.read(rows: 1, into: $0.baseAddress!) }
            if wanted.contains(y) { kept[y] = row }
        }
        return kept
    }

    static func image(
        _ bytes: [UInt8], width: Int, rows: Int, channels: Int, bitDepth: Int
    ) throws -> Image {
        let samples: Image.Samples =
            bitDepth == 16
            ? .uint16(bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) })
            : .uint8(bytes)
        return try Image(width: width, height: rows, channels: channels, samples: samples)
    }

    /// The first `count` rows of a band's result (an FFT band may compute a few more).
    static func firstRows(_ count: Int, of result: FilteredImage) -> FilteredImage {
        guard result.rows > count else { return result }
        func cut(_ plane: Plane<Float>) -> Plane<Float> {
            Plane(
                unchecked: count, columns: plane.columns,
                values: Array(plane.values.prefix(count * plane.columns)))
        }
        return FilteredImage(
            colour: result.colour.map(cut), alpha: result.alpha.map(cut),
            maxValue: result.maxValue)
    }
}

/// The rows of a PNG's boundary-extended image that bands read, in order: a window of the rows
/// read last, and the edge rows the boundary copies, kept once read (or read first, when a band
/// needs them before the reading reaches them).
struct ExtendedInput {
    let header: PNGDecoder.Header
    let bands: StreamBands
    let rowBytes: Int
    private var window: RowWindow
    private var edge = [Int: [UInt8]]()

    /// Reads `path` (whose open `reader` has read nothing yet) for `bands`, whose slabs are
    /// `slabs` in the order they will be asked for (by default each band's).
    init(path: String, reader: PNGRowReader, bands: StreamBands, slabs: [Range<Int>]? = nil)
        throws
    {
        header = reader.header
        self.bands = bands
        rowBytes = header.width * header.channels * header.decodedBitDepth / 8
        var reader = reader
        if bands.needsEdgePass(reading: slabs ?? bands.bands.map(bands.extendedRows(of:))) {
            edge = try StreamedFilter.readRows(bands.edgeRows, of: reader, rowBytes: rowBytes)
            reader = try PNGRowReader(path: path)
        }
        window = RowWindow(reader: reader, rowBytes: rowBytes)
    }

    /// The input rows inside the extended rows `rows` (empty when all are extension).
    func interior(of rows: Range<Int>) -> Range<Int> {
        let inside = rows.clamped(to: bands.top..<(bands.top + header.height))
        return (inside.lowerBound - bands.top)..<(inside.upperBound - bands.top)
    }

    /// The extended rows `rows` as an image, with the indices of the rows that stand for the
    /// fill value (left 0 here). Input rows from `keep` on stay in memory for later slabs (by
    /// default those from the first of `rows`).
    mutating func slab(_ rows: Range<Int>, keepingFrom keep: Int? = nil) throws -> (
        image: Image, fillRows: [Int]
    ) {
        let inside = interior(of: rows)
        if !inside.isEmpty {
            try window.hold(
                inside, from: min(keep ?? inside.lowerBound, inside.lowerBound),
                keeping: bands.edgeRows, in: &edge)
        }
        var bytes = [UInt8](repeating: 0, count: rows.count * rowBytes)
        var fillRows = [Int]()
        for (index, row) in rows.enumerated() {
            guard let source = bands.source(ofExtendedRow: row) else {
                fillRows.append(index)
                continue
            }
            let copied = window.copy(row: source, into: &bytes, at: index * rowBytes)
            if !copied, let kept = edge[source] {
                bytes.replaceSubrange((index * rowBytes)..<((index + 1) * rowBytes), with: kept)
            } else if !copied {
                throw ConvolutionError.shapeMismatch("row \(source) was not kept for streaming")
            }
        }
        let image = try StreamedFilter.image(
            bytes, width: header.width, rows: rows.count, channels: header.channels,
            bitDepth: header.decodedBitDepth)
        return (image, fillRows)
    }
}

/// The input rows a band reads, held as raw decoded bytes: rows `start ..< reader.nextRow`.
private struct RowWindow {
    let reader: PNGRowReader
    let rowBytes: Int
    var start = 0
    var bytes = [UInt8]()

    init(reader: PNGRowReader, rowBytes: Int) {
        self.reader = reader
        self.rowBytes = rowBytes
    }

    /// Makes `rows` present, dropping the rows before `keep` (at most `rows.lowerBound`) and
    /// reading on; rows read past that are in `keeping` (and not yet kept) go into `kept`.
    mutating func hold(
        _ rows: Range<Int>, from keep: Int, keeping: Set<Int>, in kept: inout [Int: [UInt8]]
    ) throws {
        let end = reader.nextRow
        let drop = min(max(0, keep - start), end - start)
        if drop > 0 {
            bytes.removeFirst(drop * rowBytes)
            start += drop
        }
        var row = [UInt8](repeating: 0, count: rowBytes)
        while reader.nextRow < rows.upperBound {
            let y = reader.nextRow
            try row.withUnsafeMutableBytes { try reader.read(rows: 1, into: $0.baseAddress!) }
            if keeping.contains(y), kept[y] == nil { kept[y] = row }
            if y >= keep {
                if bytes.isEmpty { start = y }
                bytes.append(contentsOf: row)
            }
        }
    }

    /// Copies row `row` into `destination` at `offset` if the window holds it.
    func copy(row: Int, into destination: inout [UInt8], at offset: Int) -> Bool {
        guard row >= start, row < start + bytes.count / rowBytes else { return false }
        let from = (row - start) * rowBytes
        destination.replaceSubrange(
            offset..<(offset + rowBytes), with: bytes[from..<(from + rowBytes)])
        return true
    }
}
