// ConvLowered: convolution as im2col + cblas_sgemm, forward and backward, over both cores.

import ConvkitSupport

/// The fast general convolution. Each thread takes a contiguous share of the batch and walks
/// it a few samples at a time: the samples' receptive fields are copied into the rows of a
/// small `[samples*oh*ow, kh*kw*cin]` matrix (im2col) that stays in cache, whose product with
/// the `[kh*kw*cin, cout]` kernel (one single-threaded `cblas_sgemm` per thread) is the output,
/// finished with bias and ReLU while still hot. Backward rebuilds the same matrix for the
/// kernel gradient (per-thread partial sums, added in thread order so the result depends only
/// on the thread count) and scatters `dY * W^T` back onto the input (col2im).
/// Matches ``ReferenceOps`` convForward/convBackward.
enum ConvLowered {
    /// Samples per im2col block: about 1 MB of rows for the tutorial's second layer.
    static func blockSamples(_ g: ConvGeometry) -> Int {
        max(1, (1 << 18) / max(1, g.outputPixels * g.taps * g.inputChannels))
    }

    static func forward(
        input: [Float], kernel: [Float], bias: [Float], output: inout [Float],
        batch: Int, geometry g: ConvGeometry, filters: Int, relu: Bool
    ) {
        let depth = g.taps * g.inputChannels
        let block = blockSamples(g)
        withSharedPointers(input, kernel, bias) { x, w, b in
            output.withSharedMutablePointer { y in
                parallelChunks(batch) { _, samples in
                    let columns = UnsafeMutablePointer<Float>.allocate(
                        capacity: block * g.outputPixels * depth)
                    defer { columns.deallocate() }
                    for start in stride(from: samples.lowerBound, to: samples.upperBound, by: block)
                    {
                        let count = min(block, samples.upperBound - start)
                        let rows = count * g.outputPixels
                        im2col(
                            input: x.base + start * g.inputSize, columns: columns,
                            samples: count, geometry: g)
                        let out = y.base + start * g.outputPixels * filters
                        BLAS.gemm(
                            m: rows, n: filters, k: depth, a: columns, b: w.base, c: out)
                        for r in 0..<rows {
                            let row = out + r * filters
                            if relu {
                                for f in 0..<filters { row[f] = max(row[f] + b.base[f], 0) }
                            } else {
                                for f in 0..<filters { row[f] += b.base[f] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// With `reluOutput`, the gradient is first masked where that output is not positive.
    static func backward(
        input: [Float], kernel: [Float], outputGradient: [Float], reluOutput: [Float]?,
        kernelGradient: inout [Float], biasGradient: inout [Float],
        inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int
    ) {
        let depth = g.taps * g.inputChannels
        let block = blockSamples(g)
        let chunks = chunkCount(batch)
        let kernelSize = depth * filters
        var partial = [Float](repeating: 0, count: chunks * (kernelSize + filters))
        let wantInput = inputGradient != nil
        var dx = inputGradient ?? [0]
        inputGradient = nil
        withSharedPointers(input, kernel, outputGradient) { x, w, dy in
            partial.withSharedMutablePointer { dw in
                dx.withSharedMutablePointer { dInput in
                    reluOutput.withSharedPointer { y in
                        parallelChunks(batch, parts: chunks) { chunk, samples in
                            let columns = UnsafeMutablePointer<Float>.allocate(
                                capacity: block * g.outputPixels * depth)
                            let grad = UnsafeMutablePointer<Float>.allocate(
                                capacity: block * g.outputPixels * filters)
                            defer {
                                columns.deallocate()
                                grad.deallocate()
                            }
                            let biasSums = dw.base + chunks * kernelSize + chunk * filters
                            for start in stride(
                                from: samples.lowerBound, to: samples.upperBound, by: block)
                            {
                                let count = min(block, samples.upperBound - start)
                                let rows = count * g.outputPixels
                                let offset = start * g.outputPixels * filters
                                for r in 0..<rows {
                                    let source = dy.base + offset + r * filters
                                    let target = grad + r * filters
                                    if let y {
                                        let out = y.base + offset + r * filters
                                        for f in 0..<filters {
                                            target[f] = out[f] > 0 ? source[f] : 0
                                        }
                                    } else {
                                        target.update(from: source, count: filters)
                                    }
                                    for f in 0..<filters { biasSums[f] += target[f] }
                                }
                                im2col(
                                    input: x.base + start * g.inputSize, columns: columns,
                                    samples: count, geometry: g)
                                BLAS.gemm(
                                    transposeA: true, m: depth, n: filters, k: rows,
                                    a: columns, b: grad,
                                    beta: 1, c: dw.base + chunk * kernelSize)
                                if wantInput {
                                    BLAS.gemm(
                                        transposeB: true, m: rows, n: depth, k: filters,
                                        a: grad, b: w.base, c: columns)
                                    col2im(
                                        columns: columns,
                                        inputGradient: dInput.base + start * g.inputSize,
                                        samples: count, geometry: g)
                                }
                            }
                        }
                    }
                }
            }
        }
        kernelGradient.addPartialSums(partial, chunks: chunks, stride: kernelSize)
        biasGradient.addPartialSums(
            partial, chunks: chunks, offset: chunks * kernelSize, stride: filters)
        if wantInput { inputGradient = dx }
    }

    /// Copies the receptive fields of `samples` consecutive samples into rows; taps outside the
    /// input are zero.
    static func im2col(
        input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, samples: Int,
        geometry g: ConvGeometry
    ) {
        let c = g.inputChannels
        forEachTap(samples: samples, geometry: g) { column, pixel in
            if let pixel {
                (columns + column).update(from: input + pixel, count: c)
            } else {
                (columns + column).update(repeating: 0, count: c)
            }
        }
    }

    /// Adds each row's gradient back onto the input cells it was copied from (which must start
    /// at zero for these samples).
    static func col2im(
        columns: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, samples: Int,
        geometry g: ConvGeometry
    ) {
        let c = g.inputChannels
        forEachTap(samples: samples, geometry: g) { column, pixel in
            guard let pixel else { return }
            for ch in 0..<c { inputGradient[pixel + ch] += columns[column + ch] }
        }
    }

    /// Walks the taps of `samples` samples in the rows' order: `visit(column, pixel)` with the
    /// tap's offset in the rows and its input pixel's offset from the first sample, or nil for a
    /// tap outside the input.
    @inline(__always) private static func forEachTap(
        samples: Int, geometry g: ConvGeometry, _ visit: (_ column: Int, _ pixel: Int?) -> Void
    ) {
        let c = g.inputChannels
        var column = 0
        for n in 0..<samples {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                            let inside =
                                iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
                            visit(
                                column,
                                inside ? n * g.inputSize + (iy * g.inputWidth + ix) * c : nil)
                            column += c
                        }
                    }
                }
            }
        }
    }
}
