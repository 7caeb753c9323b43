// SeparableConvolution: a rank-1 kernel as a row pass then a column pass.

import ConvkitSupport

/// The separable path: with `kernel[r][c] == column[r] * row[c]`, a valid correlation is a 1-D
/// correlation of each extended row with `row`, then of each column of that with `column`:
/// `kh + kw` multiplies per output instead of `kh * kw`. The row pass reads the input rows in
/// place; each band keeps the row-pass results it still needs in a ring of `span.rows` rows, so
/// nothing is computed twice and the ring stays in cache. Its plain counterpart is ``ReferenceConvolution``.
enum SeparableConvolution {
    /// Returns the `geometry.output` values, row-major; `column`/`row` are the factors of the
    /// effective (already flipped for convolve) kernel.
    static func run(
        _ source: PaddedRows, column: [Float], row: [Float], geometry g: ConvolutionGeometry,
        threads: Int, fused: Bool
    ) -> [Float] {
        let outColumns = g.output.columns
        let denseColumns = g.dense.columns
        let rowTaps = TapLayout(kernel: row, kernelRows: 1, dilation: g.dilation.columns)
        return outputBands(g, threads: threads, minimumBand: 16) { band, out in
            let ring = RowRing(
                count: g.span.rows, width: denseColumns,
                firstRow: band.lowerBound * g.stride.rows)
            let cache = LineCache(source, count: 1)
            var dense = [Float](repeating: 0, count: denseColumns)
            var rowSources = [UnsafePointer<Float>](
                repeating: ring.pointer(row: 0), count: row.count)
            var columnSources = [UnsafePointer<Float>](
                repeating: ring.pointer(row: 0), count: column.count)
            for outRow in band {
                let first = outRow * g.stride.rows
                ring.advance(to: first) { y, destination in
                    var line = cache.line(y)
                    source.correlate(
                        lines: &line, taps: rowTaps, count: denseColumns,
                        into: destination, sources: &rowSources, fused: fused)
                }
                for r in 0..<column.count {
                    columnSources[r] = ring.pointer(row: first + r * g.dilation.rows)
                }
                let destination = out.base + outRow * outColumns
                if g.stride.columns == 1 {
                    weightedSum(
                        sources: columnSources, weights: column, taps: column.count,
                        count: denseColumns, into: destination, fused: fused)
                } else {
                    dense.withUnsafeMutableBufferPointer { d in
                        weightedSum(
                            sources: columnSources, weights: column, taps: column.count,
                            count: denseColumns, into: d.baseAddress!, fused: fused)
                        subsample(
                            d.baseAddress!, stride: g.stride.columns, count: outColumns,
                            into: destination)
                    }
                }
            }
        }
    }
}
