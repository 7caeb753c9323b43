// MaxPoolKernels: the fast max-pooling loops, channels innermost, split over samples.

import ConvkitSupport

/// Forward pooling keeps, for every output value, the position of its window's first maximum
/// in row-major window order (padded cells never win; stored as a float), so the backward pass
/// writes each gradient straight to its cell without comparing again. When the windows tile
/// the input exactly (stride equal to the pool, no padding) every input cell is written once
/// and the gradient needs no zeroing first. The loops are plain scalar code with the channels
/// innermost and every store unconditional (a select), which the compiler turns into vector
/// blends; explicit `SIMD8` masks built lane by lane measured 5-10 times slower. Matches
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
        input.withSharedPointer { x in
            output.withSharedMutablePointer { y in
                argmax.withSharedMutablePointer { a in
                    parallelChunks(batch) { _, samples in
                        for n in samples {
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
                for ch in 0..<c {
                    let value = cell[ch]
                    let best = output[ch]
                    let greater = value > best
                    output[ch] = greater ? value : best
                    argmax[ch] = greater ? position : argmax[ch]
                }
            }
        }
    }

    /// Writes (when the windows tile the input) or adds (otherwise, onto zeros) every output
    /// gradient at its window's maximum.
    static func backward(
        outputGradient: [Float], argmax: [Float], inputGradient: inout [Float], batch: Int,
        geometry g: ConvGeometry
    ) {
        let tiles = tilesInput(g)
        outputGradient.withSharedPointer { dy in
            argmax.withSharedPointer { a in
                inputGradient.withSharedMutablePointer { dx in
                    parallelChunks(batch) { _, samples in
                        for n in samples {
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
