// SeparableConvolution: a rank-1 kernel as a row pass then a column pass, or both in registers.

import CConvKernels
import ConvkitSupport

/// The separable path: with `kernel[r][c] == column[r] * row[c]`, a valid correlation is a 1-D
/// correlation of each extended row with `row`, then of each column of that with `column`:
/// `kh + kw` multiplies per output instead of `kh * kw`. The row pass reads the input rows in
/// place; each band keeps the row-pass results it still needs in a ring of `span.rows` rows, so
/// nothing is computed twice and the ring stays in cache. With AVX-512 and the fused sums, a
/// small kernel (``fitsRegisters(rows:columns:columnStride:columnDilation:)``) runs both passes
/// in registers instead (``ck_separable_sum``): a column pass then a row pass, with nothing
/// stored between them. Its plain counterpart is ``ReferenceConvolution``.
package enum SeparableConvolution {
    /// Whether this processor has the register passes (AVX-512).
    package static let registersSupported = ck_has_avx512_skylake() != 0

    /// Whether a rank-1 kernel `rows x columns` at column stride `columnStride` and column
    /// dilation `columnDilation` runs in registers here, when the fused sums are on: with
    /// AVX-512, stride and dilation 1 along the row, and at most 10 x 10. Larger kernels keep
    /// the ring, whose taps are loads where these are permutes on the same port as the
    /// multiply-adds. Measured with `convkit bench crossover --size 1024 --repeat 31`, rank-1
    /// K x K, median ms ring / registers, 1 thread: 3x3 0.43 / 0.35, 5x5 0.59 / 0.44, 8x8
    /// 0.95 / 0.78, 10x10 1.27 / 1.08, 11x11 1.19 / 1.30, 13x13 1.70 / 1.95; 2 threads: 3x3
    /// 0.31 / 0.25, 5x5 0.37 / 0.30, 10x10 0.68 / 0.63, 13x13 0.94 / 1.04.
    static func fitsRegisters(rows: Int, columns: Int, columnStride: Int, columnDilation: Int)
        -> Bool
    {
        registersSupported && columnStride == 1 && columnDilation == 1 && rows <= 10
            && columns <= 10
    }

    /// Returns the `geometry.output` values, row-major; `column`/`row` are the factors of the
    /// effective (already flipped for convolve) kernel.
    static func run(
        _ source: PaddedRows, column: [Float], row: [Float], geometry g: ConvolutionGeometry,
        threads: Int, fused: Bool
    ) -> [Float] {
        if fused
            && fitsRegisters(
                rows: column.count, columns: row.count, columnStride: g.stride.columns,
                columnDilation: g.dilation.columns)
        {
            return inRegisters(source, column: column, row: row, geometry: g, threads: threads)
        }
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

    /// Both passes in registers, output row by output row (``fitsRegisters``): each row's
    /// interior reads its input rows in place, the columns by the edges read them through the
    /// boundary rule (``PaddedRows/stretches(lines:rows:span:count:_:)``).
    private static func inRegisters(
        _ source: PaddedRows, column: [Float], row: [Float], geometry g: ConvolutionGeometry,
        threads: Int
    ) -> [Float] {
        let outColumns = g.output.columns
        let rows = column.count
        return outputBands(g, threads: threads, minimumBand: 16) { band, out in
            let cache = LineCache(source, count: g.span.rows)
            let lines = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rows)
            let starts = UnsafeMutablePointer<UnsafePointer<Float>?>.allocate(capacity: rows)
            defer {
                lines.deallocate()
                starts.deallocate()
            }
            column.withUnsafeBufferPointer { column in
                row.withUnsafeBufferPointer { row in
                    let (down, across) = (column.baseAddress!, row.baseAddress!)
                    let (rowCount, columnCount) = (Int32(rows), Int32(row.count))
                    for outRow in band {
                        let first = outRow * g.stride.rows
                        for r in 0..<rows { lines[r] = cache.line(first + r * g.dilation.rows) }
                        let destination = out.base + outRow * outColumns
                        source.stretches(
                            lines: lines, rows: rows, span: row.count, count: outColumns
                        ) { from, shift, columns, _ in
                            for r in 0..<rows { starts[r] = from[r] + shift }
                            ck_separable_sum(
                                starts, down, rowCount, across, columnCount, columns.count,
                                destination + columns.lowerBound)
                        }
                    }
                }
            }
        }
    }
}
