// MaxPool2D: Keras' MaxPooling2D over NHWC windows, with a vectorised fast path.

/// Max pooling with pool size, stride and same/valid padding.
///
/// Input `[batch, h, w, c]`, output `[batch, oh, ow, c]`. The gradient goes to the first
/// maximum of each window in row-major order (as `torch.nn.MaxPool2d` on CPU). The fast path is
/// `MaxPoolKernels`; the reference is `ReferenceOps/maxPoolForward(input:batch:geometry:)`.
public final class MaxPool2D: Layer {
    // The Layer requirements, stored or derived from the geometry as in AveragePool2D's.
    /// The max pooling's unique name in its model: `max_pooling2d`, `max_pooling2d_1`, ...
    public var name: String
    /// The max pooling as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the max pooling.
    public var inputShape: [Int] { geometry.inputShape }
    /// Per-sample output shape: `[oh, ow, c]`, one value per window and channel.
    public var outputShape: [Int] { geometry.pooledShape }
    package let geometry: ConvGeometry

    private var lastArgmax = [Float]()
    private var referenceArgmax = [Int]()
    private var inputCount = 0

    init(name: String, spec: LayerSpec, inputShape: [Int]) throws {
        geometry = try ConvGeometry(pooling: name, spec: spec, inputShape: inputShape)
        self.name = name
        self.spec = spec
    }

    /// The maximum of each window and channel; remembers where it was for the backward pass.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        let batch = input.batch
        inputCount = input.values.count
        if options.implementation == .reference {
            let result = ReferenceOps.maxPoolForward(
                input: input.values, batch: batch, geometry: geometry)
            referenceArgmax = result.argmax
            return Tensor(shape: [batch] + outputShape, values: result.output)
        }
        var output = uninitializedFloats(batch * geometry.outputPixels * geometry.inputChannels)
        var argmax = [Float](repeating: 0, count: output.count)
        MaxPoolKernels.forward(
            input: input.values, output: &output, argmax: &argmax, batch: batch, geometry: geometry)
        lastArgmax = argmax
        return Tensor(shape: [batch] + outputShape, values: output)
    }

    /// Sends each output gradient to its window's first maximum; other cells get zero.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        let batch = outputGradient.batch
        if options.implementation == .reference {
            let values = ReferenceOps.maxPoolBackward(
                outputGradient: outputGradient.values, argmax: referenceArgmax,
                inputCount: inputCount)
            return Tensor(shape: [batch] + inputShape, values: values)
        }
        var dx =
            MaxPoolKernels.tilesInput(geometry)
            ? uninitializedFloats(inputCount) : [Float](repeating: 0, count: inputCount)
        MaxPoolKernels.backward(
            outputGradient: outputGradient.values, argmax: lastArgmax, inputGradient: &dx,
            batch: batch, geometry: geometry)
        return Tensor(shape: [batch] + inputShape, values: dx)
    }
}
