// Dense: Keras' fully connected layer, x @ W + b with kernel (inputs, outputs), over sgemm.

/// A fully connected layer with an optional fused ReLU.
///
/// Input `[batch, inputs]`, kernel `[inputs, outputs]`, bias `[outputs]`, output
/// `[batch, outputs]`. The fast path is `cblas_sgemm`; the reference is
/// ``ReferenceOps/denseForward(input:kernel:bias:batch:inputs:outputs:)``.
public final class Dense: Layer {
    public var name: String
    public let spec: LayerSpec
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let kernel: Parameter
    public let bias: Parameter
    public let activation: Activation
    public var parameters: [Parameter] { [kernel, bias] }

    private var lastInput = Tensor(zeros: [0])
    private var lastOutput = Tensor(zeros: [0])

    init(name: String, spec: LayerSpec, inputShape: [Int], generator: inout SeededGenerator) throws {
        guard case let .dense(units, activation) = spec else { throw LearnedFiltersError.badShape("\(name) is not dense") }
        guard inputShape.count == 1 else {
            throw LearnedFiltersError.badShape("\(name) needs flat input, got \(inputShape) (add 'flatten' before it)")
        }
        let (size, overflow) = inputShape[0].multipliedReportingOverflow(by: units)
        guard !overflow, size <= 1 << 28 else { throw LearnedFiltersError.badShape("\(name): \(inputShape[0]) x \(units) weights are too many") }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.outputShape = [units]
        self.activation = activation
        kernel = Parameter(name: "kernel", shape: [inputShape[0], units],
                           value: glorotUniform(count: size, fanIn: inputShape[0], fanOut: units, generator: &generator))
        bias = Parameter(name: "bias", shape: [units], value: [Float](repeating: 0, count: units))
    }

    private var inputs: Int { inputShape[0] }
    private var units: Int { outputShape[0] }

    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        lastInput = input
        let batch = input.batch
        var output: [Float]
        if options.implementation == .reference {
            output = ReferenceOps.denseForward(input: input.values, kernel: kernel.value, bias: bias.value, batch: batch,
                                               inputs: inputs, outputs: units)
            if activation == .relu { output = ReferenceOps.relu(output) }
        } else {
            output = [Float](repeating: 0, count: batch * units)
            input.values.withUnsafeBufferPointer { x in
                kernel.value.withUnsafeBufferPointer { w in
                    output.withUnsafeMutableBufferPointer { y in
                        BLAS.gemm(m: batch, n: units, k: inputs, a: x.baseAddress!, b: w.baseAddress!, c: y.baseAddress!)
                    }
                }
            }
            FastOps.addBias(bias.value, to: &output, relu: activation == .relu)
        }
        lastOutput = Tensor(shape: [batch, units], values: output)
        return lastOutput
    }

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool) -> Tensor? {
        let batch = lastInput.batch
        if options.implementation == .reference {
            let gradient = activation == .relu
                ? ReferenceOps.reluBackward(output: lastOutput.values, outputGradient: outputGradient.values) : outputGradient.values
            let grads = ReferenceOps.denseBackward(input: lastInput.values, kernel: kernel.value, outputGradient: gradient,
                                                   batch: batch, inputs: inputs, outputs: units)
            accumulate(grads.kernel, into: kernel)
            accumulate(grads.bias, into: bias)
            return needInputGradient ? Tensor(shape: lastInput.shape, values: grads.input) : nil
        }
        var gradient = outputGradient.values
        if activation == .relu { FastOps.reluBackward(output: lastOutput.values, gradient: &gradient) }
        FastOps.columnSums(gradient, rows: batch, columns: units, into: &bias.gradient)
        lastInput.values.withUnsafeBufferPointer { x in
            gradient.withUnsafeBufferPointer { dy in
                kernel.gradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transposeA: true, m: inputs, n: units, k: batch, a: x.baseAddress!, b: dy.baseAddress!,
                              beta: 1, c: dw.baseAddress!)
                }
            }
        }
        guard needInputGradient else { return nil }
        var dx = [Float](repeating: 0, count: batch * inputs)
        gradient.withUnsafeBufferPointer { dy in
            kernel.value.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer { d in
                    BLAS.gemm(transposeB: true, m: batch, n: inputs, k: units, a: dy.baseAddress!, b: w.baseAddress!, c: d.baseAddress!)
                }
            }
        }
        return Tensor(shape: lastInput.shape, values: dx)
    }
}
