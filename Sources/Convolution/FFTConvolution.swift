// FFTConvolution: large kernels by FFT, tile by tile (overlap-save), with FFTW on every core.

import CFFTW
import ConvkitSupport

/// The FFT path: the padded image is cut into overlapping tiles; each tile is transformed,
/// multiplied by the conjugate spectrum of the (dilated) effective kernel and transformed back,
/// which is a circular correlation whose first `tile - span + 1` outputs per axis equal the
/// valid correlation. Cost per output does not grow with the kernel size. Boundary rules apply
/// exactly as in the other paths because the tiles come from the padded image. Its plain
/// counterpart is ``ReferenceConvolution``.
enum FFTConvolution {
    /// The tile shape for a kernel span along one axis of a padded image: a power of two around
    /// sixteen spans (little overlap; for 31x31, 512 measured faster than 256 or 128), or the
    /// whole axis when that is smaller.
    static func tileSize(span: Int, padded: Int) -> Int {
        var size = 64
        while size < 16 * span && size < 1024 { size *= 2 }
        if size < 2 * span { size = FFTWPlans.goodSize(2 * span) }
        return padded <= size ? FFTWPlans.goodSize(padded) : size
    }

    /// Returns the `geometry.output` values, row-major, or nil if FFTW could not allocate or plan.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int
    ) -> [Float]? {
        let shape = TileShape(
            rows: tileSize(span: g.span.rows, padded: source.rows),
            columns: tileSize(span: g.span.columns, padded: source.columns))
        guard let plans = FFTWPlans.plans(for: shape),
            let kernelSpectrum = spectrum(of: weights, geometry: g, shape: shape, plans: plans)
        else { return nil }
        defer { fftwf_free(kernelSpectrum) }
        let spectrumStride = shape.columns / 2 + 1
        let complexCount = shape.rows * spectrumStride
        let denseRows = (g.output.rows - 1) * g.stride.rows + 1
        let denseColumns = (g.output.columns - 1) * g.stride.columns + 1
        let validRows = shape.rows - g.span.rows + 1
        let validColumns = shape.columns - g.span.columns + 1
        let tileRows = (denseRows + validRows - 1) / validRows
        let tileColumns = (denseColumns + validColumns - 1) / validColumns
        let tileCount = tileRows * tileColumns
        let workers = min(threads, tileCount)
        let scale = 1 / Float(shape.rows * shape.columns)
        let outColumns = g.output.columns
        let kernelPointer = SharedConstPointer(UnsafePointer(kernelSpectrum))
        // Each worker gets its own tile buffers, allocated up front so a failure leaves no tile unwritten.
        var buffers = [(real: SharedPointer<Float>, spectrum: SharedPointer<fftwf_complex>)]()
        defer {
            for buffer in buffers {
                fftwf_free(buffer.real.base)
                fftwf_free(buffer.spectrum.base)
            }
        }
        for _ in 0..<workers {
            guard let real = fftwf_alloc_real(shape.rows * shape.columns) else { return nil }
            guard let spectrum = fftwf_alloc_complex(complexCount) else {
                fftwf_free(real)
                return nil
            }
            buffers.append((SharedPointer(real), SharedPointer(spectrum)))
        }
        let workerBuffers = buffers
        return makeLargeArray(count: g.output.rows * outColumns) { buffer in
            let out = buffer.shared
            parallelBands(workers, threads: workers) { workerRange in
                for worker in workerRange {
                    let real = workerBuffers[worker].real.base
                    let spectrum = workerBuffers[worker].spectrum.base
                    for tile in stride(from: worker, to: tileCount, by: workers) {
                        let y0 = (tile / tileColumns) * validRows
                        let x0 = (tile % tileColumns) * validColumns
                        for r in 0..<shape.rows {
                            source.copy(
                                row: y0 + r, start: x0, count: shape.columns,
                                into: real + r * shape.columns)
                        }
                        fftwf_execute_dft_r2c(plans.forward, real, spectrum)
                        multiplyByConjugate(spectrum, kernelPointer.base, count: complexCount)
                        fftwf_execute_dft_c2r(plans.inverse, spectrum, real)
                        let yEnd = min(denseRows, y0 + validRows)
                        let xEnd = min(denseColumns, x0 + validColumns)
                        let firstY = (y0 + g.stride.rows - 1) / g.stride.rows * g.stride.rows
                        let firstX =
                            (x0 + g.stride.columns - 1) / g.stride.columns * g.stride.columns
                        for y in stride(from: firstY, to: yEnd, by: g.stride.rows) {
                            let from = real + (y - y0) * shape.columns
                            let to = out.base + (y / g.stride.rows) * outColumns
                            for x in stride(from: firstX, to: xEnd, by: g.stride.columns) {
                                to[x / g.stride.columns] = from[x - x0] * scale
                            }
                        }
                    }
                }
            }
        }
    }

    /// The spectrum of the dilated kernel placed at the tile's origin.
    private static func spectrum(
        of weights: [Float], geometry g: ConvolutionGeometry, shape: TileShape,
        plans: FFTWPlanPair
    ) -> UnsafeMutablePointer<fftwf_complex>? {
        guard let real = fftwf_alloc_real(shape.rows * shape.columns) else { return nil }
        defer { fftwf_free(real) }
        guard let spectrum = fftwf_alloc_complex(shape.rows * (shape.columns / 2 + 1)) else {
            return nil
        }
        real.update(repeating: 0, count: shape.rows * shape.columns)
        for r in 0..<g.kernel.rows {
            for c in 0..<g.kernel.columns {
                real[r * g.dilation.rows * shape.columns + c * g.dilation.columns] =
                    weights[r * g.kernel.columns + c]
            }
        }
        fftwf_execute_dft_r2c(plans.forward, real, spectrum)
        return spectrum
    }

    /// spectrum[i] *= conj(kernel[i]): correlation rather than convolution.
    private static func multiplyByConjugate(
        _ spectrum: UnsafeMutablePointer<fftwf_complex>,
        _ kernel: UnsafePointer<fftwf_complex>, count: Int
    ) {
        let s = UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: Float.self)
        let k = UnsafeRawPointer(kernel).assumingMemoryBound(to: Float.self)
        for i in 0..<count {
            let a = s[2 * i]
            let b = s[2 * i + 1]
            let c = k[2 * i]
            let d = k[2 * i + 1]
            s[2 * i] = a * c + b * d
            s[2 * i + 1] = b * c - a * d
        }
    }
}
