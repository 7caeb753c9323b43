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
    /// AVX-512, stride and dilation 1 along the row, and at most 11 x 11. Larger kernels keep
    /// the ring, whose taps are loads where these are permutes on the same port as the
    /// multiply-adds. Measured with `convkit bench crossover --size 1024 --repeat 31` over
    /// rank-1 K x K, median ms ring / registers in two runs each: on 1 thread 9x9 0.81 / 0.81,
    /// 10x10 0.93-0.96 / 0.93-0.95, 11x11 1.26 / 1.06, 12x12 0.99-1.01 / 1.20, 13x13 1.06-1.10
    /// / 1.35-1.37, 17x17 1.47 / 2.02; on 2 threads 11x11 0.71-0.73 / 0.61-0.62, 13x13
    /// 0.84-0.87 / 0.75-0.76. (Before the edge columns shared their column sums, 11x11 took
    /// 1.30 ms in registers, and the limit was 10.)
    static func fitsRegisters(rows: Int, columns: Int, columnStride: Int, columnDilation: Int)
        -> Bool
    {
        registersSupported && columnStride == 1 && columnDilation == 1 && rows <= 11
            && columns <= 11
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

    /// Whether a pass that reads all of `source` and writes `outputs` floats should stream its
    /// stores (``ck_separable_sum``): when the bytes read and written reach 96 MiB, more than
    /// this process keeps of the shared last-level cache, so the output's lines are written
    /// back to memory before anything reads them, and fetching each line before writing it is
    /// wasted. Measured with `convkit bench convolve --kernel K --repeat 30`, median ms plain /
    /// streamed, float32 scharr-x: 4096x4096 (128 MiB) 6.3-8.0 / 5.0-5.4 on 1 thread and
    /// 3.0-3.3 / 2.6-2.7 on 2, gaussian5 9.9-11.2 / 8.4-9.7 and 3.9-4.1 / 3.8-4.0; 3072x3072
    /// (72 MiB) 3.3-3.5 / 3.2-3.4 and 1.64-1.69 / 1.67-1.71; 2048x2048 (32 MiB) 1.43-1.45 /
    /// 1.62-1.81 on 1 thread. 8-bit 4096x4096 (80 MiB), 2 threads: scharr-x 2.8-3.1 / 3.1-3.2,
    /// gaussian5 3.2-3.6 / 3.5-3.8.
    static func streams(_ source: PaddedRows, outputs: Int) -> Bool {
        let read = source.inputRows * source.inputColumns * (source.bytes?.stride ?? 4)
        return read + outputs * MemoryLayout<Float>.stride >= 96 << 20
    }

    /// Both passes in registers, output row by output row (``fitsRegisters``), each row in one
    /// call (``ck_separable_row``): its interior reads its input rows in place, the columns by
    /// the edges read them through the boundary rule.
    private static func inRegisters(
        _ source: PaddedRows, column: [Float], row: [Float], geometry g: ConvolutionGeometry,
        threads: Int
    ) -> [Float] {
        let outColumns = g.output.columns
        let rows = column.count
        let stream: Int32 = streams(source, outputs: g.output.rows * outColumns) ? 1 : 0
        return outputBands(g, threads: threads, minimumBand: 16) { band, out in
            // Widened rows placed so that the interior's loads fall on the same 64-byte lines
            // as its stores, when the output rows are as aligned as the band's first.
            let firstOutput = out.base + band.lowerBound * outColumns + source.left
            let cache = LineCache(
                source, count: g.span.rows, phase: Int(bitPattern: firstOutput) / 4)
            let lines = UnsafeMutablePointer<UnsafePointer<Float>?>.allocate(capacity: rows)
            defer { lines.deallocate() }
            column.withUnsafeBufferPointer { column in
                row.withUnsafeBufferPointer { row in
                    source.withEdges { edges in
                        let (down, across) = (column.baseAddress!, row.baseAddress!)
                        let (rowCount, columnCount) = (Int32(rows), Int32(row.count))
                        for outRow in band {
                            let first = outRow * g.stride.rows
                            for r in 0..<rows { lines[r] = cache.line(first + r * g.dilation.rows) }
                            ck_separable_row(
                                lines, down, rowCount, across, columnCount, edges, outColumns,
                                out.base + outRow * outColumns, stream)
                        }
                    }
                }
            }
        }
    }
}
