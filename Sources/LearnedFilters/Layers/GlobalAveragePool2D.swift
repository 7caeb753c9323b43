// GlobalAveragePool2D: Keras' GlobalAveragePooling2D, the mean of each channel over the image.

/// Averages each channel over all positions: input `[batch, h, w, c]`, output `[batch, c]`
/// (Keras' default `keepdims=False`; `torch.nn.AdaptiveAvgPool2d(1)` then a flatten; ONNX
/// GlobalAveragePool then Flatten).
public final class GlobalAveragePool2D: Layer {
    /// The global average pooling's unique name in its model: `global_average_pooling2d`, ...
    public var name: String
    /// The global average pooling as an architecture entry (see ``LayerSpec``).
    public let spec = LayerSpec.globalAveragePool2d
    /// Per-sample input shape of the global average pooling.
    public let inputShape: [Int]
    /// Per-sample output shape: `[c]`: one mean per channel.
    public let outputShape: [Int]

    init(name: String, inputShape: [Int]) throws {
        guard inputShape.count == 3 else {
            throw LearnedFiltersError.badShape(
                "\(name) needs an input of shape (h, w, c), got \(inputShape)")
        }
        self.name = name
        self.inputShape = inputShape
        self.outputShape = [inputShape[2]]
    }

    private var positions: Int { inputShape[0] * inputShape[1] }
    private var channels: Int { inputShape[2] }

    /// The mean of every channel over all positions of a sample.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let (positions, channels) = (positions, channels)
        var output = [Float](repeating: 0, count: input.batch * channels)
        for n in 0..<input.batch {
            for p in 0..<positions {
                let i = (n * positions + p) * channels
                for ch in 0..<channels { output[n * channels + ch] += input.values[i + ch] }
            }
        }
        let scale = 1 / Float(positions)
        for index in output.indices { output[index] *= scale }
        return Tensor(shape: [input.batch, channels], values: output)
    }

    /// Spreads each channel's gradient evenly over the `h * w` positions.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let (positions, channels) = (positions, channels)
        let batch = outputGradient.batch
        let scale = 1 / Float(positions)
        var dx = [Float](repeating: 0, count: batch * positions * channels)
        for n in 0..<batch {
            for p in 0..<positions {
                let i = (n * positions + p) * channels
                for ch in 0..<channels {
                    dx[i + ch] = outputGradient.values[n * channels + ch] * scale
                }
            }
        }
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
