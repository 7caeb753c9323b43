// ConvDirect: a direct kernel for convolutions with one input channel, where GEMM is weak.

/// With a single input channel each output pixel is `kh*kw` multiply-adds of one input value
/// by a row of `cout` weights: a loop over `cout` that the compiler vectorises. Samples are
/// split over the cores; kernel gradients are summed per chunk and then in chunk order, so the
/// result does not depend on timing. Matches ``ReferenceOps`` convForward/Backward.
enum ConvDirect {
    static func forward(input: [Float], kernel: [Float], bias: [Float], output: inout [Float],
                        batch: Int, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        input.withUnsafeBufferPointer { xb in
            kernel.withUnsafeBufferPointer { wb in
                bias.withUnsafeBufferPointer { bb in
                    output.withUnsafeMutableBufferPointer { yb in
                        let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                        let w = SharedPointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                        let b = SharedPointer(UnsafeMutablePointer(mutating: bb.baseAddress!))
                        let y = SharedPointer(yb.baseAddress!)
                        parallelChunks(batch) { _, samples in
                            for n in samples {
                                let image = x.base + n * g.inputSize
                                var out = y.base + n * g.outputPixels * filters
                                for oy in 0..<g.outputHeight {
                                    for ox in 0..<g.outputWidth {
                                        out.update(from: b.base, count: filters)
                                        for ky in 0..<g.kernelHeight {
                                            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                                            if iy < 0 || iy >= g.inputHeight { continue }
                                            for kx in 0..<g.kernelWidth {
                                                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                                                if ix < 0 || ix >= g.inputWidth { continue }
                                                let value = image[iy * g.inputWidth + ix]
                                                let row = w.base + (ky * g.kernelWidth + kx) * filters
                                                for f in 0..<filters { out[f] += value * row[f] }
                                            }
                                        }
                                        if relu { for f in 0..<filters { out[f] = max(out[f], 0) } }
                                        out += filters
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func backward(input: [Float], kernel: [Float], outputGradient: [Float], kernelGradient: inout [Float],
                         inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int) {
        let chunks = max(1, min(Threads.count, batch))
        let kernelSize = kernel.count
        var partial = [Float](repeating: 0, count: chunks * kernelSize)
        var dx = inputGradient ?? []
        let wantInput = inputGradient != nil
        inputGradient = nil
        input.withUnsafeBufferPointer { xb in
            kernel.withUnsafeBufferPointer { wb in
                outputGradient.withUnsafeBufferPointer { dyb in
                    partial.withUnsafeMutableBufferPointer { pb in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                            let w = SharedPointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                            let dy = SharedPointer(UnsafeMutablePointer(mutating: dyb.baseAddress!))
                            let dw = SharedPointer(pb.baseAddress!)
                            let dInput = wantInput ? SharedPointer(dxb.baseAddress!) : nil
                            parallelChunks(batch, chunks: chunks) { chunk, samples in
                                let sums = dw.base + chunk * kernelSize
                                for n in samples {
                                    let image = x.base + n * g.inputSize
                                    var grad = dy.base + n * g.outputPixels * filters
                                    for oy in 0..<g.outputHeight {
                                        for ox in 0..<g.outputWidth {
                                            for ky in 0..<g.kernelHeight {
                                                let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                                                if iy < 0 || iy >= g.inputHeight { continue }
                                                for kx in 0..<g.kernelWidth {
                                                    let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                                                    if ix < 0 || ix >= g.inputWidth { continue }
                                                    let tap = (ky * g.kernelWidth + kx) * filters
                                                    let value = image[iy * g.inputWidth + ix]
                                                    let row = sums + tap
                                                    for f in 0..<filters { row[f] += value * grad[f] }
                                                    if let dInput {
                                                        let weights = w.base + tap
                                                        var total: Float = 0
                                                        for f in 0..<filters { total += weights[f] * grad[f] }
                                                        dInput.base[n * g.inputSize + iy * g.inputWidth + ix] += total
                                                    }
                                                }
                                            }
                                            grad += filters
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for chunk in 0..<chunks {
            for index in 0..<kernelSize { kernelGradient[index] += partial[chunk * kernelSize + index] }
        }
        if wantInput { inputGradient = dx }
    }
}
