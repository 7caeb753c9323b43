// ConvDirect: direct kernels for convolutions with one input channel, where GEMM is weak.

import ConvkitSupport

/// With a single input channel each output pixel is `kh*kw` multiply-adds of one input value
/// by a row of `cout` weights. Each sample is first copied into a zero-padded window that holds
/// every tap, so no loop tests bounds; the kernels then work an output row at a time, eight
/// filters per SIMD register (``AVX2Kernels`` where the processor has them). Samples are split
/// over the cores; kernel and bias gradients are summed per thread and added in thread order,
/// so the result depends only on the thread count. Matches ``ReferenceOps/convForward(input:kernel:bias:batch:geometry:filters:)``
/// and ``ReferenceOps/convBackward(input:kernel:outputGradient:batch:geometry:filters:)``.
enum ConvDirect {
    static func forward(
        input: [Float], kernel: [Float], bias: [Float], output: inout [Float],
        batch: Int, geometry g: ConvGeometry, filters: Int, relu: Bool
    ) {
        let window = PaddedWindow(g)
        let avx2 = AVX2Kernels.active(for: filters)
        withSharedPointers(input, kernel, bias) { x, w, b in
            output.withSharedMutablePointer { y in
                parallelChunks(batch) { _, samples in
                    let padded = UnsafeMutablePointer<Float>.allocate(capacity: window.size)
                    defer { padded.deallocate() }
                    for n in samples {
                        window.copy(x.base + n * g.inputSize, into: padded, geometry: g)
                        for oy in 0..<g.outputHeight {
                            forwardRow(
                                padded: padded, window: window, row: oy, kernel: w.base,
                                bias: b.base,
                                output: y.base + (n * g.outputHeight + oy) * g.outputWidth
                                    * filters,
                                geometry: g, filters: filters, relu: relu, avx2: avx2)
                        }
                    }
                }
            }
        }
    }

    /// The zero-padded copy of one sample that holds every tap of every output pixel, so the
    /// forward loops test no bounds: row `py`, column `px` is input pixel (py - padTop,
    /// px - padLeft), or zero outside the input.
    struct PaddedWindow {
        let height: Int, width: Int
        var size: Int { height * width }

        init(_ g: ConvGeometry) {
            height =
                (g.outputHeight - 1) * g.strideY
                + dilatedKernelSpan(kernel: g.kernelHeight, dilation: g.dilationY)
            width =
                (g.outputWidth - 1) * g.strideX
                + dilatedKernelSpan(kernel: g.kernelWidth, dilation: g.dilationX)
        }

        /// Fills `padded` from one single-channel sample.
        func copy(
            _ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>,
            geometry g: ConvGeometry
        ) {
            let first = max(0, g.padLeft)
            let skip = max(0, -g.padLeft)
            let count = max(0, min(g.inputWidth - skip, width - first))
            for py in 0..<height {
                let row = padded + py * width
                let iy = py - g.padTop
                guard iy >= 0, iy < g.inputHeight, count > 0 else {
                    row.update(repeating: 0, count: width)
                    continue
                }
                row.update(repeating: 0, count: first)
                row.advanced(by: first).update(from: image + iy * g.inputWidth + skip, count: count)
                row.advanced(by: first + count).update(repeating: 0, count: width - first - count)
            }
        }
    }

    /// Output row `oy` of one sample from its padded copy. Eight filters at a time, four
    /// pixels at once, their sums kept in registers across the taps; the last pixels of a row
    /// one at a time, and filters past the last eight one at a time.
    static func forwardRow(
        padded: UnsafePointer<Float>, window: PaddedWindow, row oy: Int,
        kernel: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry,
        filters: Int, relu: Bool, avx2: Bool
    ) {
        let top = padded + oy * g.strideY * window.width
        if avx2 {
            AVX2Kernels.forwardRow(
                top, kernel: kernel, bias: bias,
                shape: AVX2Kernels.rowShape(g, paddedWidth: window.width, filters: filters),
                relu: relu, output: output)
            return
        }
        var f = 0
        while f + 8 <= filters {
            var ox = 0
            while ox + 4 <= g.outputWidth {
                fourPixels(
                    top + ox * g.strideX, window: window, kernel: kernel + f, bias: bias + f,
                    output: output + ox * filters + f,
                    geometry: g, filters: filters, relu: relu)
                ox += 4
            }
            while ox < g.outputWidth {
                var sum = load8(bias + f)
                forEachTap(top + ox * g.strideX, window: window, geometry: g) { tap, value in
                    sum += SIMD8(repeating: value) * load8(kernel + tap * filters + f)
                }
                if relu { sum.replace(with: 0, where: sum .< 0) }
                store8(sum, output + ox * filters + f)
                ox += 1
            }
            f += 8
        }
        while f < filters {
            for ox in 0..<g.outputWidth {
                var sum = bias[f]
                forEachTap(top + ox * g.strideX, window: window, geometry: g) { tap, value in
                    sum += value * kernel[tap * filters + f]
                }
                output[ox * filters + f] = relu ? Swift.max(sum, 0) : sum
            }
            f += 1
        }
    }

