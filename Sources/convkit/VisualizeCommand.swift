// `convkit visualize`: a trained model's filters, or one input's feature maps, as figures.

import ArgumentParser
import ConvkitSupport
import Drawing
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange
import Visualization

struct Visualize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Draw what a trained model learned: filters, feature maps, patterns, saliency.",
        discussion: """
            Layers are named as in the model summary (conv2d, max_pooling2d, conv2d_1, ...) or \
            by the tutorial's short names conv1, conv2 (convolutions in order) and pool1, \
            pool2. Figures are PNG, SVG or PDF, chosen by the output file's extension.

            Examples:
              convkit visualize filters model.safetensors -o conv1.png
              convkit visualize filters model.safetensors --layer conv2 --reduce mean -o c2.svg
              convkit visualize activations model.safetensors digit.png -o maps/
              convkit visualize activations model.safetensors --test-index 0 -o maps/
              convkit visualize patterns model.safetensors --layer conv2 -o patterns.png
              convkit visualize saliency model.safetensors --test-index 0 -o why.png
            """,
        subcommands: [
            VisualizeFilters.self, VisualizeActivations.self, VisualizePatterns.self,
            VisualizeSaliency.self,
        ]
    )
}

extension ArgumentHelp {
    /// The help of `-o` in the subcommands that write one figure (filters, patterns).
    static var figureFile: ArgumentHelp {
        ArgumentHelp("Figure to write (.png, .svg or .pdf).", valueName: "file")
    }
}

