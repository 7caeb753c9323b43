// MaxPool2D: Keras' MaxPooling2D over NHWC windows, with a vectorised fast path.

/// Max pooling with pool size, stride and same/valid padding.
///
/// Input `[batch, h, w, c]`, output `[batch, oh, ow, c]`. The gradient goes to the first
/// maximum of each window in row-major order (as `torch.nn.MaxPool2d` on CPU). The fast path
/// takes eight channels at a time in SIMD registers, split over samples; the reference is ``ReferenceOps/maxPoolForward(input:batch:geometry:)``.
public final class MaxPool2D: Layer {
    public var name: String
    public let spec: LayerSpec
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let geometry: ConvGeometry
    public var parameters: [Parameter] { [] }

    private var lastInput = Tensor(zeros: [0])
    private var lastOutput = [Float]()
    private var referenceArgmax = [Int]()
    private var inputCount = 0

    init(name: String, spec: LayerSpec, inputShape: [Int]) throws {
        guard case let .maxPool2d(pool, strides, padding) = spec else { throw LearnedFiltersError.badShape("\(name) is not pooling") }
        guard inputShape.count == 3 else {
            throw LearnedFiltersError.badShape("\(name) needs an input of shape (h, w, c), got \(inputShape)")
        }
        geometry = ConvGeometry(inputHeight: inputShape[0], inputWidth: inputShape[1], inputChannels: inputShape[2],
                                kernelHeight: pool[0], kernelWidth: pool[1], strideY: strides[0], strideX: strides[1], padding: padding)
        guard geometry.outputHeight > 0, geometry.outputWidth > 0 else {
            throw LearnedFiltersError.badShape("\(name): a \(pool[0])x\(pool[1]) pool does not fit the input \(inputShape)")
        }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.outputShape = [geometry.outputHeight, geometry.outputWidth, inputShape[2]]
    }

    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let batch = input.batch
        inputCount = input.values.count
        if options.implementation == .reference {
            let result = ReferenceOps.maxPoolForward(input: input.values, batch: batch, geometry: geometry)
            referenceArgmax = result.argmax
            return Tensor(shape: [batch] + outputShape, values: result.output)
        }
        let g = geometry
        let c = g.inputChannels
        let outSize = g.outputPixels * c
        var output = uninitializedFloats(batch * outSize)
        lastInput = input
        input.values.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                let y = SharedPointer(yb.baseAddress!)
                parallelChunks(batch) { _, samples in
                    for n in samples {
                        let image = x.base + n * g.inputSize
                        var out = y.base + n * outSize
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                var first = true
                                for ky in 0..<g.kernelHeight {
                                    let iy = oy * g.strideY - g.padTop + ky
                                    if iy < 0 || iy >= g.inputHeight { continue }
                                    for kx in 0..<g.kernelWidth {
                                        let ix = ox * g.strideX - g.padLeft + kx
                                        if ix < 0 || ix >= g.inputWidth { continue }
                                        let cell = image + (iy * g.inputWidth + ix) * c
                                        if first {
                                            out.update(from: cell, count: c)
                                            first = false
                                            continue
                                        }
                                        var ch = 0
                                        while ch + 8 <= c {
                                            let best = load8(out + ch), value = load8(cell + ch)
                                            store8(best.replacing(with: value, where: value .> best), out + ch)
                                            ch += 8
                                        }
                                        while ch < c {
                                            if cell[ch] > out[ch] { out[ch] = cell[ch] }
                                            ch += 1
                                        }
                                    }
                                }
                                out += c
                            }
                        }
                    }
                }
            }
        }
        lastOutput = output
        return Tensor(shape: [batch] + outputShape, values: output)
    }

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool) -> Tensor? {
        guard needInputGradient else { return nil }
        let batch = outputGradient.batch
        if options.implementation == .reference {
            let values = ReferenceOps.maxPoolBackward(outputGradient: outputGradient.values, argmax: referenceArgmax, inputCount: inputCount)
            return Tensor(shape: [batch] + inputShape, values: values)
        }
        let g = geometry
        let c = g.inputChannels
        let outSize = g.outputPixels * c
        var dx = [Float](repeating: 0, count: inputCount)
        // Each gradient goes to the window's first cell equal to the maximum, which is the
        // cell the reference's strict `>` scan keeps.
        outputGradient.values.withUnsafeBufferPointer { gb in
            lastInput.values.withUnsafeBufferPointer { xb in
                lastOutput.withUnsafeBufferPointer { yb in
                    dx.withUnsafeMutableBufferPointer { db in
                        let grad = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                        let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                        let y = SharedPointer(UnsafeMutablePointer(mutating: yb.baseAddress!))
                        let d = SharedPointer(db.baseAddress!)
                        parallelChunks(batch) { _, samples in
                            for n in samples {
                                let image = x.base + n * g.inputSize
                                let target = d.base + n * g.inputSize
                                for oy in 0..<g.outputHeight {
                                    for ox in 0..<g.outputWidth {
                                        let o = n * outSize + (oy * g.outputWidth + ox) * c
                                        var ch = 0
                                        while ch + 8 <= c {
                                            let best = load8(y.base + o + ch), gradient = load8(grad.base + o + ch)
                                            var pending = SIMDMask<SIMD8<Int32>>(repeating: true)
                                            for ky in 0..<g.kernelHeight {
                                                let iy = oy * g.strideY - g.padTop + ky
                                                if iy < 0 || iy >= g.inputHeight { continue }
                                                for kx in 0..<g.kernelWidth {
                                                    let ix = ox * g.strideX - g.padLeft + kx
                                                    if ix < 0 || ix >= g.inputWidth { continue }
                                                    let index = (iy * g.inputWidth + ix) * c + ch
                                                    let hit = pending .& (load8(image + index) .== best)
                                                    let sum = load8(target + index) + SIMD8<Float>(repeating: 0).replacing(with: gradient, where: hit)
                                                    store8(sum, target + index)
                                                    pending = pending .& .!hit
                                                }
                                            }
                                            ch += 8
                                        }
                                        while ch < c {
                                            let best = y.base[o + ch]
                                            search: for ky in 0..<g.kernelHeight {
                                                let iy = oy * g.strideY - g.padTop + ky
                                                if iy < 0 || iy >= g.inputHeight { continue }
                                                for kx in 0..<g.kernelWidth {
                                                    let ix = ox * g.strideX - g.padLeft + kx
                                                    if ix < 0 || ix >= g.inputWidth { continue }
                                                    let index = (iy * g.inputWidth + ix) * c + ch
                                                    if image[index] == best {
                                                        target[index] += grad.base[o + ch]
                                                        break search
                                                    }
                                                }
                                            }
                                            ch += 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
