// MaxPoolKernels: the fast max-pooling loops, channels innermost, split over samples.

import CConvKernels
import ConvkitSupport

/// Forward pooling keeps, for every output value, the position of its window's first maximum
/// in row-major window order (padded cells never win; stored as a float), so the backward pass
/// writes each gradient straight to its cell without comparing again.
///
/// When the windows tile the input exactly (stride equal to the pool, no padding: the usual
/// 2x2 pool), every input cell of the gradient is written once, so it needs no zeroing first;
/// and where the channels fill whole registers on a processor with ``AVX2Kernels``, each row
/// of windows is one band through the C band kernels that ``ConvDirect``'s fused pass also
/// uses. Other windows are pooled one at a time, each cell a `ck_pool_keep_greater` across the
/// pixel's channels (plain C, vectorised for any processor), and their gradients sent back one
/// channel at a time.
///
/// The same loops written in Swift compiled to a compare and a branch per channel: on the
/// tutorial network with its convolutions and poolings as separate layers (1 thread, the same
/// test accuracy), `perf` gave them 38% of an epoch of 17.3 s, which the band kernels bring to
/// 11.6-11.7 s (9.4-9.6 s with the pairs fused, see ``ConvPool``); with 3x3 pools at stride 2,
/// 41% of the samples, and `ck_pool_keep_greater` cut the run's CPU time from 7.8 s to 5.3 s.
/// The portable 8-lane band loops were slower than the scalar ones (an epoch with a 12-channel
/// pooling, 11.9 s against 11.1 s), so they serve only the fused pass. Matches
/// ``ReferenceOps/maxPoolForward(input:batch:geometry:)`` and
/// ``ReferenceOps/maxPoolBackward(outputGradient:argmax:inputCount:)`` to the bit.
enum MaxPoolKernels {
    /// Whether the windows cover every input cell exactly once.
    static func tilesInput(_ g: ConvGeometry) -> Bool {
        g.strideY == g.kernelHeight && g.strideX == g.kernelWidth && g.padTop == 0 && g.padLeft == 0
            && g.outputHeight * g.kernelHeight == g.inputHeight
            && g.outputWidth * g.kernelWidth == g.inputWidth
    }

    /// Keeps, lane by lane, `value` and its window `position` where it beats `best`: a tie
    /// keeps the earlier position, and NaN never wins.
    @inline(__always) static func keepGreater<V: SIMD>(
        _ value: V, at position: Float, best: inout V, index: inout V
    )
    where V.Scalar == Float {
        let greater = value .> best
        best.replace(with: value, where: greater)
        index.replace(with: V(repeating: position), where: greater)
    }

    /// Where the stored winning positions equal `position`. Positions are small whole numbers,
    /// so a squared difference under 1/4 means equal.
    @inline(__always) static func isPosition<V: SIMD>(_ positions: V, _ position: Float)
        -> SIMDMask<V.MaskStorage>
    where V.Scalar == Float {
        let difference = positions - V(repeating: position)
        return difference * difference .< 0.25
    }

