// Flatten: (h, w, c) to one axis in Keras' row-major order, and ReLU as a layer of its own.

/// Reshapes `[batch, h, w, c]` to `[batch, h*w*c]` in (h, w, c) order, as Keras does.
public final class Flatten: Layer {
    public var name: String
    public let spec = LayerSpec.flatten
    public let inputShape: [Int]
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
        self.outputShape = [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        Tensor(shape: [input.batch] + outputShape, values: input.values)
    }

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
    public var name: String
    public let spec = LayerSpec.relu
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public var parameters: [Parameter] { [] }
    private var lastOutput = [Float]()

    init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

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

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        var gradient = outputGradient
        if options.implementation == .reference {
            gradient.values = ReferenceOps.reluBackward(
                output: lastOutput, outputGradient: outputGradient.values)
        } else {
            FastOps.reluBackward(output: lastOutput, gradient: &gradient.values)
        }
        return gradient
    }
}
