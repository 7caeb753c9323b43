// KerasLegacyH5Tests: legacy Keras HDF5 models (`model.save('model.h5')` in Keras 2 and Keras 3)
// are read from the file alone, architecture and weights, and give Keras' outputs.

import Foundation
import LearnedFilters
import ModelExchange
import Testing

@Suite struct KerasLegacyH5Tests {
    /// The input and Keras' outputs, written by scripts/make-keras-h5-fixtures.py.
    static func expected() throws -> (input: Tensor, outputs: [String: [Float]]) {
        let json = try Fixtures.json("keras/h5/expected.json")
        let input = try #require(json["input"] as? [Double]).map(Float.init)
        let outputs = try #require(json["outputs"] as? [String: [Double]])
        return (
            Tensor(shape: [1, 28, 28, 1], values: input), outputs.mapValues { $0.map(Float.init) }
        )
    }

    @Test func aKeras2ModelGivesKerasProbabilities() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/h5/keras2.h5"))
        #expect(imported.format == .kerasLegacyH5)
        #expect(
            imported.sourceLayers.map(\.className) == [
                "Conv2D", "BatchNormalization", "MaxPooling2D", "Flatten", "Dense",
            ])
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["keras2"])
        let probabilities = try imported.model.probabilities(input)[0]
        #expect(probabilities.count == 10)
        for (value, reference) in zip(probabilities, keras) {
            #expect(abs(value - Double(reference)) <= 1e-6, "\(probabilities) \(keras)")
        }
    }

    @Test func aKeras3LegacyModelGivesKerasLogits() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/h5/keras3.h5"))
        #expect(imported.format == .kerasLegacyH5)
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["keras3"])
        let logits = try imported.model.forward(input).values
        let scale = keras.map(abs).max() ?? 1
        let difference = zip(logits, keras).map { abs($0 - $1) }.max() ?? .infinity
        #expect(logits.count == 10 && difference <= 1e-5 * max(scale, 1), "\(logits) \(keras)")
    }

    /// Legacy files record no input shape per layer: the rank of a BatchNormalization's input
    /// is followed from the model's input, so axis 1 of an image (its rows) is refused.
    @Test(arguments: ["keras2-bn-axis1", "keras3-bn-axis1"])
    func batchNormalizationOverTheRowsIsRefused(name: String) throws {
        #expect {
            try ModelFiles.open(path: Fixtures.path("keras/h5/\(name).h5"))
        } throws: { error in
            "\(error)".hasSuffix(
                "(BatchNormalization) normalises axis 1 of its rank-3 input; convkit normalises the last axis"
            )
        }
    }

    /// After a Flatten, axis 1 is the last axis, which convkit normalises as Keras does.
    @Test func batchNormalizationOfAFlatVectorGivesKerasOutputs() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/h5/keras2-flat-bn.h5"))
        let json = try Fixtures.json("keras/h5/expected.json")
        let input = try #require(json["small_input"] as? [Double]).map(Float.init)
        let (_, outputs) = try Self.expected()
        let keras = try #require(outputs["keras2-flat-bn"])
        let output = try imported.model.forward(Tensor(shape: [1, 4, 4, 1], values: input)).values
        #expect(output.count == 3 && errorOfRange(output, keras) <= 1e-6, "\(output) \(keras)")
    }

    /// Keras 2 writes a Functional model's inbound nodes as lists, `[[["input_1", 0, 0, {}]]]`.
    @Test func aKeras2FunctionalChainGivesKerasProbabilities() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/h5/keras2-functional.h5"))
        #expect(imported.sourceLayers.map(\.className) == ["Conv2D", "Flatten", "Dense"])
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["keras2-functional"])
        let probabilities = try imported.model.probabilities(input)[0]
        #expect(probabilities.count == 10)
        for (value, reference) in zip(probabilities, keras) {
            #expect(abs(value - Double(reference)) <= 1e-6, "\(probabilities) \(keras)")
        }
    }

    /// A layer called twice has two inbound nodes: the model is not a chain, and the message
    /// names the layers it takes.
    @Test func aKeras2FunctionalModelThatIsNotAChainIsRefused() throws {
        #expect {
            try ModelFiles.open(path: Fixtures.path("keras/h5/keras2-shared.h5"))
        } throws: { error in
            "\(error)".contains(
                "takes flatten, shared, not the layer before it; convkit reads models whose layers form a chain"
            )
        }
    }

    /// A Keras 3 .weights.h5 file has no model_config: it still needs --arch, and says so.
    @Test func aWeightsFileStillNeedsItsArchitecture() throws {
        #expect {
            try ModelFiles.open(path: Fixtures.path("keras/tutorial.weights.h5"))
        } throws: { "\($0)".contains("holds weights without an architecture") }
    }
}
