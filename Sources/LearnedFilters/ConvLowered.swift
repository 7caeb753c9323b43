// ConvLowered: convolution as im2col + cblas_sgemm, forward and backward, over both cores.

/// The fast general convolution: each sample's receptive fields are copied into rows of a
/// `[batch*oh*ow, kh*kw*cin]` matrix whose product with the `[kh*kw*cin, cout]` kernel is the
/// output. Backward uses the same matrix for the kernel gradient and scatters the column
/// gradient back (col2im) for the input gradient. Matches ``ReferenceOps`` convForward/Backward.
enum ConvLowered {
    static func forward(input: [Float], kernel: [Float], bias: [Float], output: inout [Float], columns: inout [Float],
                        batch: Int, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        let rows = batch * g.outputPixels
        let depth = g.taps * g.inputChannels
        if columns.count != rows * depth { columns = [Float](repeating: 0, count: rows * depth) }
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                im2col(input: x.baseAddress!, columns: SharedPointer(cols.baseAddress!), batch: batch, geometry: g)
            }
        }
        columns.withUnsafeBufferPointer { cols in
            kernel.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    BLAS.gemm(m: rows, n: filters, k: depth, a: cols.baseAddress!, b: w.baseAddress!, c: y.baseAddress!)
                }
            }
        }
        FastOps.addBias(bias, to: &output, relu: relu)
    }

    static func backward(input: [Float], kernel: [Float], outputGradient: [Float], kernelGradient: inout [Float],
                         inputGradient: inout [Float]?, columns: inout [Float], batch: Int, geometry g: ConvGeometry, filters: Int) {
        let rows = batch * g.outputPixels
        let depth = g.taps * g.inputChannels
        // `columns` still holds im2col of the last forward's input.
        columns.withUnsafeBufferPointer { cols in
            outputGradient.withUnsafeBufferPointer { dy in
                kernelGradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transposeA: true, m: depth, n: filters, k: rows, a: cols.baseAddress!, b: dy.baseAddress!,
                              beta: 1, c: dw.baseAddress!)
                }
            }
        }
        guard inputGradient != nil else { return }
        columns.withUnsafeMutableBufferPointer { cols in
            outputGradient.withUnsafeBufferPointer { dy in
                kernel.withUnsafeBufferPointer { w in
                    BLAS.gemm(transposeB: true, m: rows, n: depth, k: filters, a: dy.baseAddress!, b: w.baseAddress!, c: cols.baseAddress!)
                }
            }
        }
        var dx = inputGradient ?? []
        inputGradient = nil
        columns.withUnsafeBufferPointer { cols in
            dx.withUnsafeMutableBufferPointer { dxp in
                col2im(columns: cols.baseAddress!, inputGradient: SharedPointer(dxp.baseAddress!), batch: batch, geometry: g)
            }
        }
        inputGradient = dx
    }

    /// Copies receptive fields into rows; taps outside the input are zero.
    static func im2col(input: UnsafePointer<Float>, columns: SharedPointer<Float>, batch: Int, geometry g: ConvGeometry) {
        let x = SharedPointer(UnsafeMutablePointer(mutating: input))
        let c = g.inputChannels
        let depth = g.taps * c
        parallelChunks(batch) { _, samples in
            for n in samples {
                let image = x.base + n * g.inputSize
                var row = columns.base + n * g.outputPixels * depth
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        var cell = row
                        for ky in 0..<g.kernelHeight {
                            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                            for kx in 0..<g.kernelWidth {
                                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                                if iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth {
                                    cell.update(from: image + (iy * g.inputWidth + ix) * c, count: c)
                                } else {
                                    cell.update(repeating: 0, count: c)
                                }
                                cell += c
                            }
                        }
                        row += depth
                    }
                }
            }
        }
    }

    /// Adds each row's gradient back onto the input cells it was copied from.
    static func col2im(columns: UnsafePointer<Float>, inputGradient: SharedPointer<Float>, batch: Int, geometry g: ConvGeometry) {
        let cols = SharedPointer(UnsafeMutablePointer(mutating: columns))
        let c = g.inputChannels
        let depth = g.taps * c
        parallelChunks(batch) { _, samples in
            for n in samples {
                let image = inputGradient.base + n * g.inputSize
                var row = UnsafePointer(cols.base + n * g.outputPixels * depth)
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        var cell = row
                        for ky in 0..<g.kernelHeight {
                            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                            for kx in 0..<g.kernelWidth {
                                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                                if iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth {
                                    let target = image + (iy * g.inputWidth + ix) * c
                                    for ch in 0..<c { target[ch] += cell[ch] }
                                }
                                cell += c
                            }
                        }
                        row += depth
                    }
                }
            }
        }
    }
}
