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
    /// Rows of finite input are summed over the nonzero taps alone (Scharr-x: 6 of 9): the
    /// sums start at +0 and so are never -0, and a finite value times zero is a zero, so
    /// leaving it out gives the same bits. 8-bit rows are finite by construction. Float rows
    /// are tested with the fused sums, each newest row in the pass that sums it without its
    /// zero taps (a separate pass cost more than the three taps save); an output row whose
    /// rows hold inf or NaN is summed again over every tap, so 0 x inf still makes the NaN the
    /// reference makes. The portable loops keep every tap for float input.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int,
        fused: Bool
    ) -> [Float] {
        let outColumns = g.output.columns
        let denseColumns = g.dense.columns
        let nonzero = weights.indices.filter { weights[$0] != 0 }
        let hasZeros = nonzero.count < weights.count && source.fill.isFinite
        let skipBytes = hasZeros && source.bytes != nil
        let skipFloats = hasZeros && source.bytes == nil && fused
        let allTaps = TapLayout(
            kernel: weights, kernelRows: g.kernel.rows, dilation: g.dilation.columns)
        let nonzeroTaps = TapLayout(
            kernel: weights, kernelRows: g.kernel.rows, dilation: g.dilation.columns,
            taps: nonzero)
        return outputBands(g, threads: threads, minimumBand: 8) { band, out in
            let cache = LineCache(source, count: g.span.rows)
            var finite = FiniteRows(count: g.span.rows)
            // Per-band scratch, so that the row loop passes pointers, not arrays.
            let lines = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(
                capacity: g.kernel.rows)
            let sources = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(
                capacity: weights.count)
            let dense = UnsafeMutablePointer<Float>.allocate(
                capacity: g.stride.columns > 1 ? denseColumns : 0)
            defer {
                lines.deallocate()
                sources.deallocate()
                dense.deallocate()
            }
            let last = g.kernel.rows - 1
            for row in band {
                let first = row * g.stride.rows
                for r in 0..<g.kernel.rows {
                    lines[r] = cache.line(first + r * g.dilation.rows)
                }
                // Whether to leave zero taps out, and the newest row to test while doing so.
                var skip = skipBytes
                var pending: UnsafePointer<Float>? = nil
                if skipFloats {
                    skip = true
                    for r in 0...last {
                        let y = first + r * g.dilation.rows
                        if let known = finite[y] {
                            skip = skip && known
                        } else if r == last {
                            pending = lines[r]
                        } else {
                            let ok =
                                ck_weighted_sum_checked(
                                    nil, nil, 0, 0, nil, lines[r], source.inputColumns,
                                    FusedSums.lanes) != 0
                            finite[y] = ok
                            skip = skip && ok
                        }
                    }
                    if !skip { pending = nil }
                }
                let destination = out.base + row * outColumns
                let target = g.stride.columns == 1 ? destination : dense
                if skip {
                    let ok = source.correlate(
                        lines: lines, taps: nonzeroTaps, count: denseColumns, into: target,
                        sources: sources, fused: fused, check: pending)
                    if pending != nil { finite[first + last * g.dilation.rows] = ok }
                    skip = ok
                }
                if !skip {
                    source.correlate(
                        lines: lines, taps: allTaps, count: denseColumns, into: target,
                        sources: sources, fused: fused)
                }
                if g.stride.columns > 1 {
                    subsample(
                        target, stride: g.stride.columns, count: outColumns, into: destination)
                }
            }
        }
    }
}

/// Whether extended rows hold only finite values, by row number, as a band walks down the
/// image (slot `row` masked to a power of two at least `count`, so no division per row); nil
/// for a row not yet tested.
private struct FiniteRows {
    private var rows: [Int]
    private var finite: [Bool]
    private let mask: Int

    init(count: Int) {
        let slots = 1 << (Int.bitWidth - max(1, count - 1).leadingZeroBitCount)
        mask = slots - 1
        rows = [Int](repeating: -1, count: slots)
        finite = [Bool](repeating: false, count: slots)
    }

    subscript(row: Int) -> Bool? {
        get { rows[row & mask] == row ? finite[row & mask] : nil }
        set {
            rows[row & mask] = row
            finite[row & mask] = newValue ?? false
        }
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
