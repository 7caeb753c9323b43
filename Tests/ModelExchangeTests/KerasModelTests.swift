// KerasModelTests: Keras 3 files read by convkit give Keras' own logits and accuracy.

import Foundation
import LearnedFilters
import ModelExchange
import Testing

@Suite struct KerasModelTests {
    /// Keras' outputs, written by scripts/make-keras-fixtures.py.
    static func expected(_ model: String) throws -> (logits: [Float], correct: Int) {
        let all = try #require(Fixtures.json("keras/expected.json")["models"] as? [String: Any])
        let entry = try #require(all[model] as? [String: Any])
        let logits = try #require(entry["logits"] as? [Double]).map(Float.init)
        return (logits, try #require(entry["test_correct"] as? Int))
    }

    @Test func tutorialKerasFileGivesKerasLogitsAndAccuracy() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/tutorial.keras"))
        #expect(imported.format == .kerasArchive)
        #expect(imported.model.architecture == (try LayerSpec.parse(LayerSpec.tutorial)))
        #expect(imported.model.parameterCount == 220_234)
        #expect(imported.sourceLayers.map(\.name).first == "conv2d_2")
        let test = try Fixtures.mnistTest()
        let (reference, correctCount) = try Self.expected("tutorial")
        #expect(errorOfRange(try logits(imported.model, test), reference) <= 1e-5)
        #expect(try correct(imported.model, test) == correctCount)
    }

    /// A weight larger than the architecture's is named as a smaller one is: the layer, the
    /// dataset, its shape and the shape expected.
    @Test(arguments: [("conv2d:16:3x3", "[3, 3, 1, 16]"), ("conv2d:64:3x3", "[3, 3, 1, 64]")])
    func aWeightOfAnotherShapeNamesTheLayerAndTheShapes(first: String, expected: String) throws {
        #expect {
            try ModelFiles.open(
                path: Fixtures.path("keras/tutorial.weights.h5"),
                options: ModelOpenOptions(architecture: first + ":relu,flatten,dense:10"))
        } throws: { error in
            "\(error)".hasSuffix(
                "tutorial.weights.h5: layer 'conv2d' (Conv2D): 'layers/conv2d/vars/0' has shape [3, 3, 1, 32], expected \(expected)"
            )
        }
    }

    @Test func weightsFileWithEitherArchitectureGivesTheSameModel() throws {
        let test = try Fixtures.mnistTest()
        let (reference, _) = try Self.expected("tutorial")
        let weights = try Fixtures.path("keras/tutorial.weights.h5")
        for architecture in [try Fixtures.path("keras/tutorial.json"), LayerSpec.tutorial] {
            let imported = try ModelFiles.open(
                path: weights, options: ModelOpenOptions(architecture: architecture))
            #expect(imported.format == .kerasWeights)
            #expect(errorOfRange(try logits(imported.model, test), reference) <= 1e-5)
        }
    }

    @Test func otherLayerTypesGiveKerasLogitsAndAccuracy() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/layers.keras"))
        let kinds = Set(imported.model.layers.map(\.spec.className))
        #expect(
            kinds.isSuperset(of: [
                "BatchNormalization", "ReLU", "AveragePooling2D", "GlobalAveragePooling2D",
                "MaxPooling2D", "Dense", "Dropout",
            ]))
        // The final Softmax layer is left to the loss; its outputs are the logits before it.
        #expect(imported.sourceLayers.last?.className == "Softmax")
        #expect(imported.sourceLayers.last?.spec == nil)
        #expect(imported.notes.contains { $0.contains("softmax") })
        #expect(imported.sourceLayers.contains { $0.className == "Activation" && $0.spec == .relu })
        let test = try Fixtures.mnistTest()
        let (reference, correctCount) = try Self.expected("layers")
        #expect(errorOfRange(try logits(imported.model, test), reference) <= 1e-5)
        #expect(try correct(imported.model, test) == correctCount)
        // The reference loops agree with the fast path on this model too.
        let (images, _) = test.batch(Array(0..<20)[...])
        let fast = try imported.model.forward(images).values
        let plain = try imported.model.forward(
            images, options: ForwardOptions(implementation: .reference)
        ).values
        #expect(errorOfRange(fast, plain) <= 1e-5)
        // Keras' count_params(), which leaves out the bias of Conv2D(use_bias=False) and the
        // offset of BatchNormalization(center=False).
        let all = try #require(Fixtures.json("keras/expected.json")["models"] as? [String: Any])
        let entry = try #require(all["layers"] as? [String: Any])
        #expect(imported.model.parameterCount == entry["parameters"] as? Int)
    }

    @Test func snakeCaseNamesFollowKeras() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/layers.keras"))
        #expect(imported.model.parameterCount > 0)
        #expect(
            imported.model.summary().contains("Non-trainable params: ")
                && !imported.model.summary().contains("Non-trainable params: 0\n"))
    }
}

/// An option the file makes meaningless is reported, so that the commands can refuse it rather
/// than ignore it; an option the file uses is not.
@Suite struct UnusedModelOptionTests {
    @Test func optionsTheFileMakesMeaninglessAreNamed() throws {
        let json = try Fixtures.path("keras/tutorial.json")
        let cases: [(String, ModelOpenOptions, String)] = [
            ("keras/tutorial.keras", ModelOpenOptions(architecture: LayerSpec.tutorial), "--arch"),
            ("keras/tutorial.keras", ModelOpenOptions(inputShape: [28, 28, 1]), "--input-shape"),
            ("keras/tutorial.keras", ModelOpenOptions(layout: .pytorch), "--layout"),
            (
                "keras/tutorial.weights.h5",
                ModelOpenOptions(architecture: json, inputShape: [28, 28, 1]), "--input-shape"
            ),
            (
                "keras/tutorial.weights.h5", ModelOpenOptions(architecture: json, layout: .keras),
                "--layout"
            ),
        ]
        for (file, options, option) in cases {
            let imported = try ModelFiles.open(path: Fixtures.path(file), options: options)
            #expect(
                imported.unusedOptions.count == 1
                    && imported.unusedOptions[0].hasPrefix("\(option) does not apply: "),
                "\(file) \(option): \(imported.unusedOptions)")
        }
        let used = try ModelFiles.open(
            path: Fixtures.path("keras/tutorial.weights.h5"),
            options: ModelOpenOptions(architecture: json))
        #expect(used.unusedOptions.isEmpty)
    }
}
