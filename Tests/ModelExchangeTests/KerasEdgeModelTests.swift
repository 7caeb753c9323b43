// KerasEdgeModelTests: Keras models whose outputs convkit cannot report as Keras does are refused,
// or read with a note saying how convkit's outputs differ, never reported silently.

import Foundation
import LearnedFilters
import ModelExchange
import Testing

@Suite struct KerasEdgeModelTests {
    /// The input and Keras' outputs, written by scripts/make-keras-edge-fixtures.py.
    static func expected() throws -> (input: Tensor, outputs: [String: [Any]]) {
        let json = try Fixtures.json("keras/edges/expected.json")
        let input = try #require(json["input"] as? [Double]).map(Float.init)
        let outputs = try #require(json["outputs"] as? [String: [Any]])
        return (Tensor(shape: [1, 28, 28, 1], values: input), outputs)
    }

    /// The largest difference between `values` and `reference`, element by element.
    static func largestDifference(_ values: [Float], _ reference: [Float]) -> Float {
        values.count == reference.count
            ? zip(values, reference).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    static func open(_ name: String) throws -> ImportedModel {
        try ModelFiles.open(path: Fixtures.path("keras/edges/\(name).keras"))
    }

    @Test func aFinalSigmoidRunsAsInKerasWithACaution() throws {
        let imported = try Self.open("sigmoid")
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["sigmoid"] as? [Double]).map(Float.init)
        let output = try imported.model.forward(input).values
        #expect(Self.largestDifference(output, keras) <= 1e-6)
        #expect(imported.cautions.count == 1)
        #expect(imported.cautions.first?.contains("ends in sigmoid") == true)
        #expect(imported.notes.contains(imported.cautions.first ?? ""))
        // The probabilities convkit reports are the softmax of those outputs, as the caution says.
        let probabilities = try imported.model.probabilities(input)[0]
        let exps = keras.map { exp(Double($0)) }
        let total = exps.reduce(0, +)
        for (value, reference) in zip(probabilities, exps) {
            #expect(abs(value - reference / total) <= 1e-6)
        }
    }

    /// Layers built with `use_bias=False` give Keras' outputs from the `.keras` file, and from
    /// the weights alone under an architecture in convkit's text form, which cannot say so.
    @Test func layersWithoutBiasesGiveKerasOutputs() throws {
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["no-bias"] as? [Double]).map(Float.init)
        let weights = try ModelFiles.open(
            path: Fixtures.path("keras/edges/no-bias.weights.h5"),
            options: ModelOpenOptions(architecture: "conv2d:2:4x4:s=4,flatten,dense:10"))
        for imported in [try Self.open("no-bias"), weights] {
            #expect(Self.largestDifference(try imported.model.forward(input).values, keras) <= 1e-6)
        }
    }

    /// The parameter count is Keras' `count_params()`: biases a layer was built without are
    /// not counted, though convkit holds them as zeros, from the `.keras` file and from the
    /// weights alone.
    @Test func parameterCountsAreKerasCountParams() throws {
        let json = try Fixtures.json("keras/edges/expected.json")
        let counts = try #require(json["parameters"] as? [String: Int])
        for name in [
            "sigmoid", "one-output", "overflow", "softmax-flatten", "conv-softmax", "no-bias",
        ] {
            let model = try Self.open(name).model
            #expect(model.parameterCount == counts[name], "\(name)")
        }
        let weights = try ModelFiles.open(
            path: Fixtures.path("keras/edges/no-bias.weights.h5"),
            options: ModelOpenOptions(architecture: "conv2d:2:4x4:s=4,flatten,dense:10"))
        #expect(weights.model.parameterCount == counts["no-bias"])
        // The summary groups digits as Keras' does: count_params() 1012 is "1,012".
        #expect(counts["no-bias"] == 1012)
        #expect(weights.model.summary().contains("Total params: 1,012"))
    }

    @Test func aTutorialModelHasNoCaution() throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/tutorial.keras"))
        #expect(imported.cautions.isEmpty)
    }

    @Test func oneOutputGivesNoClassProbabilities() throws {
        let imported = try Self.open("one-output")
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["one-output"] as? [Double]).map(Float.init)
        #expect(Self.largestDifference(try imported.model.forward(input).values, keras) <= 1e-6)
        #expect(throws: LearnedFiltersError.self) { try imported.model.probabilities(input) }
        do {
            _ = try imported.model.probabilities(input)
        } catch {
            #expect("\(error)".contains("the model has 1 output"), "\(error)")
        }
    }

    @Test func anOverflowingOutputIsAnError() throws {
        let imported = try Self.open("overflow")
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["overflow"])
        #expect(keras.contains { ($0 as? String) == "inf" })
        for implementation in [Implementation.fast, .reference] {
            #expect(throws: LearnedFiltersError.outputNotFinite) {
                try imported.model.forward(
                    input, options: ForwardOptions(implementation: implementation))
            }
        }
        #expect(throws: LearnedFiltersError.outputNotFinite) {
            try imported.model.forward(input, keepingActivations: true)
        }
        #expect(throws: LearnedFiltersError.outputNotFinite) {
            try imported.model.attributions(of: [input.values], targets: [nil])
        }
    }

    /// Dropout and a Flatten of the flat probabilities change nothing after the final softmax:
    /// it is folded, and applied once, by predict.
    @Test func aSoftmaxBeforeLayersThatChangeNothingIsAppliedOnce() throws {
        let imported = try Self.open("softmax-flatten")
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["softmax-flatten"] as? [Double])
        #expect(imported.cautions.isEmpty)
        #expect(imported.notes.contains { $0.contains("ends in a softmax") }, "\(imported.notes)")
        let probabilities = try imported.model.probabilities(input)[0]
        #expect(probabilities.count == 10)
        for (value, reference) in zip(probabilities, keras) {
            #expect(abs(value - reference) <= 1e-6, "\(probabilities) \(keras)")
        }
    }

    /// A softmax over each pixel's channels, then flattened, is not a softmax over the outputs:
    /// it runs as Keras runs it, with the caution.
    @Test func aSoftmaxBeforeAFlattenOfAnImageRunsWithACaution() throws {
        let imported = try Self.open("conv-softmax")
        let (input, outputs) = try Self.expected()
        let keras = try #require(outputs["conv-softmax"] as? [Double]).map(Float.init)
        #expect(Self.largestDifference(try imported.model.forward(input).values, keras) <= 1e-6)
        #expect(imported.cautions.count == 1)
        #expect(
            imported.cautions.first?.contains(
                "ends in softmax over its last axis, before a Flatten, but convkit reads a model's outputs as logits"
            ) == true, "\(imported.cautions)")
    }

    @Test func batchNormalizationOverTheHeightIsRefused() throws {
        #expect {
            try Self.open("bn-axis1")
        } throws: { error in
            "\(error)".contains(
                "layer 'batch_normalization' (BatchNormalization) normalises axis 1 of its [7, 7, 2] input; convkit normalises the last axis"
            )
        }
    }
}
