// PatternSearchTests: activation maximisation climbs at every logged step and is reproducible.

import LearnedFilters
import Testing

@Suite struct PatternSearchTests {
    /// 60 steps, logged every 10.
    static func settings(seed: UInt64 = 7) -> PatternSettings {
        var settings = PatternSettings()
        settings.steps = 60
        settings.logEvery = 10
        settings.seed = seed
        return settings
    }

    /// Jitter, decay and blur can lower the activation; the projected step keeps a candidate
    /// only if it does not, so each filter that responds at all climbs strictly from one logged
    /// step to the next (each interval of 10 steps keeps at least one rising step).
    @Test func activationIncreasesAtEveryLoggedStep() throws {
        let model = try SaliencyFixture().model
        let layer = try #require(model.layerIndex(named: "conv2d_1"))
        let result = try model.maximizeActivations(
            layer: layer, units: Array(0..<8), settings: Self.settings())
        #expect(result.loggedSteps == [0, 10, 20, 30, 40, 50, 60])
        var climbing = 0
        for unit in 0..<8 where result.log[0][unit] > 0 {
            for k in 1..<result.log.count {
                #expect(
                    result.log[k][unit] > result.log[k - 1][unit],
                    "unit \(unit), step \(result.loggedSteps[k])")
            }
            climbing += 1
        }
        #expect(climbing >= 6, "only \(climbing) of 8 filters respond to the grey start")
        #expect(result.activations == result.log[result.log.count - 1])
        #expect(result.keptSteps.allSatisfy { (6...60).contains($0) }, "\(result.keptSteps)")
        #expect(
            result.images.allSatisfy { $0.count == 784 && $0.allSatisfy { (0...1).contains($0) } })
    }

    @Test func classScoreIncreases() throws {
        let model = try SaliencyFixture().model
        let result = try model.maximizeActivations(
            layer: model.layers.count - 1, units: [7], settings: Self.settings())
        for k in 1..<result.log.count { #expect(result.log[k][0] > result.log[k - 1][0]) }
    }

    @Test func sameSeedReproducesBitForBit() throws {
        let model = try SaliencyFixture().model
        let layer = try #require(model.layerIndex(named: "conv2d_1"))
        let first = try model.maximizeActivations(
            layer: layer, units: [0, 3, 5], settings: Self.settings())
        let second = try model.maximizeActivations(
            layer: layer, units: [0, 3, 5], settings: Self.settings())
        #expect(first.images == second.images)
        #expect(first.log == second.log)
        let other = try model.maximizeActivations(
            layer: layer, units: [0, 3, 5], settings: Self.settings(seed: 8))
        #expect(other.images != first.images)
    }

    @Test func badSettingsAreErrors() throws {
        let model = try SaliencyFixture().model
        var settings = Self.settings()
        settings.learningRate = -1
        #expect(throws: LearnedFiltersError.self) {
            try model.maximizeActivations(layer: 0, units: [0], settings: settings)
        }
        #expect(throws: LearnedFiltersError.self) {
            try model.maximizeActivations(layer: 0, units: [4], settings: Self.settings())
        }
    }
}