struct VisualizeFilters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract: "Draw every filter of a convolution layer as a tile of weight squares.",
        usage: "convkit visualize filters <model> [<options>] -o <file>",
        discussion: """
            Signed weights use the diverging blue-white-red map on a symmetric range (white is \
            0), with a colour bar. A layer with one input channel shows one tile per filter; a \
            layer with several shows a filter x input-channel grid, or one summary tile per \
            filter with --reduce mean (signed) or norm (unsigned, viridis). A layer on RGB \
            input (three channels) shows one colour tile per filter, each channel's weight \
            as its colour's intensity, mid grey for zero.

            Examples:
              convkit visualize filters model.safetensors -o conv1.png
              convkit visualize filters model.safetensors --layer conv2 -o conv2.pdf
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @Option(name: .shortAndLong, help: .figureFile) var output: String = "filters.png"

    @Option(
        help: ArgumentHelp("Convolution layer (default: the first).", valueName: "name"))
    var layer: String?

    @Option(
        help:
            "Summarise the input channels of each filter: mean or norm (default: none, every channel drawn)."
    )
    var reduce: KernelReduction?

    @Option(
        help: "One colour range for the layer (shared) or one per filter (per-filter)."
    )
    var scale: FilterFigure.Scaling = .shared

    @Option(
        valueHelp:
            "Side of one weight's square in pixels (default: 48 per tile, 4 in the full grid).",
        valueName: "pixels")
    var cellSize: NumberArgument?

    func validate() throws {
        _ = try OutputPaths.format(of: output, among: FigureFormat.allCases, what: "a figure")
        try cellSize?.require(1...256, option: "--cell-size")
    }

    func run() throws {
        let inspection = try InputFiles.inspection(model, source: source)
        let (conv, weights) = try convolution(in: inspection)
        let name = inspection.displayName(of: conv)
        let kernel = Sizes.text(width: weights.width, height: weights.height)
        let filters = counted(weights.filters, "filter")
        var title = "\(name): \(filters), \(kernel)"
        let colour = reduce == nil && weights.inputChannels == 3
        if let reduce, weights.inputChannels > 1 {
            title += ", \(reduce.rawValue) over \(weights.inputChannels) input channels"
        } else if colour {
            title += ", RGB input channels as colour"
        } else if weights.inputChannels > 1 {
            title = "\(name): \(filters) x \(weights.inputChannels) input channels, \(kernel)"
        }
        if scale == .perFilter { title += ", scaled per filter" }
        let figure = FilterFigure(
            weights: weights, title: title, scaling: scale, reduction: reduce,
            cellSize: cellSize?.value, colour: colour)
        try figure.write(to: output)
        print(
            "\(output): \(Sizes.text(width: Int(figure.size.width.rounded(.up)), height: Int(figure.size.height.rounded(.up)))), \(title)"
        )
    }

    /// The convolution `--layer` names (the first by default); a layer of another kind is
    /// named as such.
    private func convolution(in inspection: ModelInspection) throws -> (
        layer: Conv2D, weights: KernelWeights
    ) {
        guard !inspection.convolutions.isEmpty else {
            throw CLIError("\(model): the model has no convolution layer, so it has no filters")
        }
        if let layer, let found = try? inspection.layer(named: layer), !(found is Conv2D) {
            let names = inspection.convolutions.map { inspection.displayName(of: $0) }
            throw CLIError(
                "\(model): \(layer) is a \(Self.kind(of: found)) layer, and only convolution layers have filters (\(names.joined(separator: ", ")))"
            )
        }
        return try inspection.kernel(layer: layer)
    }

    private static func kind(of layer: any Layer) -> String {
        switch layer {
        case is MaxPool2D: "max-pooling"
        case is Dense: "dense"
        case is Flatten: "flatten"
        case is Dropout: "dropout"
        default: String(describing: type(of: layer)).lowercased()
        }
    }
}

struct VisualizeActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract:
            "Draw the feature maps of every convolution and pooling layer for one input image.",
        usage: "convkit visualize activations <model> [<image>] [<options>]",
        discussion: """
            The image (PNG, NPY of uint8 or uint16, or a float NPY input) is prepared as \
            'convkit predict' prepares it; --test-index N takes test image N of the dataset \
            (--dataset, --data) instead. Writes one figure per layer (conv1.png, pool1.png, ...: the input, the \
            predicted class and every channel's map on the layer's viridis scale) and \
            probabilities.png into the output folder.

            Examples:
              convkit visualize activations model.safetensors digit.png -o maps/
              convkit visualize activations model.safetensors --test-index 0 -o maps/
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @OptionGroup var input: DigitInput

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Folder to write the figures into (created if needed).", valueName: "folder"))
    var output: String = "activations"

    @Option(help: "Figure format: png, svg or pdf.")
    var format: FigureFormat = .png

    func validate() throws {
        if !OutputPaths.namesFolder(output), FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output): is a file; -o names the folder for the figures")
        }
    }

    func run() throws {
        Threads.set(input.data.threads)
        let inspection = try InputFiles.inspection(
            model, source: source, defaultClassNames: input.data.dataset.classNames)
        let shape = inspection.model.imageShape
        let (values, truth) = try input.read(inspection.model, model: model, what: "activations")
        let trace = try naming(model) { try inspection.trace(values) }
        let names = inspection.classNames
        var prediction =
            "\(names[trace.predicted]) (p = \(String(format: "%.3f", trace.probabilities[trace.predicted])))"
        if let truth, truth < names.count { prediction += ", true: \(names[truth])" }
        try OutputPaths.createFolder(output)
        for (index, map) in trace.maps.enumerated() {
            let name = (inspection.shortName(of: map.layer) ?? map.layer.name)
            let path = OutputPaths.join(output, "\(name).\(format.rawValue)")
            let title =
                "\(inspection.displayName(of: map.layer)): \(Sizes.text(width: map.shape[1], height: map.shape[0])), \(counted(map.shape[2], "channel"))"
            try ActivationFigure(
                values: map.values, shape: map.shape, title: title, input: values,
                inputShape: shape, prediction: prediction
            ).write(to: path)
            print("\(path): layer \(index + 1), \(title)")
        }
        let chart = BarChart(
            categories: ClassLabels.axis(names),
            values: trace.probabilities,
            title: "Class probabilities: predicted \(prediction)", xLabel: "class",
            yLabel: "probability")
        let canvas = try Canvas(width: 560, height: 340, format: format)
        chart.draw(on: canvas, in: Rect(x: 8, y: 8, width: 544, height: 324))
        let path = OutputPaths.join(output, "probabilities.\(format.rawValue)")
        try canvas.write(to: path)
        print("\(path): predicted \(prediction)")
    }
}
