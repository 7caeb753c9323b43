// DirectConvolution: every kernel tap applied directly, SIMD along rows, bands of rows per core.

import ConvkitSupport

/// The direct path: a valid correlation of the extended image with the effective (already
/// flipped for convolve) kernel. Each output row reads its kernel's input rows in place (no
/// copy of the image or of its rows; rows the boundary rule adds are looked up, not built).
/// Its plain counterpart is ``ReferenceConvolution``.
enum DirectConvolution {
    /// Returns the `geometry.output` values, row-major. `weights` is the effective kernel,
    /// row-major `geometry.kernel.rows x geometry.kernel.columns`.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int,
        fused: Bool
    ) -> [Float] {
        let outRows = g.output.rows
        let outColumns = g.output.columns
        let denseColumns = (outColumns - 1) * g.stride.columns + 1
        return makeLargeArray(count: outRows * outColumns) { buffer in
            let out = buffer.shared
            parallelBands(outRows, threads: threads, minimumBand: 8) { band in
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
                        source.correlate(
                            lines: lines, kernelRows: g.kernel.rows,
                            kernelColumns: g.kernel.columns, dilation: g.dilation.columns,
                            weights: weights, count: denseColumns, into: target, sources: &sources,
                            fused: fused)
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
}
