// TestSupport: MNIST and a tiny trained model for the Visualization tests.

import ConvkitTestSupport
import Foundation
import ImageIO
import LearnedFilters
import Testing

/// MNIST from data/mnist, loaded once.
let mnist: (train: Dataset, test: Dataset)? = {
    let folder = packageRoot + "/data/mnist"
    guard let train = try? Dataset.load(.mnist, split: .train, folder: folder),
        let test = try? Dataset.load(.mnist, split: .test, folder: folder)
    else { return nil }
    return (train, test)
}()

/// The tutorial's network trained for one epoch on the first 1,000 MNIST training images
/// (about 80% test accuracy: plenty of errors to draw). Trained once; each call builds a fresh
/// model from the weights, because layers keep scratch buffers and tests run in parallel.
func tinyTrainedModel() throws -> Model {
    try Model.load(file: tinyModelFile.get(), path: "tiny.safetensors")
}

private let tinyModelFile = Result<SafeTensorsFile, Error> {
    let data = try #require(
        mnist, "run 'bash scripts/fetch-datasets.sh' to put MNIST in data/mnist")
    let model = try Model(
        architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 7)
    let trainer = Trainer(
        model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 50, seed: 7))
    try trainer.trainEpoch(data.train.prefix(1000))
    return model.safeTensors()
}
