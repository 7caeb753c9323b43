// SeparableConvolution: a rank-1 kernel as a row pass then a column pass.

/// The separable path: with `kernel[r][c] == column[r] * row[c]`, a valid correlation is a 1-D
/// correlation of each padded row with `row`, then of each column of that with `column`:
/// `kh + kw` multiplies per output instead of `kh * kw`. Each worker keeps the row-pass results
/// it still needs in a ring of `span.rows` rows, so nothing is computed twice and the ring stays
/// in cache. Its plain counterpart is ``ReferenceConvolution``.
enum SeparableConvolution {
    /// Returns the `geometry.output` values, row-major; `column`/`row` are the factors of the
    /// effective (already flipped for convolve) kernel.
    static func run(_ padded: PaddedPlane, column: [Float], row: [Float], geometry g: ConvolutionGeometry, threads: Int) -> [Float] {
        let outRows = g.output.rows, outColumns = g.output.columns
        let denseColumns = (outColumns - 1) * g.stride.columns + 1
        let paddedColumns = padded.columns
        let ringRows = g.span.rows
        return [Float](unsafeUninitializedCapacity: outRows * outColumns) { buffer, initialized in
            let out = SharedPointer(base: buffer.baseAddress!)
            padded.values.withUnsafeBufferPointer { source in
                let input = SharedConstPointer(base: source.baseAddress!)
                Parallel.forEachBand(count: outRows, threads: threads, minimumBand: 16) { band in
                    var ring = [Float](repeating: 0, count: ringRows * denseColumns)
                    var dense = [Float](repeating: 0, count: denseColumns)
                    var rowSources = [UnsafePointer<Float>](repeating: input.base, count: row.count)
                    var columnSources = [UnsafePointer<Float>](repeating: input.base, count: column.count)
                    var nextRow = band.lowerBound * g.stride.rows
                    ring.withUnsafeMutableBufferPointer { ringBuffer in
                        let ringBase = ringBuffer.baseAddress!
                        for outRow in band {
                            let first = outRow * g.stride.rows
                            nextRow = max(nextRow, first)
                            while nextRow < first + ringRows {
                                let origin = input.base + nextRow * paddedColumns
                                for c in 0..<row.count { rowSources[c] = origin + c * g.dilation.columns }
                                weightedSum(sources: rowSources, weights: row, taps: row.count, count: denseColumns,
                                            into: ringBase + (nextRow % ringRows) * denseColumns)
                                nextRow += 1
                            }
                            for r in 0..<column.count {
                                let ringRow = (first + r * g.dilation.rows) % ringRows
                                columnSources[r] = UnsafePointer(ringBase + ringRow * denseColumns)
                            }
                            let destination = out.base + outRow * outColumns
                            if g.stride.columns == 1 {
                                weightedSum(sources: columnSources, weights: column, taps: column.count, count: denseColumns, into: destination)
                            } else {
                                dense.withUnsafeMutableBufferPointer { d in
                                    weightedSum(sources: columnSources, weights: column, taps: column.count, count: denseColumns, into: d.baseAddress!)
                                    subsample(d.baseAddress!, stride: g.stride.columns, count: outColumns, into: destination)
                                }
                            }
                        }
                    }
                }
            }
            initialized = outRows * outColumns
        }
    }
}
