// ConvDirectPooled: ConvDirect's passes fused with the max pooling after them, for ConvPool.

import ConvkitSupport

extension ConvDirect {
    /// Forward through the convolution and a max pooling whose windows tile its output
    /// (``MaxPoolKernels/tilesInput(_:)``): each band of output rows as tall as a window is
    /// computed into a small buffer and pooled at once, so the convolution's output is never
    /// stored. `pooled` and `argmax` are the pooling's output and winning positions, as
    /// ``MaxPoolKernels/forward(input:output:argmax:batch:geometry:)`` gives them. With the
    /// Winograd pair, fusion measured 24% of the epoch's CPU time (see ``ConvPool``).
    static func forwardPooled(
        input: [Float], kernel: [Float], bias: [Float], pooled: inout [Float],
        argmax: inout [Float],
        batch: Int, geometry g: ConvGeometry, pool p: ConvGeometry, filters: Int, relu: Bool
    ) {
        let window = PaddedWindow(g)
        let rowSize = g.outputWidth * filters
        let avx2 = AVX2Kernels.active(for: filters)
        withSharedPointers(input, kernel, bias) { x, w, b in
            pooled.withSharedMutablePointer { y in
                argmax.withSharedMutablePointer { a in
                    parallelChunks(batch) { _, samples in
                        let padded = UnsafeMutablePointer<Float>.allocate(
                            capacity: window.size)
                        let band = UnsafeMutablePointer<Float>.allocate(
                            capacity: p.kernelHeight * rowSize)
                        defer {
                            padded.deallocate()
                            band.deallocate()
                        }
                        for n in samples {
                            window.copy(x.base + n * g.inputSize, into: padded, geometry: g)
                            for py in 0..<p.outputHeight {
                                for r in 0..<p.kernelHeight {
                                    forwardRow(
                                        padded: padded, window: window,
                                        row: py * p.kernelHeight + r, kernel: w.base,
                                        bias: b.base, output: band + r * rowSize,
                                        geometry: g, filters: filters, relu: relu,
                                        avx2: avx2)
                                }
                                let cell =
                                    ((n * p.outputHeight + py) * p.outputWidth) * filters
                                if avx2 {
                                    AVX2Kernels.poolBand(
                                        band, pool: p, filters: filters,
                                        pooled: y.base + cell, argmax: a.base + cell)
                                } else {
                                    poolBand(
                                        band, pool: p, filters: filters,
                                        pooled: y.base + cell, argmax: a.base + cell)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Pools one band of convolution output rows (`[kh, ow, filters]`) into a row of pooled
    /// cells: the first maximum of each window in row-major order, and its position.
    private static func poolBand(
        _ band: UnsafePointer<Float>, pool p: ConvGeometry, filters: Int,
        pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>
    ) {
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
                        MaxPoolKernels.keepGreater(
                            load8(corner + ky * rowSize + kx * filters + f),
                            at: Float(ky * p.kernelWidth + kx),
                            best: &best, index: &index)
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

    /// Kernel and bias gradients (and, when asked, the input gradient) of ``forwardPooled``
    /// from the gradient of the pooled output: each convolution output row's gradient is
    /// rebuilt in a row buffer, the pooled gradient at the window's winner and zero elsewhere,
    /// masked where the pooled value (the ReLU output at the winner) is not positive.
    static func backwardPooled(
        input: [Float], kernel: [Float], pooledGradient: [Float], pooled: [Float], argmax: [Float],
        kernelGradient: inout [Float], biasGradient: inout [Float], inputGradient: inout [Float]?,
        batch: Int, geometry g: ConvGeometry, pool p: ConvGeometry, filters: Int, relu: Bool
    ) {
        withSharedPointers(pooledGradient, pooled, argmax) { dy, y, a in
            let unpool =
                AVX2Kernels.active(for: filters) ? AVX2Kernels.unpoolRow : unpoolRow
            backwardRows(
                input: input, kernel: kernel, kernelGradient: &kernelGradient,
                biasGradient: &biasGradient,
                inputGradient: &inputGradient, batch: batch, geometry: g, filters: filters
            ) { n, oy, row in
                let cells =
                    ((n * p.outputHeight + oy / p.kernelHeight) * p.outputWidth) * filters
                unpool(
                    oy % p.kernelHeight, dy.base + cells, relu ? y.base + cells : nil,
                    a.base + cells, p, filters, row)
            }
        }
    }

    /// One convolution output row's gradient from a row of pooled cells: for window row
    /// `windowRow`, each output pixel gets its cell's gradient where it was the winner (and,
    /// with `pooled`, the pooled value is positive), zero elsewhere.
    private static func unpoolRow(
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
                    var wins = MaxPoolKernels.isPosition(load8(argmax + cell + f), position)
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
}
