// File: replays the corpora of the safetensors and arch fuzz targets (Tests/Fuzz/TARGET/: seeds
// and the reproducers of fixed crashes in regressions/) through the same calls as the targets in
// Sources/Fuzz: every input must load or throw a LearnedFiltersError, never trap.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import Testing

@Suite struct FuzzRegressionTests {
    /// The per-layer parameter counts of the Keras MNIST tutorial's model summary.
    @Test func layerWeightCountsMatchKerasSummary() throws {
        let specs = try LayerSpec.parse(LayerSpec.tutorial)
        let model = try Model(architecture: specs, inputShape: [28, 28, 1], seed: 1)
        let inputs = [[28, 28, 1]] + model.layers.dropLast().map(\.outputShape)
        #expect(
            zip(specs, inputs).map { $0.weightCount(inputShape: $1) } == [
                320, 0, 18_496, 0, 0, 200_768, 0, 650,
            ])
        #expect(
            LayerSpec.conv2d(
                filters: 1 << 16, kernel: [1 << 16, 1 << 16], strides: [1, 1], dilation: [1, 1],
                padding: .same,
                activation: .linear
            ).weightCount(inputShape: [1, 1, 1 << 16]) == nil)
    }

    /// `--arch` sizes that parse but cannot be held are refused before their weights are
    /// allocated (2^48 weights here; 2^28 is the most one layer may hold).
    @Test func hugeLayersAreRefusedBeforeAllocation() throws {
        let specs = try LayerSpec.parse("conv2d:65536:65536x65536:same,flatten,dense:10")
        #expect(throws: LearnedFiltersError.self) {
            try Model(architecture: specs, inputShape: [28, 28, 1], seed: 1)
        }
        let fits = try LayerSpec.parse("conv2d:8:3x3,flatten,dense:2")
        #expect(throws: LearnedFiltersError.self) {
            try Model(architecture: fits, inputShape: [6, 6, 1], seed: 1, weightBudget: 79)
        }
        #expect(
            try Model(architecture: fits, inputShape: [6, 6, 1], seed: 1, weightBudget: 80 + 258)
                .parameterCount == 338)
    }

    @Test func safeTensorsCorpus() throws {
        FuzzCorpus("safetensors").replay(refusing: LearnedFiltersError.self) { path, bytes in
            let file = try SafeTensorsFile.decode(bytes, name: path)
            let encoded = try file.encoded()
            #expect(
                try SafeTensorsFile.decode(encoded, name: path).encoded() == encoded,
                "\(path) changed after an encode and a decode")
            _ = try Model.load(file: file, path: path).summary()
        }
    }

    /// Mirrors Sources/Fuzz/arch: parse, print back and parse again, then build on a 9x7x2 input
    /// when every layer is small (filters and units up to 64, kernel sides up to 16).
    @Test func archCorpus() throws {
        FuzzCorpus("arch").replay(refusing: LearnedFiltersError.self) { path, bytes in
            let specs = try LayerSpec.parse(String(decoding: bytes, as: UTF8.self))
            #expect(
                try LayerSpec.parse(LayerSpec.text(specs)) == specs,
                "\(path): '\(LayerSpec.text(specs))' parses differently")
            let small = specs.allSatisfy { spec in
                switch spec {
                case .conv2d(let filters, let kernel, _, _, _, _):
                    filters <= 64 && kernel.allSatisfy { $0 <= 16 }
                case .dense(let units, _): units <= 64
                case .maxPool2d, .averagePool2d, .globalAveragePool2d, .batchNormalization,
                    .dropout,
                    .flatten, .relu, .softmax, .activation:
                    true
                }
            }
            guard small else { return }
            let model = try Model(architecture: specs, inputShape: [9, 7, 2], seed: 1)
            #expect(model.layers.count == specs.count && model.classes > 0)
        }
    }
}
