// DirectConvolution: every kernel tap applied directly, SIMD along rows, bands of rows per core.

import ConvkitSupport

/// The direct path: a valid correlation of the extended image with the effective (already
/// flipped for convolve) kernel. Each output row reads its kernel's input rows in place (no
/// copy of the image or of its rows; rows the boundary rule adds are looked up, not built).
/// Its plain counterpart is ``ReferenceConvolution``.
enum DirectConvolution {
    /// Returns the `geometry.output` values, row-major. `weights` is the effective kernel,
    /// row-major `geometry.kernel.rows x geometry.kernel.columns`.
    ///
    /// 8-bit input is summed over the nonzero taps alone (Scharr-x: 6 of 9): its values are
    /// finite, the sums start at +0 and so are never -0, and a finite value times zero is a
    /// zero, so leaving it out gives the same bits. Float input keeps every tap, so 0 x inf
    /// still makes the NaN the reference makes (checking each row for inf and NaN first cost
    /// more than the three taps save).
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int,
        fused: Bool
    ) -> [Float] {
        let outColumns = g.output.columns
        let denseColumns = g.dense.columns
        let nonzero = weights.indices.filter { weights[$0] != 0 }
        let skipZeros =
            nonzero.count < weights.count && source.bytes != nil && source.fill.isFinite
        let nonzeroWeights = nonzero.map { weights[$0] }
        return outputBands(g, threads: threads, minimumBand: 8) { band, out in
            let cache = LineCache(source, count: g.span.rows)
            var lines = [UnsafePointer<Float>](
                repeating: source.input, count: g.kernel.rows)
            var sources = [UnsafePointer<Float>](repeating: source.input, count: weights.count)
            var dense = [Float](repeating: 0, count: g.stride.columns > 1 ? denseColumns : 0)
            for row in band {
                let first = row * g.stride.rows
                for r in 0..<g.kernel.rows {
                    lines[r] = cache.line(first + r * g.dilation.rows)
                }
                let destination = out.base + row * outColumns
                dense.withUnsafeMutableBufferPointer { d in
                    let target = g.stride.columns == 1 ? destination : d.baseAddress!
                    if skipZeros {
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
