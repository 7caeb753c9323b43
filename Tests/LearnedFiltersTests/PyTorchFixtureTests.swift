// PyTorchFixtureTests: every layer, the loss and Adam against PyTorch values, fast and reference.

import ConvkitTestSupport
import LearnedFilters
import Testing

@Suite struct PyTorchFixtureTests {
    // The per-layer tests open alike on purpose (a fixture case loop each); what they compare is
    // in expectMatchesPyTorch, or differs (pooling has no parameters and is exact).
    @Test(arguments: Implementation.allCases)
    func convolutionMatchesPyTorch(_ implementation: Implementation) throws {
        let cases = try #require(try pytorchFixtures()["conv"] as? [[String: Any]])
        for item in cases {
            let spec = try #require(item["spec"] as? String)
            let shape = try ints(item, "input_shape")
            let layer = try singleLayer(spec, inputShape: Array(shape.dropFirst()))
            try expectMatchesPyTorch(
                layer, item, spec: spec, shape: shape, implementation: implementation,
                checksOutputShape: true)
        }
    }

    @Test(arguments: Implementation.allCases)
    func maxPoolingMatchesPyTorch(_ implementation: Implementation) throws {
        let cases = try #require(try pytorchFixtures()["maxpool"] as? [[String: Any]])
        for item in cases {
            let spec = try #require(item["spec"] as? String)
            let shape = try ints(item, "input_shape")
            let layer = try singleLayer(spec, inputShape: Array(shape.dropFirst()))
            let options = ForwardOptions(implementation: implementation)
            let output = layer.forward(
                Tensor(shape: shape, values: try floats(item, "input")), options: options)
            #expect(output.shape == (try ints(item, "output_shape")), "\(spec)")
            #expect(
                relativeError(output.values, try floats(item, "output")) == 0, "\(spec) forward")
            let dy = Tensor(shape: output.shape, values: try floats(item, "output_gradient"))
            let dx = try #require(layer.backward(dy, options: options, needInputGradient: true))
            #expect(
                relativeError(dx.values, try floats(item, "input_gradient")) < 1e-6,
                "\(spec) input gradient")
        }
    }

    @Test(arguments: Implementation.allCases)
    func denseMatchesPyTorch(_ implementation: Implementation) throws {
        let cases = try #require(try pytorchFixtures()["dense"] as? [[String: Any]])
        for item in cases {
            let spec = try #require(item["spec"] as? String)
            let shape = try ints(item, "input_shape")
            let layer = try singleLayer(spec, inputShape: [shape[1]])
            try expectMatchesPyTorch(
                layer, item, spec: spec, shape: shape, implementation: implementation,
                checksOutputShape: false)
        }
    }

    /// Sets the kernel and bias of a convolution or dense `layer` from the fixture case
    /// `item`, runs it forward and backward, and compares the output (and its shape when
    /// `checksOutputShape`), the input gradient and both parameter gradients with PyTorch's.
    private func expectMatchesPyTorch(
        _ layer: any Layer, _ item: [String: Any], spec: String, shape: [Int],
        implementation: Implementation, checksOutputShape: Bool
    ) throws {
        layer.parameters[0].value = try floats(item, "kernel")
        layer.parameters[1].value = try floats(item, "bias")
        let options = ForwardOptions(implementation: implementation)
        let output = layer.forward(
            Tensor(shape: shape, values: try floats(item, "input")), options: options)
        if checksOutputShape {
            #expect(output.shape == (try ints(item, "output_shape")), "\(spec)")
        }
        #expect(relativeError(output.values, try floats(item, "output")) < 1e-5, "\(spec) forward")
        let dy = Tensor(shape: output.shape, values: try floats(item, "output_gradient"))
        let dx = try #require(layer.backward(dy, options: options, needInputGradient: true))
        #expect(
            relativeError(dx.values, try floats(item, "input_gradient")) < 1e-5,
            "\(spec) input gradient")
        #expect(
            relativeError(layer.parameters[0].gradient, try floats(item, "kernel_gradient"))
                < 1e-5, "\(spec) kernel gradient")
        #expect(
            relativeError(layer.parameters[1].gradient, try floats(item, "bias_gradient"))
                < 1e-5, "\(spec) bias gradient")
    }

    /// Builds the fixture network with the fixture's initial weights.
    private func network(_ item: [String: Any]) throws -> (Model, Tensor, [Int]) {
        let shape = try ints(item, "input_shape")
        let model = try Model(
            architecture: LayerSpec.parse(try #require(item["architecture"] as? String)),
            inputShape: Array(shape.dropFirst()), seed: 9)
        let weights = try #require(item["weights"] as? [String: [Double]])
        for (name, parameter) in model.namedParameters {
            parameter.value = try #require(weights[name], "no weights for \(name)").map(Float.init)
        }
        return (
            model, Tensor(shape: shape, values: try floats(item, "input")), try ints(item, "labels")
        )
    }

    @Test(arguments: Implementation.allCases)
    func networkLossAndGradientsMatchPyTorch(_ implementation: Implementation) throws {
        let item = try #require(try pytorchFixtures()["network"] as? [String: Any])
        let (model, input, labels) = try network(item)
        let logits = try model.forward(
            input, options: ForwardOptions(implementation: implementation))
        #expect(relativeError(logits.values, try floats(item, "logits")) < 1e-5)
        let result = try model.computeGradients(
            input, labels: labels,
            options: ForwardOptions(training: true, implementation: implementation))
        #expect(abs(result.loss - (try #require(item["loss"] as? Double))) < 1e-5)
        let gradients = try #require(item["gradients"] as? [String: [Double]])
        for (name, parameter) in model.namedParameters {
            let expected = try #require(gradients[name]).map(Float.init)
            #expect(relativeError(parameter.gradient, expected) < 1e-4, "\(name)")
        }
    }

    @Test(arguments: [AdamForm.pytorch, AdamForm.keras])
    func adamStepsMatchReference(_ form: AdamForm) throws {
        let item = try #require(try pytorchFixtures()["network"] as? [String: Any])
        let reference = try #require(
            item[form == .pytorch ? "adam_pytorch" : "adam_keras"] as? [String: Any])
        let (model, input, labels) = try network(item)
        let rate = try #require(reference["learning_rate"] as? Double)
        let optimizer = Adam(
            parameters: model.namedParameters.map(\.parameter),
            configuration: AdamConfiguration(learningRate: Float(rate), form: form))
        let losses = try #require(reference["losses"] as? [Double])
        for step in 0..<3 {
            let result = try model.computeGradients(
                input, labels: labels, options: ForwardOptions(training: true))
            #expect(abs(result.loss - losses[step]) < 1e-4, "step \(step + 1)")
            optimizer.update(model.namedParameters.map(\.parameter))
        }
        let weights = try #require(reference["weights"] as? [String: [Double]])
        for (name, parameter) in model.namedParameters {
            #expect(
                relativeError(parameter.value, try #require(weights[name]).map(Float.init)) < 1e-4,
                "\(name)")
        }
    }
}
