// ConvDirect: a direct kernel for convolutions with one input channel, where GEMM is weak.

/// With a single input channel each output pixel is `kh*kw` multiply-adds of one input value
/// by a row of `cout` weights: a loop over `cout` that the compiler vectorises. Samples are split
/// over the cores. The backward pass is ``ConvLowered``'s, whose kernel-gradient product has the
/// whole batch as its inner dimension, where sgemm is strong even with one input channel.
/// Matches ``ReferenceOps/convForward(input:kernel:bias:batch:geometry:filters:)``.
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
                                forwardSample(image: x.base + n * g.inputSize, kernel: w.base, bias: b.base,
                                              output: y.base + n * g.outputPixels * filters, geometry: g, filters: filters, relu: relu)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func forwardSample(image: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                      output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        var out = output
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                out.update(from: bias, count: filters)
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                    if iy < 0 || iy >= g.inputHeight { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                        if ix < 0 || ix >= g.inputWidth { continue }
                        let value = image[iy * g.inputWidth + ix]
                        let row = kernel + (ky * g.kernelWidth + kx) * filters
                        for f in 0..<filters { out[f] += value * row[f] }
                    }
                }
                if relu { for f in 0..<filters { out[f] = out[f] > 0 ? out[f] : 0 } }
                out += filters
            }
        }
    }
}
