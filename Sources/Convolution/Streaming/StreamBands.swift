// StreamBands: how a streamed image is cut into bands of output rows, and which input rows each
// band reads (its halo, and the boundary's copies of edge rows).

import ConvkitSupport

/// The row arithmetic of a filter streamed over an image `inputRows` tall: the output rows,
/// the bands that cover them, and for every band the rows of the boundary-extended image it
/// convolves. Columns are not cut: every band spans the full width, so the column geometry is
/// the whole image's.
struct StreamBands: Sendable {
    /// The row axis: the input's rows, the kernel's span, the rows the mode and padding add
    /// above and below, and the output rows.
    let axis: ConvolutionAxis
    let stride: Int
    let boundary: BoundaryRule
    /// The FFT path's tile height and the rows a tile yields, or nil for row-local paths.
    let tile: (rows: Int, valid: Int)?
    /// Output rows per band (before the last band absorbs a short remainder).
    let bandRows: Int

    /// - Parameters:
    ///   - kernelRows: the kernels' height (every kernel of a streamed filter has the same size).
    ///   - fftColumns: when the kernels run on the FFT path, whose tiles a band must reproduce,
    ///     the kernel's column span and the padded image's width (the tiles' shape needs both).
    init(
        inputRows: Int, kernelRows: Int, options: ConvolutionOptions,
        fftColumns: (span: Int, padded: Int)?, bandRows: Int
    ) throws {
        axis = ConvolutionAxis(
            input: inputRows, kernel: kernelRows, stride: options.stride.rows,
            dilation: options.dilation.rows,
            padding: (options.padding.top, options.padding.bottom), options: options)
        stride = options.stride.rows
        boundary = options.boundary
        let (span, paddedRows, outputRows) = (axis.span, axis.padded, axis.output)
        guard outputRows > 0 else {
            // The column check of the caller's geometry names the kernel and the mode.
            throw ConvolutionError.tooLarge("no output rows")
        }
        var rows = max(1, bandRows)
        if let fftColumns {
            let tileRows = FFTConvolution.tileShape(
                span: AxisPair(rows: span, columns: fftColumns.span),
                padded: AxisPair(rows: paddedRows, columns: fftColumns.padded)
            ).rows
            let valid = tileRows - span + 1
            if paddedRows <= tileRows || valid < 1 {
                tile = nil
                rows = outputRows  // one tile covers the image: one band reproduces it
            } else {
                tile = (tileRows, valid)
                // Bands start on tile boundaries (dense rows a multiple of `valid`) and are
                // tall enough that the band is tiled like the image.
                let unit = lcm(valid, stride) / stride
                let least = (2 * valid + stride + stride - 1) / stride
                rows = max(unit, ((max(rows, least) + unit - 1) / unit) * unit)
            }
        } else {
            tile = nil
        }
        self.bandRows = rows
    }

    /// Rows the mode and padding add above the image (the geometry's `before.rows`).
    var top: Int { axis.padding.before }
    /// Rows of the extended image: input plus both paddings.
    var paddedRows: Int { axis.padded }
    var outputRows: Int { axis.output }

    /// The output rows of every band, top to bottom. A band whose remainder would be too short
    /// to tile like the image takes the remainder too.
    var bands: [Range<Int>] {
        var result = [Range<Int>]()
        var start = 0
        while start < outputRows {
            var end = min(outputRows, start + bandRows)
            if end < outputRows, let tile, paddedRows - end * stride <= tile.rows {
                end = outputRows
            }
            result.append(start..<end)
            start = end
        }
        return result
    }

    /// The extended rows band `band` convolves: what its outputs need and, on the FFT path,
    /// the rest of its tiles (as the whole image's tiles see them).
    func extendedRows(of band: Range<Int>) -> Range<Int> {
        let first = band.lowerBound * stride
        var end = (band.upperBound - 1) * stride + axis.span
        if let tile {
            let dense = (band.count - 1) * stride + 1
            let tiles = (dense + tile.valid - 1) / tile.valid
            end = max(end, first + tiles * tile.valid + axis.span - 1)
        }
        return first..<min(end, paddedRows)
    }

    /// The input row that supplies extended row `row`, or nil for the fill value.
    func source(ofExtendedRow row: Int) -> Int? {
        boundary.sourceIndex(row - top, count: axis.input)
    }

    /// Input rows that supply rows of the extension above or below the image: a band may need
    /// them away from where the reading is, so they are kept once read.
    var edgeRows: Set<Int> {
        var rows = Set<Int>()
        for row in Array(0..<min(top, paddedRows)) + Array((top + axis.input)..<paddedRows) {
            if let source = source(ofExtendedRow: row) { rows.insert(source) }
        }
        return rows
    }

    /// Whether some band needs an edge row below the last row the reading has reached by then
    /// (wrap's top rows come from the image's bottom): then a first pass collects them.
    var needsEdgePass: Bool { needsEdgePass(reading: bands.map(extendedRows(of:))) }

    /// ``needsEdgePass`` for slabs of the extended rows `slabs`, read in that order.
    func needsEdgePass(reading slabs: [Range<Int>]) -> Bool {
        var reached = -1
        for rows in slabs {
            let interior = rows.clamped(to: top..<(top + axis.input))
            if !interior.isEmpty { reached = max(reached, interior.upperBound - 1 - top) }
            for row in rows where !interior.contains(row) {
                if let source = source(ofExtendedRow: row), source > reached { return true }
            }
        }
        return false
    }
}

private func lcm(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return a / x * b
}
