// InputGradient: a backward pass down to the model's input, from any layer's output.

/// The result of ``Model/inputGradient(_:throughLayer:capturingLayer:implementation:seed:)``.
public struct InputGradient: Sendable {
    /// The output of the layer the pass started from, `[n] + that layer's output shape`.
    public var output: Tensor
    /// The gradient of the seeded quantity with respect to the input batch (same shape).
    public var input: Tensor
    /// The output of the captured layer and the gradient with respect to it, when a layer was
    /// captured.
    public var captured: (output: Tensor, gradient: Tensor)?
}

extension Model {
    /// The index of the layer called `name` (Keras name), if any.
    public func layerIndex(named name: String) -> Int? {
        layers.firstIndex { $0.name == name }
    }

    /// Runs `batch` in inference mode through the layers up to and including layer `last`,
    /// asks `seed` for the gradient of the quantity of interest with respect to that layer's
    /// output, and propagates it back down to the input. Every sample is independent, so one
    /// pass serves as many targets as the batch has samples (one target per sample).
    ///
    /// `capturingLayer` keeps that layer's output and the gradient arriving at it (what
    /// Grad-CAM needs); it must not come after `last`. The layers' parameter gradients are
    /// used as scratch and left at zero.
    /// - Throws: ``LearnedFiltersError/badInput(_:)`` for a batch of the wrong shape, a layer
    ///   index out of range, or a seed gradient of the wrong shape.
    public func inputGradient(
        _ batch: Tensor, throughLayer last: Int, capturingLayer: Int? = nil,
        implementation: Implementation = .fast, seed: (Tensor) throws -> Tensor
    ) throws -> InputGradient {
        try check(batch)
        guard layers.indices.contains(last) else {
            throw LearnedFiltersError.badInput("layer \(last) is not one of the \(layers.count)")
        }
        if let capturingLayer, !(0...last).contains(capturingLayer) {
            throw LearnedFiltersError.badInput(
                "the captured layer \(capturingLayer) must be at or before layer \(last)")
        }
        let options = ForwardOptions(training: false, implementation: implementation)
        let steps = inspectionSteps(through: last, keeping: capturingLayer, implementation)
        var value = batch
        var capturedOutput: Tensor?
        for step in steps {
            switch step {
            case .layer(let index):
                value = layers[index].forward(value, options: options)
                if index == capturingLayer { capturedOutput = value }
            case .convPool(let pair): value = pair.forward(value)
            }
        }
        var upstream = try seed(value)
        guard upstream.shape == value.shape else {
            throw LearnedFiltersError.badInput(
                "the seed gradient has shape \(upstream.shape), the layer's output \(value.shape)")
        }
        var capturedGradient: Tensor?
        for step in steps.reversed() {
            let next: Tensor?
            switch step {
            case .layer(let index):
                if index == capturingLayer { capturedGradient = upstream }
                next = layers[index].backward(upstream, options: options, needInputGradient: true)
            case .convPool(let pair): next = pair.backward(upstream, needInputGradient: true)
            }
            guard let next else { break }
            upstream = next
        }
        for index in 0...last {
            for parameter in layers[index].parameters { parameter.zeroGradient() }
        }
        var captured: (output: Tensor, gradient: Tensor)?
        if let capturedOutput, let capturedGradient {
            captured = (capturedOutput, capturedGradient)
        }
        return InputGradient(output: value, input: upstream, captured: captured)
    }

    /// The output of layer `last` for `batch`, in inference mode (the forward half of
    /// ``inputGradient(_:throughLayer:capturingLayer:implementation:seed:)``).
    func output(
        of batch: Tensor, throughLayer last: Int, implementation: Implementation = .fast
    ) throws -> Tensor {
        try check(batch)
        let options = ForwardOptions(training: false, implementation: implementation)
        var value = batch
        for step in inspectionSteps(through: last, keeping: nil, implementation) {
            switch step {
            case .layer(let index): value = layers[index].forward(value, options: options)
            case .convPool(let pair): value = pair.forward(value)
            }
        }
        return value
    }

    /// Layers `0...last` as passes: on the fast path each convolution and the max pooling after
    /// it run as one ``ConvPool`` (as in training), unless the convolution's own output is kept.
    private func inspectionSteps(
        through last: Int, keeping kept: Int?, _ implementation: Implementation
    ) -> [InspectionStep] {
        var steps = [InspectionStep]()
        var index = 0
        while index <= last {
            if implementation == .fast, index + 1 <= last, index != kept,
                let conv = layers[index] as? Conv2D, let pool = layers[index + 1] as? MaxPool2D,
                let pair = ConvPool(conv, pool)
            {
                steps.append(.convPool(pair))
                index += 2
            } else {
                steps.append(.layer(index))
                index += 1
            }
        }
        return steps
    }
}

/// One pass of an input-gradient run: a layer by index, or a fused convolution and pooling.
private enum InspectionStep {
    case layer(Int)
    case convPool(ConvPool)
}
