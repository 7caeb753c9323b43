// AveragePool2D: Keras' AveragePooling2D over NHWC windows; padded cells are not counted.

/// Average pooling with pool size, stride and same/valid padding.
///
/// Input `[batch, h, w, c]`, output `[batch, oh, ow, c]`. Each output is the mean of the window's
/// cells that lie inside the input, so with 'same' padding a border window divides by fewer cells
/// (Keras and TensorFlow; `torch.nn.AvgPool2d(count_include_pad=False)`; ONNX AveragePool's
/// default). One plain implementation: pooling is a small share of a network's time.
public final class AveragePool2D: Layer {
    // The Layer requirements, stored or derived from the geometry as in MaxPool2D's.
    /// The average pooling's unique name in its model: `average_pooling2d`, `average_pooling2d_1`,
    /// ...
    public var name: String
    /// The average pooling as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the average pooling.
    public var inputShape: [Int] { geometry.inputShape }
    /// Per-sample output shape: `[oh, ow, c]`, one mean per window and channel.
    public var outputShape: [Int] { geometry.pooledShape }
    package let geometry: ConvGeometry

    init(name: String, spec: LayerSpec, inputShape: [Int]) throws {
        geometry = try ConvGeometry(pooling: name, spec: spec, inputShape: inputShape)
        self.name = name
        self.spec = spec
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

    /// Calls `body` for each window of `batch` samples, in output order, with the sample, the
    /// input rows and columns the window covers inside the input, the offset of its output cell
    /// and 1 over the number of cells it covers.
    private func forEachWindow(
        batch: Int,
        _ body: (_ n: Int, _ rows: Range<Int>, _ columns: Range<Int>, _ output: Int, _ scale: Float)
            -> Void
    ) {
        let g = geometry
        for n in 0..<batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let (rows, columns) = window(oy, ox)
                    let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * g.inputChannels
                    body(n, rows, columns, o, 1 / Float(rows.count * columns.count))
                }
            }
        }
    }

    /// The offset of input cell (`n`, `iy`, `ix`)'s first channel.
    private func inputOffset(_ n: Int, _ iy: Int, _ ix: Int) -> Int {
        ((n * geometry.inputHeight + iy) * geometry.inputWidth + ix) * geometry.inputChannels
    }

    /// The mean of each window and channel over the cells inside the input.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let c = geometry.inputChannels
        var output = [Float](repeating: 0, count: input.batch * geometry.outputPixels * c)
        forEachWindow(batch: input.batch) { n, rows, columns, o, scale in
            for iy in rows {
                for ix in columns {
                    let i = inputOffset(n, iy, ix)
                    for ch in 0..<c { output[o + ch] += input.values[i + ch] }
                }
            }
            for ch in 0..<c { output[o + ch] *= scale }
        }
        return Tensor(shape: [input.batch] + outputShape, values: output)
    }

    /// Spreads each output gradient evenly over the cells its window averaged.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let c = geometry.inputChannels
        let batch = outputGradient.batch
        var dx = [Float](repeating: 0, count: batch * geometry.inputSize)
        forEachWindow(batch: batch) { n, rows, columns, o, scale in
            for iy in rows {
                for ix in columns {
                    let i = inputOffset(n, iy, ix)
                    for ch in 0..<c { dx[i + ch] += outputGradient.values[o + ch] * scale }
                }
            }
        }
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
