// Flatten: (h, w, c) to one axis in Keras' row-major order, and ReLU as a layer of its own.

/// Reshapes `[batch, h, w, c]` to `[batch, h*w*c]` in (h, w, c) order, as Keras does.
public final class Flatten: Layer {
    /// The flatten's unique name in its model: `flatten`, `flatten_1`, ...
    public var name: String
    /// The flatten as an architecture entry (see ``LayerSpec``).
    public let spec = LayerSpec.flatten
    /// Per-sample input shape of the flatten.
    public let inputShape: [Int]
    /// Per-sample output shape: `[h * w * c]`.
    public let outputShape: [Int]

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
        self.outputShape = [inputShape.reduce(1, *)]
    }

    /// The same values with the sample axes merged into one (no copy of the arithmetic).
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        Tensor(shape: [input.batch] + outputShape, values: input.values)
    }

    /// The output gradient reshaped back to `[batch] + inputShape`.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        needInputGradient
            ? Tensor(shape: [outputGradient.batch] + inputShape, values: outputGradient.values)
            : nil
    }
}

/// `max(x, 0)` as a separate layer (Keras' ReLU layer), for architectures that want it apart.
public final class ReLU: Layer {
    // The Layer requirements, stored as in every layer (Softmax's read the same).
    /// The ReLU layer's unique name in its model: `re_lu`, `re_lu_1`, ...
    public var name: String
    /// The ReLU layer as an architecture entry (see ``LayerSpec``).
    public let spec = LayerSpec.relu
    /// Per-sample input shape of the ReLU layer.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape, unchanged.
    public var outputShape: [Int] { inputShape }
    private var lastOutput = [Float]()

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    /// `max(x, 0)` element by element; keeps the output for the backward pass.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        var output = input
        if options.implementation == .reference {
            output.values = ReferenceOps.relu(input.values)
        } else {
            FastOps.relu(&output.values)
        }
        lastOutput = output.values
        return output
    }

    /// The output gradient where the last output was positive, zero elsewhere.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        var gradient = outputGradient
        ReLU.mask(&gradient.values, output: lastOutput, implementation: options.implementation)
        return gradient
    }

    /// Zeroes `gradient` where `output`, a ReLU's, is not positive, with the loops of
    /// `implementation`: this layer's backward pass, and that of a dense layer's fused ReLU.
    static func mask(_ gradient: inout [Float], output: [Float], implementation: Implementation) {
        if implementation == .reference {
            gradient = ReferenceOps.reluBackward(output: output, outputGradient: gradient)
        } else {
            FastOps.reluBackward(output: output, gradient: &gradient)
        }
    }
}
