// DirectConvolution: every kernel tap applied directly, SIMD along rows, bands of rows per core.

import ConvkitSupport

/// The direct path: a valid correlation of the extended image with the effective (already
/// flipped for convolve) kernel. Each band keeps the extended rows its kernel needs in a ring.
/// Its plain counterpart is ``ReferenceConvolution``.
enum DirectConvolution {
    /// Returns the `geometry.output` values, row-major. `weights` is the effective kernel,
    /// row-major `geometry.kernel.rows x geometry.kernel.columns`.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int
    ) -> [Float] {
        let outRows = g.output.rows
        let outColumns = g.output.columns
        let denseColumns = (outColumns - 1) * g.stride.columns + 1
        let width = source.columns
        return makeLargeArray(count: outRows * outColumns) { buffer in
            let out = buffer.shared
            parallelBands(outRows, threads: threads, minimumBand: 8) { band in
                // Undilated kernels reuse rows from one output row to the next through a ring of
                // span rows; dilated ones copy just their kernel's rows, since the span can be huge.
                let dilated = g.dilation.rows > 1
                let ring = RowRing(
                    count: dilated ? g.kernel.rows : g.span.rows, width: width,
                    firstRow: band.lowerBound * g.stride.rows)
                var sources = [UnsafePointer<Float>](
                    repeating: ring.pointer(row: 0), count: weights.count)
                var dense = [Float](repeating: 0, count: g.stride.columns > 1 ? denseColumns : 0)
                for row in band {
                    let first = row * g.stride.rows
                    if dilated {
                        ring.replace { r, destination in
                            source.copy(
                                row: first + r * g.dilation.rows, start: 0, count: width,
                                into: destination)
                        }
                    } else {
                        ring.advance(to: first) { y, destination in
                            source.copy(row: y, start: 0, count: width, into: destination)
                        }
                    }
                    for r in 0..<g.kernel.rows {
                        let line = dilated ? ring.slot(r) : ring.pointer(row: first + r)
                        for c in 0..<g.kernel.columns {
                            sources[r * g.kernel.columns + c] = line + c * g.dilation.columns
                        }
                    }
                    let destination = out.base + row * outColumns
                    if g.stride.columns == 1 {
                        weightedSum(
                            sources: sources, weights: weights, taps: weights.count,
                            count: denseColumns, into: destination)
                    } else {
                        dense.withUnsafeMutableBufferPointer { d in
                            weightedSum(
                                sources: sources, weights: weights, taps: weights.count,
                                count: denseColumns, into: d.baseAddress!)
                            subsample(
                                d.baseAddress!, stride: g.stride.columns, count: outColumns,
                                into: destination)
                        }
                    }
                }
            }
        }
    }
}
