// MaxPoolKernels: the fast max-pooling loops, eight channels per SIMD register, split over samples.

import ConvkitSupport

/// Forward pooling keeps, for every output value, the position of its window's first maximum
/// in row-major window order (padded cells never win; stored as a float, whose comparisons
/// vectorise where integer equality does not), so the backward pass writes each
/// gradient straight to its cell without comparing again. When the windows tile the input
/// exactly (stride equal to the pool, no padding) every input cell is written once and the
/// gradient needs no zeroing first. Matches ``ReferenceOps/maxPoolForward(input:batch:geometry:)``
/// and ``ReferenceOps/maxPoolBackward(outputGradient:argmax:inputCount:)``.
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
        let c = g.inputChannels
        input.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                    let y = SharedPointer(yb.baseAddress!)
                    let a = SharedPointer(ab.baseAddress!)
                    parallelChunks(batch) { _, samples in
                        for n in samples {
                            let image = x.base + n * g.inputSize
                            for oy in 0..<g.outputHeight {
                                for ox in 0..<g.outputWidth {
                                    let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c
                                    poolCell(
                                        image: image, oy: oy, ox: ox, output: y.base + o,
                                        argmax: a.base + o, geometry: g)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The maximum and its window position for every channel of one output cell, eight
    /// channels per step.
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
                var ch = 0
                while ch + 8 <= c {
                    var best = load8(output + ch)
                    var index = load8(argmax + ch)
                    keepGreater(load8(cell + ch), at: position, best: &best, index: &index)
                    store8(best, output + ch)
                    store8(index, argmax + ch)
                    ch += 8
                }
                while ch < c {
                    if cell[ch] > output[ch] {
                        output[ch] = cell[ch]
                        argmax[ch] = position
                    }
                    ch += 1
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
        outputGradient.withUnsafeBufferPointer { gb in
            argmax.withUnsafeBufferPointer { ab in
                inputGradient.withUnsafeMutableBufferPointer { db in
                    let dy = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                    let a = SharedPointer(UnsafeMutablePointer(mutating: ab.baseAddress!))
                    let dx = SharedPointer(db.baseAddress!)
                    parallelChunks(batch) { _, samples in
                        for n in samples {
                            if tiles {
                                writeTiled(
                                    dy.base, a.base, dx.base + n * g.inputSize, sample: n,
                                    geometry: g)
                            } else {
                                scatter(
                                    dy.base, a.base, dx.base + n * g.inputSize, sample: n,
                                    geometry: g)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every cell of every window gets its gradient or zero.
    private static func writeTiled(
        _ dy: UnsafePointer<Float>, _ argmax: UnsafePointer<Float>,
        _ target: UnsafeMutablePointer<Float>,
        sample n: Int, geometry g: ConvGeometry
    ) {
        let c = g.inputChannels
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        let cell =
                            target
                            + ((oy * g.kernelHeight + ky) * g.inputWidth + ox * g.kernelWidth + kx)
                            * c
                        let position = Float(ky * g.kernelWidth + kx)
                        var ch = 0
                        while ch + 8 <= c {
                            store8(
                                SIMD8(repeating: 0).replacing(
                                    with: load8(dy + o + ch),
                                    where: isPosition(load8(argmax + o + ch), position)),
                                cell + ch)
                            ch += 8
                        }
                        while ch < c {
                            cell[ch] = argmax[o + ch] == position ? dy[o + ch] : 0
                            ch += 1
                        }
                    }
                }
            }
        }
    }

    /// Adds each gradient to its window's maximum (windows may overlap or leave cells out).
    private static func scatter(
        _ dy: UnsafePointer<Float>, _ argmax: UnsafePointer<Float>,
        _ target: UnsafeMutablePointer<Float>,
        sample n: Int, geometry g: ConvGeometry
    ) {
        let c = g.inputChannels
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c
                for ch in 0..<c {
                    let position = Int(argmax[o + ch])
                    let iy = oy * g.strideY - g.padTop + position / g.kernelWidth
                    let ix = ox * g.strideX - g.padLeft + position % g.kernelWidth
                    target[(iy * g.inputWidth + ix) * c + ch] += dy[o + ch]
                }
            }
        }
    }
}
