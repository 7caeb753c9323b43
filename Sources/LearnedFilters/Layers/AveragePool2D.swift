// AveragePool2D: Keras' AveragePooling2D over NHWC windows; padded cells are not counted.

/// Average pooling with pool size, stride and same/valid padding.
///
/// Input `[batch, h, w, c]`, output `[batch, oh, ow, c]`. Each output is the mean of the window's
/// cells that lie inside the input, so with 'same' padding a border window divides by fewer cells
/// (Keras and TensorFlow; `torch.nn.AvgPool2d(count_include_pad=False)`; ONNX AveragePool's
/// default). One plain implementation: pooling is a small share of a network's time.
public final class AveragePool2D: Layer {
    /// The average pooling's unique name in its model: `average_pooling2d`, `average_pooling2d_1`,
    /// ...
    public var name: String
    /// The average pooling as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the average pooling.
    public let inputShape: [Int]
    /// Per-sample output shape: `[oh, ow, c]`, one mean per window and channel.
    public let outputShape: [Int]
    package let geometry: ConvGeometry
    /// Trainable parameters: None: pooling learns nothing.
    public var parameters: [Parameter] { [] }

    init(name: String, spec: LayerSpec, inputShape: [Int]) throws {
        guard case .averagePool2d(let pool, let strides, let padding) = spec else {
            throw LearnedFiltersError.badShape("\(name) is not average pooling")
        }
        guard inputShape.count == 3 else {
            throw LearnedFiltersError.badShape(
                "\(name) needs an input of shape (h, w, c), got \(inputShape)")
        }
        geometry = ConvGeometry(
            inputHeight: inputShape[0], inputWidth: inputShape[1], inputChannels: inputShape[2],
            kernelHeight: pool[0], kernelWidth: pool[1], strideY: strides[0], strideX: strides[1],
            padding: padding)
        guard geometry.outputHeight > 0, geometry.outputWidth > 0 else {
            throw LearnedFiltersError.badShape(
                "\(name): a \(pool[0])x\(pool[1]) pool does not fit the input \(inputShape)")
        }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.outputShape = [geometry.outputHeight, geometry.outputWidth, inputShape[2]]
    }

    /// The input rows and columns of output cell (oy, ox) that lie inside the input.
    private func window(_ oy: Int, _ ox: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let g = geometry
        let top = oy * g.strideY - g.padTop
        let left = ox * g.strideX - g.padLeft
        return (
            max(top, 0)..<min(top + g.kernelHeight, g.inputHeight),
            max(left, 0)..<min(left + g.kernelWidth, g.inputWidth)
        )
    }

    /// The mean of each window and channel over the cells inside the input.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let g = geometry
        let c = g.inputChannels
        var output = [Float](repeating: 0, count: input.batch * g.outputPixels * c)
        for n in 0..<input.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let (rows, columns) = window(oy, ox)
                    let scale = 1 / Float(rows.count * columns.count)
                    let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c
                    for iy in rows {
                        for ix in columns {
                            let i = ((n * g.inputHeight + iy) * g.inputWidth + ix) * c
                            for ch in 0..<c { output[o + ch] += input.values[i + ch] }
                        }
                    }
                    for ch in 0..<c { output[o + ch] *= scale }
                }
            }
        }
        return Tensor(shape: [input.batch] + outputShape, values: output)
    }

    /// Spreads each output gradient evenly over the cells its window averaged.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let g = geometry
        let c = g.inputChannels
        let batch = outputGradient.batch
        var dx = [Float](repeating: 0, count: batch * g.inputSize)
        for n in 0..<batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let (rows, columns) = window(oy, ox)
                    let scale = 1 / Float(rows.count * columns.count)
                    let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c
                    for iy in rows {
                        for ix in columns {
                            let i = ((n * g.inputHeight + iy) * g.inputWidth + ix) * c
                            for ch in 0..<c { dx[i + ch] += outputGradient.values[o + ch] * scale }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
