// ConvDirectPooled: ConvDirect's passes fused with the max pooling after them, for ConvPool.

import ConvkitSupport

extension ConvDirect {
    /// Forward through the convolution and a max pooling whose windows tile its output
    /// (``MaxPoolKernels/tilesInput(_:)``): each band of output rows as tall as a window is
    /// computed into a small buffer and pooled at once, so the convolution's output is never
    /// stored. `pooled` and `argmax` are the pooling's output and winning positions, as
    /// ``MaxPoolKernels/forward(input:output:argmax:batch:geometry:)`` gives them. With the
    /// Winograd pair, fusion saves a fifth of the epoch (see ``ConvPool``).
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
                                MaxPoolKernels.poolBand(
                                    band, pool: p, filters: filters, pooled: y.base + cell,
                                    argmax: a.base + cell, avx2: avx2)
                            }
                        }
                    }
                }
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
            let unpool = MaxPoolKernels.rowUnpooler(filters: filters)
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
}
