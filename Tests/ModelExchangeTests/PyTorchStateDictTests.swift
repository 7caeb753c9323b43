// PyTorchStateDictTests: PyTorch state dicts read by convkit, and convkit's export read by PyTorch.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import ModelExchange
import Testing

@Suite struct PyTorchStateDictTests {
    static func expected() throws -> [String: Any] { try Fixtures.json("pytorch/expected.json") }

    @Test func modelTrainedInPyTorchGivesPyTorchLogits() throws {
        let small = try #require(try Self.expected()["small"] as? [String: Any])
        let architecture = try #require(small["architecture"] as? String)
        let reference = try #require(small["logits"] as? [Double]).map(Float.init)
        let test = try Fixtures.mnistTest()
        for layout in [nil, TensorLayout.pytorch] {
            let imported = try ModelFiles.open(
                path: Fixtures.path("pytorch/small.safetensors"),
                options: ModelOpenOptions(architecture: architecture, layout: layout))
            #expect(imported.format == .pytorchStateDict)
            #expect(errorOfRange(try logits(imported.model, test), reference) <= 1e-5)
            // Its stride-2 'same' convolution pads unevenly, which PyTorch's padding= cannot.
            #expect(imported.cautions.count == 1)
            #expect(imported.cautions.first?.contains("(0, 1, 0, 1)") == true)
        }
    }

    /// The same state dict saved in half, bfloat16 and double precision gives PyTorch's logits
    /// of the network loaded from it and converted with `model.float()`.
    @Test(arguments: ["f16", "bf16", "f64"])
    func otherPrecisionsReadAsPyTorchConvertsThem(precision: String) throws {
        let small = try #require(try Self.expected()["small"] as? [String: Any])
        let precisions = try #require(small["precisions"] as? [String: [Double]])
        let reference = try #require(precisions[precision]).map(Float.init)
        let imported = try ModelFiles.open(
            path: Fixtures.path("pytorch/small-\(precision).safetensors"),
            options: ModelOpenOptions(architecture: small["architecture"] as? String))
        let test = try Fixtures.mnistTest()
        #expect(errorOfRange(try logits(imported.model, test, count: 20), reference) <= 1e-5)
        // Each precision differs from the float32 file, so the values were converted, not reused.
        let single = try #require(small["logits"] as? [Double]).prefix(200).map(Float.init)
        #expect(precision == "f64" || errorOfRange(reference, single) > 1e-5)
    }

    /// A bare module's state dict names its tensors `weight` and `bias`, with no module prefix.
    @Test func aBareLinearGivesPyTorchsOutput() throws {
        let json = try Fixtures.json("pytorch/linear.json")
        #expect(json["tensors"] as? [String] == ["bias", "weight"])
        let input = try #require(json["input"] as? [Double]).map(Float.init)
        let reference = try #require(json["output"] as? [Double]).map(Float.init)
        let imported = try ModelFiles.open(
            path: Fixtures.path("pytorch/linear.safetensors"),
            options: ModelOpenOptions(
                architecture: json["architecture"] as? String,
                inputShape: json["input_shape"] as? [Int]))
        #expect(imported.format == .pytorchStateDict)
        let output = try imported.model.forward(Tensor(shape: [1, 2, 2, 3], values: input)).values
        #expect(errorOfRange(output, reference) <= 1e-6, "\(output) \(reference)")
    }

