// FilterAndTrain: an edge map in three lines, then a two-layer network trained on a slice of
// MNIST. Run from the convkit checkout: `swift run --package-path Examples/FilterAndTrain`
// (MNIST comes from `bash scripts/fetch-datasets.sh`; pass another root folder as argument).

import Convolution
import Foundation
import ImageIO
import LearnedFilters

let root = CommandLine.arguments.dropFirst().first ?? "."

do {
    // 1. Filter an image: read, filter with the command line's defaults, write.
    let image = try Image(contentsOf: URL(fileURLWithPath: root + "/samples/ascent.png"))
    let edges = try image.filtered(by: .named("scharr-x"))
    let output = URL(fileURLWithPath: NSTemporaryDirectory() + "ascent-scharr-x.png")
    try edges.write(to: output)
    print("scharr-x on \(image.width)x\(image.height) \(image.layoutName) -> \(output.path)")

    // 2. Train a two-layer network (flatten, then two dense layers) on 2,000 digits.
    let train = try Dataset.load(.mnist, split: .train, folder: root + "/data/mnist").prefix(2000)
    let test = try Dataset.load(.mnist, split: .test, folder: root + "/data/mnist").prefix(1000)
    let model = try Model(
        architecture: LayerSpec.parse("flatten,dense:64:relu,dense:10"), inputShape: train.shape,
        seed: 7)
    let trainer = Trainer(
        model: model, configuration: TrainingConfiguration(epochs: 3, batchSize: 50, seed: 7))
    print("model: \(model.parameterCount) parameters, \(train.count) training images")
    for epoch in 1...trainer.configuration.epochs {
        let (loss, accuracy, _) = try trainer.trainEpoch(train)
        print(
            "epoch \(epoch): loss \(String(format: "%.4f", loss)), "
                + "accuracy \(String(format: "%.3f", accuracy))")
    }
    let evaluation = try Evaluation(model: model, data: test)
    print("test accuracy on \(test.count) images: \(String(format: "%.3f", evaluation.accuracy))")
} catch {
    FileHandle.standardError.write(Data("FilterAndTrain: error: \(error)\n".utf8))
    exit(1)
}
