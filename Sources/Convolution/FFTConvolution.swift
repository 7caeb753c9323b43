// FFTConvolution: large kernels by FFT, tile by tile (overlap-save), with FFTW on every core.

import CConvKernels
import CFFTW
import ConvkitSupport
import Foundation

/// The FFT path: the padded image is cut into overlapping tiles; each tile is transformed,
/// multiplied by the conjugate spectrum of the (dilated) effective kernel and transformed back,
/// which is a circular correlation whose first `tile - span + 1` outputs per axis equal the
/// valid correlation. Cost per output does not grow with the kernel size. Boundary rules apply
/// exactly as in the other paths because the tiles come from the padded image. Its plain
/// counterpart is ``ReferenceConvolution``.
package enum FFTConvolution {
    /// A first guess at the tile length for a kernel span along one axis of a padded image: a
    /// power of two around sixteen spans (little overlap), or the whole axis when that is
    /// smaller; ``tileLength(span:padded:across:)`` keeps it for an axis it covers and otherwise
    /// looks for a length that wastes less past the image's end.
    static func tileSize(span: Int, padded: Int) -> Int {
        var size = 64
        while size < 16 * span && size < 1024 { size *= 2 }
        if size < 2 * span { size = FFTWPlans.goodSize(2 * span) }
        return padded <= size ? FFTWPlans.goodSize(padded) : size
    }

    /// The tile length for a kernel span along one axis of a padded image `padded` long, for
    /// tiles `across` long on the other axis: of the lengths FFTW transforms fastest (multiples
    /// of 16 with no prime factor above 7) from twice the span (at least 64) to 1024, the one
    /// whose tiles cost least, counting a tile as `across * length * log2(across * length)`
    /// (measured plans cost about the same per value from 384 to 1024 wide: 512x512 1.20 ms,
    /// 512x560 1.37, 512x1024 2.47). Under a 31x31 kernel a 1024-wide image gets four 288-wide
    /// tiles per row of tiles, 1152 columns transformed instead of three 512-wide tiles' 1536.
    /// A short axis keeps one tile.
    package static func tileLength(span: Int, padded: Int, across: Int) -> Int {
        let single = tileSize(span: span, padded: padded)
        guard padded > single else { return single }
        let valid = padded - span + 1
        var best = single
        var bestCost = Double.infinity
        for length in stride(from: max(64, 2 * span + 15) / 16 * 16, through: 1024, by: 16)
        where FFTWPlans.goodSize(length) == length {
            let tiles = (valid + length - span) / (length - span + 1)
            let values = Double(across * length)
            let cost = Double(tiles) * values * log2(values)
            if cost < bestCost {
                (best, bestCost) = (length, cost)
            }
        }
        return best
    }

    /// The tile shape for a padded image: the row length chosen against the columns' first
    /// guess (``tileSize(span:padded:)``), then the column length against those rows. Under a
    /// 31x31 kernel a 1024x1024 image gets sixteen 288x288 tiles where 512-row tiles needed
    /// twelve of 512x288, 1536 rows transformed for 1024. Measured with `convkit bench convolve
    /// --repeat 51`, three runs each, alternating, median ms before / after: 1024x1024 float32
    /// 8.9 / 6.3 on one thread, 7.4 / 5.0 on two; uint8 8.8 / 6.2 and 7.0 / 4.8. At 4096x4096
    /// (`--repeat 9`) 0.71x to 0.97x of the time before, within this machine's noise on float32.
    /// `rows`, when given, is the row length to use: a streamed band passes the whole image's,
    /// so that its tiles hold what the image's do.
    package static func tileShape(span: AxisPair, padded: AxisPair, rows given: Int? = nil)
        -> TileShape
    {
        let rows =
            given
            ?? tileLength(
                span: span.rows, padded: padded.rows,
                across: tileSize(span: span.columns, padded: padded.columns))
        return TileShape(
            rows: rows,
            columns: tileLength(span: span.columns, padded: padded.columns, across: rows))
    }

    /// Returns the `geometry.output` values, row-major, or nil if FFTW could not allocate or plan;
    /// `rowTile` is the tiles' row length when a streamed band must use the whole image's.
    static func run(
        _ source: PaddedRows, weights: [Float], geometry g: ConvolutionGeometry, threads: Int,
        rowTile: Int? = nil
    ) -> [Float]? {
        let shape = tileShape(
            span: g.span, padded: AxisPair(rows: source.rows, columns: source.columns),
            rows: rowTile)
        guard let plans = FFTWPlans.plans(for: shape),
            let kernelSpectrum = spectrum(of: weights, geometry: g, shape: shape, plans: plans)
        else { return nil }
        defer { fftwf_free(kernelSpectrum) }
        let spectrumStride = shape.columns / 2 + 1
        let complexCount = shape.rows * spectrumStride
        let denseRows = g.dense.rows
        let denseColumns = g.dense.columns
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
                        multiplyByConjugate(
                            UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: Float.self),
                            UnsafeRawPointer(kernelPointer.base).assumingMemoryBound(
                                to: Float.self), count: complexCount, vectorised: true)
                        fftwf_execute_dft_c2r(plans.inverse, spectrum, real)
                        let yEnd = min(denseRows, y0 + validRows)
                        let xEnd = min(denseColumns, x0 + validColumns)
                        let firstY = (y0 + g.stride.rows - 1) / g.stride.rows * g.stride.rows
                        let firstX =
                            (x0 + g.stride.columns - 1) / g.stride.columns * g.stride.columns
                        for y in stride(from: firstY, to: yEnd, by: g.stride.rows) {
                            let from = real + (y - y0) * shape.columns
                            let to = out.base + (y / g.stride.rows) * outColumns
                            if g.stride.columns == 1 {
                                // Contiguous: a loop the compiler vectorises (no division).
                                let source = from - x0
                                for x in firstX..<xEnd { to[x] = source[x] * scale }
                                continue
                            }
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

    /// spectrum[i] *= conj(kernel[i]) for `count` complex values stored as (re, im) pairs:
    /// correlation rather than convolution. `vectorised` runs CConvKernels' loop (AVX2 where
    /// the processor has it), otherwise this plain loop, its reference; both give the same bits.
    package static func multiplyByConjugate(
        _ s: UnsafeMutablePointer<Float>, _ k: UnsafePointer<Float>, count: Int, vectorised: Bool
    ) {
        if vectorised {
            ck_multiply_conjugate(s, k, count)
            return
        }
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
