// `convkit visualize saliency`: which pixels a prediction rests on: saliency, gradient x input, Grad-CAM.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
import Visualization

struct VisualizeSaliency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saliency",
        abstract: "Show where a prediction looks: saliency, gradient x input and Grad-CAM.",
        usage: "convkit visualize saliency <model> [<image>] [<options>] -o <file>",
        discussion: """
            Explains the logit (before softmax) of the predicted class, or of --class C: \
            saliency is |d logit / d input| (Captum's Saliency), gradient x input is signed \
            (InputXGradient), and Grad-CAM is ReLU of the last convolution's feature maps \
            (after its activation) weighted by their mean gradients, upsampled bilinearly to \
            the input size. The image (PNG, NPY of uint8 or uint16, or a float NPY input) is \
            prepared as 'convkit predict' prepares it; --test-index N takes test image N \
            instead. A .png, .svg or .pdf output draws the three maps over the input with \
            colour bars; .npy writes them as one float32 array of shape (3, H, W): saliency, \
            gradient x input, Grad-CAM.

            Examples:
              convkit visualize saliency model.safetensors --test-index 0 -o why.png
              convkit visualize saliency model.safetensors digit.png --class 3 -o maps.npy
            """
    )

    /// What -o can name.
    enum OutputFormat: String, CaseIterable {
        case png, svg, pdf, npy
    }

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @OptionGroup var input: DigitInput

    @Option(
        name: .customLong("class"), valueHelp: "Explain this class (default: the predicted one).",
        valueName: "C")
    var target: Int?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Figure (.png, .svg, .pdf) or maps (.npy) to write.", valueName: "file"))
    var output: String = "saliency.png"

    func validate() throws {
        if let target, target < 0 {
            throw ValidationError("--class must be 0 or more, got \(target)")
        }
        _ = try OutputPaths.format(of: output, among: OutputFormat.allCases, what: "saliency maps")
    }

    func run() throws {
        Threads.set(input.data.threads)
        let inspection = try InputFiles.inspection(
            model, source: source, defaultClassNames: input.data.dataset.classNames)
        let network = inspection.model
        // One output has no predicted class to explain: a softmax over it is always class 0.
        try naming(model) { try Model.requireClassOutputs(network.classes) }
        if let target, target >= network.classes {
            throw ValidationError(
                "--class \(target) is beyond the model's \(network.classes) classes")
        }
        let (values, truth) = try input.read(network, model: model, what: "saliency maps")
        let attributions = try naming(model) {
            try network.attributions(of: [values], targets: [target])
        }
        guard let maps = attributions.first else {
            throw CLIError("\(model): no maps were computed")
        }
        let names = inspection.classNames
        let format = try OutputPaths.format(
            of: output, among: OutputFormat.allCases, what: "saliency maps")
        guard format != .npy else {
            let values = maps.saliency + maps.gradientTimesInput + maps.gradCAM
            try NPY.write(
                try NPYArray(shape: [3, maps.height, maps.width], values: .float32(values)),
                to: output)
            print(
                "\(output): saliency, gradient x input and Grad-CAM of class \(names[maps.target]), float32 (3, \(maps.height), \(maps.width))"
            )
            return
        }
        var title = "Class \(names[maps.target]) explained: predicted \(names[maps.predicted])"
        if let truth, truth < names.count { title += ", true \(names[truth])" }
        if let conv = network.lastConvolutionIndex {
            title += "; Grad-CAM on \(inspection.displayName(of: network.layers[conv]))"
        }
        try SaliencyFigure(input: values, maps: maps, title: title).write(to: output)
        print("\(output): \(title)")
    }
}
