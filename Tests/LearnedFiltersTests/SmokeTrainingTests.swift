// SmokeTrainingTests: a short real training run on MNIST that a broken gradient cannot pass.

import Foundation
import LearnedFilters
import Testing

@Suite(.serialized) struct SmokeTrainingTests {
    /// data/mnist from the package root (this file is Tests/LearnedFiltersTests/...).
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/mnist").path

    /// The first `count` images of a MNIST split, or nil (with a recorded issue) when MNIST
    /// has not been fetched.
    private func mnist(_ split: Dataset.Split, _ count: Int) -> Dataset? {
        do {
            return try Dataset.load(.mnist, split: split, folder: Self.folder).prefix(count)
        } catch {
            Issue.record(
                "MNIST is needed for this test: \(error) (run 'bash scripts/fetch-datasets.sh')")
            return nil
        }
    }

    /// The weights after an epoch on `data` from seed 7 with `threads` threads.
    private func trainedWeights(_ data: Dataset, threads: Int) throws -> [[Float]] {
        Threads.set(threads)
        defer { Threads.set(nil) }
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 7)
        let trainer = Trainer(
            model: model, configuration: TrainingConfiguration(batchSize: 64, seed: 7))
        try trainer.trainEpoch(data)
        return model.namedParameters.map(\.parameter.value)
    }

    /// Per-thread partial sums are added in a fixed order, so a seed and a thread count fix
    /// the weights to the bit, whatever the scheduling.
    @Test(arguments: [1, 3])
    func sameSeedAndThreadCountGiveTheSameWeights(_ threads: Int) throws {
        guard let train = mnist(.train, 256) else { return }
        let first = try trainedWeights(train, threads: threads)
        let second = try trainedWeights(train, threads: threads)
        #expect(first.map { $0.map(\.bitPattern) } == second.map { $0.map(\.bitPattern) })
    }

    @Test func tutorialNetworkLearnsMNISTFromTwoThousandImages() throws {
        guard let train = mnist(.train, 2000), let test = mnist(.test, 1000) else { return }
        Threads.set(2)
        defer { Threads.set(nil) }
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 1)
        let trainer = Trainer(
            model: model, configuration: TrainingConfiguration(batchSize: 64, seed: 1))
        for _ in 0..<3 { try trainer.trainEpoch(train) }
        let result = try Evaluation(model: model, data: test)
        #expect(
            result.accuracy >= 0.90,
            "test accuracy \(result.accuracy) after 3 epochs on 2,000 images")
    }
}
