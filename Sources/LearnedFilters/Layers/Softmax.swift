// Softmax: Keras' Softmax layer (and Activation("softmax")) over the last axis, inside a network.

/// `exp(x - max) / sum(exp(x - max))` along the last axis, for softmax layers inside a network.
/// A model never ends with one: its outputs are logits, and the loss and `predict` apply the
/// softmax (the readers of other formats fold a final softmax into that).
public final class Softmax: Layer {
    // The Layer requirements, stored as in every layer (ReLU's read the same).
    /// The softmax layer's unique name in its model: `softmax`, `softmax_1`, ...
    public var name: String
    /// The softmax layer as an architecture entry (see ``LayerSpec``).
    public let spec = LayerSpec.softmax
    /// Per-sample input shape of the softmax layer.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape, unchanged.
    public var outputShape: [Int] { inputShape }
    private var lastOutput = [Float]()

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    private var width: Int { inputShape.last ?? 1 }

    /// The softmax along the last axis (``Activation/softmax``'s arithmetic); keeps the output
    /// for the backward pass.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        lastOutput = ActivationMath.softmax(input.values, width: width)
        return Tensor(shape: input.shape, values: lastOutput)
    }

    /// The softmax Jacobian applied to the output gradient, row by row.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let dx = ActivationMath.backward(
            .softmax, input: [], output: lastOutput, gradient: outputGradient.values, width: width)
        return Tensor(shape: outputGradient.shape, values: dx)
    }
}
