// Softmax: Keras' Softmax layer (and Activation("softmax")) over the last axis, inside a network.

import Foundation

/// `exp(x - max) / sum(exp(x - max))` along the last axis, for softmax layers inside a network.
/// A model never ends with one: its outputs are logits, and the loss and `predict` apply the
/// softmax (the readers of other formats fold a final softmax into that).
public final class Softmax: Layer {
    /// The softmax layer's unique name in its model: `softmax`, `softmax_1`, ...
    public var name: String
    /// The softmax layer as an architecture entry (see ``LayerSpec``).
    public let spec = LayerSpec.softmax
    /// Per-sample input shape of the softmax layer.
    public let inputShape: [Int]
    /// Per-sample input shape of the softmax layer.
    public var outputShape: [Int] { inputShape }
    /// Trainable parameters: None: softmax learns nothing.
    public var parameters: [Parameter] { [] }
    private var lastOutput = [Float]()

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    private var width: Int { inputShape.last ?? 1 }

    /// The softmax along the last axis; keeps the output for the backward pass.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let width = width
        var output = input
        for start in stride(from: 0, to: input.values.count, by: width) {
            let row = start..<start + width
            let top = input.values[row].max() ?? 0
            var total: Float = 0
            for index in row {
                output.values[index] = exp(input.values[index] - top)
                total += output.values[index]
            }
            for index in row { output.values[index] /= total }
        }
        lastOutput = output.values
        return output
    }

    /// The softmax Jacobian applied to the output gradient, row by row.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let width = width
        var dx = outputGradient
        for start in stride(from: 0, to: dx.values.count, by: width) {
            let row = start..<start + width
            var dot: Float = 0
            for index in row { dot += outputGradient.values[index] * lastOutput[index] }
            for index in row {
                dx.values[index] = lastOutput[index] * (outputGradient.values[index] - dot)
            }
        }
        return dx
    }
}