    /// Models from `torch.nn` as users build them: modules with `bias=False` and
    /// `BatchNorm2d(affine=False)`, which leave tensors out (and whose `batchnorm` in `--arch`
    /// takes `nn.BatchNorm2d`'s epsilon), and a model class whose parts' names (`features`,
    /// `classifier`) sort in the other order than they run. The parameter count leaves out
    /// what the state dict leaves out.
    @Test(arguments: ["bias-free", "parts"])
    func modelsBuiltInTorchGivePyTorchsOutput(name: String) throws {
        let json = try Fixtures.json("pytorch/\(name).json")
        let shape = try #require(json["input_shape"] as? [Int])
        let input = try #require(json["input"] as? [Double]).map(Float.init)
        let reference = try #require(json["output"] as? [Double]).map(Float.init)
        let imported = try ModelFiles.open(
            path: Fixtures.path("pytorch/\(name).safetensors"),
            options: ModelOpenOptions(
                architecture: json["architecture"] as? String, inputShape: shape))
        #expect(imported.format == .pytorchStateDict)
        let batch = input.count / shape.reduce(1, *)
        let output = try imported.model.forward(
            Tensor(shape: [batch] + shape, values: input)
        ).values
        #expect(errorOfRange(output, reference) <= 1e-5, "\(output) \(reference)")
        // What the state dict holds is counted, as torch counts it: its floating-point tensors
        // (running statistics too) in all, model.parameters() as trainable.
        let total = try #require(json["state_dict_float_numel"] as? Int)
        let trainable = try #require(json["parameters_numel"] as? Int)
        #expect(imported.model.parameterCount == total)
        let summary = imported.model.summary()
        #expect(summary.contains("Total params: \(total)\n"), "\(summary)")
        #expect(summary.contains("Trainable params: \(trainable)\n"), "\(summary)")
        let tensors = try #require(json["tensors"] as? [String])
        if name == "bias-free" {
            #expect(!tensors.contains("0.bias") && !tensors.contains("4.weight"))
        } else {
            #expect(tensors.first == "classifier.1.bias")
            #expect(
                imported.notes.count == 1 && imported.notes[0].hasSuffix("features, classifier"))
        }
    }

    @Test func readingAsKerasLayoutFailsOnShapes() throws {
        let small = try #require(try Self.expected()["small"] as? [String: Any])
        #expect(throws: ModelExchangeError.self) {
            try ModelFiles.open(
                path: Fixtures.path("pytorch/small.safetensors"),
                options: ModelOpenOptions(
                    architecture: small["architecture"] as? String, layout: .keras))
        }
    }

    @Test func exportLoadsIntoTheEquivalentSequentialWithPyTorchsLogits() throws {
        let exported = try #require(
            try Self.expected()["exported_tutorial"] as? [String: Any])
        let keys = try #require(exported["state_dict"] as? [String: [Int]])
        let torchLogits = try #require(exported["logits"] as? [Double]).map(Float.init)
        try Self.exportedInPyTorchLayout("keras/tutorial.keras") { imported, path, result in
            #expect(result.pytorchModule?.contains("nn.Linear(3136, 64)") == true)
            // The keys and shapes PyTorch's load_state_dict(strict=True) accepted.
            let file = try SafeTensorsFile.read(path: path)
            #expect(
                Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor.shape) })
                    == keys)
            // PyTorch's logits for those weights are convkit's.
            let test = try Fixtures.mnistTest()
            #expect(errorOfRange(try logits(imported.model, test), torchLogits) <= 1e-5)
            // convkit reads its own export back without --arch, from the metadata.
            let again = try ModelFiles.open(path: path)
            #expect(again.format == .pytorchStateDict)
            #expect(errorOfRange(try logits(again.model, test), torchLogits) <= 1e-5)
        }
    }

    @Test func batchNormalizationIsWrittenWithItsCounterAndEpsilon() throws {
        try Self.exportedInPyTorchLayout("keras/layers.keras") { imported, path, result in
            #expect(result.pytorchModule?.contains("nn.BatchNorm2d(12, eps=0.001)") == true)
            let file = try SafeTensorsFile.read(path: path)
            #expect(file.counters == ["1.num_batches_tracked": 0, "10.num_batches_tracked": 0])
            #expect(file["1.running_var"]?.shape == [12])
            // Read back without --arch, the model gives the same logits.
            let again = try ModelFiles.open(path: path)
            let test = try Fixtures.mnistTest()
            #expect(try logits(again.model, test) == logits(imported.model, test))
        }
    }

    /// Opens the Keras fixture `fixture`, writes it in PyTorch layout into a scratch folder
    /// (removed after) and runs `check` on the model, the written file's path and the result.
    static func exportedInPyTorchLayout(
        _ fixture: String, _ check: (ImportedModel, String, ModelExport.Result) throws -> Void
    ) throws {
        let imported = try ModelFiles.open(path: Fixtures.path(fixture))
        let folder = try temporaryFolder("export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        try check(imported, path, try ModelExport.write(imported.model, to: path, layout: .pytorch))
    }
}
