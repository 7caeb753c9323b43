// ModelFileTests: architecture text, Keras names and parameter counts, safetensors round trips and errors.

import Foundation
import ImageIO
import LearnedFilters
import Testing

@Suite struct ModelFileTests {
    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "convkit-lf-\(getpid())-\(name)"
    }

    @Test func tutorialNetworkHasKerasNamesShapesAndCount() throws {
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 1)
        #expect(model.parameterCount == 220_234)
        #expect(
            model.layers.map(\.name) == [
                "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dense",
                "dropout", "dense_1",
            ])
        #expect(
            model.layers.map(\.outputShape) == [
                [28, 28, 32], [14, 14, 32], [14, 14, 64], [7, 7, 64], [3136], [64], [64], [10],
            ])
        #expect(model.namedParameters.map(\.name).first == "conv2d.kernel")
        #expect(model.namedParameters.first?.parameter.shape == [3, 3, 1, 32])
        #expect(model.summary().contains("Total params: 220,234"))
    }

    @Test func glorotLimitsAndZeroBiases() throws {
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 1)
        let kernel = try #require(model.layer(named: "conv2d_1")).parameters[0].value
        let limit = (6.0 / Float(9 * 32 + 9 * 64)).squareRoot()
        #expect(kernel.allSatisfy { abs($0) <= limit })
        #expect(kernel.map(abs).max()! > 0.9 * limit)
        #expect(
            try #require(model.layer(named: "dense")).parameters[1].value.allSatisfy { $0 == 0 })
    }

    @Test func architectureTextRoundTrips() throws {
        let text =
            "conv2d:8:3x3:s=2:d=1x2:same:relu,maxpool:3:s=2:same,conv2d:4:2x2:valid,flatten,relu,dense:16:relu,dropout:0.25,dense:3"
        let specs = try LayerSpec.parse(text)
        #expect(try LayerSpec.parse(LayerSpec.text(specs)) == specs)
        #expect(try LayerSpec.parse(LayerSpec.tutorial).count == 8)
    }

    @Test(arguments: [
        "", "conv2d:8", "conv2d:0:3x3", "pool:2", "dropout:1.5", "dense:abc", "flatten:2",
        "maxpool:2:relu",
    ])
    func badArchitecturesAreRejected(_ text: String) {
        #expect(throws: LearnedFiltersError.self) { try LayerSpec.parse(text) }
    }

    @Test func shapesThatDoNotFitAreRejected() throws {
        #expect(throws: LearnedFiltersError.self) {
            try Model(
                architecture: LayerSpec.parse("conv2d:4:9x9:valid,flatten,dense:2"),
                inputShape: [5, 5, 1], seed: 1)
        }
        #expect(throws: LearnedFiltersError.self) {
            try Model(architecture: LayerSpec.parse("dense:4"), inputShape: [5, 5, 1], seed: 1)
        }
        #expect(throws: LearnedFiltersError.self) {
            try Model(
                architecture: LayerSpec.parse("conv2d:4:3x3"), inputShape: [5, 5, 1], seed: 1)
        }
    }

    @Test func modelRoundTripsThroughSafetensors() throws {
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 7)
        let path = temporaryPath("model.safetensors")
        defer { unlink(path) }
        try model.save(path: path)
        let loaded = try Model.load(path: path)
        #expect(loaded.architecture == model.architecture)
        for ((name, a), (_, b)) in zip(model.namedParameters, loaded.namedParameters) {
            #expect(a.value == b.value, "\(name)")
        }
        let input = Tensor(shape: [1, 28, 28, 1], values: randomValues(784, seed: 2))
        #expect(try loaded.forward(input) == (try model.forward(input)))
    }

    @Test func safetensorsLayoutIsStandard() throws {
        let file = SafeTensorsFile(
            tensors: [("a.kernel", Tensor(shape: [2, 1], values: [1.5, -2]))], metadata: ["k": "v"])
        let bytes = try file.encoded()
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<8 + length], as: UTF8.self)
        #expect(
            header.contains(
                "\"a.kernel\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2,1]}"))
        #expect(Array(bytes[(8 + length)...]) == [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0])
        #expect(try SafeTensorsFile.decode(bytes, name: "x") == file)
    }

    @Test func corruptModelFilesGiveErrorsNamingTheFile() throws {
        let model = try Model(
            architecture: LayerSpec.parse("flatten,dense:2"), inputShape: [2, 2, 1], seed: 1)
        let good = try model.safeTensors().encoded()
        let cases: [[UInt8]] = [
            [], [1, 2, 3], Array(good.prefix(good.count - 4)),
            [255, 255, 0, 0, 0, 0, 0, 0] + good.dropFirst(8),
            try SafeTensorsFile(tensors: [], metadata: ["format": "convkit-sequential"]).encoded(),
        ]
        for bytes in cases {
            let path = temporaryPath("bad.safetensors")
            try FileAccess.writeAtomically(bytes, to: path)
            defer { unlink(path) }
            do {
                _ = try Model.load(path: path)
                Issue.record("loaded a corrupt model of \(bytes.count) bytes")
            } catch let error as LearnedFiltersError {
                #expect(error.description.hasPrefix(path))
            }
        }
    }

    @Test func checkpointResumesExactly() throws {
        let data = syntheticDataset(count: 40, seed: 3)
        let configuration = TrainingConfiguration(epochs: 2, batchSize: 16, seed: 5)
        let arch = try LayerSpec.parse(
            "conv2d:3:3x3:same:relu,maxpool:2,flatten,dense:8,dropout:0.5,dense:10")
        let straight = Trainer(
            model: try Model(architecture: arch, inputShape: [6, 6, 1], seed: 5),
            configuration: configuration)
        try straight.trainEpoch(data)
        try straight.trainEpoch(data)
        let first = Trainer(
            model: try Model(architecture: arch, inputShape: [6, 6, 1], seed: 5),
            configuration: configuration)
        try first.trainEpoch(data)
        let checkpoint = try SafeTensorsFile.decode(
            first.checkpoint().encoded(), name: "checkpoint")
        let resumed = try Trainer.resume(file: checkpoint, path: "checkpoint", epochs: 2)
        try resumed.trainEpoch(data)
        for ((name, a), (_, b)) in zip(
            straight.model.namedParameters, resumed.model.namedParameters)
        {
            #expect(a.value == b.value, "\(name)")
        }
    }

    @Test func sameSeedGivesSameWeights() throws {
        let data = syntheticDataset(count: 64, seed: 4)
        func run(_ seed: UInt64) throws -> [Float] {
            let model = try Model(
                architecture: LayerSpec.parse(
                    LayerSpec.tutorial.replacingOccurrences(of: "32", with: "4")
                        .replacingOccurrences(of: "64", with: "8")), inputShape: [6, 6, 1],
                seed: seed)
            let trainer = Trainer(
                model: model, configuration: TrainingConfiguration(batchSize: 16, seed: seed))
            try trainer.trainEpoch(data)
            return model.namedParameters.flatMap(\.parameter.value)
        }
        #expect(try run(1) == (try run(1)))
        #expect(try run(1) != (try run(2)))
    }
}

/// Random 6x6 images whose label is the brightest quadrant's index (learnable, not trivial).
func syntheticDataset(count: Int, seed: UInt64) -> Dataset {
    let values = randomValues(count * 36, seed: seed).map { ($0 + 1) / 2 }
    let labels = (0..<count).map { n in
        let quadrants = (0..<4).map { q in
            (0..<9).reduce(Float(0)) { sum, i in
                sum + values[n * 36 + ((q / 2) * 3 + i / 3) * 6 + (q % 2) * 3 + i % 3]
            }
        }
        return quadrants.indices.max { quadrants[$0] < quadrants[$1] } ?? 0
    }
    return Dataset(images: values, labels: labels, shape: [6, 6, 1])
}
