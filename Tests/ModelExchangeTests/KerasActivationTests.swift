// KerasActivationTests: a Keras model using every activation convkit reads gives Keras' logits,
// and TensorFlow's gradients with respect to its input and weights.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import ModelExchange
import ONNXProtobuf
import Testing

@Suite struct KerasActivationTests {
    static func expected() throws -> [String: Any] { try Fixtures.json("activations/keras.json") }

    static func model() throws -> Model {
        try ModelFiles.open(path: Fixtures.path("activations/activations.keras")).model
    }

    @Test func layersAndActivationsAreRead() throws {
        let model = try Self.model()
        let expected = try Self.expected()
        #expect(model.parameterCount == expected["parameters"] as? Int)
        #expect(
            LayerSpec.text(model.architecture)
                == "conv2d:6:3x3:valid:gelu,conv2d:8:3x3:s=2:same:elu,batchnorm,selu,maxpool:2,"
                + "conv2d:8:3x3:same:tanh,leaky_relu=0.1,elu=0.5,conv2d:4:1x1:valid:softmax,flatten,"
                + "dense:24:sigmoid,dense:16,leaky_relu=0.05,dense:16:leaky_relu,tanh,dense:12:selu,"
                + "dense:12:softmax,dense:10")
    }

    @Test(arguments: [Implementation.fast, .reference])
    func logitsAreKeras(implementation: Implementation) throws {
        let model = try Self.model()
        let reference = try #require(try Self.expected()["logits"] as? [Double]).map(Float.init)
        let test = try Fixtures.mnistTest()
        let (images, _) = test.batch(Array(0..<100)[...])
        let logits = try model.forward(
            images, options: ForwardOptions(implementation: implementation))
        let error = errorOfRange(logits.values, reference)
        #expect(error <= 1e-5, "largest difference \(error) of the range")
    }

    /// The input and weight gradients of the mean cross-entropy on three test images, through
    /// every layer's backward, against tf.GradientTape's: within 1e-4 of the largest (float32
    /// through 18 layers; measured 0.5e-5 to 2.3e-5 on both paths).
    @Test(arguments: [Implementation.fast, .reference])
    func gradientsAreTensorFlows(implementation: Implementation) throws {
        let model = try Self.model()
        let expected = try Self.expected()
        let count = try #require(expected["gradient_images"] as? Int)
        let labels = try #require(expected["gradient_labels"] as? [Int])
        let test = try Fixtures.mnistTest()
        let (images, _) = test.batch(Array(0..<count)[...])
        let options = ForwardOptions(training: false, implementation: implementation)
        var value = images
        for layer in model.layers { value = layer.forward(value, options: options) }
        let (loss, dLogits) = ReferenceOps.softmaxCrossEntropy(
            logits: value.values, labels: labels, classes: model.classes)
        #expect(abs(Double(loss) - (expected["loss"] as? Double ?? 0)) < 1e-5)
        // A model just read has zero gradients, which backward adds to.
        var upstream = Tensor(shape: value.shape, values: dLogits)
        for layer in model.layers.reversed() {
            upstream = try #require(
                layer.backward(upstream, options: options, needInputGradient: true))
        }
        let inputGradient = try #require(expected["input_gradient"] as? [Double]).map(Float.init)
        let inputError = errorOfLargest(upstream.values, inputGradient)
        #expect(inputError < 1e-4, "input gradient differs by \(inputError) of its largest")
        let weights = try #require(expected["weight_gradients"] as? [String: [Double]])
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters)
        for (name, reference) in weights {
            let parameter = try #require(parameters[name], "\(name)")
            let error = errorOfLargest(parameter.gradient, reference.map(Float.init))
            #expect(error < 1e-4, "\(name) gradient differs by \(error) of its largest")
        }
    }
}

/// convkit's exports of the activations model against what PyTorch and onnxruntime gave for
/// them (scripts/make-activation-export-fixtures.py).
@Suite struct ActivationExportTests {
    static func expected(_ key: String) throws -> [String: Any] {
        try #require(try Fixtures.json("activations/exports.json")[key] as? [String: Any])
    }

    @Test func pytorchStateDictLoadsWithPyTorchsLogits() throws {
        let expected = try Self.expected("pytorch")
        let keys = try #require(expected["state_dict"] as? [String: [Int]])
        let torchLogits = try #require(expected["logits"] as? [Double]).map(Float.init)
        let model = try KerasActivationTests.model()
        let folder = try temporaryFolder("activations")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/state.safetensors"
        let result = try ModelExport.write(model, to: path, layout: .pytorch)
        for module in [
            "nn.GELU()", "nn.BatchNorm2d(8, eps=0.001)", "nn.LeakyReLU(negative_slope=0.05)",
        ] {
            #expect(result.pytorchModule?.contains(module) == true, "\(module)")
        }
        // The keys and shapes load_state_dict(strict=True) accepted, the counter included.
        let file = try SafeTensorsFile.read(path: path)
        var shapes = Dictionary(
            uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor.shape) })
        for name in file.counters.keys { shapes[name] = [] }
        #expect(shapes == keys)
        let test = try Fixtures.mnistTest()
        #expect(errorOfRange(try logits(model, test), torchLogits) <= 1e-5)
        let again = try ModelFiles.open(path: path)
        #expect(LayerSpec.text(again.model.architecture) == LayerSpec.text(model.architecture))
        #expect(errorOfRange(try logits(again.model, test), torchLogits) <= 1e-5)
    }

    @Test func onnxGraphIsWhatOnnxruntimeRan() throws {
        let expected = try Self.expected("onnx")
        let model = try KerasActivationTests.model()
        let proto = try Onnx_ModelProto(serializedBytes: try ONNXExport.bytes(model))
        #expect(proto.graph.node.map(\.opType) == (expected["nodes"] as? [String]))
        #expect(proto.graph.node.last?.output == ["logits"])
        let runtime = try #require(expected["logits"] as? [Double]).map(Float.init)
        #expect(errorOfRange(try logits(model, try Fixtures.mnistTest()), runtime) <= 1e-5)
    }
}

/// The largest difference between `values` and `reference` as a fraction of the reference's
/// largest magnitude.
func errorOfLargest(_ values: [Float], _ reference: [Float]) -> Float {
    guard values.count == reference.count, let top = reference.map(abs).max(), top > 0 else {
        return .infinity
    }
    return zip(values, reference).map { abs($0 - $1) }.max().map { $0 / top } ?? 0
}
