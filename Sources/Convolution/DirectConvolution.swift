// DirectConvolution: every kernel tap applied directly, SIMD along rows, bands of rows per core.

import CConvKernels
import ConvkitSupport

/// The direct path: a valid correlation of the extended image with the effective (already
/// flipped for convolve) kernel. Each output row reads its kernel's input rows in place (no
/// copy of the image or of its rows; rows the boundary rule adds are looked up, not built).
/// Its plain counterpart is ``ReferenceConvolution``.
enum DirectConvolution {
    /// Returns the `geometry.output` values, row-major. `weights` is the effective kernel,
    /// row-major `geometry.kernel.rows x geometry.kernel.columns`.
    ///
    /// Output rows whose input rows hold only finite values are summed over the nonzero taps
    /// alone (Scharr-x: 6 of 9): the sums start at +0 and so are never -0, and a finite value
    /// times zero is a zero, so leaving it out gives the same bits. Rows with inf or NaN keep
    /// every tap, so 0 x inf still makes the NaN the reference makes.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int,
        fused: Bool
    ) -> [Float] {
        let outColumns = g.output.columns
        let denseColumns = g.dense.columns
        let nonzero = weights.indices.filter { weights[$0] != 0 }
        let skipZeros = nonzero.count < weights.count && source.fill.isFinite
        let nonzeroWeights = nonzero.map { weights[$0] }
        return outputBands(g, threads: threads, minimumBand: 8) { band, out in
            let cache = LineCache(source, count: g.span.rows)
            var finite = FiniteRows(source, count: g.span.rows)
            var lines = [UnsafePointer<Float>](
                repeating: source.input, count: g.kernel.rows)
            var sources = [UnsafePointer<Float>](repeating: source.input, count: weights.count)
            var dense = [Float](repeating: 0, count: g.stride.columns > 1 ? denseColumns : 0)
            for row in band {
                let first = row * g.stride.rows
                var allFinite = skipZeros
                for r in 0..<g.kernel.rows {
                    let y = first + r * g.dilation.rows
                    lines[r] = cache.line(y)
                    if allFinite { allFinite = finite.check(row: y, line: lines[r]) }
                }
                let destination = out.base + row * outColumns
                dense.withUnsafeMutableBufferPointer { d in
                    let target = g.stride.columns == 1 ? destination : d.baseAddress!
                    if allFinite {
                        source.correlate(
                            lines: lines, kernelRows: g.kernel.rows,
                            kernelColumns: g.kernel.columns, dilation: g.dilation.columns,
                            weights: nonzeroWeights, count: denseColumns, into: target,
                            sources: &sources, fused: fused, taps: nonzero)
                    } else {
                        source.correlate(
                            lines: lines, kernelRows: g.kernel.rows,
                            kernelColumns: g.kernel.columns, dilation: g.dilation.columns,
                            weights: weights, count: denseColumns, into: target,
                            sources: &sources, fused: fused)
                    }
                    if g.stride.columns > 1 {
                        subsample(
                            target, stride: g.stride.columns, count: outColumns,
                            into: destination)
                    }
                }
            }
        }
    }
}

/// Whether extended rows hold only finite values, checked once per row as a band walks down
/// the image (slot `row % count`, like ``LineCache``). 8-bit rows always do.
private struct FiniteRows {
    private let alwaysFinite: Bool
    private let width: Int
    private var rows: [Int]
    private var finite: [Bool]

    init(_ source: PaddedRows, count: Int) {
        alwaysFinite = source.bytes != nil
        width = source.inputColumns
        rows = [Int](repeating: -1, count: max(1, count))
        finite = [Bool](repeating: false, count: max(1, count))
    }

    /// Whether extended row `row`, whose values `line` points at, is all finite.
    mutating func check(row: Int, line: UnsafePointer<Float>) -> Bool {
        if alwaysFinite { return true }
        let slot = row % rows.count
        if rows[slot] != row {
            rows[slot] = row
            finite[slot] = ck_all_finite(line, width) != 0
        }
        return finite[slot]
    }
}

/// The `geometry.output` values, row-major, computed by `body` band by band of output rows on
/// `threads` threads (bands of at least `minimumBand` rows), `body` writing each band's rows of
/// the result it is given: the frame the direct and separable paths share.
func outputBands(
    _ g: ConvolutionGeometry, threads: Int, minimumBand: Int,
    _ body: @Sendable (Range<Int>, SharedPointer<Float>) -> Void
) -> [Float] {
    makeLargeArray(count: g.output.rows * g.output.columns) { buffer in
        let out = buffer.shared
        parallelBands(g.output.rows, threads: threads, minimumBand: minimumBand) { band in
            body(band, out)
        }
    }
}
