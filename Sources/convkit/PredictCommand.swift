// `convkit predict`: the class and class probabilities of digit images under a trained model.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG or NPY images with a trained model.",
        usage: "convkit predict <model> <image> ... [<options>]",
        discussion: """
            An image of a square grey model's size (28x28 for the tutorial's) is read as grey \
            values (MNIST style: white digit on black). Any other image is converted to grey, \
            inverted if its background is light, and its digit scaled to 20/28 of that size (20 \
            pixels in 28x28) and centred by mass, as MNIST was made. Ink on a \
            transparent background is read as the digit whatever its colour; an image of one \
            flat colour is refused. A model trained on a folder of images (or taking colour) \
            gets each image as training read them: grey or colour in [0, 1], area-resized to \
            its input size. A float32 or float64 NPY array of the model's input shape ((28, \
            28) or (28, 28, 1) for the tutorial's) is taken as the input as it is. A model \
            taking (H, W) (no channel axis, as Keras' Flatten(input_shape=(28, 28))) gets grey \
            images as one taking (H, W, 1) would. An image \
            that cannot be read is reported and the others still classified; the exit status \
            is then 1. A folder gives its .png and .npy files, sorted by name (--recursive: \
            through every subfolder); images in other formats and FIFOs or devices are skipped \
            and named in a note, hidden files and folders ('.' names) in silence.

            Examples:
              convkit predict model.safetensors digit.png
              convkit predict model.safetensors a.png b.png --json
              convkit predict model.safetensors photos/ --recursive --json
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @Argument(
        help: ArgumentHelp(
            "PNG or NPY images (uint8 or uint16, or float inputs), folders of them, '-' for standard input.",
            valueName: "image"))
    var images: [String]

    @Flag(help: "Walk folder inputs through every subfolder.")
    var recursive = false

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    @OptionGroup var reading: ReadOptions

    func run() throws {
        let network = try InputFiles.model(model, source: source)
        let shape = network.imageShape
        guard let prepare = InputFiles.preparation(for: shape, model: model) else {
            throw CLIError(
                "\(model): predict needs a model of grey or colour images, this one takes \(network.inputShape)"
            )
        }
        try naming(model) { try Model.requireClassOutputs(network.classes) }
        let names = network.classNames
        let listing = try InputTree.expanding(images, recursive: recursive)
        for note in listing.skippedNotes { printError("convkit: note: " + note) }
        try FileReports.run(listing.files, json: json) { path in
            if let error = listing.unreadableFolders[path] { throw error }
            let values = try InputFiles.modelInput(
                path, shape: shape, maxPixels: reading.maxPixels
            ) { try prepare($0, path) }
            let batch = Tensor(shape: [1] + network.inputShape, values: values)
            let probabilities = try naming(path) { try network.probabilities(batch)[0] }
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            let label = names.flatMap { best < $0.count ? $0[best] : nil } ?? String(best)
            let list = probabilities.map { String(format: "%.4f", $0) }.joined(separator: " ")
            return (
                ["file": path, "class": best, "label": label, "probabilities": probabilities],
                "\(path): \(label) (p=\(String(format: "%.4f", probabilities[best])))  [\(list)]"
            )
        }
    }
}
