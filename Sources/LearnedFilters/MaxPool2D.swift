// MaxPool2D: Keras' MaxPooling2D over NHWC windows, with a vectorised fast path.

/// Max pooling with pool size, stride and same/valid padding.
///
/// Input `[batch, h, w, c]`, output `[batch, oh, ow, c]`. The gradient goes to the first
/// maximum of each window in row-major order (as `torch.nn.MaxPool2d` on CPU). The fast path
/// loops over channels innermost, split over samples; the reference is ``ReferenceOps/maxPoolForward(input:batch:geometry:)``.
public final class MaxPool2D: Layer {
    public var name: String
    public let spec: LayerSpec
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let geometry: ConvGeometry
    public var parameters: [Parameter] { [] }

    private var argmax = [Int32]()
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
        guard inputShape.reduce(1, *) < Int(Int32.max) else { throw LearnedFiltersError.badShape("\(name): input \(inputShape) is too large") }
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
        var output = [Float](repeating: 0, count: batch * outSize)
        argmax = [Int32](repeating: 0, count: batch * outSize)
        input.values.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let x = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                    let y = SharedPointer(yb.baseAddress!)
                    let a = SharedPointer(ab.baseAddress!)
                    parallelChunks(batch) { _, samples in
                        for n in samples {
                            let image = x.base + n * g.inputSize
                            var out = y.base + n * outSize
                            var arg = a.base + n * outSize
                            for oy in 0..<g.outputHeight {
                                for ox in 0..<g.outputWidth {
                                    var first = true
                                    for ky in 0..<g.kernelHeight {
                                        let iy = oy * g.strideY - g.padTop + ky
                                        if iy < 0 || iy >= g.inputHeight { continue }
                                        for kx in 0..<g.kernelWidth {
                                            let ix = ox * g.strideX - g.padLeft + kx
                                            if ix < 0 || ix >= g.inputWidth { continue }
                                            let offset = (iy * g.inputWidth + ix) * c
                                            let cell = image + offset
                                            if first {
                                                for ch in 0..<c {
                                                    out[ch] = cell[ch]
                                                    arg[ch] = Int32(offset + ch)
                                                }
                                                first = false
                                            } else {
                                                for ch in 0..<c {
                                                    let better = cell[ch] > out[ch]
                                                    out[ch] = better ? cell[ch] : out[ch]
                                                    arg[ch] = better ? Int32(offset + ch) : arg[ch]
                                                }
                                            }
                                        }
                                    }
                                    out += c
                                    arg += c
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch] + outputShape, values: output)
    }

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool) -> Tensor? {
        guard needInputGradient else { return nil }
        let batch = outputGradient.batch
        if options.implementation == .reference {
            let values = ReferenceOps.maxPoolBackward(outputGradient: outputGradient.values, argmax: referenceArgmax, inputCount: inputCount)
            return Tensor(shape: [batch] + inputShape, values: values)
        }
        let inSize = geometry.inputSize
        let outSize = geometry.outputPixels * geometry.inputChannels
        var dx = [Float](repeating: 0, count: inputCount)
        outputGradient.values.withUnsafeBufferPointer { gb in
            argmax.withUnsafeBufferPointer { ab in
                dx.withUnsafeMutableBufferPointer { db in
                    let g = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                    let a = SharedPointer(UnsafeMutablePointer(mutating: ab.baseAddress!))
                    let d = SharedPointer(db.baseAddress!)
                    parallelChunks(batch) { _, samples in
                        for n in samples {
                            let target = d.base + n * inSize
                            for o in n * outSize..<(n + 1) * outSize { target[Int(a.base[o])] += g.base[o] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
