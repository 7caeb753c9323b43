// ActivationLayer: Keras' Activation layer (and LeakyReLU / ELU) for the activations that have
// no layer of their own in convkit (relu and softmax do: ReLU, Softmax).

/// Applies an ``Activation`` element-wise (softmax over the last axis) as a layer of its own.
public final class ActivationLayer: Layer {
    public var name: String
    public let spec: LayerSpec
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    /// The function applied.
    public let activation: Activation
    private var stage: ActivationStage

    init(name: String, activation: Activation, inputShape: [Int]) {
        self.name = name
        self.spec = .activation(activation)
        self.inputShape = inputShape
        self.activation = activation
        stage = ActivationStage(activation, width: inputShape.last ?? 1, layerFuses: false)
    }

    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        var output = input
        stage.forward(&output.values)
        return output
    }

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        return stage.backward(outputGradient)
    }
}
