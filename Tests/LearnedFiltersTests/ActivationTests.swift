// ActivationTests: every activation's values and gradients against PyTorch's, the fused and
// separate forms of a layer's activation against each other, and the text form.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import Testing

@Suite struct ActivationTests {
    /// scripts/make-activation-table.py's values.
    static func table() throws -> [String: Any] {
        let url = try #require(
            Bundle.module.url(
                forResource: "Fixtures/activation-functions", withExtension: "json"))
        return try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static let names = [
        "relu", "sigmoid", "tanh", "elu", "elu=0.5", "selu", "gelu", "gelu_tanh", "leaky_relu",
        "leaky_relu=0.05", "softmax",
    ]

    @Test(arguments: names, [Implementation.fast, .reference])
    func valuesAndGradientsArePyTorchs(name: String, implementation: Implementation) throws {
        let table = try Self.table()
        let functions = try #require(table["functions"] as? [String: [String: Any]])
        let entry = try #require(functions[name])
        let x = try floats(entry, "x")
        let width = name == "softmax" ? try #require(table["softmax_width"] as? Int) : x.count
        // The activation as a layer of its own, then as a Dense layer's with an identity kernel
        // (a layer after each, as a model ends in logits, not in a softmax).
        for arch in [name + ",dense:2", "dense:\(width):\(name),dense:2"] {
            let model = try Model(
                architecture: LayerSpec.parse(arch), inputShape: [width], seed: 1)
            let layer = model.layers[0]
            if let dense = layer as? Dense {
                dense.kernel.value = (0..<width * width).map { $0 % (width + 1) == 0 ? 1 : 0 }
            }
            let options = ForwardOptions(implementation: implementation)
            let input = Tensor(shape: [x.count / width, width], values: x)
            let y = layer.forward(input, options: options)
            #expect(relativeError(y.values, try floats(entry, "y")) < 2e-6, "\(arch) values")
            let weights = Tensor(shape: y.shape, values: try floats(entry, "weights"))
            let dx = try #require(
                layer.backward(weights, options: options, needInputGradient: true))
            #expect(
                relativeError(dx.values, try floats(entry, "gradient")) < 2e-6,
                "\(arch) gradient")
        }
    }

    /// A convolution's or dense layer's own activation equals the same activation as a layer
    /// after it, forward and in every gradient, on both paths.
    @Test(arguments: ["sigmoid", "tanh", "elu=0.7", "selu", "gelu", "gelu_tanh", "leaky_relu"])
    func fusedEqualsSeparate(activation: String) throws {
        let fused = try Model(
            architecture: LayerSpec.parse(
                "conv2d:4:3x3:same:\(activation),maxpool:2,flatten,dense:5:\(activation),dense:3:softmax,dense:3"
            ), inputShape: [8, 8, 2], seed: 5)
        let separate = try Model(
            architecture: LayerSpec.parse(
                "conv2d:4:3x3:same,\(activation),maxpool:2,flatten,dense:5,\(activation),dense:3,softmax,dense:3"
            ), inputShape: [8, 8, 2], seed: 5)
        let batch = Tensor(shape: [3, 8, 8, 2], values: randomValues(3 * 128, seed: 9))
        for implementation in [Implementation.fast, .reference] {
            let options = ForwardOptions(training: true, implementation: implementation)
            let a = try fused.computeGradients(batch, labels: [0, 1, 2], options: options)
            let b = try separate.computeGradients(batch, labels: [0, 1, 2], options: options)
            #expect(abs(a.loss - b.loss) < 1e-6)
            let gradients = separate.namedParameters.map(\.parameter.gradient)
            for ((name, parameter), other) in zip(fused.namedParameters, gradients) {
                #expect(
                    relativeError(parameter.gradient, other) < 1e-5, "\(activation) \(name)")
            }
        }
    }

    @Test(arguments: ["conv2d:4:3x3:gelu", "conv2d:6:3x3:s=2:elu=0.5", "dense:7:softmax"])
    func fastMatchesReference(spec: String) throws {
        let inputShape = spec.hasPrefix("dense") ? [12] : [9, 9, 3]
        try expectFastMatchesReference(
            spec, inputShape: inputShape, batch: 4, tolerance: 1e-5, seeds: (11, 12),
            checksShape: true)
    }

    /// The loss, evaluate and predict apply the softmax, so a model ending in one, as a layer
    /// or as its last dense layer's activation, would apply it twice: every form is refused.
    @Test func aModelEndingInASoftmaxIsRefusedInEveryForm() throws {
        for ending in ["dense:3,softmax", "dense:3:softmax"] {
            #expect(throws: LearnedFiltersError.self, "\(ending)") {
                try Model(
                    architecture: LayerSpec.parse("flatten," + ending), inputShape: [4, 4, 1],
                    seed: 1)
            }
        }
        #expect(throws: LearnedFiltersError.self) {
            try Model(
                architecture: [
                    .flatten, .dense(units: 3, activation: .linear), .activation(.softmax),
                ],
                inputShape: [4, 4, 1], seed: 1)
        }
        do {
            _ = try Model(
                architecture: LayerSpec.parse("flatten,dense:3:softmax"), inputShape: [4, 4, 1],
                seed: 1)
        } catch {
            #expect("\(error)".contains("dense:3:softmax"), "\(error)")
        }
        // A softmax before the last layer is an activation like any other.
        _ = try Model(
            architecture: LayerSpec.parse("flatten,dense:5:softmax,dense:3"),
            inputShape: [4, 4, 1],
            seed: 1)
    }

    @Test func textFormRoundTrips() throws {
        let text =
            "conv2d:4:3x3:valid:gelu_tanh,elu=0.5,conv2d:4:3x3:same:leaky_relu=0.1,selu,flatten,dense:8:sigmoid,tanh,dense:3"
        let specs = try LayerSpec.parse(text)
        #expect(LayerSpec.text(specs) == text)
        #expect(specs[1] == .activation(.elu(alpha: 0.5)))
        #expect(
            try LayerSpec.parse("conv2d:4:3x3:leaky_relu,elu")
                == LayerSpec.parse(
                    "conv2d:4:3x3:leaky_relu=0.2,elu=1"))
        for bad in ["conv2d:4:3x3:swish", "leaky_relu=abc", "elu=nan", "sigmoid:2", "gelu=1"] {
            #expect(throws: LearnedFiltersError.self, "\(bad)") { try LayerSpec.parse(bad) }
        }
    }

    /// A model with activations saved and loaded again has the same layers and outputs.
    @Test func modelFileKeepsActivations() throws {
        let specs = try LayerSpec.parse(
            "conv2d:3:3x3:selu,gelu,flatten,dense:6:elu=0.3,leaky_relu=0.01,dense:4:tanh")
        let model = try Model(architecture: specs, inputShape: [6, 6, 1], seed: 2)
        let folder = try temporaryFolder("activations")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try model.save(path: folder + "/model.safetensors")
        let again = try Model.load(path: folder + "/model.safetensors")
        #expect(again.architecture == specs)
        let batch = Tensor(shape: [2, 6, 6, 1], values: randomValues(72, seed: 4))
        #expect(try again.forward(batch).values == model.forward(batch).values)
    }
}
