// SmokeTrainingTests: a short real training run on MNIST that a broken gradient cannot pass.

import Foundation
import LearnedFilters
import Testing

@Suite struct SmokeTrainingTests {
    /// data/mnist from the package root (this file is Tests/LearnedFiltersTests/...).
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/mnist").path

    @Test func tutorialNetworkLearnsMNISTFromTwoThousandImages() throws {
        let train: Dataset
        let test: Dataset
        do {
            train = try Dataset.load(.mnist, split: .train, folder: Self.folder).prefix(2000)
            test = try Dataset.load(.mnist, split: .test, folder: Self.folder).prefix(1000)
        } catch {
            Issue.record(
                "MNIST is needed for this test: \(error) (run 'bash scripts/fetch-datasets.sh')")
            return
        }
        Threads.set(2)
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
