// Dense: Keras' fully connected layer, x @ W + b with kernel (inputs, outputs), over sgemm.

import ConvkitSupport

/// A fully connected layer with an activation (ReLU fused into the bias loop, the others
/// applied after it by `ActivationStage`).
///
/// Input `[batch, inputs]`, kernel `[inputs, outputs]`, bias `[outputs]`, output
/// `[batch, outputs]`. The fast path is `cblas_sgemm`; the reference is
/// `ReferenceOps/denseForward(input:kernel:bias:batch:inputs:outputs:)`.
public final class Dense: Layer {
    /// The dense layer's unique name in its model: `dense`, `dense_1`, ...
    public var name: String
    /// The dense layer as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the dense layer.
    public let inputShape: [Int]
    /// Per-sample output shape: `[units]`.
    public let outputShape: [Int]
    /// The weights, `[inputs, units]` (Keras layout).
    public let kernel: Parameter
    /// One bias per unit, `[units]`.
    public let bias: Parameter
    /// The activation applied after the bias (none or ReLU).
    public let activation: Activation
    /// Trainable parameters: `[kernel, bias]`, in Keras order.
    public var parameters: [Parameter] { [kernel, bias] }

    private var lastInput = Tensor(zeros: [0])
    private var lastOutput = Tensor(zeros: [0])
    private var activationStage: ActivationStage

    init(name: String, spec: LayerSpec, inputShape: [Int], generator: inout SeededGenerator) throws
    {
        guard case .dense(let units, let activation) = spec else {
            throw LearnedFiltersError.badShape("\(name) is not dense")
        }
        guard inputShape.count == 1 else {
            throw LearnedFiltersError.badShape(
                "\(name) needs flat input, got \(inputShape) (add 'flatten' before it)")
        }
        let (size, overflow) = inputShape[0].multipliedReportingOverflow(by: units)
        guard !overflow, size <= LayerSpec.maximumWeights else {
            throw LearnedFiltersError.badShape(
                "\(name): \(inputShape[0]) x \(units) weights are too many")
        }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.outputShape = [units]
        self.activation = activation
        activationStage = ActivationStage(activation, width: units)
        kernel = Parameter(
            name: "kernel", shape: [inputShape[0], units],
            value: glorotUniform(
                count: size, fanIn: inputShape[0], fanOut: units, generator: &generator))
        bias = Parameter(name: "bias", shape: [units], value: [Float](repeating: 0, count: units))
    }

    private var inputs: Int { inputShape[0] }
    private var units: Int { outputShape[0] }

    /// `input x kernel + bias` for a batch of flat vectors, then the activation; keeps what
    /// backward needs.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        lastInput = input
        let batch = input.batch
        var output: [Float]
        if options.implementation == .reference {
            output = ReferenceOps.denseForward(
                input: input.values, kernel: kernel.value, bias: bias.value, batch: batch,
                inputs: inputs, outputs: units)
            if activation == .relu { output = ReferenceOps.relu(output) }
        } else {
            // Every value is written by a product with beta 0, which does not read it.
            output = uninitializedFloats(batch * units)
            let (inputs, units) = (inputs, units)
            input.values.withSharedPointer { x in
                kernel.value.withSharedPointer { w in
                    output.withSharedMutablePointer { y in
                        parallelChunks(batch) { _, rows in
                            BLAS.gemm(
                                m: rows.count, n: units, k: inputs,
                                a: x.base + rows.lowerBound * inputs, b: w.base,
                                c: y.base + rows.lowerBound * units)
                        }
                    }
                }
            }
            FastOps.addBias(bias.value, to: &output, relu: activation == .relu)
        }
        activationStage.forward(&output)
        lastOutput = Tensor(shape: [batch, units], values: output)
        return lastOutput
    }

    /// Adds the kernel and bias gradients of the last forward pass and returns the input gradient
    /// when asked.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        let batch = lastInput.batch
        var gradient = activationStage.backward(outputGradient).values
        if activation == .relu {
            ReLU.mask(&gradient, output: lastOutput.values, implementation: options.implementation)
        }
        if options.implementation == .reference {
            let grads = ReferenceOps.denseBackward(
                input: lastInput.values, kernel: kernel.value, outputGradient: gradient,
                batch: batch, inputs: inputs, outputs: units)
            accumulate(grads, into: kernel, bias)
            return needInputGradient ? Tensor(shape: lastInput.shape, values: grads.input) : nil
        }
        FastOps.columnSums(gradient, rows: batch, columns: units, into: &bias.gradient)
        let (inputs, units) = (inputs, units)
        let chunks = chunkCount(batch)
        // Both are written whole by products with beta 0, which do not read them.
        var partial = uninitializedFloats(chunks * inputs * units)
        var dx = uninitializedFloats(needInputGradient ? batch * inputs : 1)
        withSharedPointers(lastInput.values, gradient, kernel.value) { x, dy, w in
            partial.withSharedMutablePointer { dw in
                dx.withSharedMutablePointer { d in
                    parallelChunks(batch, parts: chunks) { chunk, rows in
                        BLAS.gemm(
                            transposeA: true, m: inputs, n: units, k: rows.count,
                            a: x.base + rows.lowerBound * inputs,
                            b: dy.base + rows.lowerBound * units,
                            c: dw.base + chunk * inputs * units)
                        if needInputGradient {
                            BLAS.gemm(
                                transposeB: true, m: rows.count, n: inputs, k: units,
                                a: dy.base + rows.lowerBound * units,
                                b: w.base, c: d.base + rows.lowerBound * inputs)
                        }
                    }
                }
            }
        }
        kernel.gradient.addPartialSums(partial, chunks: chunks, stride: inputs * units)
        guard needInputGradient else { return nil }
        return Tensor(shape: lastInput.shape, values: dx)
    }
}