    /// Eight filters of four neighbouring pixels, the first of whose windows starts at `corner`.
    @inline(__always)
    private static func fourPixels(
        _ corner: UnsafePointer<Float>, window: PaddedWindow, kernel: UnsafePointer<Float>,
        bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int, relu: Bool
    ) {
        var a = load8(bias)
        var b = a
        var c = a
        var d = a
        let step = g.strideX
        var tap = 0
        for ky in 0..<g.kernelHeight {
            let row = corner + ky * g.dilationY * window.width
            for kx in 0..<g.kernelWidth {
                let weight = load8(kernel + tap * filters)
                let source = row + kx * g.dilationX
                a += SIMD8(repeating: source[0]) * weight
                b += SIMD8(repeating: source[step]) * weight
                c += SIMD8(repeating: source[2 * step]) * weight
                d += SIMD8(repeating: source[3 * step]) * weight
                tap += 1
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

    /// Calls `body(tap, value)` for every tap of the window that starts at `corner`.
    @inline(__always)
    private static func forEachTap(
        _ corner: UnsafePointer<Float>, window: PaddedWindow, geometry g: ConvGeometry,
        _ body: (Int, Float) -> Void
    ) {
        for ky in 0..<g.kernelHeight {
            let row = corner + ky * g.dilationY * window.width
            for kx in 0..<g.kernelWidth { body(ky * g.kernelWidth + kx, row[kx * g.dilationX]) }
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
    static func backward(
        input: [Float], kernel: [Float], outputGradient: [Float], reluOutput: [Float]?,
        kernelGradient: inout [Float], biasGradient: inout [Float],
        inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int
    ) {
        let rowSize = g.outputWidth * filters
        // Each backward pass calls its path's shared body (here backwardRows) the same way.
        outputGradient.withSharedPointer { dy in
            reluOutput.withSharedPointer { y in
                backwardRows(
                    input: input, kernel: kernel, kernelGradient: &kernelGradient,
                    biasGradient: &biasGradient,
                    inputGradient: &inputGradient, batch: batch, geometry: g, filters: filters
                ) { n, oy, row in
                    let offset = (n * g.outputHeight + oy) * rowSize
                    maskedRow(
                        dy.base + offset, y.map { $0.base + offset }, into: row, count: rowSize)
                }
            }
        }
    }

    /// The body of both backward passes: `fillGradientRow(n, oy, row)` writes the (masked)
    /// output gradient of row `oy` of sample `n` into `row`, from which the gradients are summed.
    static func backwardRows(
        input: [Float], kernel: [Float], kernelGradient: inout [Float], biasGradient: inout [Float],
        inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int,
        fillGradientRow:
            @Sendable (_ sample: Int, _ row: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    ) {
        let chunks = chunkCount(batch)
        let kernelSize = g.taps * filters
        let partialSize = kernelSize + filters
        var partial = [Float](repeating: 0, count: chunks * partialSize)
        let wantInput = inputGradient != nil
        var dx = inputGradient ?? [0]
        inputGradient = nil
        let rowSize = g.outputWidth * filters
        let window = PaddedWindow(g)
        let avx2 = AVX2Kernels.active(for: filters)
        input.withSharedPointer { x in
            kernel.withSharedPointer { w in
                partial.withSharedMutablePointer { sums in
                    dx.withSharedMutablePointer { dInput in
                        parallelChunks(batch, parts: chunks) { chunk, samples in
                            let gradientRow = UnsafeMutablePointer<Float>.allocate(
                                capacity: rowSize)
                            let padded = UnsafeMutablePointer<Float>.allocate(capacity: window.size)
                            defer {
                                gradientRow.deallocate()
                                padded.deallocate()
                            }
                            let kernelSums = sums.base + chunk * partialSize
                            let biasSums = kernelSums + kernelSize
                            for n in samples {
                                window.copy(x.base + n * g.inputSize, into: padded, geometry: g)
                                for oy in 0..<g.outputHeight {
                                    fillGradientRow(n, oy, gradientRow)
                                    addRows(
                                        gradientRow, rows: g.outputWidth, width: filters,
                                        into: biasSums)
                                    backwardRow(
                                        padded: padded, window: window, row: oy,
                                        gradient: gradientRow,
                                        kernelSums: kernelSums, geometry: g, filters: filters,
                                        avx2: avx2)
                                    if wantInput {
                                        inputGradientRow(
                                            kernel: w.base, row: oy, gradient: gradientRow,
                                            inputGradient: dInput.base + n * g.inputSize,
                                            geometry: g, filters: filters)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        kernelGradient.addPartialSums(partial, chunks: chunks, stride: partialSize)
        biasGradient.addPartialSums(
            partial, chunks: chunks, offset: kernelSize, stride: partialSize)
        if wantInput { inputGradient = dx }
    }

    /// Copies `count` gradient values, zeroing those whose ReLU output (if given) is not positive.
    private static func maskedRow(
        _ gradient: UnsafePointer<Float>, _ output: UnsafePointer<Float>?,
        into target: UnsafeMutablePointer<Float>, count: Int
    ) {
        guard let output else {
            target.update(from: gradient, count: count)
            return
        }
        var i = 0
        while i + 8 <= count {
            store8(
                SIMD8(repeating: 0).replacing(
                    with: load8(gradient + i), where: load8(output + i) .> 0), target + i)
            i += 8
        }
        while i < count {
            target[i] = output[i] > 0 ? gradient[i] : 0
            i += 1
        }
    }

    /// Adds each of `rows` rows of `width` values to `sums`.
    private static func addRows(
        _ values: UnsafePointer<Float>, rows: Int, width: Int,
        into sums: UnsafeMutablePointer<Float>
    ) {
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
    /// the row of input value (from the sample's padded copy, zero outside the input) times
    /// masked output gradient, in four independent accumulators.
    private static func backwardRow(
        padded: UnsafePointer<Float>, window: PaddedWindow, row oy: Int,
        gradient: UnsafePointer<Float>,
        kernelSums: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int,
        avx2: Bool
    ) {
        if avx2 {
            AVX2Kernels.kernelGradientRow(
                padded + oy * g.strideY * window.width, gradient: gradient,
                shape: AVX2Kernels.rowShape(g, paddedWidth: window.width, filters: filters),
                kernelSums: kernelSums)
            return
        }
        let step = g.strideX
        let columns = g.outputWidth
        for ky in 0..<g.kernelHeight {
            let row = padded + (oy * g.strideY + ky * g.dilationY) * window.width
            for kx in 0..<g.kernelWidth {
                let source = row + kx * g.dilationX
                let target = kernelSums + (ky * g.kernelWidth + kx) * filters
                var f = 0
                while f + 8 <= filters {
                    var a = SIMD8<Float>()
                    var b = SIMD8<Float>()
                    var c = SIMD8<Float>()
                    var d = SIMD8<Float>()
                    var ox = 0
                    while ox + 4 <= columns {
                        let pixel = gradient + ox * filters + f
                        a += SIMD8(repeating: source[ox * step]) * load8(pixel)
                        b += SIMD8(repeating: source[(ox + 1) * step]) * load8(pixel + filters)
                        c += SIMD8(repeating: source[(ox + 2) * step]) * load8(pixel + 2 * filters)
                        d += SIMD8(repeating: source[(ox + 3) * step]) * load8(pixel + 3 * filters)
                        ox += 4
                    }
                    while ox < columns {
                        a +=
                            SIMD8(repeating: source[ox * step]) * load8(gradient + ox * filters + f)
                        ox += 1
                    }
                    store8(load8(target + f) + ((a + b) + (c + d)), target + f)
                    f += 8
                }
                while f < filters {
                    var sum: Float = 0
                    for ox in 0..<columns { sum += source[ox * step] * gradient[ox * filters + f] }
                    target[f] += sum
                    f += 1
                }
            }
        }
    }

    /// Adds one output row's contribution to the input gradient: each tap's input cell gets the
    /// dot product of that tap's weights with the pixel's gradient.
    private static func inputGradientRow(
        kernel: UnsafePointer<Float>, row oy: Int, gradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int
    ) {
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
