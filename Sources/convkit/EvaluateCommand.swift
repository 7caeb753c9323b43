// `convkit evaluate`: loss, accuracy, per-class accuracy and confusion matrix of a trained model.

import ArgumentParser
import Foundation
import LearnedFilters
import ModelExchange

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on the test split of MNIST or Fashion-MNIST.",
        usage: "convkit evaluate <model> [<options>]",
        discussion: """
            Prints the loss, the accuracy, each class's accuracy and the confusion matrix (rows: \
            true class, columns: predicted). A class without test images has no accuracy: \
            'no test images' (null in JSON).

            Examples:
              convkit evaluate model.safetensors
              convkit evaluate model.safetensors --dataset fashion-mnist --json
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @OptionGroup var data: DatasetOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        Threads.set(data.threads)
        let network = try InputFiles.model(model, source: source)
        let test = try data.loadTest(splitSeed: ModelPaths.splitSeed(model))
        let names = data.classNames(of: test)
        try TrainingSource.requireMatch(
            network, path: model, classNames: names, dataName: data.dataName)
        guard test.shape == network.imageShape else {
            throw CLIError(
                "\(model): the model expects inputs of shape \(network.inputShape), the dataset has \(test.shape)"
            )
        }
        let inputs = ModelShapedImages(test, shape: network.inputShape)
        let result = try naming(model) { try Evaluation(model: network, data: inputs) }
        if json {
            let object: [String: Any] = [
                "model": model, "dataset": data.dataName, "samples": test.count,
                "loss": result.loss,
                "accuracy": result.accuracy,
                "per_class_accuracy": result.perClassAccuracy.map {
                    $0.map { $0 as Any } ?? NSNull()
                },
                "confusion": result.confusion,
                "class_names": network.classNames ?? names,
            ]
            try printJSON(object)
            return
        }
        print(
            String(
                format: "samples: %d\nloss: %.4f\naccuracy: %.4f", test.count, result.loss,
                result.accuracy))
        print("per-class accuracy:")
        for (index, value) in result.perClassAccuracy.enumerated() {
            let known = network.classNames ?? names
            let name = index < known.count ? " \(known[index])" : ""
            let figure = value.map { String(format: "%.4f", $0) } ?? "no test images"
            print("  \(index)\(name): \(figure)")
        }
        print("confusion matrix (rows: true, columns: predicted):")
        let width = max(5, String(result.confusion.flatMap { $0 }.max() ?? 0).count + 1)
        func cell(_ text: String) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        print("   " + (0..<result.confusion.count).map { cell(String($0)) }.joined())
        for (index, row) in result.confusion.enumerated() {
            print(cell(String(index)).suffix(3) + row.map { cell(String($0)) }.joined())
        }
    }
}

/// Images handed to a model whose input shape has the same values in another shape: `[h, w]`
/// for grey images `[h, w, 1]` (``Model/imageShape``).
struct ModelShapedImages: LabelledImages {
    let images: any LabelledImages
    let shape: [Int]

    init(_ images: any LabelledImages, shape: [Int]) {
        self.images = images
        self.shape = shape
    }

    var count: Int { images.count }
    var labels: [Int] { images.labels }

    func batch(_ indices: ArraySlice<Int>) throws -> (images: Tensor, labels: [Int]) {
        let (batch, labels) = try images.batch(indices)
        return (Tensor(shape: [batch.batch] + shape, values: batch.values), labels)
    }
}
