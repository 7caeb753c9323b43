// ConvDirect: direct kernels for convolutions with one input channel, where GEMM is weak.

/// With a single input channel each output pixel is `kh*kw` multiply-adds of one input value
/// by a row of `cout` weights. The kernels work an output row at a time, eight filters per SIMD
/// register; away from the edges no bounds are tested inside the inner loops. Samples are split over the cores; kernel and
/// bias gradients are summed per thread and added in thread order, so the result depends only
/// on the thread count. Matches ``ReferenceOps/convForward(input:kernel:bias:batch:geometry:filters:)``
/// and ``ReferenceOps/convBackward(input:kernel:outputGradient:batch:geometry:filters:)``.
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
                                for oy in 0..<g.outputHeight {
                                    forwardRow(image: x.base + n * g.inputSize, row: oy, kernel: w.base, bias: b.base,
                                               output: y.base + (n * g.outputHeight + oy) * g.outputWidth * filters,
                                               geometry: g, filters: filters, relu: relu)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Output row `oy` of one sample. Eight filters at a time, the columns whose taps all fall
    /// inside the input go four pixels at once, their sums kept in registers across the taps;
    /// the columns at the edges go one at a time.
    private static func forwardRow(image: UnsafePointer<Float>, row oy: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                   output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        let interior = (0..<g.kernelWidth).reduce(0..<g.outputWidth) { $0.clamped(to: validColumns(tap: $1, geometry: g)) }
        var f = 0
        while f + 8 <= filters {
            var ox = 0
            while ox < g.outputWidth {
                let pixel = output + ox * filters + f
                if ox >= interior.lowerBound, ox + 4 <= interior.upperBound {
                    interiorPixels(image: image, oy: oy, ox: ox, kernel: kernel + f, bias: bias + f, output: pixel,
                                   geometry: g, filters: filters, relu: relu)
                    ox += 4
                } else {
                    edgePixel(image: image, oy: oy, ox: ox, kernel: kernel + f, bias: bias + f, output: pixel,
                              geometry: g, filters: filters, relu: relu)
                    ox += 1
                }
            }
            f += 8
        }
        while f < filters {
            for ox in 0..<g.outputWidth {
                var sum = bias[f]
                forEachTap(oy: oy, ox: ox, geometry: g) { tap, index in sum += image[index] * kernel[tap * filters + f] }
                output[ox * filters + f] = relu ? Swift.max(sum, 0) : sum
            }
            f += 1
        }
    }

    /// Eight filters of four neighbouring pixels whose taps all fall inside the input row.
    @inline(__always)
    private static func interiorPixels(image: UnsafePointer<Float>, oy: Int, ox: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                       output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        var a = load8(bias), b = a, c = a, d = a
        let step = g.strideX
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight { continue }
            for kx in 0..<g.kernelWidth {
                let weight = load8(kernel + (ky * g.kernelWidth + kx) * filters)
                let source = image + iy * g.inputWidth + ox * step - g.padLeft + kx * g.dilationX
                a += SIMD8(repeating: source[0]) * weight
                b += SIMD8(repeating: source[step]) * weight
                c += SIMD8(repeating: source[2 * step]) * weight
                d += SIMD8(repeating: source[3 * step]) * weight
            }
        }
        if relu {
            a.replace(with: 0, where: a .< 0)
            b.replace(with: 0, where: b .< 0)
            c.replace(with: 0, where: c .< 0)
            d.replace(with: 0, where: d .< 0)
        }
        store8(a, output)
        store8(b, output + filters)
        store8(c, output + 2 * filters)
        store8(d, output + 3 * filters)
    }

    /// Eight filters of one pixel, skipping taps outside the input.
    @inline(__always)
    private static func edgePixel(image: UnsafePointer<Float>, oy: Int, ox: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                  output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int, relu: Bool) {
        var sum = load8(bias)
        forEachTap(oy: oy, ox: ox, geometry: g) { tap, index in sum += SIMD8(repeating: image[index]) * load8(kernel + tap * filters) }
        if relu { sum.replace(with: 0, where: sum .< 0) }
        store8(sum, output)
    }

    /// Calls `body(tap, inputIndex)` for every tap of output pixel (oy, ox) inside the input.
    @inline(__always)
    private static func forEachTap(oy: Int, ox: Int, geometry g: ConvGeometry, _ body: (Int, Int) -> Void) {
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                if ix < 0 || ix >= g.inputWidth { continue }
                body(ky * g.kernelWidth + kx, iy * g.inputWidth + ix)
            }
        }
    }

    /// The output columns whose tap `kx` falls inside the input row.
    private static func validColumns(tap kx: Int, geometry g: ConvGeometry) -> Range<Int> {
        let offset = kx * g.dilationX - g.padLeft
        // ox * strideX + offset must lie in 0..<inputWidth.
        let first = offset >= 0 ? 0 : (-offset + g.strideX - 1) / g.strideX
        let limit = g.inputWidth - offset
        let end = limit <= 0 ? 0 : min(g.outputWidth, (limit + g.strideX - 1) / g.strideX)
        return first..<max(first, end)
    }

    /// Kernel and bias gradients (and, when asked, the input gradient) of ``forward``. With
    /// `reluOutput`, the gradient is first masked where that output is not positive.
    static func backward(input: [Float], kernel: [Float], outputGradient: [Float], reluOutput: [Float]?,
                         kernelGradient: inout [Float], biasGradient: inout [Float],
                         inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int) {
        let chunks = max(1, min(Threads.count, batch))
        let kernelSize = g.taps * filters
        let partialSize = kernelSize + filters
        var partial = [Float](repeating: 0, count: chunks * partialSize)
        let wantInput = inputGradient != nil
        var dx = inputGradient ?? [0]
        inputGradient = nil
        let mask = reluOutput ?? []
        let rowSize = g.outputWidth * filters
        input.withUnsafeBufferPointer { xb in
            kernel.withUnsafeBufferPointer { wb in
                outputGradient.withUnsafeBufferPointer { gb in
                    mask.withUnsafeBufferPointer { mb in
                        partial.withUnsafeMutableBufferPointer { pb in
                            dx.withUnsafeMutableBufferPointer { db in
                                let relu = reluOutput != nil
                                let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                                let w = SharedPointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                                let dy = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                                let y = SharedPointer(UnsafeMutablePointer(mutating: mb.baseAddress ?? gb.baseAddress!))
                                let sums = SharedPointer(pb.baseAddress!)
                                let dInput = SharedPointer(db.baseAddress!)
                                parallelChunks(batch, chunks: chunks) { chunk, samples in
                                    let gradientRow = UnsafeMutablePointer<Float>.allocate(capacity: rowSize)
                                    defer { gradientRow.deallocate() }
                                    let kernelSums = sums.base + chunk * partialSize
                                    let biasSums = kernelSums + kernelSize
                                    for n in samples {
                                        for oy in 0..<g.outputHeight {
                                            let offset = (n * g.outputHeight + oy) * rowSize
                                            maskedRow(dy.base + offset, relu ? y.base + offset : nil, into: gradientRow, count: rowSize)
                                            addRows(gradientRow, rows: g.outputWidth, width: filters, into: biasSums)
                                            backwardRow(image: x.base + n * g.inputSize, row: oy, gradient: gradientRow,
                                                        kernelSums: kernelSums, geometry: g, filters: filters)
                                            if wantInput {
                                                inputGradientRow(kernel: w.base, row: oy, gradient: gradientRow,
                                                                 inputGradient: dInput.base + n * g.inputSize, geometry: g, filters: filters)
                                            }
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
            for index in 0..<kernelSize { kernelGradient[index] += partial[chunk * partialSize + index] }
            for f in 0..<filters { biasGradient[f] += partial[chunk * partialSize + kernelSize + f] }
        }
        if wantInput { inputGradient = dx }
    }

    /// Copies `count` gradient values, zeroing those whose ReLU output (if given) is not positive.
    private static func maskedRow(_ gradient: UnsafePointer<Float>, _ output: UnsafePointer<Float>?,
                                  into target: UnsafeMutablePointer<Float>, count: Int) {
        guard let output else {
            target.update(from: gradient, count: count)
            return
        }
        var i = 0
        while i + 8 <= count {
            store8(SIMD8(repeating: 0).replacing(with: load8(gradient + i), where: load8(output + i) .> 0), target + i)
            i += 8
        }
        while i < count {
            target[i] = output[i] > 0 ? gradient[i] : 0
            i += 1
        }
    }

    /// Adds each of `rows` rows of `width` values to `sums`.
    private static func addRows(_ values: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = values + r * width
            var f = 0
            while f + 8 <= width {
                store8(load8(sums + f) + load8(row + f), sums + f)
                f += 8
            }
            while f < width {
                sums[f] += row[f]
                f += 1
            }
        }
    }

    /// Adds one output row's contribution to the kernel gradient: for each tap, the sum over
    /// the row of input value times masked output gradient, in four independent accumulators.
    private static func backwardRow(image: UnsafePointer<Float>, row oy: Int, gradient: UnsafePointer<Float>,
                                    kernelSums: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int) {
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight { continue }
            let source = image + iy * g.inputWidth
            for kx in 0..<g.kernelWidth {
                let span = validColumns(tap: kx, geometry: g)
                let shift = kx * g.dilationX - g.padLeft
                let target = kernelSums + (ky * g.kernelWidth + kx) * filters
                var f = 0
                while f + 8 <= filters {
                    var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
                    var ox = span.lowerBound
                    while ox + 4 <= span.upperBound {
                        a += SIMD8(repeating: source[ox * g.strideX + shift]) * load8(gradient + ox * filters + f)
                        b += SIMD8(repeating: source[(ox + 1) * g.strideX + shift]) * load8(gradient + (ox + 1) * filters + f)
                        c += SIMD8(repeating: source[(ox + 2) * g.strideX + shift]) * load8(gradient + (ox + 2) * filters + f)
                        d += SIMD8(repeating: source[(ox + 3) * g.strideX + shift]) * load8(gradient + (ox + 3) * filters + f)
                        ox += 4
                    }
                    while ox < span.upperBound {
                        a += SIMD8(repeating: source[ox * g.strideX + shift]) * load8(gradient + ox * filters + f)
                        ox += 1
                    }
                    store8(load8(target + f) + ((a + b) + (c + d)), target + f)
                    f += 8
                }
                while f < filters {
                    var sum: Float = 0
                    for ox in span { sum += source[ox * g.strideX + shift] * gradient[ox * filters + f] }
                    target[f] += sum
                    f += 1
                }
            }
        }
    }

    /// Adds one output row's contribution to the input gradient: each tap's input cell gets the
    /// dot product of that tap's weights with the pixel's gradient.
    private static func inputGradientRow(kernel: UnsafePointer<Float>, row oy: Int, gradient: UnsafePointer<Float>,
                                         inputGradient: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int) {
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight { continue }
            let target = inputGradient + iy * g.inputWidth
            for kx in 0..<g.kernelWidth {
                let weights = kernel + (ky * g.kernelWidth + kx) * filters
                let shift = kx * g.dilationX - g.padLeft
                for ox in validColumns(tap: kx, geometry: g) {
                    let pixel = gradient + ox * filters
                    var vector = SIMD8<Float>()
                    var f = 0
                    while f + 8 <= filters {
                        vector += load8(weights + f) * load8(pixel + f)
                        f += 8
                    }
                    var sum = vector.sum()
                    while f < filters {
                        sum += weights[f] * pixel[f]
                        f += 1
                    }
                    target[ox * g.strideX + shift] += sum
                }
            }
        }
    }
}
