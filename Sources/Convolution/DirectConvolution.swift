// DirectConvolution: every kernel tap applied directly, SIMD along rows, bands of rows per core.

/// The direct path: a valid correlation of the padded image with the effective (already
/// flipped for convolve) kernel. Its plain counterpart is ``ReferenceConvolution``.
enum DirectConvolution {
    /// Returns the `geometry.output` values, row-major. `weights` is the effective kernel,
    /// row-major `geometry.kernel.rows x geometry.kernel.columns`.
    static func run(_ padded: PaddedPlane, weights: [Float], geometry g: ConvolutionGeometry, threads: Int) -> [Float] {
        let outRows = g.output.rows, outColumns = g.output.columns
        let denseColumns = (outColumns - 1) * g.stride.columns + 1
        let paddedColumns = padded.columns
        let offsets = (0..<g.kernel.rows).flatMap { r in
            (0..<g.kernel.columns).map { c in r * g.dilation.rows * paddedColumns + c * g.dilation.columns }
        }
        let taps = offsets.count
        return [Float](unsafeUninitializedCapacity: outRows * outColumns) { buffer, initialized in
            let out = SharedPointer(base: buffer.baseAddress!)
            padded.values.withUnsafeBufferPointer { source in
                let input = SharedConstPointer(base: source.baseAddress!)
                Parallel.forEachBand(count: outRows, threads: threads, minimumBand: 8) { band in
                    var sources = [UnsafePointer<Float>](repeating: input.base, count: taps)
                    var dense = [Float](repeating: 0, count: g.stride.columns > 1 ? denseColumns : 0)
                    weights.withUnsafeBufferPointer { w in
                        for row in band {
                            let origin = input.base + row * g.stride.rows * paddedColumns
                            for t in 0..<taps { sources[t] = origin + offsets[t] }
                            let destination = out.base + row * outColumns
                            if g.stride.columns == 1 {
                                weightedSum(sources: sources, weights: w.baseAddress!, taps: taps, count: denseColumns, into: destination)
                            } else {
                                dense.withUnsafeMutableBufferPointer { d in
                                    weightedSum(sources: sources, weights: w.baseAddress!, taps: taps, count: denseColumns, into: d.baseAddress!)
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