    static func forward(
        input: [Float], output: inout [Float], argmax: inout [Float], batch: Int,
        geometry g: ConvGeometry
    ) {
        let bands = inBands(g)
        let bandSize = g.kernelHeight * g.inputWidth * g.inputChannels
        let pooledRow = g.outputWidth * g.inputChannels
        input.withSharedPointer { x in
            output.withSharedMutablePointer { y in
                argmax.withSharedMutablePointer { a in
                    parallelChunks(batch) { _, samples in
                        for n in samples where bands {
                            for py in 0..<g.outputHeight {
                                let cells = (n * g.outputHeight + py) * pooledRow
                                AVX2Kernels.poolBand(
                                    x.base + n * g.inputSize + py * bandSize, pool: g,
                                    filters: g.inputChannels, pooled: y.base + cells,
                                    argmax: a.base + cells)
                            }
                        }
                        for n in samples where !bands {
                            forEachWindow(sample: n, geometry: g) { oy, ox, o in
                                poolCell(
                                    image: x + n * g.inputSize, oy: oy, ox: ox,
                                    output: y + o, argmax: a + o, geometry: g)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Pools one band of rows (`[kh, ow * kw, filters]`, `pool.inputWidth` = `ow * kw`) into a
    /// row of pooled cells: the first maximum of each window in row-major order, and its
    /// position; through ``AVX2Kernels`` where `avx2`.
    static func poolBand(
        _ band: UnsafePointer<Float>, pool p: ConvGeometry, filters: Int,
        pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>, avx2: Bool
    ) {
        if avx2 {
            AVX2Kernels.poolBand(band, pool: p, filters: filters, pooled: pooled, argmax: argmax)
            return
        }
        let rowSize = p.inputWidth * filters
        for px in 0..<p.outputWidth {
            let corner = band + px * p.kernelWidth * filters
            let out = pooled + px * filters
            let positions = argmax + px * filters
            var f = 0
            while f + 8 <= filters {
                var best = load8(corner + f)
                var index = SIMD8<Float>()
                for ky in 0..<p.kernelHeight {
                    for kx in 0..<p.kernelWidth where ky > 0 || kx > 0 {
                        keepGreater(
                            load8(corner + ky * rowSize + kx * filters + f),
                            at: Float(ky * p.kernelWidth + kx), best: &best, index: &index)
                    }
                }
                store8(best, out + f)
                store8(index, positions + f)
                f += 8
            }
            while f < filters {
                var best = corner[f]
                var index: Float = 0
                for ky in 0..<p.kernelHeight {
                    for kx in 0..<p.kernelWidth where corner[ky * rowSize + kx * filters + f] > best
                    {
                        best = corner[ky * rowSize + kx * filters + f]
                        index = Float(ky * p.kernelWidth + kx)
                    }
                }
                out[f] = best
                positions[f] = index
                f += 1
            }
        }
    }

    /// One input row's gradient from a row of pooled cells, for window row `windowRow` of
    /// windows that tile the rows: each pixel gets its cell's gradient where it was the winner
    /// (and, with `pooled`, the pooled value is positive: a ReLU before the pooling), zero
    /// elsewhere.
    static func unpoolRow(
        windowRow r: Int, gradient: UnsafePointer<Float>, pooled: UnsafePointer<Float>?,
        argmax: UnsafePointer<Float>, pool p: ConvGeometry, filters: Int,
        into row: UnsafeMutablePointer<Float>
    ) {
        for px in 0..<p.outputWidth {
            let cell = px * filters
            for kx in 0..<p.kernelWidth {
                let position = Float(r * p.kernelWidth + kx)
                let target = row + (px * p.kernelWidth + kx) * filters
                var f = 0
                while f + 8 <= filters {
                    var wins = isPosition(load8(argmax + cell + f), position)
                    if let pooled {
                        wins .&= load8(pooled + cell + f) .> 0
                    }
                    store8(
                        SIMD8(repeating: 0).replacing(
                            with: load8(gradient + cell + f), where: wins), target + f)
                    f += 8
                }
                while f < filters {
                    let wins =
                        argmax[cell + f] == position && (pooled.map { $0[cell + f] > 0 } ?? true)
                    target[f] = wins ? gradient[cell + f] : 0
                    f += 1
                }
            }
        }
    }

    /// ``unpoolRow(windowRow:gradient:pooled:argmax:pool:filters:into:)`` or its
    /// ``AVX2Kernels`` twin for `filters`, chosen once per pass.
    static func rowUnpooler(filters: Int) -> RowUnpooler {
        if AVX2Kernels.active(for: filters) { return AVX2Kernels.unpoolRow }
        return unpoolRow
    }

    /// The signature of ``unpoolRow(windowRow:gradient:pooled:argmax:pool:filters:into:)``.
    typealias RowUnpooler =
        @Sendable (
            _ windowRow: Int, _ gradient: UnsafePointer<Float>, _ pooled: UnsafePointer<Float>?,
            _ argmax: UnsafePointer<Float>, _ pool: ConvGeometry, _ filters: Int,
            _ row: UnsafeMutablePointer<Float>
        ) -> Void

    /// The maximum and its window position for every channel of one output cell.
    @inline(__always)
    private static func poolCell(
        image: UnsafePointer<Float>, oy: Int, ox: Int, output: UnsafeMutablePointer<Float>,
        argmax: UnsafeMutablePointer<Float>, geometry g: ConvGeometry
    ) {
        let c = g.inputChannels
        var first = true
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky
            if iy < 0 || iy >= g.inputHeight { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padLeft + kx
                if ix < 0 || ix >= g.inputWidth { continue }
                let cell = image + (iy * g.inputWidth + ix) * c
                let position = Float(ky * g.kernelWidth + kx)
                if first {
                    output.update(from: cell, count: c)
                    argmax.update(repeating: position, count: c)
                    first = false
                    continue
                }
                ck_pool_keep_greater(cell, output, argmax, position, Int32(c))
            }
        }
    }

    /// Writes (when the windows tile the input, band by band where ``inBands(_:)``) or adds
    /// (otherwise, onto zeros) every output gradient at its window's maximum.
    static func backward(
        outputGradient: [Float], argmax: [Float], inputGradient: inout [Float], batch: Int,
        geometry g: ConvGeometry
    ) {
        let tiles = tilesInput(g)
        let bands = inBands(g)
        let rowSize = g.inputWidth * g.inputChannels
        let pooledRow = g.outputWidth * g.inputChannels
        outputGradient.withSharedPointer { dy in
            argmax.withSharedPointer { a in
                inputGradient.withSharedMutablePointer { dx in
                    parallelChunks(batch) { _, samples in
                        for n in samples where bands {
                            for oy in 0..<g.inputHeight {
                                let cells = (n * g.outputHeight + oy / g.kernelHeight) * pooledRow
                                AVX2Kernels.unpoolRow(
                                    windowRow: oy % g.kernelHeight, gradient: dy.base + cells,
                                    pooled: nil, argmax: a.base + cells, pool: g,
                                    filters: g.inputChannels,
                                    into: dx + n * g.inputSize + oy * rowSize)
                            }
                        }
                        for n in samples where !bands {
                            unpool(
                                dy.base, a.base, dx + n * g.inputSize, sample: n, geometry: g,
                                tiled: tiles)
                        }
                    }
                }
            }
        }
    }

    /// Sends sample `n`'s gradients to their windows' maxima in `target`, the sample's input
    /// gradient. With `tiled` windows every cell of every window gets its gradient or zero;
    /// otherwise each gradient is added to its window's maximum (windows may overlap or leave
    /// cells out).
    private static func unpool(
        _ dy: UnsafePointer<Float>, _ argmax: UnsafePointer<Float>,
        _ target: UnsafeMutablePointer<Float>,
        sample n: Int, geometry g: ConvGeometry, tiled: Bool
    ) {
        let c = g.inputChannels
        forEachWindow(sample: n, geometry: g) { oy, ox, o in
            guard tiled else {
                for ch in 0..<c {
                    let position = Int(argmax[o + ch])
                    let iy = oy * g.strideY - g.padTop + position / g.kernelWidth
                    let ix = ox * g.strideX - g.padLeft + position % g.kernelWidth
                    target[(iy * g.inputWidth + ix) * c + ch] += dy[o + ch]
                }
                return
            }
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let cell =
                        target
                        + ((oy * g.kernelHeight + ky) * g.inputWidth + ox * g.kernelWidth + kx) * c
                    let position = Float(ky * g.kernelWidth + kx)
                    for ch in 0..<c {
                        cell[ch] = argmax[o + ch] == position ? dy[o + ch] : 0
                    }
                }
            }
        }
    }

    /// Whether the passes go band by band through the C kernels: the windows tile the input
    /// and the channels fill whole registers on a processor with the kernels.
    private static func inBands(_ g: ConvGeometry) -> Bool {
        tilesInput(g) && AVX2Kernels.active(for: g.inputChannels)
    }

    /// Calls `body(oy, ox, o)` for every window of sample `n` in output order, `o` the offset of
    /// the window's first channel in the pooled output.
    @inline(__always) private static func forEachWindow(
        sample n: Int, geometry g: ConvGeometry, _ body: (_ oy: Int, _ ox: Int, _ o: Int) -> Void
    ) {
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                body(oy, ox, ((n * g.outputHeight + oy) * g.outputWidth + ox) * g.inputChannels)
            }
        }
    }
}
