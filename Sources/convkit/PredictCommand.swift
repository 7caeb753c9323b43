// `convkit predict`: the class and class probabilities of digit images under a trained model.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG images with a trained model.",
        discussion: """
            A 28x28 image is read as grey values (MNIST style: white digit on black). Any other
            image is converted to grey, inverted if its background is light, and its digit scaled
            to 20 pixels and centred by mass in 28x28, as MNIST was made.
            """
    )

    @Argument(help: "Model file (convkit .safetensors, Keras .keras or .weights.h5, a state dict).")
    var model: String

    @OptionGroup var source: ModelSourceOptions

    @Argument(help: "PNG images.")
    var images: [String]

    @Flag(name: .long, help: "Print a JSON array instead of text.")
    var json = false

    @OptionGroup var reading: ReadOptions

    func run() throws {
        let network = try source.open(model).model
        guard network.inputShape.count == 3, network.inputShape[2] == 1,
            network.inputShape[0] == network.inputShape[1]
        else {
            throw CLIError(
                "\(model): predict needs a model of square grey inputs, this one takes \(network.inputShape)"
            )
        }
        let names = network.classNames
        var records = [[String: Any]]()
        for path in images {
            let image = try ImageFile.read(path: path, maxPixels: reading.maxPixels)
            let values = DigitImage.mnistInput(from: image, side: network.inputShape[0])
            let probabilities = try network.probabilities(
                Tensor(shape: [1] + network.inputShape, values: values))[0]
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            let label = names.flatMap { best < $0.count ? $0[best] : nil } ?? String(best)
            if json {
                records.append([
                    "file": path, "class": best, "label": label, "probabilities": probabilities,
                ])
            } else {
                let list = probabilities.map { String(format: "%.4f", $0) }.joined(separator: " ")
                print(
                    "\(path): \(label) (p=\(String(format: "%.4f", probabilities[best])))  [\(list)]"
                )
            }
        }
        if json {
            let bytes = try JSONSerialization.data(
                withJSONObject: records,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: bytes, as: UTF8.self))
        }
    }
}
